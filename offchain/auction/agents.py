"""Agents of the per-slot double auction: households that bid from their PV forecast and
load, and the operator that gathers signed orders, clears and settles slots.

Both drive the market through :class:`~offchain.auction.client.AuctionClient`, the same
client users call, and persist their state atomically (``kernel.fs.atomic_write``),
states as :class:`enum.StrEnum` values.

Orders travel off chain over any :class:`offchain.negotiation.Transport` — the routing
backbone's ``ArbTransport`` (anonymous: the operator learns a pseudonym and a signed
order, not a network address) or the in-memory transport of tests — as one JSON message
each (:func:`encode_order` / :func:`decode_order`). The operator checks every signature
before it keeps an order, and the market checks them again on chain.
"""

from __future__ import annotations

import enum
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from ..kernel.fs import atomic_write
from ..negotiation import Transport
from .client import AuctionClient
from .encoding import Clearing, Fill, Match
from .errors import AuctionError, BookError
from .orders import Order, Pricing, Side, SignedOrder, SlotStatus, recover_order_signer
from .solver import Grid, Solution, solve

__all__ = [
    "Forecast",
    "TraderState",
    "TraderAgent",
    "OperatorAgent",
    "encode_order",
    "decode_order",
    "FEED_IN_PER_MWH",
    "RETAIL_PER_MWH",
]

#: HAMLET's retailer prices as limits (0.05 €/kWh feed-in, 0.15 €/kWh retail), in wei per
#: MWh with 1 € = 10^15 wei (so that limits fit the market's uint64 prices)
FEED_IN_PER_MWH = 5 * 10**16
RETAIL_PER_MWH = 15 * 10**16


@dataclass(frozen=True)
class Forecast:
    """A household's forecast for one slot: PV production and load, in Wh."""

    pv_wh: int
    load_wh: int

    @property
    def net_wh(self) -> int:
        """Surplus (> 0, to sell) or need (< 0, to buy)."""
        return self.pv_wh - self.load_wh


class TraderState(enum.StrEnum):
    """Where a household's order for one slot stands."""

    ORDERED = "ordered"  # signed and sent to the operator
    CLEARED = "cleared"  # in the slot's standing clearing (its payment frozen if it buys)
    UNMATCHED = "unmatched"  # the slot was settled without it
    SETTLED = "settled"  # paid / was paid
    RECONCILED = "reconciled"  # its delivery deviation was settled


def encode_order(signed: SignedOrder) -> bytes:
    """One order as a transport message (JSON)."""
    o = signed.order
    body = {
        "owner": o.owner,
        "slot": o.slot,
        "id": o.id,
        "side": int(o.side),
        "energy_wh": o.energy_wh,
        "limit_price": o.limit_price,
        "expiry": o.expiry,
        "signature": signed.signature.hex() if signed.signature is not None else None,
    }
    return json.dumps(body, sort_keys=True).encode()


def decode_order(data: bytes) -> SignedOrder:
    """The order of a transport message; raises :class:`BookError` when malformed."""
    try:
        body = json.loads(data)
        signature = body.pop("signature")
        order = Order(**{**body, "side": Side(body["side"])})
        return SignedOrder(order, bytes.fromhex(signature) if signature is not None else None)
    except (ValueError, TypeError, KeyError) as exc:
        raise BookError(f"malformed order message: {exc}") from exc


class TraderAgent:
    """A household: bids for its shortfall or asks for its surplus in each slot.

    Buyers bid up to ``buy_limit`` (at most the retail price: beyond it the grid is
    cheaper); sellers ask at least ``sell_limit`` (at least the feed-in tariff)."""

    def __init__(
        self,
        market: AuctionClient,
        key: LocalAccount,
        state_path: Path,
        *,
        route_key: bytes,
        buy_limit: int = RETAIL_PER_MWH,
        sell_limit: int = FEED_IN_PER_MWH,
    ) -> None:
        self.market = market
        self.key = key
        self.state_path = Path(state_path)
        self.route_key = route_key
        self.buy_limit = buy_limit
        self.sell_limit = sell_limit
        self.state: dict[str, Any] = (
            json.loads(self.state_path.read_text()) if self.state_path.exists() else {"slots": {}}
        )

    @property
    def address(self) -> str:
        return self.key.address

    def save(self) -> None:
        atomic_write(self.state_path, json.dumps(self.state, indent=1, sort_keys=True))

    def status(self, slot: int) -> TraderState | None:
        entry = self.state["slots"].get(str(slot))
        return TraderState(entry["state"]) if entry else None

    def _set(self, slot: int, state: TraderState, **extra: Any) -> None:
        entry = self.state["slots"].setdefault(str(slot), {})
        entry.update({"state": state.value, **extra})
        self.save()

    def order_for(self, slot: int, forecast: Forecast, *, expiry: int) -> SignedOrder | None:
        """The signed order for ``slot`` from ``forecast`` (``None`` when balanced)."""
        if self.status(slot) is not None:
            raise AuctionError(f"{self.address} already ordered for slot {slot}")
        net = forecast.net_wh
        if net == 0:
            return None
        side = Side.ASK if net > 0 else Side.BID
        limit = self.sell_limit if side is Side.ASK else self.buy_limit
        order = Order(self.address, slot, 1, side, min(abs(net), 2**32 - 1), limit, expiry)
        signed = self.market.sign(order, self.key)
        self._set(slot, TraderState.ORDERED, order=json.loads(encode_order(signed)))
        return signed

    async def send(self, transport: Transport, operator: bytes, signed: SignedOrder) -> None:
        """Send ``signed`` to the operator's pseudonym over ``transport``."""
        await transport.send(self.route_key, operator, encode_order(signed))

    def refresh(self, slot: int) -> TraderState | None:
        """Follow the slot on chain: cleared with this order or not, settled, reconciled."""
        current = self.status(slot)
        if current is None:
            return None
        clearing = self.market.clearing(slot)
        if clearing.status is SlotStatus.NONE:
            return current
        mine = [r for r in self.market.standing_records(slot) if r.owner == self.address]
        if not mine:
            state = TraderState.UNMATCHED if clearing.status is not SlotStatus.CLEARED else TraderState.ORDERED
        else:
            state = {
                SlotStatus.CLEARED: TraderState.CLEARED,
                SlotStatus.SETTLED: TraderState.SETTLED,
                SlotStatus.RECONCILED: TraderState.RECONCILED,
            }[clearing.status]
            self._set(slot, state, traded_wh=mine[0].energy_wh, amount=mine[0].amount, fee=mine[0].fee)
            return state
        self._set(slot, state)
        return state


@dataclass(frozen=True)
class ClearingOutcome:
    """What the operator did for a slot: submitted, challenged, or nothing better to offer."""

    action: str
    clearing: Clearing | None
    gas: int = 0


class OperatorAgent:
    """Gathers signed orders, clears slots with the solver, settles them.

    Anyone may run one: the market accepts the first clearing and then only better ones,
    so an operator also watches the standing clearing and challenges it when its own
    solution trades more (or as much with more welfare)."""

    def __init__(
        self, market: AuctionClient, key: LocalAccount, state_path: Path, *, route_key: bytes, grid: Grid
    ) -> None:
        self.market = market
        self.key = key
        self.state_path = Path(state_path)
        self.route_key = route_key
        self.grid = grid
        self.book: dict[int, dict[tuple[int, int], SignedOrder]] = defaultdict(dict)
        self.rejected = 0
        if self.state_path.exists():
            for slot, orders in json.loads(self.state_path.read_text())["book"].items():
                for raw in orders:
                    signed = decode_order(raw.encode())
                    self.book[int(slot)][signed.order.key] = signed

    def save(self) -> None:
        book = {str(s): [encode_order(o).decode() for o in orders.values()] for s, orders in self.book.items()}
        atomic_write(self.state_path, json.dumps({"book": book}, indent=1, sort_keys=True))

    def accept(self, data: bytes) -> SignedOrder | None:
        """Keep one order message if its signature is its owner's; count it rejected otherwise."""
        try:
            signed = decode_order(data)
            recover_order_signer(signed, self.market.chain.chain_id, self.market.address)
        except AuctionError:
            self.rejected += 1
            return None
        self.book[signed.order.slot][signed.order.key] = signed
        self.save()
        return signed

    async def gather(self, transport: Transport, count: int, timeout: float = 5.0) -> int:
        """Receive up to ``count`` order messages (stops early after ``timeout`` of silence)."""
        kept = 0
        for _ in range(count):
            try:
                _, data = await transport.receive(self.route_key, timeout)
            except TimeoutError:
                break
            if self.accept(data) is not None:
                kept += 1
        return kept

    def solve(self, slot: int, *, only: set[tuple[int, int]] | None = None) -> Solution:
        orders = [o.order for k, o in self.book[slot].items() if only is None or k in only]
        return solve(orders, pricing=self.market.params_for(slot).pricing, grid=self.grid)

    def clearing(self, slot: int, solution: Solution) -> Clearing:
        fills = tuple(Fill(self.book[slot][o.key], q) for o, q in solution.fills)
        matches = tuple(Match(b, a, q) for b, a, q in solution.matches)
        return Clearing(slot, solution.pricing, solution.price, fills, matches)

    def clear(self, slot: int, *, only: set[tuple[int, int]] | None = None) -> ClearingOutcome:
        """Submit this operator's clearing of ``slot``, or challenge the standing one with it
        when it is better; ``only`` restricts the book (e.g. orders that arrived in time)."""
        solution = self.solve(slot, only=only)
        if solution.empty:
            return ClearingOutcome("nothing to clear", None)
        mine = self.clearing(slot, solution)
        standing = self.market.clearing(slot)
        if standing.status is SlotStatus.NONE:
            receipt = self.market.submit_clearing(mine, sender=self.key)
            return ClearingOutcome("submitted", mine, int(receipt["gasUsed"]))
        if standing.status is not SlotStatus.CLEARED:
            return ClearingOutcome("slot closed", None)
        better = (mine.volume_wh, mine.welfare) > (standing.volume_wh, standing.welfare)
        if not better:
            return ClearingOutcome("standing clearing is as good", None)
        receipt = self.market.challenge_clearing(mine, sender=self.key)
        return ClearingOutcome("challenged", mine, int(receipt["gasUsed"]))

    def settle(self, slot: int) -> int:
        """Settle ``slot`` (after its gate); returns the gas used."""
        return int(self.market.settle(slot, sender=self.key)["gasUsed"])


def price_label(pricing: Pricing, price: int) -> str:
    return "pay-as-bid" if pricing is Pricing.PAY_AS_BID else f"{price / 10**15:.2f} €/MWh"
