"""Fixtures of the PETra agent tests: brownie's anvil reached through the package's own
chain helper (like users), the deployed market and fiat token, and a DSO agent."""

from __future__ import annotations

import brownie
import pytest

from offchain.kernel.anvil import anvil_keys
from offchain.kernel.chain import connect
from offchain.petra.agents import ConsumerAgent, DsoAgent, ProducerAgent
from offchain.petra.client import FiatClient, PetraClient
from offchain.petra.deploy import deploy


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def chain_rpc():
    return connect(brownie.web3.provider.endpoint_uri)


@pytest.fixture(scope="module")
def keys():
    return anvil_keys(10)


@pytest.fixture(scope="module")
def deployed(chain_rpc, keys):
    return deploy(chain_rpc, keys[0], {})


@pytest.fixture(scope="module")
def market(chain_rpc, deployed):
    return PetraClient(chain_rpc, deployed["PetraMarket"])


@pytest.fixture(scope="module")
def fiat(chain_rpc, deployed):
    return FiatClient(chain_rpc, deployed["FiatToken"])


@pytest.fixture
def dso(keys, market, fiat, tmp_path):
    agent = DsoAgent(keys[0], market, fiat, tmp_path / "dso.json")
    agent.set_feeder(1, 8_000, 3_000)
    agent.register(1, keys[1].address, 1, 6_000, 0)
    agent.register(2, keys[2].address, 1, 0, 5_000)
    return agent


@pytest.fixture
def producer(keys, market, tmp_path):
    return ProducerAgent("producer", keys[1], market, tmp_path / "producer.json")


@pytest.fixture
def consumer(keys, market, tmp_path):
    return ConsumerAgent("consumer", keys[2], market, tmp_path / "consumer.json")
