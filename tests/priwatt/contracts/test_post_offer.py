"""Posting a DSO-attested energy claim on the auction board."""

from eth_account import Account

from offchain.priwatt import eip712

from tests.priwatt.contracts.helpers import (
    ANY,
    ENERGY_WH,
    PRICE,
    OfferStatus,
    advance,
    high_s,
    now,
    recovered,
    reverts,
)


def test_a_dso_signed_claim_goes_on_the_board_as_an_open_offer(flow, market, seller, dso, chain):
    claim = flow.claim(seller)
    offer, tx = flow.post(seller, claim)
    ev = tx.events["OfferPosted"]
    assert bytes(ev["offerId"]) == claim.claim_id
    assert ev["seller"] == seller and ev["dso"] == dso
    assert (ev["energyWh"], ev["askPrice"], ev["firstSlot"], ev["lastSlot"]) == (ENERGY_WH, PRICE, 10, 13)
    assert ev["expiry"] == claim.expiry and bytes(ev["messagingKey"]) == b"\x11" * 64
    assert flow.status(claim.claim_id) is OfferStatus.OPEN
    word = int.from_bytes(bytes(market.offerRecord(claim.claim_id)), "big")
    assert word >> 3 == int.from_bytes(eip712.trade_struct_hash(offer), "big") >> 3
    assert word & 7 == OfferStatus.OPEN


def test_the_claim_digest_matches_the_off_chain_one(flow, market, seller, chain):
    claim = flow.claim(seller)
    assert bytes(market.claimDigest(claim.as_args())) == eip712.claim_digest(claim, chain.id, market.address)


def test_only_the_address_the_claim_names_may_post_it(flow, market, seller, stranger):
    claim = flow.claim(seller)
    with reverts("OfferNotClaimant", stranger.address, seller.address):
        market.postOffer(claim.as_args(), flow.sign_claim(claim), PRICE, b"", {"from": stranger})


def test_a_claim_not_signed_by_a_dso_is_refused(flow, market, seller):
    claim = flow.claim(seller)
    forger = Account.create()
    with reverts("OfferUnknownDso", forger.address):
        flow.post(seller, claim, signature=flow.sign_claim(claim, forger.key))


def test_a_claim_signed_by_a_revoked_dso_is_refused(flow, market, seller, second_dso, governor):
    market.revokeRole(market.DSO_ROLE(), second_dso, {"from": governor})
    claim = flow.claim(seller)
    with reverts("OfferUnknownDso", second_dso.address):
        flow.post(seller, claim, signature=flow.sign_claim(claim, second_dso.private_key))


def test_a_claim_signed_for_another_market_is_refused(flow, market, seller, dso, chain, PriWattMarket, governor):
    other = PriWattMarket.deploy(governor, dso, "0x" + "00" * 20, {"from": governor})
    claim = flow.claim(seller)
    foreign = eip712.sign_claim(claim, dso.private_key, chain.id, other.address)
    with reverts("OfferUnknownDso", recovered(eip712.claim_digest(claim, chain.id, market.address), foreign)):
        flow.post(seller, claim, signature=foreign)


def test_a_claim_for_more_energy_than_the_dso_signed_is_refused(flow, seller, chain, market):
    claim = flow.claim(seller)
    signature = flow.sign_claim(claim)
    inflated = eip712.EnergyClaim(claim.claim_id, claim.seller, 10 * ENERGY_WH, 10, 13, claim.expiry)
    digest = eip712.claim_digest(inflated, chain.id, market.address)
    with reverts("OfferUnknownDso", recovered(digest, signature)):
        flow.post(seller, inflated, signature=signature)


def test_a_high_s_claim_signature_is_refused(flow, seller, chain, market):
    claim = flow.claim(seller)
    digest = eip712.claim_digest(claim, chain.id, market.address)
    with reverts("OfferMalformedSignature", digest):
        flow.post(seller, claim, signature=high_s(flow.sign_claim(claim)))


def test_an_expired_claim_is_refused(flow, seller, chain):
    claim = flow.claim(seller, expiry=now(chain) + 60)
    advance(chain, 120)
    with reverts("OfferClaimExpired", claim.claim_id, claim.expiry, ANY):
        flow.post(seller, claim)


def test_a_claim_of_no_energy_or_with_a_reversed_interval_is_refused(flow, seller):
    empty = flow.claim(seller, energy_wh=0)
    with reverts("OfferBadClaim", empty.claim_id, 0, 10, 13):
        flow.post(seller, empty)
    reversed_ = flow.claim(seller, slots=(20, 19))
    with reverts("OfferBadClaim", reversed_.claim_id, ENERGY_WH, 20, 19):
        flow.post(seller, reversed_)


def test_an_offer_must_ask_a_price(flow, seller):
    claim = flow.claim(seller)
    with reverts("OfferZeroPrice", claim.claim_id):
        flow.post(seller, claim, price=0)


def test_the_messaging_key_must_be_a_64_byte_public_key_or_empty(flow, seller):
    with reverts("OfferBadMessagingKey", 33):
        flow.post(seller, key=b"\x02" * 33)
    offer, _ = flow.post(seller, key=b"")
    assert flow.status(offer.offer_id) is OfferStatus.OPEN


def test_the_same_claim_is_never_posted_twice(flow, seller, market):
    claim = flow.claim(seller)
    offer, _ = flow.post(seller, claim)
    with reverts("OfferAlreadyPosted", claim.claim_id):
        flow.post(seller, claim)
    market.withdrawOffer(offer.as_args(), {"from": seller})
    with reverts("OfferAlreadyPosted", claim.claim_id):
        flow.post(seller, claim)
