"""Agents that run PriWatt trades: the DSO, sellers and buyers (PriWatt §3, Algorithms 1–2).

Every agent drives the contract only through :class:`~offchain.priwatt.client.PriWattClient`
(the API users call), talks to the others only through a :class:`~offchain.priwatt.messaging.Network`
(the routing backbone: encrypted, signed, proof-of-work stamped, fresh keys per trade),
and keeps its state in a JSON file written atomically after every step (trade states as
:class:`TradeState` values), so a restarted agent knows where each trade stands.

* :class:`DsoAgent` testifies to ownership: it signs an :class:`EnergyClaim` for a seller's
  fresh address only for energy the seller's meter measured and that it has not attested
  before (PriWatt's bλ); it mediates disputes from its own meter reading of the delivery.
* :class:`SellerAgent` asks the DSO for a claim, posts it with a fresh messaging key,
  negotiates, locks the offer for the buyer, delivers — per kWh in a channel, stopping as
  soon as the buyer stops signing — and closes or settles.
* :class:`BuyerAgent` filters the board, negotiates, funds, signs one channel state per kWh
  its meter confirms, and releases an escrow or disputes it.
"""

from __future__ import annotations

import asyncio
import enum
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..kernel.crypto import recover_address
from ..kernel.fs import atomic_write
from ..negotiation import Agreement, ConcessionStrategy, Party, negotiate
from . import eip712
from .board import BoardQuery, match
from .client import DAY, BoardOffer, PriWattClient
from .eip712 import BPS, EnergyClaim, Trade, TradeKind
from .errors import BadStateError, ClaimRefusedError
from .messaging import Identity, Message, Network

__all__ = [
    "TradeState",
    "DeliveryMeter",
    "DsoAgent",
    "SellerAgent",
    "BuyerAgent",
    "ChannelOutcome",
    "EscrowOutcome",
    "negotiate_offer",
]

#: how long an agent waits for the counterparty's next message
TIMEOUT = 10.0


class TradeState(enum.StrEnum):
    """Where a trade stands in an agent's state file (persisted by value)."""

    CLAIMED = "claimed"
    POSTED = "posted"
    NEGOTIATED = "negotiated"
    LOCKED = "locked"
    FUNDED = "funded"
    DELIVERED = "delivered"
    DISPUTED = "disputed"
    STOPPED = "stopped"
    SOLD = "sold"
    REFUNDED = "refunded"


class DeliveryMeter:
    """The smart meters at both ends of one delivery (simulated): Wh fed in by the seller,
    as the buyer's meter and the DSO's reading see them. ``loss_wh`` models energy that never
    arrives (the dispute case)."""

    def __init__(self, loss_wh: int = 0) -> None:
        self.fed_wh = 0
        self.loss_wh = loss_wh

    def feed(self, wh: int) -> None:
        self.fed_wh += wh

    @property
    def delivered_wh(self) -> int:
        return max(0, self.fed_wh - self.loss_wh)


class _Agent:
    """Common plumbing: the market client, the message network and the state file."""

    def __init__(self, name: str, client: PriWattClient, network: Network, state_path: Path) -> None:
        self.name, self.client, self.network, self.state_path = name, client, network, Path(state_path)
        self.state: dict[str, Any] = (
            json.loads(self.state_path.read_text()) if self.state_path.exists() else {"trades": {}}
        )

    def _save(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.state_path, json.dumps(self.state, indent=1, sort_keys=True))

    def _trade(self, offer_id: bytes) -> dict[str, Any]:
        return self.state["trades"].setdefault(offer_id.hex(), {})

    def _set(self, offer_id: bytes, state: TradeState, **extra: Any) -> None:
        entry = self._trade(offer_id)
        entry["state"] = state.value
        entry.update({k: (v.hex() if isinstance(v, bytes) else v) for k, v in extra.items()})
        self._save()

    def trade_state(self, offer_id: bytes) -> TradeState | None:
        entry = self.state["trades"].get(offer_id.hex())
        return TradeState(entry["state"]) if entry and "state" in entry else None


# -- the DSO ------------------------------------------------------------------------------
class DsoAgent(_Agent):
    """Signs energy claims for measured, not yet attested energy; mediates disputes."""

    def __init__(
        self,
        name: str,
        client: PriWattClient,
        network: Network,
        state_path: Path,
        *,
        key: Any,
        production: Callable[[str, int, int], int],
        claim_ttl: int = 2 * DAY,
    ) -> None:
        super().__init__(name, client, network, state_path)
        self.key = key  # holds DSO_ROLE
        self.production = production  # (meter id, first slot, last slot) -> Wh measured
        self.claim_ttl = claim_ttl
        self.identity = Identity.from_json(self.state["identity"]) if "identity" in self.state else Identity.fresh()
        self.state.setdefault("identity", self.identity.to_json())
        self.state.setdefault("attested", {})  # "meter:slot" -> Wh already attested
        self._save()

    @property
    def msg_public(self) -> bytes:
        return self.identity.msg_public

    def _attested(self, meter: str, first: int, last: int) -> int:
        return sum(int(self.state["attested"].get(f"{meter}:{s}", 0)) for s in range(first, last + 1))

    def attest(
        self, meter: str, seller: str, energy_wh: int, first_slot: int, last_slot: int
    ) -> tuple[EnergyClaim, bytes]:
        """A signed claim for ``energy_wh`` of ``meter``'s production in the slots, owned by
        ``seller`` (a fresh address). Refused beyond what the meter measured minus what was
        attested already — the same energy is never attested twice."""
        measured = self.production(meter, first_slot, last_slot)
        already = self._attested(meter, first_slot, last_slot)
        if energy_wh <= 0 or energy_wh > measured - already:
            raise ClaimRefusedError(
                f"meter {meter} produced {measured} Wh in slots {first_slot}..{last_slot}, "
                f"{already} Wh already attested: cannot attest {energy_wh} Wh"
            )
        remaining = energy_wh
        for s in range(first_slot, last_slot + 1):  # book the attested energy slot by slot
            free = self.production(meter, s, s) - int(self.state["attested"].get(f"{meter}:{s}", 0))
            take = min(free, remaining)
            if take > 0:
                self.state["attested"][f"{meter}:{s}"] = int(self.state["attested"].get(f"{meter}:{s}", 0)) + take
                remaining -= take
        now = int(self.client.chain.w3.eth.get_block("latest")["timestamp"])
        claim = EnergyClaim(secrets.token_bytes(32), seller, energy_wh, first_slot, last_slot, now + self.claim_ttl)
        self._save()
        return claim, self.client.sign_claim(self.key, claim)

    async def serve_claim(self) -> None:
        """Answer one ``claim_request`` (PriWatt's INJECTENERGY: bλ to msgAddrB)."""
        sender, msg = await self.network.expect(self.identity, ("claim_request",), timeout=TIMEOUT)
        assert sender is not None
        try:
            claim, sig = self.attest(
                str(msg.fields["meter"]),
                str(msg.fields["seller"]),
                msg.int_("energy_wh"),
                msg.int_("first_slot"),
                msg.int_("last_slot"),
            )
        except ClaimRefusedError as exc:
            await self.network.post(self.identity, sender, Message("claim_refused", {"reason": str(exc)}))
            return
        fields = {"claim_id": claim.claim_id, "seller": claim.seller, "energy_wh": claim.energy_wh,
                  "first_slot": claim.first_slot, "last_slot": claim.last_slot, "expiry": claim.expiry,
                  "signature": sig}  # fmt: skip
        await self.network.post(self.identity, sender, Message("claim", fields))

    def split_for(self, delivered_wh: int, agreed_wh: int) -> int:
        """The DSO's split from its meter reading: the delivered share, in basis points."""
        return min(BPS, delivered_wh * BPS // agreed_wh) if agreed_wh > 0 else 0

    async def serve_dispute(self, meter: DeliveryMeter) -> int:
        """Answer one ``dispute``: read the delivery meter, sign the split, send it to both parties."""
        _, msg = await self.network.expect(self.identity, ("dispute",), timeout=TIMEOUT)
        trade = _trade_from(msg)
        bps = self.split_for(meter.delivered_wh, msg.int_("energy_wh"))
        deadline = int(self.client.chain.w3.eth.get_block("latest")["timestamp"]) + 3_600
        sig = self.client.sign_settlement(self.key, trade, bps, deadline)
        reply = Message(
            "split", {"offer_id": trade.offer_id, "seller_bps": bps, "deadline": deadline, "signature": sig}
        )
        for party in (msg.bytes_("buyer_msg"), msg.bytes_("seller_msg")):
            await self.network.post(self.identity, party, reply)
        self._set(trade.offer_id, TradeState.DISPUTED, seller_bps=bps)
        return bps


def _trade_fields(trade: Trade) -> dict[str, Any]:
    return {"offer_id": trade.offer_id, "seller": trade.seller, "offer_expiry": trade.offer_expiry,
            "buyer": trade.buyer, "amount": trade.amount, "deadline": trade.deadline, "duration": trade.duration,
            "kind": int(trade.kind), "nonce": trade.nonce}  # fmt: skip


def _trade_from(msg: Message) -> Trade:
    return Trade(
        msg.bytes_("offer_id"), str(msg.fields["seller"]), msg.int_("offer_expiry"), str(msg.fields["buyer"]),
        msg.int_("amount"), msg.int_("deadline"), msg.int_("duration"), TradeKind(msg.int_("kind")), msg.int_("nonce"),
    )  # fmt: skip


# -- outcomes -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ChannelOutcome:
    offer_id: bytes
    trade_id: bytes
    kwh_delivered: int
    kwh_paid: int
    paid: int
    refunded: int
    stopped: bool
    gas: dict[str, int]


@dataclass(frozen=True)
class EscrowOutcome:
    offer_id: bytes
    trade_id: bytes
    disputed: bool
    seller_bps: int
    to_seller: int
    to_buyer: int
    gas: dict[str, int]


# -- the seller ---------------------------------------------------------------------------
class SellerAgent(_Agent):
    """A prosumer: a fresh identity per offer, claims from the DSO, posts, locks, delivers."""

    def __init__(
        self,
        name: str,
        client: PriWattClient,
        network: Network,
        state_path: Path,
        *,
        meter: str,
        gas_funder: Callable[[str], None] | None = None,
        strategy: ConcessionStrategy | None = None,
        identities: Callable[[], Identity] | None = None,
    ) -> None:
        super().__init__(name, client, network, state_path)
        self.meter = meter
        self.gas_funder = gas_funder
        self.strategy = strategy
        #: where the per-offer identities come from (default: fresh random keys)
        self.identities = identities or Identity.fresh

    def identity(self, offer_id: bytes) -> Identity:
        return Identity.from_json(self._trade(offer_id)["identity"])

    async def new_offer(self, dso: DsoAgent | bytes, energy_wh: int, slots: tuple[int, int], ask_price: int) -> Trade:
        """Fresh addresses, a DSO claim over the backbone, and the offer on the board."""
        me = self.identities()
        await self.network.join(me.msg_private)
        if self.gas_funder is not None:
            self.gas_funder(me.address)  # a fresh address needs ether for gas (e.g. from a mixer or faucet)
        dso_key = dso.msg_public if isinstance(dso, DsoAgent) else dso
        request = {"meter": self.meter, "seller": me.address, "energy_wh": energy_wh,
                   "first_slot": slots[0], "last_slot": slots[1]}  # fmt: skip
        await self.network.post(me, dso_key, Message("claim_request", request))
        if isinstance(dso, DsoAgent):
            await dso.serve_claim()
        _, msg = await self.network.expect(me, ("claim", "claim_refused"), sender=dso_key, timeout=TIMEOUT)
        if msg.type == "claim_refused":
            raise ClaimRefusedError(str(msg.fields.get("reason")))
        claim = EnergyClaim(
            msg.bytes_("claim_id"), str(msg.fields["seller"]), msg.int_("energy_wh"),
            msg.int_("first_slot"), msg.int_("last_slot"), msg.int_("expiry"),
        )  # fmt: skip
        if claim.seller != me.address or claim.energy_wh != energy_wh:
            raise ClaimRefusedError("the DSO's claim does not name this offer's address and energy")
        offer = self.client.post_offer(claim, msg.bytes_("signature"), ask_price, me.msg_public, sender=me.tx)
        entry = self._trade(claim.claim_id)
        entry.update({"identity": me.to_json(), "energy_wh": energy_wh, "ask_price": ask_price})
        self._set(claim.claim_id, TradeState.POSTED)
        return offer

    def lock(
        self, offer: Trade, buyer: str, amount: int, kind: TradeKind, *, duration: int = DAY, lock_for: int = 600
    ) -> Trade:
        """Reserve the offer for the negotiated buyer (the ownership lock)."""
        now = int(self.client.chain.w3.eth.get_block("latest")["timestamp"])
        until = min(now + lock_for, offer.offer_expiry)
        locked = self.client.lock_offer(
            offer, buyer, amount, until, duration, kind, sender=self.identity(offer.offer_id).tx
        )
        self._set(offer.offer_id, TradeState.LOCKED, buyer=buyer, amount=amount)
        return locked

    async def deliver_channel(
        self, trade: Trade, meter: DeliveryMeter, buyer_msg: bytes, *, kwh: int, price_per_kwh: int
    ) -> tuple[int, int, bytes | None, bool]:
        """Algorithm 2, seller side: feed 1 kWh, wait for the buyer's state for it, check it,
        go on; stop at the first missing or bad state. Returns (kWh delivered, kWh paid,
        latest state signature, stopped)."""
        me = self.identity(trade.offer_id)
        trade_id = self.client.trade_id(trade)
        latest, paid_kwh, stopped = None, 0, False
        for k in range(1, kwh + 1):
            meter.feed(1_000)
            await self.network.post(me, buyer_msg, Message("delivered", {"offer_id": trade.offer_id, "kwh": k}))
            try:
                _, msg = await self.network.expect(me, ("state",), sender=buyer_msg, timeout=TIMEOUT / 4)
                cumulative, sig = msg.int_("cumulative"), msg.bytes_("signature")
                self._check_state(trade, trade_id, cumulative, sig, k * price_per_kwh)
            except (TimeoutError, BadStateError) as exc:
                stopped = True
                self._set(trade.offer_id, TradeState.STOPPED, reason=str(exc) or "no state in time", kwh=k)
                break
            latest, paid_kwh = (cumulative, sig), k
            self._trade(trade.offer_id).update({"cumulative": cumulative, "state_sig": sig.hex()})
            self._save()  # the latest state survives a restart: it is the seller's money
        delivered = meter.fed_wh // 1_000
        if latest is None:
            return delivered, 0, None, stopped
        return delivered, paid_kwh, latest[1], stopped

    def _check_state(self, trade: Trade, trade_id: bytes, cumulative: int, sig: bytes, expected: int) -> None:
        digest = eip712.channel_state_digest(trade_id, cumulative, self.client.chain.chain_id, self.client.address)
        try:
            signer = recover_address(digest, sig)
        except Exception as exc:  # noqa: BLE001 - any unrecoverable signature is a bad state
            raise BadStateError(f"unrecoverable channel state: {exc}") from exc
        if signer != trade.buyer:
            raise BadStateError("channel state not signed by the buyer")
        if cumulative < expected or cumulative > trade.amount:
            raise BadStateError(f"channel state pays {cumulative}, expected {expected} (deposit {trade.amount})")

    def close_channel(self, trade: Trade) -> Any:
        entry = self._trade(trade.offer_id)
        receipt = self.client.close_channel(
            trade, int(entry["cumulative"]), bytes.fromhex(entry["state_sig"]), sender=self.identity(trade.offer_id).tx
        )
        self._set(trade.offer_id, TradeState.SOLD)
        return receipt

    async def deliver_escrow(self, trade: Trade, meter: DeliveryMeter, buyer_msg: bytes, energy_wh: int) -> None:
        meter.feed(energy_wh)
        await self.network.post(
            self.identity(trade.offer_id),
            buyer_msg,
            Message("delivered", {"offer_id": trade.offer_id, "wh": energy_wh}),
        )
        self._set(trade.offer_id, TradeState.DELIVERED)

    async def collect_escrow(self, trade: Trade, buyer_msg: bytes, dso_msg: bytes) -> tuple[Any, int, bool]:
        """Wait for the buyer's release, or the DSO's split after a dispute, and submit it
        (the seller's transaction is its own approval). Returns (receipt, seller bps, disputed)."""
        me = self.identity(trade.offer_id)
        _, msg = await self.network.expect(me, ("release", "dispute_opened"), sender=buyer_msg, timeout=TIMEOUT)
        disputed = msg.type == "dispute_opened"
        if disputed:
            self._set(trade.offer_id, TradeState.DISPUTED)
            _, msg = await self.network.expect(me, ("split",), sender=dso_msg, timeout=TIMEOUT)
        bps, deadline, sig = msg.int_("seller_bps"), msg.int_("deadline"), msg.bytes_("signature")
        receipt = self.client.settle_escrow(trade, bps, deadline, sig, sender=me.tx)
        self._set(trade.offer_id, TradeState.SOLD if bps else TradeState.REFUNDED, seller_bps=bps)
        return receipt, bps, disputed


# -- the buyer ----------------------------------------------------------------------------
class BuyerAgent(_Agent):
    """A consumer: a fresh identity per trade, the board query, funding and payment."""

    def __init__(
        self,
        name: str,
        client: PriWattClient,
        network: Network,
        state_path: Path,
        *,
        gas_funder: Callable[[str], None] | None = None,
        strategy: ConcessionStrategy | None = None,
        identities: Callable[[], Identity] | None = None,
    ) -> None:
        super().__init__(name, client, network, state_path)
        self.gas_funder = gas_funder
        self.strategy = strategy
        #: where the per-trade identities come from (default: fresh random keys)
        self.identities = identities or Identity.fresh

    def find(self, query: BoardQuery) -> list[BoardOffer]:
        now = int(self.client.chain.w3.eth.get_block("latest")["timestamp"])
        return match(self.client.board(), query, now)

    async def new_identity(self, deposit: int) -> Identity:
        """Fresh addresses for one trade, joined to the backbone, with ``deposit`` in the market."""
        me = self.identities()
        await self.network.join(me.msg_private)
        if self.gas_funder is not None:
            self.gas_funder(me.address)
        if deposit:
            self.client.deposit(deposit, sender=me.tx)
        return me

    def remember(self, offer_id: bytes, me: Identity, agreement: Agreement) -> None:
        entry = self._trade(offer_id)
        entry.update({"identity": me.to_json(), "price": agreement.price, "energy_wh": agreement.amount})
        self._set(offer_id, TradeState.NEGOTIATED)

    def identity(self, offer_id: bytes) -> Identity:
        return Identity.from_json(self._trade(offer_id)["identity"])

    def fund(self, locked: Trade) -> Trade:
        funded = self.client.open_trade(locked, sender=self.identity(locked.offer_id).tx)
        self._set(locked.offer_id, TradeState.FUNDED, trade_id=funded.trade_id)
        return funded.record

    async def pay_channel(
        self, trade: Trade, meter: DeliveryMeter, seller_msg: bytes, *, price_per_kwh: int, stop_after_kwh: int | None
    ) -> int:
        """Algorithm 2, buyer side: for each kWh the meter confirms, sign the new cumulative
        amount and send it; a buyer that stops (``stop_after_kwh``) simply stops signing.
        Returns the kWh paid for."""
        me = self.identity(trade.offer_id)
        paid = 0
        while True:
            try:
                _, msg = await self.network.expect(me, ("delivered",), sender=seller_msg, timeout=TIMEOUT / 2)
            except TimeoutError:
                return paid
            k = msg.int_("kwh")
            if meter.delivered_wh < k * 1_000 or (stop_after_kwh is not None and k > stop_after_kwh):
                continue  # not delivered (or this buyer stops paying): no state for it
            cumulative = k * price_per_kwh
            sig = self.client.sign_state(me.tx.key, trade, cumulative)
            await self.network.post(me, seller_msg, Message("state", {"cumulative": cumulative, "signature": sig}))
            paid = k
            self._trade(trade.offer_id)["paid_kwh"] = k
            self._save()
            if cumulative >= trade.amount:
                return paid

    async def accept_escrow(
        self, trade: Trade, meter: DeliveryMeter, seller_msg: bytes, dso_msg: bytes, energy_wh: int
    ) -> bool:
        """Release to the seller if the meter shows the agreed energy; dispute otherwise
        (the DSO decides from its reading). Returns True for a dispute."""
        me = self.identity(trade.offer_id)
        await self.network.expect(me, ("delivered",), sender=seller_msg, timeout=TIMEOUT)
        if meter.delivered_wh >= energy_wh:
            deadline = int(self.client.chain.w3.eth.get_block("latest")["timestamp"]) + 3_600
            sig = self.client.sign_settlement(me.tx.key, trade, BPS, deadline)
            fields = {"offer_id": trade.offer_id, "seller_bps": BPS, "deadline": deadline, "signature": sig}
            await self.network.post(me, seller_msg, Message("release", fields))
            self._set(trade.offer_id, TradeState.SOLD)
            return False
        await self.network.post(me, seller_msg, Message("dispute_opened", {"offer_id": trade.offer_id}))
        dispute = {**_trade_fields(trade), "energy_wh": energy_wh, "buyer_msg": me.msg_public, "seller_msg": seller_msg}
        await self.network.post(me, dso_msg, Message("dispute", dispute))
        self._set(trade.offer_id, TradeState.DISPUTED, delivered_wh=meter.delivered_wh)
        return True

    async def take_split(self, trade: Trade, dso_msg: bytes) -> int:
        """The buyer receives the DSO's split too (it could co-sign it itself)."""
        _, msg = await self.network.expect(self.identity(trade.offer_id), ("split",), sender=dso_msg, timeout=TIMEOUT)
        return msg.int_("seller_bps")

    def refund(self, trade: Trade) -> Any:
        receipt = self.client.refund(trade, sender=self.identity(trade.offer_id).tx)
        self._set(trade.offer_id, TradeState.REFUNDED)
        return receipt


async def negotiate_offer(
    buyer: BuyerAgent, buyer_id: Identity, seller: SellerAgent, offer: BoardOffer, *, energy_wh: int
) -> Agreement:
    """Negotiate ``energy_wh`` of ``offer`` between the buyer's and the seller's fresh
    messaging keys, over the agents' network (signed offers, ``offer_limit``)."""
    seller_id = seller.identity(offer.offer_id)
    seller_strategy = seller.strategy or ConcessionStrategy.seller(offer.ask_price, offer.ask_price * 8 // 10)
    buyer_strategy = buyer.strategy or ConcessionStrategy.buyer(offer.ask_price * 7 // 10, offer.ask_price)
    agreement = await negotiate(
        Party(buyer_id.msg_private, buyer_strategy),
        Party(seller_id.msg_private, seller_strategy),
        buyer.network,
        amount=energy_wh,
        timeout=TIMEOUT,
    )
    seller._set(offer.offer_id, TradeState.NEGOTIATED, price=agreement.price)
    buyer.remember(offer.offer_id, buyer_id, agreement)
    return agreement


async def run_concurrently(*coros: Any) -> list[Any]:
    """Both ends of a delivery at once (each waits for the other's messages)."""
    return list(await asyncio.gather(*coros))
