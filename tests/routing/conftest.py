"""Fixtures of the routing tests: backbone processes (always stopped by PID) and keys."""

from __future__ import annotations

import pytest

from offchain.kernel.crypto import new_private_key, public_key
from offchain.routing import BackboneCluster, NodeOptions, RoutingTable


@pytest.fixture
def start_backbone():
    """Factory: ``start_backbone(nodes, **NodeOptions)`` starts a backbone of node processes."""
    clusters: list[BackboneCluster] = []

    def start(nodes: int = 2, **options) -> BackboneCluster:
        cluster = BackboneCluster(nodes, options=NodeOptions(**options))
        clusters.append(cluster)
        return cluster.start()

    yield start
    for cluster in clusters:
        cluster.stop()
        assert not cluster.alive(), "a backbone process survived its fixture"


@pytest.fixture(scope="module")
def backbone():
    """A 3-node backbone shared by the tests of one module (frames limited to 8 KiB)."""
    cluster = BackboneCluster(3, options=NodeOptions(max_frame=8192)).start()
    yield cluster
    cluster.stop()
    assert not cluster.alive(), "a backbone process survived its fixture"


@pytest.fixture
def key_on():
    """Factory: a private key whose routing bytes the table assigns to backbone node ``owner``."""

    def make(table: RoutingTable, owner: int) -> bytes:
        for _ in range(10_000):
            key = new_private_key()
            if table.owner_of(public_key(key)) == owner:
                return key
        raise AssertionError(f"no key found for backbone node {owner}")

    return make
