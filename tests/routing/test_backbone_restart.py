"""A backbone node restarts (crash, then the same id, key and port): the sessions that pass
through it go on; the onion circuit re-keys at the restarted hop from its next message."""

from __future__ import annotations

import asyncio
import time

import pytest

from offchain.routing import RegularNode, backbone_stats

pytestmark = pytest.mark.timeout(240)  # every wait below is bounded; this bounds the test as a whole


async def until(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def test_a_session_survives_a_backbone_node_restart_and_the_onion_hop_rekeys(start_backbone, key_on):
    # the restarted node (1) is the receiver's backbone node and the first onion hop;
    # peer_grace keeps it in its peers' table while it is down (generous: the machine may be busy)
    backbone = start_backbone(3, peer_grace=120.0, hold_timeout=30.0)
    a_key, b_key = key_on(backbone.table, 0), key_on(backbone.table, 1)
    info = backbone.table.node(1)

    async def run():
        async with (
            RegularNode([a_key], backbone.table, recover_timeout=120.0, receipt_timeout=60.0) as a,
            RegularNode([b_key], backbone.table, recover_timeout=120.0, receipt_timeout=60.0) as b,
        ):
            (pa,), (pb,) = a.public_keys, b.public_keys
            await a.send(pa, pb, b"plain, before")
            await a.send(pa, pb, b"onion, before", onion=[1, 2])
            session = a.sessions.current[(pa, pb)]
            circuit = a._circuits[(1, 2)]
            before = await backbone_stats(info.host, info.port)

            await asyncio.to_thread(backbone.restart, 1)  # SIGKILL, then a new process

            async def b_rejoined() -> bool:
                stats = await backbone_stats(info.host, info.port)
                peers = [await backbone_stats(n.host, n.port) for n in backbone.table.nodes if n.node_id != 1]
                links_back = all(p["stats"].get("peer_links_restored", 0) >= 1 for p in peers)
                return stats["joined_keys"] == 1 and b.home.get(pb) == 1 and links_back

            await until(b_rejoined, "the receiver to re-join the restarted node and its peers to reconnect")
            fresh = await backbone_stats(info.host, info.port)
            await a.send(pa, pb, b"plain, after")
            await a.send(pa, pb, b"onion, after", onion=[1, 2])
            after = await backbone_stats(info.host, info.port)
            got = [(await b.receive(pb, 30)).payload for _ in range(4)]
            return (got, before, fresh, after, a.sessions.current[(pa, pb)] is session, a._circuits[(1, 2)] is circuit,
                    dict(a.stats), dict(b.stats))  # fmt: skip

    got, before, fresh, after, same_session, same_circuit, a_stats, b_stats = asyncio.run(run())
    assert got == [b"plain, before", b"onion, before", b"plain, after", b"onion, after"]
    assert before["stats"]["circuit_keys_derived"] == 1  # the first onion message set up the hop key
    assert fresh["stats"].get("circuit_keys_derived", 0) == 0 and fresh["stats"].get("onion_peeled", 0) == 0
    # the restarted node knew nothing of the circuit: it re-derived the hop key from the next layer
    assert after["stats"]["circuit_keys_derived"] == 1 and after["stats"]["onion_peeled"] == 1
    assert after["dead_peers"] == [] and after["table_version"] == 0  # still in the table everywhere
    # the end-to-end session and the sender's circuit went on: no new handshake, no refusal
    assert same_session and same_circuit
    assert a_stats["handshakes"] == 1 and b_stats["refused"] == 0 and b_stats["sessions"] == 1
