"""Off-chain price negotiation (SPB §1): signed offers over any transport.

Messages are ``(T_ID, energy account PK, price, status)`` plus the energy amount (Wh)
and a sequence number (the paper's T_ID is :attr:`Offer.negotiation_id` here; on the
wire it keeps the key ``t_id``), signed by the sender's secp256k1 key as an EIP-191 message
(``eth_account.Account.recover_message(encode_defunct(primitive=keccak(packed)))``
recovers the signer). Status 1 accepts, 0 counters, 2 rejects (ends the negotiation).
Prices are integers in wei, amounts integers in Wh.

The receiver enforces ``offer_limit``: a message beyond it is refused with
:class:`OfferLimitExceededError` (SPB's DoS guard). A party whose next message would
be the last one allowed rejects instead of countering, so a negotiation ends in an
agreement or a :class:`NoAgreementError` after at most ``offer_limit`` messages.

    buyer = Party(buyer_key, ConcessionStrategy.buyer(initial=80, reservation=120))
    seller = Party(seller_key, ConcessionStrategy.seller(initial=150, reservation=100))
    deal = await negotiate(buyer, seller, InMemoryTransport(), amount=5_000)
    deal.price, deal.amount

:class:`offchain.routing.ArbTransport` runs the same negotiation over the Anonymous
Routing Backbone (TCP, ECIES-encrypted, optionally onion-routed).
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from .kernel.crypto import as_private_key, eip191_digest, keccak256, public_key, recover, sign_digest
from .kernel.errors import GridLedgerError

__all__ = [
    "STATUS_COUNTER",
    "STATUS_ACCEPT",
    "STATUS_REJECT",
    "Agreement",
    "ConcessionStrategy",
    "Decision",
    "InMemoryTransport",
    "InvalidOfferError",
    "NegotiationError",
    "NegotiationSession",
    "NegotiationTimeoutError",
    "NoAgreementError",
    "Offer",
    "OfferLimitExceededError",
    "Party",
    "Strategy",
    "Transport",
    "negotiate",
    "negotiate_sync",
]

STATUS_COUNTER = 0
STATUS_ACCEPT = 1
STATUS_REJECT = 2
_STATUSES = (STATUS_COUNTER, STATUS_ACCEPT, STATUS_REJECT)
DEFAULT_OFFER_LIMIT = 10


# -- errors ---------------------------------------------------------------------------
class NegotiationError(GridLedgerError):
    """A negotiation failed or a negotiation message was refused."""


class InvalidOfferError(NegotiationError):
    """A message is malformed, badly signed, from the wrong party or out of sequence."""


class OfferLimitExceededError(NegotiationError):
    """More messages than ``offer_limit`` in one negotiation (refused by the receiver)."""

    def __init__(self, negotiation_id: bytes, seq: int, limit: int) -> None:
        super().__init__(f"negotiation 0x{negotiation_id.hex()[:16]}…: message {seq} exceeds offer_limit {limit}")
        self.seq, self.limit = seq, limit


class NoAgreementError(NegotiationError):
    """The parties ended without a price both accept."""

    def __init__(
        self, reason: str, *, negotiation_id: bytes, messages: int, last_prices: dict[str, int | None]
    ) -> None:
        prices = ", ".join(f"{k} {v}" for k, v in last_prices.items() if v is not None)
        super().__init__(f"no agreement in negotiation 0x{negotiation_id.hex()[:16]}… after {messages} messages: {reason}"
                         + (f" (last offers: {prices} wei)" if prices else ""))  # fmt: skip
        self.reason, self.negotiation_id, self.messages, self.last_prices = (
            reason,
            negotiation_id,
            messages,
            last_prices,
        )


class NegotiationTimeoutError(NegotiationError):
    """The counterparty did not answer in time."""


# -- messages -------------------------------------------------------------------------
@dataclass(frozen=True)
class Offer:
    """One signed negotiation message."""

    negotiation_id: bytes
    account_pk: bytes
    price: int
    amount: int
    status: int
    seq: int
    signature: bytes = b""

    def __post_init__(self) -> None:
        if len(self.negotiation_id) != 32 or len(self.account_pk) != 64:
            raise InvalidOfferError("the negotiation id (T_ID) must be 32 bytes and the account PK 64 bytes")
        if not (0 <= self.price < 2**256 and 0 < self.amount < 2**256):
            raise InvalidOfferError("price must be a non-negative integer (wei), amount a positive integer (Wh)")
        if self.status not in _STATUSES or not 1 <= self.seq < 2**16:
            raise InvalidOfferError(f"bad status {self.status} or sequence number {self.seq}")

    def packed(self) -> bytes:
        """``abi.encodePacked(negotiation_id, pk, uint256 price, uint256 amount, uint8 status, uint16 seq)``."""
        return (
            self.negotiation_id + self.account_pk + self.price.to_bytes(32, "big") + self.amount.to_bytes(32, "big")
            + bytes([self.status]) + self.seq.to_bytes(2, "big")
        )  # fmt: skip

    def digest(self) -> bytes:
        """The EIP-191 digest that is signed (``encode_defunct(primitive=keccak(packed))``)."""
        return eip191_digest(keccak256(self.packed()))

    def signed(self, private: bytes) -> Offer:
        return replace(self, signature=sign_digest(private, self.digest()))

    def verify(self) -> None:
        """Raise :class:`InvalidOfferError` unless the signature is by ``account_pk``."""
        try:
            signer = recover(self.digest(), self.signature)
        except GridLedgerError as exc:
            raise InvalidOfferError(f"offer signature invalid: {exc}") from exc
        if signer != self.account_pk:
            raise InvalidOfferError("offer is not signed by the energy account it names")

    def encode(self) -> bytes:
        return json.dumps(
            {"t_id": self.negotiation_id.hex(), "pk": self.account_pk.hex(), "price": str(self.price),
             "amount": str(self.amount), "status": self.status, "seq": self.seq, "sig": self.signature.hex()},
            separators=(",", ":"),
        ).encode()  # fmt: skip

    @classmethod
    def decode(cls, data: bytes) -> Offer:
        try:
            obj = json.loads(data)
            return cls(
                bytes.fromhex(obj["t_id"]), bytes.fromhex(obj["pk"]), int(obj["price"]), int(obj["amount"]),
                int(obj["status"]), int(obj["seq"]), bytes.fromhex(obj["sig"]),
            )  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidOfferError(f"malformed negotiation message: {exc}") from exc


# -- strategies -----------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    """What a strategy answers: ``accept``, ``counter`` (with a price) or ``reject``."""

    kind: str
    price: int | None = None

    @classmethod
    def accept(cls) -> Decision:
        return cls("accept")

    @classmethod
    def counter(cls, price: int) -> Decision:
        return cls("counter", price)

    @classmethod
    def reject(cls) -> Decision:
        return cls("reject")


@runtime_checkable
class Strategy(Protocol):
    """Decides prices. ``round`` is how many offers this party has received so far."""

    def opening(self, amount: int) -> int: ...

    def respond(self, their_price: int, amount: int, round: int) -> Decision: ...


@dataclass(frozen=True)
class ConcessionStrategy:
    """Time-dependent concession from ``initial`` to ``reservation`` over ``rounds`` offers.

    A buyer never offers or accepts a price above its reservation; a seller never
    below its own. An incoming price at least as good as the party's own next offer is
    accepted. ``max_amount`` lets a seller reject requests for more energy than it has.
    """

    role: str
    initial: int
    reservation: int
    rounds: int = 4
    max_amount: int | None = None

    def __post_init__(self) -> None:
        if self.role not in ("buyer", "seller"):
            raise ValueError("role must be 'buyer' or 'seller'")
        if min(self.initial, self.reservation) < 0 or self.rounds < 1:
            raise ValueError("prices must be non-negative and rounds at least 1")
        if (self.initial > self.reservation) if self.role == "buyer" else (self.initial < self.reservation):
            raise ValueError(
                f"a {self.role} concedes towards its reservation: initial {self.initial} is on the wrong side"
            )

    @classmethod
    def buyer(cls, initial: int, reservation: int, rounds: int = 4) -> ConcessionStrategy:
        return cls("buyer", initial, reservation, rounds)

    @classmethod
    def seller(
        cls, initial: int, reservation: int, rounds: int = 4, max_amount: int | None = None
    ) -> ConcessionStrategy:
        return cls("seller", initial, reservation, rounds, max_amount)

    def price_at(self, k: int) -> int:
        """Own offer after ``k`` received offers (integer, never past the reservation)."""
        k = min(k, self.rounds)
        return self.initial + (self.reservation - self.initial) * k // self.rounds

    def acceptable(self, price: int, k: int) -> bool:
        mine = self.price_at(k)
        return price <= mine if self.role == "buyer" else price >= mine

    def opening(self, amount: int) -> int:
        return self.initial

    def respond(self, their_price: int, amount: int, round: int) -> Decision:
        if self.max_amount is not None and amount > self.max_amount:
            return Decision.reject()
        if self.acceptable(their_price, round):
            return Decision.accept()
        return Decision.counter(self.price_at(round))


@dataclass
class Party:
    """A negotiating party: its energy-account key and its strategy."""

    key: object
    strategy: Strategy

    def __post_init__(self) -> None:
        self.private = as_private_key(self.key)
        self.public_key = public_key(self.private)


# -- receiver-side state --------------------------------------------------------------
class NegotiationSession:
    """One party's view of one negotiation: signs what it sends, checks what it receives."""

    def __init__(
        self, private: bytes, counterparty: bytes, negotiation_id: bytes, offer_limit: int = DEFAULT_OFFER_LIMIT
    ) -> None:
        if offer_limit < 2:
            raise ValueError("offer_limit must allow at least an offer and an answer")
        self.private, self.me = private, public_key(private)
        self.counterparty, self.negotiation_id, self.offer_limit = counterparty, negotiation_id, offer_limit
        self.count = 0
        self.received = 0
        self.last_sent: Offer | None = None
        self.last_received: Offer | None = None

    @property
    def remaining(self) -> int:
        return self.offer_limit - self.count

    def outgoing(self, price: int, amount: int, status: int) -> Offer:
        if self.count + 1 > self.offer_limit:
            raise OfferLimitExceededError(self.negotiation_id, self.count + 1, self.offer_limit)
        offer = Offer(self.negotiation_id, self.me, price, amount, status, self.count + 1).signed(self.private)
        self.count += 1
        if status != STATUS_REJECT:
            self.last_sent = offer
        return offer

    def incoming(self, data: bytes) -> Offer:
        """Decode and check a received message; raises :class:`InvalidOfferError` /
        :class:`OfferLimitExceededError` (the message is then not counted)."""
        offer = Offer.decode(data)
        if offer.negotiation_id != self.negotiation_id:
            raise InvalidOfferError("message belongs to another negotiation (negotiation id / T_ID mismatch)")
        if offer.seq > self.offer_limit or self.count + 1 > self.offer_limit:
            raise OfferLimitExceededError(self.negotiation_id, max(offer.seq, self.count + 1), self.offer_limit)
        if offer.account_pk != self.counterparty:
            raise InvalidOfferError("message is not from the counterparty of this negotiation")
        offer.verify()
        if offer.seq != self.count + 1:
            raise InvalidOfferError(f"out-of-sequence message {offer.seq} (expected {self.count + 1})")
        if offer.status == STATUS_ACCEPT and (
            self.last_sent is None or (offer.price, offer.amount) != (self.last_sent.price, self.last_sent.amount)
        ):
            raise InvalidOfferError("acceptance does not match the last offer sent")
        self.count += 1
        self.received += 1
        if offer.status != STATUS_REJECT:
            self.last_received = offer
        return offer


# -- transports -----------------------------------------------------------------------
@runtime_checkable
class Transport(Protocol):
    """Moves opaque messages between public keys."""

    async def send(self, sender: bytes, recipient: bytes, data: bytes) -> None: ...

    async def receive(self, recipient: bytes, timeout: float) -> tuple[bytes | None, bytes]: ...


class InMemoryTransport:
    """Queues in one process (unit tests); counts what it carries."""

    def __init__(self) -> None:
        self._queues: dict[bytes, asyncio.Queue[tuple[bytes, bytes]]] = {}
        self.sent = 0

    def _queue(self, key: bytes) -> asyncio.Queue[tuple[bytes, bytes]]:
        return self._queues.setdefault(key, asyncio.Queue())

    async def send(self, sender: bytes, recipient: bytes, data: bytes) -> None:
        self.sent += 1
        self._queue(recipient).put_nowait((sender, data))

    async def receive(self, recipient: bytes, timeout: float) -> tuple[bytes | None, bytes]:
        return await asyncio.wait_for(self._queue(recipient).get(), timeout)


# -- running a negotiation ------------------------------------------------------------
@dataclass(frozen=True)
class Agreement:
    """The outcome both parties signed: price (wei) for amount (Wh)."""

    negotiation_id: bytes
    price: int
    amount: int
    messages: int
    buyer: bytes
    seller: bytes


async def _party(
    party: Party, session: NegotiationSession, transport: Transport, *, opener_amount: int | None, timeout: float
) -> tuple[int, int]:
    def no_deal(reason: str) -> NoAgreementError:
        last = {"mine": session.last_sent.price if session.last_sent else None,
                "theirs": session.last_received.price if session.last_received else None}  # fmt: skip
        return NoAgreementError(reason, negotiation_id=session.negotiation_id, messages=session.count, last_prices=last)

    async def send(offer: Offer) -> None:
        await transport.send(session.me, session.counterparty, offer.encode())

    if opener_amount is not None:
        await send(session.outgoing(party.strategy.opening(opener_amount), opener_amount, STATUS_COUNTER))
    while True:
        try:
            _sender, data = await transport.receive(session.me, timeout)
        except TimeoutError as exc:
            raise NegotiationTimeoutError(
                f"counterparty silent for {timeout:.1f}s in negotiation 0x{session.negotiation_id.hex()[:16]}…"
            ) from exc
        offer = session.incoming(data)
        if offer.status == STATUS_ACCEPT:
            return offer.price, offer.amount
        if offer.status == STATUS_REJECT:
            raise no_deal("counterparty rejected")
        decision = party.strategy.respond(offer.price, offer.amount, session.received)
        if decision.kind == "accept":
            await send(session.outgoing(offer.price, offer.amount, STATUS_ACCEPT))
            return offer.price, offer.amount
        if session.remaining <= 1 or decision.kind == "reject":
            if session.remaining >= 1:
                await send(session.outgoing(offer.price, offer.amount, STATUS_REJECT))
            raise no_deal("offer_limit reached" if decision.kind != "reject" else "rejected by strategy")
        assert decision.price is not None
        await send(session.outgoing(decision.price, offer.amount, STATUS_COUNTER))


async def negotiate(
    buyer: Party,
    seller: Party,
    transport: Transport,
    *,
    amount: int,
    negotiation_id: bytes | None = None,
    offer_limit: int = DEFAULT_OFFER_LIMIT,
    timeout: float = 10.0,
) -> Agreement:
    """Run a whole negotiation (the buyer opens) and return the agreement.

    Raises :class:`NoAgreementError` when the parties part without a deal,
    :class:`NegotiationTimeoutError` when one side stops answering, and
    :class:`InvalidOfferError` / :class:`OfferLimitExceededError` for refused messages.
    """
    if amount <= 0:
        raise ValueError("amount (Wh) must be positive")
    negotiation_id = negotiation_id or os.urandom(32)
    b_sess = NegotiationSession(buyer.private, seller.public_key, negotiation_id, offer_limit)
    s_sess = NegotiationSession(seller.private, buyer.public_key, negotiation_id, offer_limit)
    tasks = [
        asyncio.ensure_future(_party(buyer, b_sess, transport, opener_amount=amount, timeout=timeout)),
        asyncio.ensure_future(_party(seller, s_sess, transport, opener_amount=None, timeout=timeout)),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in tasks:  # the first failure (a NoAgreementError if one side ended it) wins
            if task in done and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        (b_price, b_amount), (s_price, s_amount) = tasks[0].result(), tasks[1].result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if (b_price, b_amount) != (s_price, s_amount):  # pragma: no cover - sessions check acceptances
        raise NegotiationError("parties disagree on the accepted offer")
    return Agreement(negotiation_id, b_price, b_amount, b_sess.count, buyer.public_key, seller.public_key)


def negotiate_sync(buyer: Party, seller: Party, transport: Transport | None = None, **kwargs: object) -> Agreement:
    """:func:`negotiate` from synchronous code (in-memory transport unless one is given)."""
    return asyncio.run(negotiate(buyer, seller, transport or InMemoryTransport(), **kwargs))  # type: ignore[arg-type]
