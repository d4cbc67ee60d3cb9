"""PriWatt's anonymous messaging, wired to the routing backbone (PriWatt §2.6, Bitmessage).

Every trade uses fresh addresses (PriWatt §2.4, §3.1): an :class:`Identity` is a new
transaction key (the per-trade Ethereum address that posts, locks, funds or signs) and a
new messaging key (the routing-backbone pseudonym the offer advertises). On the backbone
(:class:`BackboneNetwork`) each messaging key joins through its own regular node; every
message is signed by the sender's messaging key and ECIES-encrypted to the recipient
(``routing.envelope``), carries a proof-of-work stamp that the backbone checks against
spam, and optionally travels as an onion. :class:`LocalNetwork` carries the same
messages in memory (unit tests). Messages are small JSON objects (:class:`Message`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ..kernel.crypto import new_private_key, public_key
from ..negotiation import InMemoryTransport
from .errors import PriWattError

__all__ = ["Identity", "Message", "MessageError", "LocalNetwork", "BackboneNetwork", "Network"]


class MessageError(PriWattError):
    """A message is malformed, of an unexpected type, or from an unexpected sender."""


@dataclass(frozen=True)
class Identity:
    """Fresh addresses for one trade: a transaction key and a messaging key."""

    tx: LocalAccount
    msg_private: bytes

    @classmethod
    def fresh(cls) -> Identity:
        return cls(Account.create(), new_private_key())

    @property
    def address(self) -> str:
        return str(self.tx.address)

    @property
    def msg_public(self) -> bytes:
        """The 64-byte messaging key (what the offer advertises; the backbone routes by it)."""
        return public_key(self.msg_private)

    def to_json(self) -> dict[str, str]:
        return {"tx": self.tx.key.hex(), "msg": self.msg_private.hex()}

    @classmethod
    def from_json(cls, d: dict[str, str]) -> Identity:
        return cls(Account.from_key(bytes.fromhex(d["tx"].removeprefix("0x"))), bytes.fromhex(d["msg"]))


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Message:
    """One PriWatt message: a type and its fields (bytes travel as ``0x`` hex)."""

    type: str
    fields: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> bytes:
        return json.dumps({"type": self.type, **_plain(self.fields)}, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, data: bytes) -> Message:
        try:
            obj = json.loads(data)
            kind = obj.pop("type")
        except (ValueError, KeyError, AttributeError) as exc:
            raise MessageError(f"malformed PriWatt message: {exc}") from exc
        if not isinstance(kind, str):
            raise MessageError("a message type is a string")
        return cls(kind, obj)

    def bytes_(self, name: str) -> bytes:
        value = self.fields.get(name)
        if not isinstance(value, str) or not value.startswith("0x"):
            raise MessageError(f"{self.type}: field {name!r} is not 0x-hex")
        return bytes.fromhex(value[2:])

    def int_(self, name: str) -> int:
        value = self.fields.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise MessageError(f"{self.type}: field {name!r} is not an integer")
        return value


class Network:
    """Where messaging keys join and messages travel (a :class:`~offchain.negotiation.Transport`)."""

    async def join(self, private: bytes) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    async def send(self, sender: bytes, recipient: bytes, data: bytes) -> None:  # pragma: no cover
        raise NotImplementedError

    async def receive(self, recipient: bytes, timeout: float) -> tuple[bytes | None, bytes]:  # pragma: no cover
        raise NotImplementedError

    async def close(self) -> None:
        return None

    async def post(self, sender: Identity | bytes, recipient: bytes, message: Message) -> None:
        """Send ``message`` from ``sender``'s messaging key to ``recipient``."""
        key = sender.msg_public if isinstance(sender, Identity) else public_key(sender)
        await self.send(key, recipient, message.encode())

    async def expect(
        self, recipient: Identity | bytes, kinds: tuple[str, ...], *, sender: bytes | None = None, timeout: float = 10.0
    ) -> tuple[bytes | None, Message]:
        """The next message to ``recipient`` of one of ``kinds`` (from ``sender`` if given).

        Raises :class:`TimeoutError` when nothing arrives, :class:`MessageError` for
        another type or another sender."""
        key = recipient.msg_public if isinstance(recipient, Identity) else public_key(recipient)
        frm, data = await self.receive(key, timeout)
        message = Message.decode(data)
        if message.type not in kinds:
            raise MessageError(f"expected {' or '.join(kinds)}, got {message.type}")
        if sender is not None and frm is not None and frm != sender:
            raise MessageError(f"{message.type} from an unexpected messaging key")
        return frm, message


class LocalNetwork(Network):
    """In-memory messages (tests): the same protocol without sockets or encryption."""

    def __init__(self) -> None:
        self._transport = InMemoryTransport()

    @property
    def sent(self) -> int:
        return self._transport.sent

    async def join(self, private: bytes) -> None:
        return None

    async def send(self, sender: bytes, recipient: bytes, data: bytes) -> None:
        await self._transport.send(sender, recipient, data)

    async def receive(self, recipient: bytes, timeout: float) -> tuple[bytes | None, bytes]:
        return await self._transport.receive(recipient, timeout)


class BackboneNetwork(Network):
    """Messages over a running routing backbone: one regular node per messaging key
    (a fresh pseudonym per trade), ECIES-encrypted and signed envelopes, proof-of-work
    stamps of ``pow_bits`` bits, ``onion`` backbone hops (0: routed by the table)."""

    def __init__(self, bootstrap: Any, *, pow_bits: int = 8, onion: int = 0) -> None:
        self.bootstrap, self.pow_bits, self.onion = bootstrap, pow_bits, onion
        self._nodes: dict[bytes, Any] = {}
        self.sent = 0

    async def join(self, private: bytes) -> None:
        from ..routing import RegularNode

        pub = public_key(private)
        if pub in self._nodes:
            return
        node = RegularNode([private], self.bootstrap, pow_bits=self.pow_bits)
        await node.start()
        self._nodes[pub] = node

    def _node(self, key: bytes) -> Any:
        node = self._nodes.get(key)
        if node is None:
            raise MessageError("this messaging key has not joined the backbone")
        return node

    async def send(self, sender: bytes, recipient: bytes, data: bytes) -> None:
        await self._node(sender).send(sender, recipient, data, onion=self.onion)
        self.sent += 1

    async def receive(self, recipient: bytes, timeout: float) -> tuple[bytes | None, bytes]:
        received = await self._node(recipient).receive(recipient, timeout)
        return received.sender, received.payload

    def stats(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for node in self._nodes.values():
            for k, v in node.stats.items():
                total[k] = total.get(k, 0) + v
        return total

    async def close(self) -> None:
        for node in list(self._nodes.values()):
            await node.close()
        self._nodes.clear()
