"""ERC settlement of on-chain CTPs: SPB's five checks and the attacks they stop."""

import pytest
from eth_account import Account

from offchain.spb import eip712

from tests.spb.contracts.helpers import DEPOSIT, PRICE, RATE, SUPPLY_WH, advance, earnings, funds, make_pool, reverts

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture
def pending(market, funded, make_ctp, chain):
    """A pending on-chain CTP: (ctp, terms, ctp_id)."""
    ctp, terms = make_ctp()
    market.commit(ctp.as_args(), {"from": funded})
    return ctp, terms, eip712.ctp_digest(ctp, chain.id, market.address)


def settle(market, ctp, terms, erc, sender):
    return market.settle(ctp.as_args(), terms.as_args(), erc, {"from": sender})


def test_valid_erc_pays_the_producer_and_reduces_supply(
    market, funded, make_ctp, make_erc, producer, meter, account_id, chain
):
    ctp, terms = make_ctp(leaf=3)  # the consumer's meter will confirm with its leaf key 3
    market.commit(ctp.as_args(), {"from": funded})
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    tx = settle(market, ctp, terms, make_erc(ctp, terms), producer)
    ev = tx.events["Settled"]
    assert bytes(ev["ctpId"]) == ctp_id
    assert (ev["consumer"], ev["price"], ev["energyWh"], ev["leafIndex"], ev["signedCtp"]) == (
        funded,
        PRICE,
        terms.energy_wh,
        3,
        False,
    )
    assert funds(market, funded) == (DEPOSIT - PRICE, 0)
    assert earnings(market, account_id) == PRICE
    assert market.accountOf(account_id)[1] == SUPPLY_WH - PRICE // RATE
    assert funds(market, producer) == (0, 0)  # paid into the account, collected by its owner
    assert market.isLeafUsed(meter.root, 3)
    assert market.commitmentStatus(ctp.as_args()) == 2  # Settled


def test_anyone_may_relay_the_erc(market, pending, make_erc, stranger, producer, account_id):
    ctp, terms, _ = pending
    settle(market, ctp, terms, make_erc(ctp, terms), stranger)
    assert earnings(market, account_id) == PRICE


def test_consumer_cannot_settle_without_a_ctp(market, funded, make_ctp, make_erc, chain):
    ctp, terms = make_ctp()  # never committed
    with reverts("MarketCommitmentNotPending", eip712.ctp_digest(ctp, chain.id, market.address), 0):
        settle(market, ctp, terms, make_erc(ctp, terms), funded)


def test_replayed_erc_is_refused(market, pending, make_erc, producer):
    ctp, terms, ctp_id = pending
    erc = make_erc(ctp, terms)
    settle(market, ctp, terms, erc, producer)
    with reverts("MarketCommitmentNotPending", ctp_id, 2):
        settle(market, ctp, terms, erc, producer)


def test_leaf_key_is_used_once(market, funded, make_ctp, make_erc, producer, meter, chain):
    first, t1 = make_ctp(leaf=5)
    second, t2 = make_ctp(leaf=5)  # a consumer that names the same key twice
    for c in (first, second):
        market.commit(c.as_args(), {"from": funded})
    settle(market, first, t1, make_erc(first, t1, leaf=5), producer)
    with reverts("CoELeafKeyUsed", meter.root, 5):
        settle(market, second, t2, make_erc(second, t2, leaf=5), producer)


def test_settlement_after_expiry_is_refused(market, pending, make_erc, producer, chain):
    ctp, terms, ctp_id = pending
    erc = make_erc(ctp, terms)
    advance(chain, 3601)
    with reverts("MarketExpiredCommitment", ctp_id, ctp.expiry):
        settle(market, ctp, terms, erc, producer)


def test_price_mismatch_is_refused(market, pending, make_erc, producer):
    ctp, terms, ctp_id = pending
    with reverts("MarketPriceMismatch", ctp_id, PRICE, PRICE + 1):
        settle(market, ctp, terms, make_erc(ctp, terms, price=PRICE + 1), producer)


def test_terms_that_do_not_match_the_contract_hash_are_refused(market, pending, make_erc, producer):
    ctp, terms, ctp_id = pending
    erc = make_erc(ctp, terms, energy_wh=terms.energy_wh + 1)
    revealed = eip712.contract_hash(terms.energy_wh + 1, terms.rate, terms.salt, terms.meter_key)
    with reverts("MarketContractHashMismatch", ctp_id, ctp.contract_hash, revealed):
        settle(market, ctp, terms, erc, producer)


def test_forged_erc_by_a_key_not_in_the_tree_is_refused(market, funded, make_ctp, make_erc, producer, meter):
    """Even a CTP that names a software key (not a certified meter's leaf) cannot settle."""
    forger = Account.create()
    ctp, terms = make_ctp(meter_key=forger.address)
    market.commit(ctp.as_args(), {"from": funded})
    with reverts("CoELeafNotInTree", meter.root, 0, forger.address):
        settle(market, ctp, terms, make_erc(ctp, terms, leaf=0, key=forger), producer)


def test_leaf_key_claiming_another_index_is_refused(market, funded, make_ctp, make_erc, producer, meter, chain):
    ctp, terms = make_ctp(leaf=2)
    market.commit(ctp.as_args(), {"from": funded})
    erc = list(make_erc(ctp, terms))
    erc[4] = 7  # claim index 7 with key 2's signature over index 2: the digest changes
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    digest = eip712.erc_digest(ctp_id, erc[0], erc[1], erc[3], 7, erc[2], chain.id, market.address)
    recovered = Account._recover_hash(digest, signature=erc[6])  # some key nobody holds
    assert recovered not in (meter.keys[2].address, meter.keys[7].address)
    revealed = eip712.contract_hash(terms.energy_wh, terms.rate, terms.salt, recovered)
    with reverts("MarketContractHashMismatch", ctp_id, ctp.contract_hash, revealed):
        settle(market, ctp, terms, tuple(erc), producer)
    assert not market.isLeafUsed(meter.root, 7) and not market.isLeafUsed(meter.root, 2)


def test_key_in_a_tree_signed_by_an_uncertified_meter_is_refused(
    market, funded, make_ctp, make_erc, producer, register_coe, certify
):
    rogue_pool = make_pool(4)
    ctp, terms = make_ctp(pool=rogue_pool, leaf=0)
    market.commit(ctp.as_args(), {"from": funded})
    rogue_verifier = Account.create()
    rogue_ca = Account.create()  # never registered as a manufacturer
    with reverts("CoEUncertifiedVerifier", rogue_verifier.address, rogue_ca.address):
        register_coe(rogue_pool, verifier=rogue_verifier, ca=rogue_ca)
    with reverts("CoEUnknownRoot", rogue_pool.root):
        settle(market, ctp, terms, make_erc(ctp, terms, pool=rogue_pool), producer)


def test_coe_of_a_revoked_manufacturer_no_longer_settles(
    market, pending, make_erc, producer, governor, manufacturer, meter
):
    ctp, terms, _ = pending
    market.setManufacturer(manufacturer.address, False, {"from": governor})
    with reverts("CoERevokedManufacturer", meter.root, manufacturer.address):
        settle(market, ctp, terms, make_erc(ctp, terms), producer)


def test_high_s_signature_is_refused(market, pending, make_erc, producer, chain):
    ctp, terms, ctp_id = pending
    erc = list(make_erc(ctp, terms))
    sig = erc[6]
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    erc[6] = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # same signer, malleated
    digest = eip712.erc_digest(ctp_id, erc[0], erc[1], erc[3], erc[4], erc[2], chain.id, market.address)
    with reverts("MarketMalformedReceiptSignature", digest):
        settle(market, ctp, terms, tuple(erc), producer)


def test_selling_more_than_the_account_holds_is_refused(market, funded, make_ctp, make_erc, producer, account_id):
    ctp, terms = make_ctp(price=PRICE, energy_wh=SUPPLY_WH + 1)
    market.commit(ctp.as_args(), {"from": funded})
    with reverts("AccountInsufficientSupply", account_id, SUPPLY_WH, SUPPLY_WH + 1):
        settle(market, ctp, terms, make_erc(ctp, terms), producer)


def test_refused_settlement_changes_nothing(market, pending, make_erc, producer, funded, meter):
    ctp, terms, ctp_id = pending
    with reverts("MarketPriceMismatch", ctp_id, PRICE, PRICE - 1):
        settle(market, ctp, terms, make_erc(ctp, terms, leaf=9, price=PRICE - 1), producer)
    assert funds(market, funded) == (DEPOSIT, PRICE)
    assert not market.isLeafUsed(meter.root, 9)
    assert market.commitmentStatus(ctp.as_args()) == 1
