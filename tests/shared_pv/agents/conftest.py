"""Fixtures of the shared-PV agent tests: the off-chain fixtures (plant through PlantClient)."""

from tests.shared_pv.offchain.conftest import (  # noqa: F401 — fixtures re-exported
    chain_client,
    consortium,
    isolation,
    keys,
    owner_keys,
    owners,
    plant,
)
