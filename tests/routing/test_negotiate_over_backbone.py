"""The end-to-end check: 4 backbone processes, 50 regular nodes, 25 negotiations over TCP,
half of them in onion mode, with a load-triggered rebalance while they run."""

from __future__ import annotations

import asyncio
import time

from offchain.kernel.crypto import new_private_key, public_key
from offchain.negotiation import ConcessionStrategy, Party, negotiate
from offchain.routing import ArbTransport, RegularNode, backbone_stats
from offchain.routing import _wire as w


class Observed(RegularNode):
    """A regular node that notes which backbone node handed it each message (observation only)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deliveries: list[tuple[bytes, int]] = []  # (destination key, backbone node id)

    def _on_frame(self, link, body: bytes) -> None:
        if body[0] == w.DATA:
            self.deliveries.append((w.data_header(body)[3], link.node_id))
        super()._on_frame(link, body)


class Deliberating(ArbTransport):
    """Agents that think before each message, so negotiations overlap the rebalance."""

    def __init__(self, nodes, *, onion: int, think: float) -> None:
        super().__init__(nodes, onion=onion)
        self.think = think

    async def send(self, sender: bytes, recipient: bytes, data: bytes) -> None:
        await asyncio.sleep(self.think)
        await super().send(sender, recipient, data)


def test_fifty_regular_nodes_negotiate_over_four_backbone_processes_through_a_rebalance(start_backbone):
    # a node delivering more than 16 messages/s triggers the rebalance: the slow first wave
    # (one negotiation at a time, <= 10 messages/s per node) stays below, the second wave above
    backbone = start_backbone(4, load_threshold=16, load_window=0.5, rebalance_cooldown=2.0)
    assert len(backbone.alive()) == 4

    async def run():
        nodes = [Observed([new_private_key()], backbone.addresses) for _ in range(50)]
        await asyncio.gather(*(n.start() for n in nodes))
        first_x = nodes[0].table.x
        initial = nodes[0].table
        rebalanced = asyncio.Event()
        rebalanced_at: list[float] = []

        async def watch():
            while not any(n.table.version > 0 for n in nodes):
                await asyncio.sleep(0.01)
            rebalanced_at.append(time.monotonic())
            rebalanced.set()

        async def one(i: int, think: float, delay: float = 0.0):
            await asyncio.sleep(delay)
            buyer_node, seller_node = nodes[2 * i], nodes[2 * i + 1]
            buyer_key, seller_key = party_key.get(buyer_node), party_key.get(seller_node)
            buyer = Party(
                buyer_key or buyer_node._keys[buyer_node.public_keys[0]], ConcessionStrategy.buyer(80, 120 + i)
            )
            seller = Party(
                seller_key or seller_node._keys[seller_node.public_keys[0]], ConcessionStrategy.seller(160, 100 - i)
            )
            transport = Deliberating([buyer_node, seller_node], onion=2 + i % 2 if i % 2 else 0, think=think)
            started = time.monotonic()
            deal = await negotiate(buyer, seller, transport, amount=1000 + i, offer_limit=10, timeout=15)
            return i, deal, started, time.monotonic(), transport.onion

        party_key: dict[RegularNode, bytes] = {}  # wave C: the private key a node negotiates with

        async def moved_pseudonym(node: RegularNode) -> bytes:
            """A fresh key for ``node`` that the new table gives to another backbone node than the first."""
            for _ in range(10_000):
                key = new_private_key()
                if node.table.owner_of(public_key(key)) != initial.owner_of(public_key(key)):
                    await node.add_key(key)
                    return key
            raise AssertionError(f"the table (v{node.table.version}) moves no key away from the first table")

        watcher = asyncio.ensure_future(watch())
        try:
            before = [await one(i, think=0.1) for i in range(3)]  # wave A: one at a time
            version_after_a = max(n.table.version for n in nodes)
            during = [asyncio.ensure_future(one(i, think=0.04, delay=0.08 * (i - 3))) for i in range(3, 22)]
            await asyncio.wait_for(rebalanced.wait(), 30)  # wave B drives a node over the threshold
            results = before + list(await asyncio.wait_for(asyncio.gather(*during), 90))
            nodes_ab = list(nodes)

            # wave C on the new table: every node holds the latest table and sits where it says;
            # its parties use fresh pseudonyms that the rebalance moved to another backbone node,
            # one negotiation at a time (like wave A: below the load threshold, no new rebalance)
            def settled() -> bool:
                latest = max(n.table.version for n in nodes)
                return all(
                    n.table.version == latest and all(n.home.get(pk) == n.table.owner_of(pk) for pk in n.public_keys)
                    for n in nodes
                )

            # quiet first: wave B's last burst may still trigger a rebalance (load window 0.5 s,
            # then up to 1 s gathering load), so the table must hold still for 2.5 s
            deadline = time.monotonic() + 30
            version, since = -1, time.monotonic()
            while True:
                latest = max(n.table.version for n in nodes)
                if latest != version:
                    version, since = latest, time.monotonic()
                if settled() and time.monotonic() - since > 2.5:
                    break
                assert time.monotonic() < deadline, "regular nodes did not all settle on the new table"
                await asyncio.sleep(0.05)
            table_c = nodes[0].table
            # wave C: pairs of nodes whose key the rebalance moved to another backbone node (they
            # re-associated), one negotiation at a time (like wave A: below the load threshold)
            # (when fewer than 6 keys moved, spare nodes join fresh pseudonyms that the new table moved)
            moved = [n for n in nodes if table_c.owner_of(n.public_keys[0]) != initial.owner_of(n.public_keys[0])]
            moved = moved[:6]
            for n in [n for n in nodes if n not in moved][: 6 - len(moved)]:
                party_key[n] = await moved_pseudonym(n)
                moved.append(n)
            for n in moved:
                n.deliveries.clear()
            for k, i in enumerate(range(22, 25)):
                nodes[2 * i], nodes[2 * i + 1] = moved[2 * k], moved[2 * k + 1]  # wave C's parties
                results.append(await one(i, think=0.1))
            version_after_c = max(n.table.version for n in nodes)
            wave_c = [
                (table_c.owner_of(dest), initial.owner_of(dest), by)
                for i in range(22, 25)
                for n in (nodes[2 * i], nodes[2 * i + 1])
                for dest, by in n.deliveries
            ]
        finally:
            watcher.cancel()
        stats = [await backbone_stats(n.host, n.port) for n in backbone.table.nodes]
        reassociations = sum(n.stats["reassociations"] for n in nodes_ab)
        resent = sum(n.stats["resent"] for n in nodes_ab)
        await asyncio.gather(*(n.close() for n in nodes_ab))
        return (first_x, version_after_a, rebalanced_at[0], results, stats, reassociations, resent,
                (table_c.version, version_after_c, wave_c))  # fmt: skip

    first_x, version_after_a, t_rebalance, results, stats, reassociations, resent, c = asyncio.run(run())
    version_c, version_after_c, wave_c = c
    assert len(results) == 25
    for i, deal, _s, _e, _onion in results:
        assert 100 - i <= deal.price <= 120 + i and deal.amount == 1000 + i and deal.messages <= 10
    assert sum(1 for r in results if r[4]) == 12, "half of the negotiations ran in onion mode"
    assert version_after_a == 0, "the slow first wave should not have triggered a rebalance"
    assert all(end < t_rebalance for _i, _d, _s, end, _o in results[:3])
    spanning = [i for i, _d, start, end, _o in results if start < t_rebalance < end]
    assert spanning, "no negotiation was in progress when the table changed"
    # wave C ran on the new table: every message to its parties (whose keys the rebalance moved)
    # came from the backbone node the new table names, not the one the first table named
    assert version_c >= 1 and version_after_c == version_c, "the table changed again during wave C"
    assert len(wave_c) >= 3 * 2 * 2, wave_c  # at least an offer and an answer per party
    assert all(by == new_owner != old_owner for new_owner, old_owner, by in wave_c), wave_c
    assert sum(s["stats"].get("rebalances", 0) for s in stats) >= 1
    assert all(s["x"] > first_x for s in stats), "the table was not rebuilt with a larger X on every node"
    assert len({s["table_version"] for s in stats}) == 1, "backbone nodes disagree on the table"
    assert reassociations > 0, "no regular node re-associated after the rebalance"
    assert sum(s["stats"].get("onion_peeled", 0) for s in stats) > 0
    assert sum(s["stats"].get("undeliverable", 0) for s in stats) == 0
    assert resent == 0  # nothing had to be sent twice: no message was in danger
