"""Fixtures of the shared behaviour tests: every discovered market ledger, in ether and token mode."""

from __future__ import annotations

import pytest

from tests.common.ledger_harness import ETHER, Ledger, discover

SPECS = discover()
MODES = [(spec, mode) for spec in SPECS for mode in ("ether", "token")]


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def governor(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def owner(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def other(accounts):
    return accounts[4]


def _deploy(spec, mode, governor, TestToken) -> Ledger:
    import brownie

    token = TestToken.deploy("Test cents", "CENT", 2, {"from": governor}) if mode == "token" else None
    contract = spec.deploy(brownie.project.get_loaded_projects()[0], governor, token.address if token else ETHER)
    return Ledger(spec, contract, token)


@pytest.fixture(scope="module", params=MODES, ids=[f"{s.name}-{m}" for s, m in MODES])
def ledger(request, governor, TestToken):
    """Every market's ledger, in ether mode and in token mode."""
    return _deploy(*request.param, governor, TestToken)


@pytest.fixture(scope="module", params=SPECS, ids=[s.name for s in SPECS])
def ether_ledger(request, governor, TestToken):
    return _deploy(request.param, "ether", governor, TestToken)


@pytest.fixture(scope="module", params=SPECS, ids=[s.name for s in SPECS])
def token_ledger(request, governor, TestToken):
    return _deploy(request.param, "token", governor, TestToken)


NONCE_SPECS = [s for s in SPECS if s.use_nonce is not None]


@pytest.fixture(scope="module", params=NONCE_SPECS, ids=[s.name for s in NONCE_SPECS])
def nonce_ledger(request, governor, TestToken):
    """The ledgers of markets whose mechanism spends owner nonces (ether mode)."""
    return _deploy(request.param, "ether", governor, TestToken)


@pytest.fixture(scope="module", params=SPECS, ids=[s.name for s in SPECS])
def spec(request):
    return request.param
