from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from offchain.kernel.crypto import public_key
from offchain.routing import BackboneUnavailableError, RegularNode, UndeliverableError, backbone_stats

pytestmark = pytest.mark.timeout(120)  # every wait below is bounded; this bounds the test as a whole


def test_messages_in_flight_when_the_receivers_backbone_node_dies_are_rerouted_not_lost(start_backbone, key_on):
    backbone = start_backbone(3)
    a_key, b_key = key_on(backbone.table, 0), key_on(backbone.table, 1)
    origin = backbone.table.node(0)

    async def run():
        async with RegularNode([a_key], backbone.table) as a, RegularNode([b_key], backbone.table) as b:
            (pa,), (pb,) = a.public_keys, b.public_keys
            futures = []
            for i in range(100):
                futures.append(a.send_nowait(pa, pb, f"m{i}".encode()))
                await asyncio.sleep(0.002)
            # freeze the receiver's backbone node: what node 0 forwards to it now stays there,
            # accepted and unacknowledged (in flight), until the node dies
            os.kill(backbone.procs[1].pid, signal.SIGSTOP)
            for i in range(100, 150):
                futures.append(a.send_nowait(pa, pb, f"m{i}".encode()))
                await asyncio.sleep(0.002)
            deadline = time.monotonic() + 10
            while (await backbone_stats(origin.host, origin.port))["inflight"] < 50:
                assert time.monotonic() < deadline, "node 0 never held the messages sent to the frozen node"
                await asyncio.sleep(0.05)
            in_flight = {i for i, f in enumerate(futures) if not f.done()}
            backbone.kill(1)
            for i in range(150, 300):
                futures.append(a.send_nowait(pa, pb, f"m{i}".encode()))
                await asyncio.sleep(0.002)
            results = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), 20)
            got = set()
            while len(got) < 300:
                got.add((await b.receive(pb, 5)).payload)
            stats = await backbone_stats(origin.host, origin.port)
            return in_flight, results, got, b.home[pb], stats

    in_flight, results, got, new_home, stats = asyncio.run(run())
    assert set(range(100, 150)) <= in_flight  # all sent to the frozen node, none acknowledged
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, f"{len(failures)} messages failed: {failures[:3]}"
    assert got == {f"m{i}".encode() for i in range(300)}  # the in-flight ones included
    # the origin re-routed what it had sent through the dead node, and b re-joined elsewhere
    assert stats["stats"].get("rerouted_after_death", 0) >= 50, stats
    assert stats["dead_peers"] == [1] and stats["inflight"] == 0
    assert new_home != 1


def test_a_sender_whose_backbone_node_dies_retries_through_the_rebuilt_table(start_backbone, key_on):
    backbone = start_backbone(3)
    a_key, b_key = key_on(backbone.table, 2), key_on(backbone.table, 1)

    async def run():
        async with RegularNode([a_key], backbone.table) as a, RegularNode([b_key], backbone.table) as b:
            (pa,), (pb,) = a.public_keys, b.public_keys
            await a.send(pa, pb, b"before")
            backbone.kill(2)
            await a.send(pa, pb, b"after")  # waits for re-association, then is delivered
            return [(await b.receive(pb, 3)).payload for _ in range(2)], a.home[pa]

    payloads, home = asyncio.run(run())
    assert payloads == [b"before", b"after"] and home != 2


def test_a_message_for_a_key_nobody_holds_fails_with_a_clear_reason(start_backbone, key_on):
    backbone = start_backbone(2, hold_timeout=0.5)
    a_key, gone_key = key_on(backbone.table, 0), key_on(backbone.table, 1)

    async def run():
        async with RegularNode([a_key], backbone.table) as a:
            gone = await RegularNode([gone_key], backbone.table).start()
            (pa,), (pg,) = a.public_keys, gone.public_keys
            await gone.close()
            info = backbone.table.node(1)
            deadline = time.monotonic() + 10
            while (await backbone_stats(info.host, info.port))["joined_keys"]:  # the node sees the close
                assert time.monotonic() < deadline, "backbone node 1 never noticed the key's connection closed"
                await asyncio.sleep(0.05)
            with pytest.raises(UndeliverableError, match="not joined"):
                await a.send(pa, pg, b"anyone?")

    asyncio.run(run())


def test_with_every_backbone_node_dead_a_sender_gets_backbone_unavailable(start_backbone, key_on):
    backbone = start_backbone(2)
    a_key, b_key = key_on(backbone.table, 0), key_on(backbone.table, 1)

    async def run():
        a = await RegularNode([a_key], backbone.table, recover_timeout=1.5).start()
        (pa,) = a.public_keys
        backbone.kill(0)
        backbone.kill(1)
        try:
            with pytest.raises(BackboneUnavailableError):
                await a.send(pa, public_key(b_key), b"into the void")
        finally:
            await a.close()

    asyncio.run(run())
