"""Funds: deposits, withdrawals within the free balance, and hostile receivers."""

import pytest

from tests.spb.contracts.helpers import DEPOSIT, funds, reverts


def test_deposit_credits_the_balance(market, consumer):
    balance, frozen = funds(market, consumer)
    held = market.balance()
    tx = market.deposit({"from": consumer, "value": 1000})
    assert tx.events["Deposited"]["balance"] == balance + 1000
    assert funds(market, consumer) == (balance + 1000, frozen)
    assert market.balance() == held + 1000


def test_zero_deposit_is_refused(market, consumer):
    with reverts("FundsZeroAmount"):
        market.deposit({"from": consumer, "value": 0})


def test_withdraw_returns_ether(market, funded):
    before = funded.balance()
    tx = market.withdraw(DEPOSIT, {"from": funded, "gas_price": 0})
    assert tx.events["Withdrew"]["balance"] == 0
    assert funded.balance() == before + DEPOSIT
    assert funds(market, funded) == (0, 0)


def test_withdraw_beyond_balance_is_refused(market, funded):
    with reverts("FundsInsufficient", funded.address, DEPOSIT, DEPOSIT + 1):
        market.withdraw(DEPOSIT + 1, {"from": funded})


def test_frozen_funds_cannot_be_withdrawn(market, funded, make_ctp):
    ctp, _ = make_ctp(price=DEPOSIT // 4)
    market.commit(ctp.as_args(), {"from": funded})
    free = DEPOSIT - DEPOSIT // 4
    with reverts("FundsInsufficient", funded.address, free, free + 1):
        market.withdraw(free + 1, {"from": funded})
    market.withdraw(free, {"from": funded})
    assert funds(market, funded) == (DEPOSIT // 4, DEPOSIT // 4)


def test_zero_withdrawal_is_refused(market, funded):
    with reverts("FundsZeroAmount"):
        market.withdraw(0, {"from": funded})


def test_reentrant_withdrawal_gets_nothing_extra(market, ReentrantWithdrawer, stranger):
    attacker = ReentrantWithdrawer.deploy(market, {"from": stranger})
    attacker.depositToMarket({"from": stranger, "value": 1000})
    market.deposit({"from": stranger, "value": 5000})  # someone else's money in the pot
    held = market.balance()
    attacker.setReentry(market.withdraw.encode_input(1000), {"from": stranger})
    attacker.withdrawFromMarket(1000, {"from": stranger})
    assert attacker.reentered()
    assert not attacker.reentrySucceeded()
    assert attacker.balance() == 1000
    assert funds(market, attacker) == (0, 0)
    assert market.balance() == held - 1000


def test_reentry_into_commit_during_withdrawal_cannot_spend_withdrawn_funds(
    market, ReentrantWithdrawer, stranger, make_ctp
):
    attacker = ReentrantWithdrawer.deploy(market, {"from": stranger})
    attacker.depositToMarket({"from": stranger, "value": 1000})
    held = market.balance()
    ctp, _ = make_ctp(price=1000, who=attacker)
    attacker.setReentry(market.commit.encode_input(ctp.as_args()), {"from": stranger})
    attacker.withdrawFromMarket(1000, {"from": stranger})
    assert attacker.reentered()
    assert not attacker.reentrySucceeded()  # the balance was already debited: FundsInsufficient
    assert funds(market, attacker) == (0, 0)
    assert market.balance() == held - 1000


def test_receiver_that_rejects_ether_loses_nothing(market, RejectingReceiver, stranger):
    receiver = RejectingReceiver.deploy(market, {"from": stranger})
    receiver.depositToMarket({"from": stranger, "value": 700})
    held = market.balance()
    with reverts("FundsTransferFailed", receiver.address, 700):
        receiver.withdrawFromMarket(700, {"from": stranger})
    assert funds(market, receiver) == (700, 0)
    assert market.balance() == held


@pytest.mark.parametrize("amount", [1, 10**18])
def test_balances_accumulate_exactly(market, consumer, amount):
    before = funds(market, consumer)[0]
    market.deposit({"from": consumer, "value": amount})
    market.deposit({"from": consumer, "value": amount})
    assert funds(market, consumer)[0] == before + 2 * amount
