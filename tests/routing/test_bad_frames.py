from __future__ import annotations

import asyncio
import json

from offchain.routing import RegularNode, backbone_stats
from offchain.routing import _wire as w


async def probe(host: str, port: int, garbage: bytes) -> tuple[dict, dict]:
    """Send ``garbage``, then a well-formed GET_TABLE on the same connection."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(garbage + w.json_frame(w.GET_TABLE, {}))
        first = await asyncio.wait_for(w.read_frame(reader), 3)
        second = await asyncio.wait_for(w.read_frame(reader), 3)
        return {"type": w.NAMES[first[0]], **w.parse_json(first)}, {"type": w.NAMES[second[0]]}
    finally:
        writer.close()


def test_malformed_oversized_and_unknown_frames_are_dropped_with_a_reason_and_the_connection_survives(
    backbone,
):
    info = backbone.table.node(0)
    before = asyncio.run(backbone_stats(info.host, info.port))["stats"]
    cases = {
        "not json": w.pack(bytes([w.JOIN]) + b"{broken"),
        "unknown type": w.pack(b"\x63hello"),
        "oversized": w.pack(bytes([w.DATA]) + b"\0" * 20_000),
        "short data": w.pack(bytes([w.DATA]) + b"\0" * 10),
        "data before join": w.pack(w.Data(b"\1" * 16, 0, 0, 0, 0, b"\2" * 64, b"c").body()),
        "receipt from a regular node": w.receipt(b"\1" * 16, 0, True),
    }
    for name, garbage in cases.items():
        error, after = asyncio.run(probe(info.host, info.port, garbage))
        assert error["type"] == "ERROR" and error["reason"], name
        assert after["type"] == "TABLE", f"connection did not survive {name}"
    after = asyncio.run(backbone_stats(info.host, info.port))["stats"]

    def dropped(stats: dict) -> int:
        return sum(v for k, v in stats.items() if k.startswith("dropped_"))

    assert after["dropped_oversized"] - before.get("dropped_oversized", 0) == 1
    assert dropped(after) - dropped(before) == len(cases)


def test_well_formed_peers_keep_talking_while_another_connection_sends_garbage(backbone, key_on):
    a_key, b_key = key_on(backbone.table, 0), key_on(backbone.table, 1)
    info = backbone.table.node(0)

    async def run():
        async with RegularNode([a_key], backbone.table) as a, RegularNode([b_key], backbone.table) as b:
            (pa,), (pb,) = a.public_keys, b.public_keys
            reader, writer = await asyncio.open_connection(info.host, info.port)
            for i in range(20):
                writer.write(w.pack(bytes([w.JOIN]) + json.dumps({"pk": "zz"}).encode()))
                await a.send(pa, pb, f"hello {i}".encode())
            writer.close()
            return [(await b.receive(pb, 3)).payload for _ in range(20)]

    assert asyncio.run(run()) == [f"hello {i}".encode() for i in range(20)]
