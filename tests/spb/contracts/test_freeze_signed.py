"""A producer holding a signed CTP freezes it on chain before delivering: from then on the
consumer can neither withdraw the money, nor spend the nonce, nor slide its window away
from under the delivery. Without the freeze, the review's attack goes through."""

import pytest
from eth_account import Account

from offchain.spb import eip712

from tests.spb.contracts.helpers import ANY, DEPOSIT, PRICE, advance, earnings, funds, reverts


@pytest.fixture
def signed(market, funded, make_ctp, sign_ctp, chain):
    """(ctp, terms, signature, ctp_id): a CTP the consumer signed and handed to the producer."""
    ctp, terms = make_ctp(ttl=600)
    return ctp, terms, sign_ctp(ctp, funded.private_key), eip712.ctp_digest(ctp, chain.id, market.address)


def test_without_a_freeze_the_consumer_can_withdraw_after_delivery(market, signed, make_erc, producer, funded):
    """The attack: energy delivered, then the consumer empties its balance first."""
    ctp, terms, sig, _ = signed
    market.withdraw(DEPOSIT, {"from": funded})
    with reverts("FundsInsufficient", funded.address, 0, PRICE):
        market.settleSigned(ctp.as_args(), sig, terms.as_args(), make_erc(ctp, terms), {"from": producer})


def test_the_producer_freezes_a_signed_ctp_and_the_consumer_can_no_longer_withdraw_it(
    market, signed, make_erc, producer, funded, account_id
):
    ctp, terms, sig, ctp_id = signed
    tx = market.freezeSigned(ctp.as_args(), sig, {"from": producer})
    assert bytes(tx.return_value) == ctp_id
    event = tx.events["Committed"]
    assert bytes(event["ctpId"]) == ctp_id and event["consumer"] == funded and event["price"] == PRICE
    assert funds(market, funded) == (DEPOSIT, PRICE)
    assert market.commitmentStatus(ctp.as_args()) == 1  # Pending
    with reverts("FundsInsufficient", funded.address, DEPOSIT - PRICE, DEPOSIT):
        market.withdraw(DEPOSIT, {"from": funded})
    market.settle(ctp.as_args(), terms.as_args(), make_erc(ctp, terms), {"from": producer})
    assert funds(market, funded) == (DEPOSIT - PRICE, 0)
    assert earnings(market, account_id) == PRICE


def test_a_frozen_signed_ctp_survives_a_spent_nonce_and_a_slid_window(
    market, signed, make_ctp, make_erc, producer, funded, account_id
):
    ctp, terms, sig, _ = signed
    market.freezeSigned(ctp.as_args(), sig, {"from": producer})
    again, _ = make_ctp(nonce=ctp.nonce)
    with reverts("FundsNonceUsed", funded.address, ctp.nonce):  # the nonce is spent by the freeze
        market.commit(again.as_args(), {"from": funded})
    far, _ = make_ctp(nonce=63, price=1)  # slides the window (now 32..63) past the frozen nonce
    market.commit(far.as_args(), {"from": funded})
    assert market.isNonceUsed(funded, ctp.nonce)
    market.settle(ctp.as_args(), terms.as_args(), make_erc(ctp, terms), {"from": producer})
    assert earnings(market, account_id) == PRICE


def test_a_frozen_signed_ctp_cannot_also_settle_in_one_transaction(market, signed, make_erc, producer, funded):
    ctp, terms, sig, _ = signed
    market.freezeSigned(ctp.as_args(), sig, {"from": producer})
    with reverts("FundsNonceUsed", funded.address, ctp.nonce):
        market.settleSigned(ctp.as_args(), sig, terms.as_args(), make_erc(ctp, terms), {"from": producer})


def test_an_undelivered_frozen_ctp_comes_back_at_expiry(market, signed, producer, stranger, funded, chain):
    ctp, _, sig, _ = signed
    market.freezeSigned(ctp.as_args(), sig, {"from": producer})
    advance(chain, 601)
    market.release(ctp.as_args(), {"from": stranger})
    assert funds(market, funded) == (DEPOSIT, 0)


def test_anyone_may_freeze_but_only_the_consumers_signature_freezes(market, signed, stranger, funded, chain):
    ctp, _, sig, ctp_id = signed
    forged = eip712.sign_ctp(ctp, Account.create().key, chain.id, market.address)
    recovered = Account._recover_hash(ctp_id, signature=forged)
    with reverts("MarketInvalidConsumerSignature", ctp_id, recovered, funded.address):
        market.freezeSigned(ctp.as_args(), forged, {"from": stranger})
    with reverts("MarketMalformedConsumerSignature", ctp_id):
        market.freezeSigned(ctp.as_args(), sig[:64], {"from": stranger})
    market.freezeSigned(ctp.as_args(), sig, {"from": stranger})  # a relayer may pay the gas
    with reverts("FundsNonceUsed", funded.address, ctp.nonce):
        market.freezeSigned(ctp.as_args(), sig, {"from": stranger})


def test_a_signed_ctp_beyond_the_free_balance_cannot_be_frozen(market, funded, make_ctp, sign_ctp, producer):
    ctp, _ = make_ctp(price=DEPOSIT + 1)
    with reverts("FundsInsufficient", funded.address, DEPOSIT, DEPOSIT + 1):
        market.freezeSigned(ctp.as_args(), sign_ctp(ctp, funded.private_key), {"from": producer})


def test_an_expired_or_too_long_signed_ctp_cannot_be_frozen(market, funded, make_ctp, sign_ctp, producer, chain):
    old, _ = make_ctp(expiry=chain[-1].timestamp - 1)
    with reverts("MarketExpiryInPast", eip712.ctp_digest(old, chain.id, market.address), old.expiry, ANY):
        market.freezeSigned(old.as_args(), sign_ctp(old, funded.private_key), {"from": producer})
    forever, _ = make_ctp(expiry=2**64 - 1)
    forever_id = eip712.ctp_digest(forever, chain.id, market.address)
    with reverts("MarketExpiryTooFar", forever_id, 2**64 - 1, ANY):
        market.freezeSigned(forever.as_args(), sign_ctp(forever, funded.private_key), {"from": producer})
