"""A backbone port taken between choosing it and binding it (another process on the machine)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from offchain.kernel.crypto import public_key
from offchain.routing import BackboneCluster, BackboneUnavailableError
from offchain.routing import _wire as w
from offchain.routing import cluster as cluster_mod
from offchain.routing.join import make_join

from tests.routing.test_join_backbone import ask


def _occupy(port: int) -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


def test_a_port_taken_before_the_node_binds_it_is_replaced_and_the_backbone_serves(key_on):
    cluster = BackboneCluster(3)
    taken = cluster.table.node(1).port
    keys = {i: cluster.table.node(i).pubkey for i in range(3)}
    with _occupy(taken):
        try:
            cluster.start()
            assert taken not in [n.port for n in cluster.table.nodes]
            assert {i: cluster.table.node(i).pubkey for i in range(3)} == keys  # same ids and keys
            key = key_on(cluster.table, 1)
            info = cluster.table.node(1)
            (reply,) = asyncio.run(ask(info.host, info.port, w.json_frame(w.JOIN, make_join(key, 1))))
            assert reply["type"] == "JOINED" and reply["pk"] == public_key(key).hex()
        finally:
            cluster.stop()
    assert not cluster.alive()


def test_a_port_that_stays_taken_fails_after_three_attempts_with_the_node_log(monkeypatch):
    holder = _occupy(0)
    port = holder.getsockname()[1]
    real_free_port = cluster_mod.free_port
    calls = iter(range(10_000))
    # every table gives node 0 the occupied port; the other nodes get free ones
    monkeypatch.setattr(cluster_mod, "free_port", lambda: port if next(calls) % 2 == 0 else real_free_port())
    cluster = BackboneCluster(2)
    try:
        with pytest.raises(BackboneUnavailableError, match=rf"node-{port}-\S+\.log"):
            cluster.start(timeout=10)
        log = cluster.log_file(0).read_text()
        assert "address already in use" in log.lower()
        assert not cluster.alive()
    finally:
        holder.close()
        cluster.stop()
