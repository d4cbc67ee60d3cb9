"""Fixtures of the auction contract tests: role-named accounts, a market on a real-time
15-minute clock with one feeder, registered traders with deposits, and a target slot whose
gate lies an hour ahead."""

from __future__ import annotations

import secrets

import pytest

from tests.auction.contracts.helpers import (
    CAP,
    CHALLENGE_WINDOW,
    CLOCK,
    DEPOSIT,
    ETHER,
    FEEDER,
    MAX_AHEAD,
    NOTICE_SLOTS,
    PARAMS,
    SLOT_SECONDS,
    Trader,
    now,
)


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def governor(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def dso(accounts):
    """The DSO: configures feeders, accounts and rules, collects fees, settles deviations."""
    return accounts[1]


@pytest.fixture(scope="module")
def operator(accounts):
    """Whoever computes and submits a clearing (anyone may)."""
    return accounts[2]


@pytest.fixture(scope="module")
def challenger(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def market(AuctionMarket, governor, dso):
    m = AuctionMarket.deploy(
        governor, dso, ETHER, CLOCK, CHALLENGE_WINDOW, NOTICE_SLOTS, MAX_AHEAD, PARAMS.as_args(), {"from": governor}
    )
    m.setFeeder(FEEDER, 10**12, 10**12, {"from": dso})
    return m


def _trader(accounts, market, chain, *, register: bool = True, deposit: int = DEPOSIT) -> Trader:
    acct = accounts.add(secrets.token_hex(32))
    accounts[9].transfer(acct, "1 ether")
    if register:
        market.setAccount(acct, FEEDER, CAP, CAP, {"from": accounts[1]})
    if deposit:
        market.deposit(deposit, {"from": acct, "value": deposit})
    return Trader(acct, market, chain.id)


@pytest.fixture(scope="module")
def make_trader(accounts, market, chain):
    """make_trader(register=True, deposit=DEPOSIT) -> a fresh registered, funded trader."""

    def _make(**kw) -> Trader:
        return _trader(accounts, market, chain, **kw)

    return _make


@pytest.fixture(scope="module")
def buyer(make_trader):
    return make_trader()


@pytest.fixture(scope="module")
def buyer2(make_trader):
    return make_trader()


@pytest.fixture(scope="module")
def seller(make_trader):
    return make_trader()


@pytest.fixture(scope="module")
def seller2(make_trader):
    return make_trader()


@pytest.fixture
def slot(chain) -> int:
    """A slot whose gate lies between 45 and 60 minutes ahead: clearings are accepted."""
    return now(chain) // SLOT_SECONDS + 4


@pytest.fixture
def expiry(chain) -> int:
    """An order expiry two hours ahead."""
    return now(chain) + 7200
