"""Fixtures for trades run by the agents on brownie's anvil (through web3, like users)."""

from __future__ import annotations

import random

import brownie
import pytest

from offchain.kernel.anvil import anvil_keys
from offchain.kernel.chain import connect
from offchain.spb.scenario import build_population


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def chain_rpc():
    """The chain brownie started, reached through the package's own network helper."""
    return connect(brownie.web3.provider.endpoint_uri)


@pytest.fixture(scope="module")
def population(chain_rpc, tmp_path_factory):
    """A market with 2 producers, 3 consumers and their meters (meters 0 and 1 share a group CoE)."""
    workdir = tmp_path_factory.mktemp("spb-population")
    return build_population(
        chain_rpc, anvil_keys(8), workdir, producers=2, consumers=3, pool_size=8, group_size=2, rng=random.Random(7)
    )


@pytest.fixture
def consumer(population):
    return population.consumers[2]


@pytest.fixture
def producer(population):
    return population.producers[0]


@pytest.fixture
def meter(population):
    return population.meters[2]
