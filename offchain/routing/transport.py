"""The negotiation transport over the Anonymous Routing Backbone."""

from __future__ import annotations

from collections.abc import Iterable

from .node import RegularNode

__all__ = ["ArbTransport"]


class ArbTransport:
    """:class:`offchain.negotiation.Transport` over regular nodes joined to the backbone.

    Each party's key must be held (and joined) by one of ``nodes``. ``onion`` > 0 sends
    every message through that many backbone hops in onion mode.
    """

    def __init__(self, nodes: Iterable[RegularNode], *, onion: int = 0) -> None:
        self._nodes = list(nodes)
        self._by_key: dict[bytes, RegularNode] = {}
        self._index()
        self.onion = onion
        self.sent = 0

    def _index(self) -> None:
        for node in self._nodes:
            for pk in node.public_keys:
                self._by_key[pk] = node

    def _node(self, key: bytes) -> RegularNode:
        node = self._by_key.get(key)
        if node is None:  # a key added to one of the nodes after this transport was made
            self._index()
            node = self._by_key.get(key)
        if node is None:
            raise KeyError("no regular node of this transport holds that key")
        return node

    async def send(self, sender: bytes, recipient: bytes, data: bytes) -> None:
        await self._node(sender).send(sender, recipient, data, onion=self.onion)
        self.sent += 1

    async def receive(self, recipient: bytes, timeout: float) -> tuple[bytes, bytes]:
        msg = await self._node(recipient).receive(recipient, timeout)
        return msg.sender, msg.payload
