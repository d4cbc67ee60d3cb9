from __future__ import annotations

import asyncio

import pytest

from offchain.kernel.crypto import new_private_key, public_key
from offchain.routing import JoinRefusedError, RegularNode, backbone_stats
from offchain.routing import _wire as w
from offchain.routing.join import make_hello, make_join


async def ask(host: str, port: int, *frames: bytes) -> list[dict]:
    """Send raw frames on one connection and read one JSON reply per frame."""
    reader, writer = await asyncio.open_connection(host, port)
    replies = []
    try:
        for frame in frames:
            writer.write(frame)
            body = await asyncio.wait_for(w.read_frame(reader), 3)
            replies.append({"type": w.NAMES[body[0]], **w.parse_json(body)})
    finally:
        writer.close()
    return replies


def test_a_join_signed_by_the_key_is_accepted_by_the_responsible_node(backbone, key_on):
    key = key_on(backbone.table, 1)
    info = backbone.table.node(1)
    (reply,) = asyncio.run(ask(info.host, info.port, w.json_frame(w.JOIN, make_join(key, 1))))
    assert reply["type"] == "JOINED" and reply["pk"] == public_key(key).hex()


def test_unsigned_and_wrongly_signed_joins_are_refused_and_the_connection_survives(backbone, key_on):
    key = key_on(backbone.table, 0)
    info = backbone.table.node(0)
    before = asyncio.run(backbone_stats(info.host, info.port))["stats"]
    unsigned = {**make_join(key, 0), "sig": ""}
    by_other_key = {**make_join(new_private_key(), 0), "pk": public_key(key).hex()}
    for_other_node = make_join(key, 1)  # replay of a join meant for node 1
    replies = asyncio.run(
        ask(
            info.host, info.port,
            w.json_frame(w.JOIN, unsigned), w.json_frame(w.JOIN, by_other_key), w.json_frame(w.JOIN, for_other_node),
            w.json_frame(w.JOIN, make_join(key, 0)),
        )
    )  # fmt: skip
    assert [r["type"] for r in replies] == ["ERROR", "ERROR", "ERROR", "JOINED"]
    assert "unsigned join" in replies[0]["reason"]
    assert "another key" in replies[1]["reason"] and "another key" in replies[2]["reason"]
    after = asyncio.run(backbone_stats(info.host, info.port))["stats"]
    assert after.get("joins_refused", 0) - before.get("joins_refused", 0) == 3
    assert after["joins"] - before.get("joins", 0) == 1


def test_a_join_at_a_node_not_responsible_for_the_key_is_redirected(backbone, key_on):
    key = key_on(backbone.table, 1)
    info = backbone.table.node(0)
    (reply,) = asyncio.run(ask(info.host, info.port, w.json_frame(w.JOIN, make_join(key, 0))))
    assert reply["type"] == "ERROR" and "owner is 1" in reply["reason"]


def test_a_regular_node_joins_each_of_its_keys_at_its_own_backbone_node(backbone, key_on):
    keys = [key_on(backbone.table, i) for i in (0, 2, 2)]

    async def run():
        async with RegularNode(keys, backbone.addresses) as node:
            return dict(node.home)

    homes = asyncio.run(run())
    assert homes == {public_key(keys[0]): 0, public_key(keys[1]): 2, public_key(keys[2]): 2}


def test_a_regular_node_with_a_stale_clock_is_refused(backbone, key_on, monkeypatch):
    key = key_on(backbone.table, 0)
    import offchain.routing.node as node_mod

    monkeypatch.setattr(node_mod, "make_join", lambda k, n: make_join(k, n, ts=1_000_000))

    async def run():
        await RegularNode([key], backbone.addresses).start()

    with pytest.raises(JoinRefusedError, match="timestamp"):
        asyncio.run(run())


def test_a_regular_connection_cannot_pose_as_a_backbone_peer_and_push_a_table(backbone):
    info = backbone.table.node(0)
    forged = backbone.table.without([1, 2])  # would route everything to node 0
    forged_frame = w.json_frame(w.TABLE, {**forged.to_dict(), "version": 99})
    replies = asyncio.run(
        ask(
            info.host,
            info.port,
            w.json_frame(w.HELLO, {"id": 1}),
            w.json_frame(w.HELLO, make_hello(new_private_key(), 1, 0)),
        )
    )
    assert [r["type"] for r in replies] == ["ERROR", "ERROR"]
    assert "signature" in replies[0]["reason"] and "not signed by backbone node 1" in replies[1]["reason"]
    (reply,) = asyncio.run(ask(info.host, info.port, forged_frame))  # TABLE frames only count from peers
    assert reply["type"] == "ERROR"
    stats = asyncio.run(backbone_stats(info.host, info.port))
    assert stats["table_version"] == 0 and stats["stats"]["peer_links_in"] == 2
