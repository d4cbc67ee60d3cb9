"""Fixtures for the PriWatt market tests: role-named accounts with keys (they sign claims,
settlements and channel states off chain), a deployed market and the `flow` helper."""

from __future__ import annotations

import secrets

import pytest

from tests.priwatt.contracts.helpers import DEPOSIT, ETHER, Flow


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


def _keyed(accounts):
    acct = accounts.add(secrets.token_hex(32))
    accounts[9].transfer(acct, "50 ether")
    return acct


@pytest.fixture(scope="module")
def governor(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def dso(accounts):
    """The DSO's key: signs energy claims and mediates disputes."""
    return _keyed(accounts)


@pytest.fixture(scope="module")
def second_dso(accounts):
    """Another key holding the DSO role (the same operator, a second machine)."""
    return _keyed(accounts)


@pytest.fixture(scope="module")
def seller(accounts):
    """A prosumer's fresh per-trade address."""
    return _keyed(accounts)


@pytest.fixture(scope="module")
def buyer(accounts):
    """A consumer's fresh per-trade address, with a deposit in the market."""
    return _keyed(accounts)


@pytest.fixture(scope="module")
def other_buyer(accounts):
    return _keyed(accounts)


@pytest.fixture(scope="module")
def market(PriWattMarket, governor, dso, second_dso, buyer, other_buyer):
    m = PriWattMarket.deploy(governor, dso, ETHER, {"from": governor})
    m.grantRole(m.DSO_ROLE(), second_dso, {"from": governor})
    for who in (buyer, other_buyer):
        m.deposit(DEPOSIT, {"from": who, "value": DEPOSIT})
    return m


@pytest.fixture(scope="module")
def flow(market, dso, chain):
    return Flow(market, dso, chain)
