"""Fixtures of the shared-PV off-chain tests: brownie's anvil as an ``offchain`` Chain, the
consortium and three co-owners with the paper's key (A 20 %, B 20 %, C 60 %), and a plant
reached through :class:`PlantClient` (the API users call) whose market time starts at local
midnight of :data:`START_DAY`."""

from __future__ import annotations

import datetime as dt

import pytest
from brownie import web3 as brownie_web3

from offchain.common import SlotConfig
from offchain.kernel.anvil import anvil_keys
from offchain.kernel.chain import connect
from offchain.shared_pv.client import OwnerShare, PlantClient

from tests.shared_pv.contracts.helpers import KEY, ZONE

#: the plant's first day; the billed day of the hand calculation is the day after
START_DAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def chain_client():
    """The chain brownie started, reached through the package's own network helper (like users)."""
    return connect(brownie_web3.provider.endpoint_uri)


@pytest.fixture(scope="module")
def keys():
    """anvil's development keys (brownie's accounts), signing locally."""
    return anvil_keys(10)


@pytest.fixture(scope="module")
def consortium(keys):
    return keys[0]


@pytest.fixture(scope="module")
def owner_keys(keys):
    """A, B, C."""
    return keys[1:4]


@pytest.fixture(scope="module")
def owners(owner_keys):
    """A, B, C as addresses."""
    return [k.address for k in owner_keys]


def make_plant(chain_client, chain, consortium, owners, day: dt.date) -> PlantClient:
    clock = SlotConfig.compressed(ZONE, chain[-1].timestamp, day, 900)
    shares = [OwnerShare(o, bp) for o, bp in zip(owners, KEY, strict=True)]
    return PlantClient.deploy(chain_client, shares, sender=consortium, clock=clock)


@pytest.fixture(scope="module")
def plant(chain_client, chain, consortium, owners):
    return make_plant(chain_client, chain, consortium, owners, START_DAY)


def advance_past(chain, plant: PlantClient, day: dt.date) -> None:
    """Mine a block in the first slot after local ``day``."""
    target = plant.clock.slot_start(plant.clock.day_slots(day).stop) + 1
    now = chain[-1].timestamp
    if target > now:
        chain.sleep(target - now)
    chain.mine()
