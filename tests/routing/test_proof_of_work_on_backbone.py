from __future__ import annotations

import asyncio

import pytest

from offchain.routing import RegularNode, UndeliverableError, backbone_stats


def test_a_backbone_demanding_proof_of_work_refuses_unstamped_messages_and_accepts_stamped_ones(start_backbone, key_on):
    backbone = start_backbone(2, min_pow_bits=10)
    a_key, b_key = key_on(backbone.table, 0), key_on(backbone.table, 1)

    async def run():
        async with RegularNode([a_key], backbone.table) as lazy, RegularNode([b_key], backbone.table, pow_bits=10) as b:
            (pa,), (pb,) = lazy.public_keys, b.public_keys
            with pytest.raises(UndeliverableError, match="proof of work below 10 bits"):
                await lazy.send(pa, pb, b"spam")
            stamped = RegularNode([a_key], backbone.table, pow_bits=10)
            await stamped.start()
            await stamped.send(pa, pb, b"worth it")
            await stamped.close()
            return (await b.receive(pb, 3)).payload

    assert asyncio.run(run()) == b"worth it"
    info = backbone.table.node(0)
    assert asyncio.run(backbone_stats(info.host, info.port))["stats"]["dropped_pow"] == 1
