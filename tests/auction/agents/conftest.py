"""Fixtures for the auction agents on brownie's anvil (through web3, like users)."""

from __future__ import annotations

import brownie
import pytest

from offchain.kernel.chain import connect


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def chain_rpc():
    return connect(brownie.web3.provider.endpoint_uri, timeout=60.0)
