"""Releasing expired CTPs: a producer that never delivers gets nothing."""

from offchain.spb import eip712

from tests.spb.contracts.helpers import DEPOSIT, PRICE, advance, earnings, funds, reverts


def test_producer_never_delivers_and_funds_return_at_expiry(
    market, funded, producer, stranger, make_ctp, chain, account_id
):
    ctp, _ = make_ctp(ttl=600)
    market.commit(ctp.as_args(), {"from": funded})
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    advance(chain, 601)
    tx = market.release(ctp.as_args(), {"from": stranger})  # anyone may release
    assert tx.events["Released"]["price"] == PRICE
    assert bytes(tx.events["Released"]["ctpId"]) == ctp_id
    assert funds(market, funded) == (DEPOSIT, 0)
    assert earnings(market, account_id) == 0
    assert market.commitmentStatus(ctp.as_args()) == 3  # Released


def test_release_before_expiry_is_refused(market, funded, make_ctp, chain):
    ctp, _ = make_ctp(ttl=600)
    market.commit(ctp.as_args(), {"from": funded})
    with reverts("MarketCommitmentNotExpired", eip712.ctp_digest(ctp, chain.id, market.address), ctp.expiry):
        market.release(ctp.as_args(), {"from": funded})


def test_release_twice_is_refused(market, funded, make_ctp, chain):
    ctp, _ = make_ctp(ttl=600)
    market.commit(ctp.as_args(), {"from": funded})
    advance(chain, 601)
    market.release(ctp.as_args(), {"from": funded})
    with reverts("MarketCommitmentNotPending", eip712.ctp_digest(ctp, chain.id, market.address), 3):
        market.release(ctp.as_args(), {"from": funded})


def test_unknown_ctp_cannot_be_released(market, funded, make_ctp, chain):
    ctp, _ = make_ctp()
    with reverts("MarketCommitmentNotPending", eip712.ctp_digest(ctp, chain.id, market.address), 0):
        market.release(ctp.as_args(), {"from": funded})


def test_released_funds_can_be_withdrawn(market, funded, make_ctp, chain):
    ctp, _ = make_ctp(ttl=600)
    market.commit(ctp.as_args(), {"from": funded})
    advance(chain, 601)
    market.release(ctp.as_args(), {"from": funded})
    market.withdraw(DEPOSIT, {"from": funded})
    assert funds(market, funded) == (0, 0)
