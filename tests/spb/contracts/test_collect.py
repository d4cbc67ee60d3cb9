"""Collecting an energy account's earnings into its owner's balance."""

import pytest

from tests.spb.contracts.helpers import PRICE, earnings, funds, reverts


@pytest.fixture
def settled(market, funded, make_ctp, make_erc, producer):
    ctp, terms = make_ctp()
    market.commit(ctp.as_args(), {"from": funded})
    market.settle(ctp.as_args(), terms.as_args(), make_erc(ctp, terms), {"from": producer})


def test_owner_collects_earnings_and_withdraws_them(market, settled, producer, account_id):
    tx = market.collect(account_id, {"from": producer})
    assert tx.return_value == PRICE
    assert tx.events["EarningsCollected"]["amount"] == PRICE
    assert earnings(market, account_id) == 0
    assert funds(market, producer) == (PRICE, 0)
    before = producer.balance()
    market.withdraw(PRICE, {"from": producer, "gas_price": 0})
    assert producer.balance() == before + PRICE


def test_only_the_owner_collects(market, settled, stranger, account_id):
    with reverts("AccountNotOwner", account_id, stranger.address):
        market.collect(account_id, {"from": stranger})
    assert earnings(market, account_id) == PRICE


def test_collecting_twice_moves_nothing_more(market, settled, producer, account_id):
    market.collect(account_id, {"from": producer})
    assert market.collect(account_id, {"from": producer}).return_value == 0
    assert funds(market, producer) == (PRICE, 0)


def test_unknown_account_cannot_be_collected(market, producer):
    with reverts("AccountUnknown", 404):
        market.collect(404, {"from": producer})
