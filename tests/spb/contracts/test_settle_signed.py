"""Single-transaction atomic form: an off-chain signed CTP settled with its ERC."""

import pytest
from eth_account import Account

from offchain.spb import eip712

from tests.spb.contracts.helpers import DEPOSIT, ETHER, PRICE, advance, earnings, funds, reverts


@pytest.fixture
def signed(market, funded, make_ctp, sign_ctp, chain):
    """(ctp, terms, signature, ctp_id) of a CTP signed by the funded consumer, never sent."""
    ctp, terms = make_ctp()
    return ctp, terms, sign_ctp(ctp, funded.private_key), eip712.ctp_digest(ctp, chain.id, market.address)


def settle_signed(market, ctp, sig, terms, erc, sender):
    return market.settleSigned(ctp.as_args(), sig, terms.as_args(), erc, {"from": sender})


def test_signed_ctp_and_erc_settle_in_one_transaction(market, signed, make_erc, producer, funded, account_id):
    ctp, terms, sig, ctp_id = signed
    tx = settle_signed(market, ctp, sig, terms, make_erc(ctp, terms), producer)
    assert "Committed" not in tx.events  # the CTP never appeared on chain on its own
    ev = tx.events["Settled"]
    assert bytes(ev["ctpId"]) == ctp_id and ev["signedCtp"] is True
    assert funds(market, funded) == (DEPOSIT - PRICE, 0)
    assert earnings(market, account_id) == PRICE
    assert market.isNonceUsed(funded, ctp.nonce)
    assert market.commitmentStatus(ctp.as_args()) == 0  # never stored


def test_signed_ctp_is_not_replayable(market, signed, make_erc, producer, funded):
    ctp, terms, sig, _ = signed
    settle_signed(market, ctp, sig, terms, make_erc(ctp, terms, leaf=0), producer)
    with reverts("FundsNonceUsed", funded.address, ctp.nonce):
        settle_signed(market, ctp, sig, terms, make_erc(ctp, terms, leaf=1), producer)


def test_ctp_signed_for_another_chain_id_is_refused(market, funded, make_ctp, make_erc, producer, chain):
    ctp, terms = make_ctp()
    foreign = eip712.sign_ctp(ctp, funded.private_key, chain.id + 1, market.address)
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    recovered = Account._recover_hash(ctp_id, signature=foreign)
    with reverts("MarketInvalidConsumerSignature", ctp_id, recovered, funded.address):
        settle_signed(market, ctp, foreign, terms, make_erc(ctp, terms), producer)


def test_ctp_signed_for_another_market_is_refused(
    market, SpbMarket, governor, funded, make_ctp, make_erc, sign_ctp, producer, chain
):
    other = SpbMarket.deploy(governor, 0, ETHER, {"from": governor})
    ctp, terms = make_ctp()
    sig_for_other = eip712.sign_ctp(ctp, funded.private_key, chain.id, other.address)
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    recovered = Account._recover_hash(ctp_id, signature=sig_for_other)
    with reverts("MarketInvalidConsumerSignature", ctp_id, recovered, funded.address):
        settle_signed(market, ctp, sig_for_other, terms, make_erc(ctp, terms), producer)


def test_ctp_signed_by_someone_else_is_refused(market, funded, make_ctp, make_erc, producer, chain):
    ctp, terms = make_ctp()
    thief = Account.create()
    sig = eip712.sign_ctp(ctp, thief.key, chain.id, market.address)
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    with reverts("MarketInvalidConsumerSignature", ctp_id, thief.address, funded.address):
        settle_signed(market, ctp, sig, terms, make_erc(ctp, terms), producer)


def test_expired_signed_ctp_is_refused(market, signed, make_erc, producer, chain):
    ctp, terms, sig, ctp_id = signed
    erc = make_erc(ctp, terms)
    advance(chain, 3601)
    with reverts("MarketExpiredCommitment", ctp_id, ctp.expiry):
        settle_signed(market, ctp, sig, terms, erc, producer)


def test_signed_ctp_cannot_spend_frozen_funds(market, funded, make_ctp, sign_ctp, make_erc, producer):
    frozen, _ = make_ctp(price=DEPOSIT - PRICE + 1)
    market.commit(frozen.as_args(), {"from": funded})
    ctp, terms = make_ctp()
    with reverts("FundsInsufficient", funded.address, PRICE - 1, PRICE):
        settle_signed(market, ctp, sign_ctp(ctp, funded.private_key), terms, make_erc(ctp, terms), producer)


def test_nonce_of_an_on_chain_ctp_cannot_be_settled_again_as_signed(
    market, funded, make_ctp, sign_ctp, make_erc, producer
):
    ctp, terms = make_ctp()
    market.commit(ctp.as_args(), {"from": funded})
    with reverts("FundsNonceUsed", funded.address, ctp.nonce):
        settle_signed(market, ctp, sign_ctp(ctp, funded.private_key), terms, make_erc(ctp, terms), producer)


def test_signed_ctp_still_needs_a_genuine_meter(market, signed, make_erc, producer, meter):
    ctp, terms, sig, _ = signed
    forger = Account.create()
    with reverts("CoELeafNotInTree", meter.root, 4, forger.address):
        settle_signed(market, ctp, sig, terms, make_erc(ctp, terms, leaf=4, key=forger), producer)
