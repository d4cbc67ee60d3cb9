"""Fixtures for PriWatt trades run by the agents on brownie's anvil (through web3, like users)."""

from __future__ import annotations

import asyncio

import brownie
import pytest

from offchain.kernel.anvil import anvil_keys
from offchain.kernel.chain import connect
from offchain.priwatt.messaging import LocalNetwork
from offchain.priwatt.scenario import build_community


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def chain_rpc():
    """The chain brownie started, reached through the package's own network helper."""
    return connect(brownie.web3.provider.endpoint_uri)


@pytest.fixture
def community(chain_rpc, tmp_path):
    """A fresh market, its DSO agent, two sellers with simulated PV panels and two buyers,
    talking over an in-memory network (the backbone test builds its own)."""
    return build_community(chain_rpc, anvil_keys(2), tmp_path, LocalNetwork(), sellers=2, buyers=2)


@pytest.fixture
def run():
    return asyncio.run
