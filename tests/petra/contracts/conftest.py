"""Fixtures of the PETra contract tests: role-named accounts, the DSO's fiat token, a market
on the real-time slot clock with two feeders and three registered prosumers, funded parties,
and a ``mint`` factory (assets start an hour ahead, so a slot boundary during a test never
turns them into the past)."""

from __future__ import annotations

import pytest

from tests.petra.contracts.helpers import (
    CONSUMPTION,
    DEPOSIT,
    FEEDERS,
    PRODUCTION,
    PROSUMERS,
    REAL_TIME,
    current_slot,
    minted_id,
)


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def governor(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def dso(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def producer(accounts):
    """Anonymous account of prosumer 1 (feeder 1, 10 kW production)."""
    return accounts[2]


@pytest.fixture(scope="module")
def consumer(accounts):
    """Anonymous account of prosumer 2 (feeder 1, 10 kW consumption)."""
    return accounts[3]


@pytest.fixture(scope="module")
def remote(accounts):
    """Anonymous account of prosumer 3, on feeder 2."""
    return accounts[5]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def fiat(FiatToken, governor, dso):
    return FiatToken.deploy(governor, dso, {"from": governor})


@pytest.fixture(scope="module")
def market(PetraMarket, FiatToken, fiat, governor, dso, producer, consumer, remote):
    m = PetraMarket.deploy(governor, dso, fiat, REAL_TIME, {"from": governor})
    for feeder, (internal, exchange) in FEEDERS.items():
        m.setFeeder(feeder, internal, exchange, {"from": dso})
    for prosumer, (feeder, prod, cons) in PROSUMERS.items():
        m.registerProsumer(prosumer, feeder, prod, cons, {"from": dso})
    for who in (producer, consumer, remote):
        fiat.issue(who, DEPOSIT, {"from": dso})
        fiat.approve(m, DEPOSIT, {"from": who})
        m.deposit(DEPOSIT, {"from": who})
    return m


@pytest.fixture
def start(market):
    """A first slot safely in the future (an hour ahead)."""
    return current_slot(market) + 4


@pytest.fixture
def mint(market, dso):
    """mint(prosumer, to, kind, power, first, last, hint=0) -> token id (minted by the DSO)."""

    def _mint(prosumer, to, kind, power, first, last, hint=0):
        return minted_id(market.mint(prosumer, to, kind, power, first, last, hint, {"from": dso}))

    return _mint


@pytest.fixture
def ask(market, mint, producer, start):
    """An offered production asset: 2 kW for 4 slots from `start`, at 25 c/kWh."""

    def _ask(power=2_000, first=None, last=None, price=25_000, who=None, prosumer=1):
        first = start if first is None else first
        last = first + 3 if last is None else last
        token = mint(prosumer, who or producer, PRODUCTION, power, first, last)
        market.postOffer(token, price, {"from": who or producer})
        return token

    return _ask


@pytest.fixture
def bid(market, mint, consumer, start):
    """An offered consumption asset (escrow frozen): 2 kW for 4 slots from `start`."""

    def _bid(power=2_000, first=None, last=None, price=25_000, who=None, prosumer=2):
        first = start if first is None else first
        last = first + 3 if last is None else last
        token = mint(prosumer, who or consumer, CONSUMPTION, power, first, last)
        market.postOffer(token, price, {"from": who or consumer})
        return token

    return _bid
