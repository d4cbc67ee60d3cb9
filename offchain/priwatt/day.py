"""PriWatt's part of the trading day: one long delivery over a micropayment channel, and escrow
trades from the auction board, one of them disputed and settled by the DSO's split.

The DSO agent holds the market's DSO key (the operator) and attests claims up to each PV
panel's capacity (kWp × ¼ h per slot) — a claim for a later slot cannot be a meter reading
yet — never the same energy twice. Every PV household has a seller agent and every household a
buyer agent; each trade uses fresh addresses (``ctx.account("priwatt-<role>-<n>", h)``, a new
one per trade, and a messaging key derived from it) and every message — claim requests,
signed offers, delivery notes, channel states, releases, disputes, the DSO's split — travels
over two routing-backbone node **processes** started in ``setup`` (encrypted, signed,
proof-of-work stamped).

* **Channel** (the long delivery): in the first slot where a PV household has a surplus left
  and another household a deficit, the seller posts a DSO claim for :data:`CHANNEL_WH`, the
  buyer finds it on the board, they negotiate, the seller locks it and the buyer opens the
  channel (deposit + open: the money is frozen once). In every later slot the seller delivers
  min(its forecast surplus, the actual residuals) to that buyer, the buyer's meter confirms it
  and the buyer signs the new cumulative payment off chain; at the end of the day the seller
  closes with the latest state (one ``closeChannel``; the rest returns to the buyer).
* **Escrow**: at most once per hour, a household with a deficit left buys it from a PV
  household with a surplus left: DSO claim, post, negotiation, lock, deposit, open; the seller
  delivers; the buyer releases (co-signed by buyer and seller) — or, for the day's first
  escrow, a quarter of the energy never arrives, the buyer disputes and the DSO's split (the
  delivered share, from its meter) settles it with the seller's transaction.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..kernel.chain import Chain
from ..kernel.crypto import keccak256
from ..kernel.mechanism import DayContext, DayOutcome, Flow, SlotActions, SlotState
from .agents import TIMEOUT, BuyerAgent, DeliveryMeter, DsoAgent, SellerAgent, negotiate_offer
from .board import BoardQuery
from .client import DAY, PriWattClient
from .eip712 import Trade, TradeKind
from .errors import PriWattError
from .messaging import BackboneNetwork, Identity, Message
from .scenario import Community, escrow_trade

__all__ = ["PriWattDayPart", "factory", "payments_from_events", "CHANNEL_WH", "ASK_EUR"]

#: the long delivery's capacity: what the channel's claim attests and its deposit pays for (Wh)
CHANNEL_WH = 3_000
#: the sellers' asking price (€/kWh); the negotiation concedes to 80 % of it, buyers open at 70 %
ASK_EUR = 0.22
#: smallest escrow trade worth its five transactions (Wh)
MIN_ESCROW_WH = 20
#: the disputed escrow: this share of the agreed energy never arrives (1/4)
LOSS_DIVISOR = 4
#: routing-backbone node processes
BACKBONE_NODES = 2


def factory() -> PriWattDayPart:
    return PriWattDayPart()


def payments_from_events(
    chain: Chain, deployed: Mapping[str, str], owner_of: Mapping[str, int], *, from_block: int = 0
) -> dict[int, int]:
    """household → wei paid through PriWatt (> 0 paid), from events alone: the seller of an offer
    (``OfferPosted``) receives, the buyer that opened its trade (``TradeOpened``) pays, what
    ``ChannelClosed.paid`` and ``EscrowSettled.toSeller`` say (refunds are no payment)."""
    events = PriWattClient(chain, deployed["PriWattMarket"]).contract.events
    seller = {
        bytes(e["args"]["offerId"]): str(e["args"]["seller"]).lower()
        for e in events.OfferPosted().get_logs(from_block=from_block)
    }
    buyer = {
        bytes(e["args"]["offerId"]): str(e["args"]["buyer"]).lower()
        for e in events.TradeOpened().get_logs(from_block=from_block)
    }
    paid = [(e["args"]["offerId"], e["args"]["paid"]) for e in events.ChannelClosed().get_logs(from_block=from_block)]
    paid += [
        (e["args"]["offerId"], e["args"]["toSeller"]) for e in events.EscrowSettled().get_logs(from_block=from_block)
    ]
    net: dict[int, int] = defaultdict(int)
    for offer_id, wei in paid:
        b, s = owner_of.get(buyer.get(bytes(offer_id), "")), owner_of.get(seller.get(bytes(offer_id), ""))
        if b is not None:
            net[b] += int(wei)
        if s is not None:
            net[s] -= int(wei)
    return dict(net)


@dataclass
class _Channel:
    seller: int
    buyer: int
    offer_id: bytes
    trade: Trade
    buyer_id: Identity
    seller_id: Identity
    per_wh: int  # wei per Wh
    opened_slot: int
    meter: DeliveryMeter = field(default_factory=DeliveryMeter)
    cumulative: int = 0
    signature: bytes = b""
    slots: list[int] = field(default_factory=list)
    states: int = 0

    @property
    def capacity_left(self) -> int:
        return CHANNEL_WH - self.meter.fed_wh


class PriWattDayPart:
    name = "priwatt"

    def __init__(self) -> None:
        self.backbone: Any = None
        self.network: BackboneNetwork | None = None
        self.trades: dict[tuple[str, int], int] = defaultdict(int)
        self.channel: _Channel | None = None
        self.channel_result: dict[str, Any] = {}
        self.escrows: list[dict[str, Any]] = []
        self.escrow_hours: set[int] = set()
        self.failures: dict[str, int] = defaultdict(int)
        self.paid: dict[int, int] = defaultdict(int)
        self.received: dict[int, int] = defaultdict(int)
        #: wall-clock seconds this part spent, by phase (what it adds to the day)
        self.seconds: dict[str, float] = defaultdict(float)

    # -- setup -----------------------------------------------------------------------------
    def _identities(self, ctx: DayContext, role: str, h: int) -> Callable[[], Identity]:
        """A new address per trade, from ``ctx.account`` (funded on any network), and its messaging key."""

        def make() -> Identity:
            n = self.trades[(role, h)]
            self.trades[(role, h)] += 1
            account = ctx.account(f"priwatt-{role}-{n}", h)
            ctx.note_address(h, "priwatt", f"{role}, trade {n}", account.address)
            return Identity(account, keccak256(b"gridledger-day/priwatt-messaging/" + bytes(account.key)))

        return make

    def setup(self, ctx: DayContext) -> SlotActions:
        started = time.monotonic()
        try:
            return self._setup(ctx)
        finally:
            self.seconds["setup"] += time.monotonic() - started

    def _setup(self, ctx: DayContext) -> SlotActions:
        from ..routing import BackgroundBackbone

        self.client = client = PriWattClient(ctx.chain, ctx.deployed["PriWattMarket"])
        if not client.is_dso(ctx.operator.address):
            client.set_dso(ctx.operator.address, True, sender=ctx.operator)
        self.ask_per_wh = ctx.tariffs.wei_per_kwh(ASK_EUR) // 1000
        self.backbone = BackgroundBackbone(BACKBONE_NODES, ctx.workdir / "priwatt-backbone", name="priwatt-day").start()
        self.network = network = BackboneNetwork(self.backbone.table, pow_bits=8)
        # the DSO's view of each panel: its capacity per slot (kWp × 1/4 h), all day
        self.production = {
            f"meter-H{h.index:02d}": dict.fromkeys(range(ctx.n_slots), round(h.pv_kwp * 250))
            for h in ctx.households
            if h.pv_kwp > 0
        }

        def capacity(meter: str, first: int, last: int) -> int:
            return sum(self.production.get(meter, {}).get(s, 0) for s in range(first, last + 1))

        state = ctx.workdir / "priwatt"
        self.dso = DsoAgent("dso", client, network, state / "dso.json", key=ctx.operator, production=capacity)
        self.seller_index: dict[int, int] = {}
        sellers = []
        for h in ctx.households:
            if h.pv_kwp > 0:
                self.seller_index[h.index] = len(sellers)
                meter = f"meter-H{h.index:02d}"
                sellers.append(
                    SellerAgent(f"seller-{h.name}", client, network, state / f"seller-{h.name}.json", meter=meter,
                                identities=self._identities(ctx, "seller", h.index))
                )  # fmt: skip
        buyers = [
            BuyerAgent(f"buyer-{h.name}", client, network, state / f"buyer-{h.name}.json",
                       identities=self._identities(ctx, "buyer", h.index))
            for h in ctx.households
        ]  # fmt: skip
        self.community = Community(client, network, self.dso, sellers, buyers, self.production)
        self._run(network.join(self.dso.identity.msg_private))
        return SlotActions(
            notes=[
                f"{len(sellers)} seller agents, {len(buyers)} buyer agents, the DSO agent (operator key); "
                f"backbone of {BACKBONE_NODES} processes; ask {ASK_EUR} €/kWh"
            ]
        )

    def _run(self, coro: Any, timeout: float = 120.0) -> Any:
        assert self.backbone is not None
        return self.backbone.run(coro, timeout)

    # -- one slot --------------------------------------------------------------------------
    def on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        started = time.monotonic()
        try:
            return self._on_slot(ctx, state)
        finally:
            self.seconds["slots"] += time.monotonic() - started

    def _on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        actions = SlotActions()
        residual = list(state.residual_wh)  # what is left, as this part's own flows reduce it

        def move(flow: Flow) -> None:
            actions.flows.append(flow)
            residual[flow.seller] += flow.energy_wh  # type: ignore[index]
            residual[flow.buyer] -= flow.energy_wh  # type: ignore[index]

        self._channel_slot(ctx, state, residual, move)
        self._escrow_slot(ctx, state, residual, move)
        return actions

    def _pair(self, state: SlotState, residual: list[int], minimum: int, buyer: int | None = None) -> tuple[int, int]:
        """(seller, buyer) with the largest surplus and deficit left (forecast surplus too), or (-1, -1)."""
        sellers = [h for h in self.seller_index if -residual[h] >= minimum and state.households[h].forecast_net_wh < 0]
        if not sellers:
            return -1, -1
        s = max(sellers, key=lambda h: -residual[h])
        buyers = [h for h in range(len(residual)) if h != s and residual[h] >= minimum]
        if buyer is not None:
            buyers = [h for h in buyers if h == buyer]
        if not buyers:
            return -1, -1
        return s, max(buyers, key=lambda h: residual[h])

    def _channel_slot(self, ctx: DayContext, state: SlotState, residual: list[int], move: Callable[..., None]) -> None:
        if self.channel is None and not self.channel_result:
            s, b = self._pair(state, residual, 1)
            if s < 0:
                return
            try:
                self.channel = self._run(self._open_channel(ctx, state, s, b))
            except (PriWattError, TimeoutError) as exc:
                self.failures[f"channel: {type(exc).__name__}"] += 1
                return
        ch = self.channel
        if ch is None:
            return
        forecast = max(-state.households[ch.seller].forecast_net_wh, 0)
        wh = min(forecast, ch.capacity_left, max(-residual[ch.seller], 0), max(residual[ch.buyer], 0))
        if wh <= 0:
            return
        before = ch.cumulative
        try:
            self._run(self._deliver(ch, wh))
        except (PriWattError, TimeoutError) as exc:  # no state for this slot: the energy stays with the grid
            self.failures[f"channel state: {type(exc).__name__}"] += 1
            ch.meter.fed_wh -= wh
            return
        ch.slots.append(state.index)
        # paid on chain at the close; each slot carries its increment of the signed cumulative amount
        move(Flow(self.name, state.index, ch.seller, ch.buyer, wh, ch.cumulative - before, "local", ""))

    async def _open_channel(self, ctx: DayContext, state: SlotState, s: int, b: int) -> _Channel:
        seller = self.community.sellers[self.seller_index[s]]
        buyer = self.community.buyers[b]
        ask = CHANNEL_WH * self.ask_per_wh
        offer = await seller.new_offer(self.dso, CHANNEL_WH, (state.index, ctx.n_slots - 1), ask)
        chosen = self._on_board(buyer, offer.offer_id, ask, CHANNEL_WH)
        me = await buyer.new_identity(ask)
        agreement = await negotiate_offer(buyer, me, seller, chosen, energy_wh=CHANNEL_WH)
        per_wh = agreement.price // CHANNEL_WH
        locked = seller.lock(offer, me.address, per_wh * CHANNEL_WH, TradeKind.CHANNEL, duration=DAY)
        trade = buyer.fund(locked)
        return _Channel(s, b, offer.offer_id, trade, me, seller.identity(offer.offer_id), per_wh, state.index)

    @staticmethod
    def _on_board(buyer: BuyerAgent, offer_id: bytes, ask: int, energy_wh: int) -> Any:
        query = BoardQuery(max_price_per_kwh=ask * 1000 // energy_wh + 1, min_energy_wh=energy_wh)
        chosen = next((o for o in buyer.find(query) if o.offer_id == offer_id), None)
        if chosen is None:
            raise PriWattError("the buyer's board query did not find the new offer")
        return chosen

    async def _deliver(self, ch: _Channel, wh: int) -> None:
        """The seller feeds ``wh`` and says so; the buyer's meter confirms and the buyer signs the
        new cumulative amount; the seller checks the state and keeps it (all over the backbone)."""
        assert self.network is not None
        net, client = self.network, self.client
        seller = self.community.sellers[self.seller_index[ch.seller]]
        buyer = self.community.buyers[ch.buyer]
        ch.meter.feed(wh)
        total = ch.meter.fed_wh
        await net.post(
            ch.seller_id, ch.buyer_id.msg_public, Message("delivered", {"offer_id": ch.offer_id, "wh": total})
        )
        _, note = await net.expect(ch.buyer_id, ("delivered",), sender=ch.seller_id.msg_public, timeout=TIMEOUT)
        confirmed = note.int_("wh")
        if ch.meter.delivered_wh < confirmed:
            raise PriWattError(f"the buyer's meter shows {ch.meter.delivered_wh} Wh, not {confirmed}")
        cumulative = confirmed * ch.per_wh
        signature = client.sign_state(ch.buyer_id.tx.key, ch.trade, cumulative)
        await net.post(
            ch.buyer_id, ch.seller_id.msg_public, Message("state", {"cumulative": cumulative, "signature": signature})
        )
        buyer._trade(ch.offer_id)["paid_wh"] = confirmed
        buyer._save()
        _, msg = await net.expect(ch.seller_id, ("state",), sender=ch.buyer_id.msg_public, timeout=TIMEOUT)
        cumulative, signature = msg.int_("cumulative"), msg.bytes_("signature")
        seller._check_state(ch.trade, client.trade_id(ch.trade), cumulative, signature, total * ch.per_wh)
        seller._trade(ch.offer_id).update({"cumulative": cumulative, "state_sig": signature.hex()})
        seller._save()  # the latest state is the seller's money
        ch.cumulative, ch.signature, ch.states = cumulative, signature, ch.states + 1

    def _escrow_slot(self, ctx: DayContext, state: SlotState, residual: list[int], move: Callable[..., None]) -> None:
        hour = state.index // 4
        if hour in self.escrow_hours:
            return
        s, b = self._pair(state, residual, MIN_ESCROW_WH)
        if s < 0:
            return
        wh = min(-residual[s], residual[b], max(-state.households[s].forecast_net_wh, 0))
        if wh < MIN_ESCROW_WH:
            return
        self.escrow_hours.add(hour)
        disputed = not any(e["disputed"] for e in self.escrows)
        loss = wh // LOSS_DIVISOR if disputed else 0
        try:
            out = self._run(
                escrow_trade(self.community, self.seller_index[s], b, energy_wh=wh, ask_price=wh * self.ask_per_wh,
                             loss_wh=loss)
            )  # fmt: skip
        except (PriWattError, TimeoutError) as exc:
            self.failures[f"escrow: {type(exc).__name__}"] += 1
            return
        settled = [  # the filter is checked on the answer: some nodes answer a topic filter with other logs
            e
            for e in self.client.contract.events.EscrowSettled().get_logs(
                from_block=0, argument_filters={"offerId": out.offer_id}
            )
            if bytes(e["args"]["offerId"]) == out.offer_id
        ]
        tx = "0x" + bytes(settled[0]["transactionHash"]).hex() if settled else ""
        self.paid[b] += out.to_seller
        self.received[s] += out.to_seller
        delivered = wh - loss
        self.escrows.append(
            {"slot": state.index, "seller": s, "buyer": b, "energy_wh": wh, "delivered_wh": delivered,
             "disputed": out.disputed, "seller_bps": out.seller_bps, "to_seller_wei": out.to_seller,
             "to_buyer_wei": out.to_buyer, "offer_id": "0x" + out.offer_id.hex(), "tx": tx}
        )  # fmt: skip
        if delivered > 0:
            move(Flow(self.name, state.index, s, b, delivered, out.to_seller, "local", tx))

    # -- end of day ------------------------------------------------------------------------
    def finish(self, ctx: DayContext) -> DayOutcome:
        started = time.monotonic()
        try:
            self._close_channel()
        finally:
            self.close()
        self.seconds["finish"] += time.monotonic() - started
        payments = {h.index: self.paid.get(h.index, 0) - self.received.get(h.index, 0) for h in ctx.households}
        disputed = sum(e["disputed"] for e in self.escrows)
        ch = self.channel_result
        summary = (
            f"PriWatt: 1 channel ({ch.get('delivered_wh', 0)} Wh in {len(ch.get('slots', []))} slots, "
            f"{ch.get('states', 0)} signed states, 1 close), {len(self.escrows)} escrows ({disputed} disputed)"
            if ch
            else f"PriWatt: no channel, {len(self.escrows)} escrows ({disputed} disputed)"
        )
        return DayOutcome(
            summary,
            payments_wei=payments,
            data={
                "channel": ch,
                "escrows": self.escrows,
                "offers_posted": len(self.escrows) + bool(ch),
                "messages": self.network.sent if self.network else 0,
                "backbone_nodes": BACKBONE_NODES,
                "failures": dict(self.failures),
                "ask_eur_per_kwh": ASK_EUR,
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            },
        )

    def _close_channel(self) -> None:
        ch = self.channel
        if ch is None:
            return
        seller = self.community.sellers[self.seller_index[ch.seller]]
        if not ch.signature:  # nothing delivered: the buyer's zero state closes it (all refunded)
            ch.signature = self.client.sign_state(ch.buyer_id.tx.key, ch.trade, 0)
            seller._trade(ch.offer_id).update({"cumulative": 0, "state_sig": ch.signature.hex()})
        receipt = seller.close_channel(ch.trade)
        closed = self.client.events(receipt, "ChannelClosed")[0]
        paid = int(closed["paid"])
        self.paid[ch.buyer] += paid
        self.received[ch.seller] += paid
        self.channel_result = {
            "seller": ch.seller, "buyer": ch.buyer, "offer_id": "0x" + ch.offer_id.hex(),
            "opened_slot": ch.opened_slot, "slots": ch.slots, "delivered_wh": ch.meter.fed_wh,
            "states": ch.states, "deposit_wei": ch.trade.amount, "wei_per_wh": ch.per_wh,
            "paid_wei": paid, "refunded_wei": int(closed["refunded"]),
            "close_tx": "0x" + bytes(receipt["transactionHash"]).hex(),
        }  # fmt: skip

    def close(self) -> None:
        if self.backbone is not None:
            self.backbone.close([self.network.close()] if self.network is not None else [])
            self.backbone = None
