"""BackgroundBackbone: backbone processes and an event loop thread for synchronous callers."""

from __future__ import annotations

import asyncio

import pytest

from offchain.kernel.crypto import new_private_key
from offchain.routing import BackgroundBackbone, RegularNode

pytestmark = pytest.mark.timeout(120)


def test_a_synchronous_caller_runs_nodes_on_the_backbone_and_close_stops_everything(tmp_path):
    backbone = BackgroundBackbone(2, tmp_path / "logs", name="test").start()
    cluster = backbone.cluster
    try:
        assert cluster is not None and sorted(cluster.alive()) == [0, 1]
        alice, bob = new_private_key(), new_private_key()
        nodes = [RegularNode([alice], backbone.addresses), RegularNode([bob], backbone.addresses)]
        backbone.gather(n.start() for n in nodes)
        (pa,), (pb,) = nodes[0].public_keys, nodes[1].public_keys
        backbone.run(nodes[0].send(pa, pb, b"hello over real processes"), 30)
        assert backbone.run(nodes[1].receive(pb, 30), 40).payload == b"hello over real processes"
        with pytest.raises(ZeroDivisionError, match="inside the loop"):  # the coroutine's error reaches the caller
            backbone.run(_fails())
    finally:
        backbone.close(n.close() for n in nodes)
    assert cluster.alive() == [] and backbone.cluster is None and backbone.loop is None
    coro = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="not running"):
        backbone.run(coro)  # refused, and the coroutine is closed rather than left never awaited


async def _fails() -> None:
    raise ZeroDivisionError("inside the loop")
