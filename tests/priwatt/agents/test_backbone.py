"""A PriWatt trade negotiated over the real routing backbone: fresh messaging keys per
trade, every message encrypted to its recipient and proof-of-work stamped."""

from __future__ import annotations

import asyncio

import pytest

from offchain.kernel.anvil import anvil_keys
from offchain.priwatt.eip712 import OfferStatus
from offchain.priwatt.messaging import BackboneNetwork, Message
from offchain.priwatt.scenario import build_community, channel_trade

MILLI = 10**15


@pytest.fixture(scope="module")
def cluster():
    from offchain.routing import BackboneCluster

    c = BackboneCluster(2).start()
    yield c
    c.stop()


def test_a_channel_trade_runs_over_the_backbone_with_fresh_keys(chain_rpc, tmp_path, cluster):
    async def main():
        network = BackboneNetwork(cluster.table, pow_bits=8)
        try:
            c = build_community(chain_rpc, anvil_keys(2), tmp_path, network, sellers=1, buyers=1)
            out = await channel_trade(c, 0, 0, kwh=2, ask_price=2 * MILLI)
            return c, out, network.stats()
        finally:
            await network.close()

    c, out, stats = asyncio.run(main())
    assert out.kwh_paid == 2 and c.client.status(out.offer_id) is OfferStatus.SOLD
    assert stats.get("sent", 0) >= 6  # claim request and reply, negotiation, deliveries and states
    seller_msg = c.sellers[0].identity(out.offer_id).msg_public
    posted = c.client.board()[0]
    assert posted.messaging_key == seller_msg  # the board advertises the per-trade messaging key
    buyer = c.buyers[0].identity(out.offer_id)
    assert c.sellers[0].identity(out.offer_id).address == posted.seller  # the offer's fresh transaction address
    assert buyer.address not in {k.address for k in anvil_keys(10)}  # the buyer too traded from a fresh address
    assert buyer.msg_public != seller_msg


def test_messages_are_signed_by_the_sender_and_only_the_recipient_reads_them(cluster):
    from offchain.kernel.crypto import new_private_key, public_key

    async def main():
        network = BackboneNetwork(cluster.table, pow_bits=8)
        a, b = new_private_key(), new_private_key()
        try:
            await network.join(a)
            await network.join(b)
            await network.post(a, public_key(b), Message("hello", {"n": 1}))
            return await network.expect(b, ("hello",), sender=public_key(a), timeout=10)
        finally:
            await network.close()

    sender, msg = asyncio.run(main())
    assert msg.type == "hello" and msg.int_("n") == 1
