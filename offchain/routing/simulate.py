"""The ARB routing in one process, for packet counts at large N (no sockets).

:class:`SimulatedNetwork` places N regular nodes (real secp256k1 keys) on B backbone
nodes with the same :class:`RoutingTable` and the same per-node decision
(:func:`._route.route_step`) as the TCP backbone; every hop is one counted packet.
:class:`SimulatedTransport` plugs it into :func:`offchain.negotiation.negotiate`, in
``"arb"`` mode (routed by routing bytes) or ``"flood"`` mode (every message goes to
every node, as a broadcast messaging stream does).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from ..kernel.crypto import new_private_key, public_key
from ._route import DELIVER, FORWARD, route_step
from .table import BackboneInfo, RoutingTable

__all__ = ["SimulatedNetwork", "SimulatedTransport"]


class SimulatedNetwork:
    """N regular nodes joined to B backbone nodes, routing in-process."""

    def __init__(self, regular: int, backbone: int = 8, *, x: int = 1, seed: int | None = None) -> None:
        if regular < 2 or backbone < 1:
            raise ValueError("need at least 2 regular nodes and 1 backbone node")
        self._rng = random.Random(seed)
        infos = [BackboneInfo(i, "sim", 0, bytes(64)) for i in range(backbone)]
        self.table = RoutingTable.initial(infos, x=x)
        self.privates = [new_private_key() for _ in range(regular)]
        self.keys = [public_key(k) for k in self.privates]
        self.local: dict[int, set[bytes]] = {i: set() for i in range(backbone)}
        for pk in self.keys:
            self.local[self.table.owner_of(pk)].add(pk)
        self.packets: Counter[str] = Counter()
        self.messages: Counter[str] = Counter()

    @property
    def n(self) -> int:
        return len(self.keys)

    def route(self, sender: bytes, dest: bytes) -> tuple[int, int]:
        """Route one message; ``(data_packets, receipt_packets)``."""
        home = self.table.owner_of(sender)
        at, data = home, 1  # sender -> its backbone node
        for _ in range(8):
            action, target = route_step(self.table, at, dest, self.local[at])
            data += 1  # forward to a peer, or deliver to the destination's connection
            if action == DELIVER:
                break
            if action != FORWARD:
                raise LookupError("destination key is not joined in the simulation")
            at = target
        receipts = (1 if at != home else 0) + 1  # delivering node -> origin -> sender
        self.packets["arb"] += data
        self.packets["arb_receipts"] += receipts
        self.messages["arb"] += 1
        return data, receipts

    def flood(self, sender: bytes, dest: bytes) -> int:
        """Broadcast one message to every node: sender -> its backbone node -> every
        other backbone node -> every regular node but the sender (the cheapest flood)."""
        backbones = len(self.table.nodes)
        packets = 1 + (backbones - 1) + (self.n - 1)
        self.packets["flood"] += packets
        self.messages["flood"] += 1
        return packets

    def pairs(self, count: int) -> list[tuple[int, int]]:
        """``count`` distinct (buyer, seller) index pairs."""
        idx = list(range(self.n))
        self._rng.shuffle(idx)
        if 2 * count > self.n:
            raise ValueError(f"{count} negotiations need {2 * count} regular nodes")
        return [(idx[2 * i], idx[2 * i + 1]) for i in range(count)]


class SimulatedTransport:
    """:class:`offchain.negotiation.Transport` over a :class:`SimulatedNetwork`."""

    def __init__(self, network: SimulatedNetwork, mode: str = "arb") -> None:
        if mode not in ("arb", "flood"):
            raise ValueError("mode must be 'arb' or 'flood'")
        self.network, self.mode = network, mode
        self._queues: dict[bytes, asyncio.Queue[tuple[bytes, bytes]]] = {}

    async def send(self, sender: bytes, recipient: bytes, data: bytes) -> None:
        if self.mode == "arb":
            self.network.route(sender, recipient)
        else:
            self.network.flood(sender, recipient)
        self._queues.setdefault(recipient, asyncio.Queue()).put_nowait((sender, data))

    async def receive(self, recipient: bytes, timeout: float) -> tuple[bytes | None, bytes]:
        return await asyncio.wait_for(self._queues.setdefault(recipient, asyncio.Queue()).get(), timeout)
