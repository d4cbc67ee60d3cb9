"""PETra's part of the trading day: DSO-minted assets traded an hour ahead within feeder limits.

The DSO (the operator: the deployer is governor, DSO and ``FiatToken`` issuer of the deployed
``PetraMarket``) splits the community over two feeders (households 0, 2, 4, … on feeder 1,
1, 3, 5, … on feeder 2) with a small exchange limit per slot, so trades across feeders are
capped by it. In a slot where the earlier parts left a residual worth trading (at most one
round an hour), it trades the hour ahead, taking that residual as the hour's forecast (a
persistence forecast): households with a surplus ≥ :data:`MIN_WH` per slot are matched to
households with a deficit (largest first, within the feeders' headroom) and, per pair, mints a production asset to the seller and
a consumption asset to the buyer (registering each prosumer on its first mint); the seller
posts an ask, the buyer accepts it with ``limitPrice`` = the utility tariff. The first time a
feeder caps a pair, the buyer first tries the whole portion and the chain's refusal
(``PetraFeederLimitExceeded``) is kept; then it accepts the capped portion.

Money: the market pays in the DSO's ``FiatToken`` (cents, as ``deploy_all`` deploys it; a price
is cents per MWh in 29 bits, far too small a field for wei per MWh). A buyer's first purchase
has the DSO issue it cents, which it deposits into the market's funds ledger. The day counts a
cent as ``wei_per_eur / 100`` wei (1 cent = 10^13 wei at the day's 1 € = 10^15 wei): every
payment in the report is ``OfferAccepted.cost`` × :data:`CENT_WEI`.

In each covered slot the part moves min(traded, seller's residual surplus, buyer's residual
deficit), a local :class:`Flow` carrying the slot's share of the trade's cost. When an hour has
passed on the market's clock, the DSO records each seller's delivery (reputation: promised vs
delivered mWh).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..kernel.chain import Chain
from ..kernel.errors import ConfigError, TransactionFailedError
from ..kernel.mechanism import DayContext, DayOutcome, Flow, SlotActions, SlotState, Tariffs
from .client import AssetKind, FiatClient, PetraClient, Portion, decode_id

__all__ = ["PetraDayPart", "factory", "payments_from_events", "CENT_WEI", "MIN_WH", "EXCHANGE_LIMIT_W"]

#: wei per cent of the DSO's fiat token (the day's display rate: 1 € = 10^15 wei)
CENT_WEI = Tariffs().wei_per_eur // 100
#: energy quantum of an asset: 10 Wh per slot = 40 W
QUANTUM_W = 40
#: smallest residual per slot worth a trade (Wh)
MIN_WH = 20
#: the feeders' limits per slot (W): inside a feeder, and import / export across feeders
INTERNAL_LIMIT_W = 50_000
EXCHANGE_LIMIT_W = 200
#: a seller's ask and a buyer's limit (€/kWh): between the feed-in tariff and the utility's
ASK_EUR_PER_KWH = 0.19
#: what a buyer deposits when its free balance runs short (cents)
DEPOSIT_CENTS = 500
#: a round trades the next HOUR slots; the next round comes HOUR slots later at the earliest
HOUR = 4


def factory() -> PetraDayPart:
    return PetraDayPart()


def payments_from_events(
    chain: Chain, deployed: Mapping[str, str], owner_of: Mapping[str, int], *, from_block: int = 0
) -> dict[int, int]:
    """household → wei paid through PETra: for every ``OfferAccepted``, the offer's owner (its
    latest ``OfferPosted``) and the acceptor (the accepting transaction's sender); an ask's owner
    sells, a bid's owner buys; ``cost`` cents × :data:`CENT_WEI`."""
    market = PetraClient(chain, deployed["PetraMarket"]).contract
    posted = sorted(
        ((log["blockNumber"], log["logIndex"]), int(log["args"]["id"]), str(log["args"]["owner"]))
        for log in market.events.OfferPosted().get_logs(from_block=from_block)
    )
    paid: dict[int, int] = defaultdict(int)
    for log in market.events.OfferAccepted().get_logs(from_block=from_block):
        at, offer_id = (log["blockNumber"], log["logIndex"]), int(log["args"]["offerId"])
        owner = [o for when, i, o in posted if i == offer_id and when < at][-1]
        acceptor = str(chain.w3.eth.get_transaction(log["transactionHash"])["from"])
        seller, buyer = (owner, acceptor) if decode_id(offer_id).kind is AssetKind.PRODUCTION else (acceptor, owner)
        wei = int(log["args"]["cost"]) * CENT_WEI
        for address, sign in ((buyer, 1), (seller, -1)):
            h = owner_of.get(address.lower())
            if h is not None:
                paid[h] += sign * wei
    return dict(paid)


@dataclass
class _Trade:
    seller: int
    buyer: int
    first: int  # day slot indices covered
    last: int
    wh: int  # per slot
    cost_cents: int
    tx: str
    production_id: int  # the seller's matched asset
    delivered_wh: int = 0
    flows: list[int] = field(default_factory=list)  # Wh moved per covered slot
    recorded: bool = False


class PetraDayPart:
    name = "petra"

    def __init__(self) -> None:
        self.market: PetraClient | None = None
        self.fiat: FiatClient | None = None
        self.accounts: dict[int, Any] = {}
        self.registered: set[int] = set()
        self.free_cents: dict[int, int] = defaultdict(int)
        self.trades: list[_Trade] = []
        self.capped: list[dict[str, Any]] = []
        self.refusals: list[str] = []
        self.mints = 0
        self.deliveries = 0
        self.paid_wei: dict[int, int] = defaultdict(int)
        self.next_round = 0
        self.too_small = 0
        self.rounds = 0
        #: rounds ended because the market's clock reached the hour's first slot while they
        #: traded (a slow machine): the residual is traded again from the next slot
        self.cut_short = 0

    # -- helpers -------------------------------------------------------------------------
    def _feeder(self, h: int) -> int:
        return 1 + h % 2

    def _account(self, ctx: DayContext, h: int) -> Any:
        if h not in self.accounts:
            key = ctx.account("petra-prosumer", h)
            self.accounts[h] = key
            ctx.note_address(h, "petra", "prosumer account (assets, funds)", key.address)
        return self.accounts[h]

    def _register(self, ctx: DayContext, h: int) -> None:
        assert self.market is not None
        if h in self.registered:
            return
        info = ctx.households[h]
        production = max(QUANTUM_W, int(info.pv_kwp * 1000))
        self.market.register_prosumer(h + 1, self._feeder(h), production, 20_000, sender=ctx.operator)
        self.registered.add(h)

    def _fund(self, ctx: DayContext, h: int, cents: int) -> None:
        assert self.market is not None and self.fiat is not None
        if self.free_cents[h] >= cents:
            return
        amount = max(DEPOSIT_CENTS, cents)
        key = self._account(ctx, h)
        self.fiat.issue(key.address, amount, sender=ctx.operator)
        self.market.deposit(amount, sender=key)
        self.free_cents[h] += amount

    # -- the protocol ------------------------------------------------------------------
    def setup(self, ctx: DayContext) -> SlotActions:
        if ctx.tariffs.wei_per_eur // 100 != CENT_WEI:
            raise ConfigError(f"PETra's day counts a cent as {CENT_WEI} wei; wei_per_eur {ctx.tariffs.wei_per_eur}")
        self.market = market = PetraClient(ctx.chain, ctx.deployed["PetraMarket"])
        self.fiat = FiatClient(ctx.chain, ctx.deployed["FiatToken"])
        for feeder in (1, 2):
            market.set_feeder(feeder, INTERNAL_LIMIT_W, EXCHANGE_LIMIT_W, sender=ctx.operator)
        # day slot i begins inside market slot base + i (anvil: 900 s per slot); on a compressed
        # day (PoA) the market's real-time slots pass slower than the day's, so base + i stays ahead
        self.base = int(market.contract.functions.slotAt(ctx.slot_start(0)).call())
        self.ask = round(ASK_EUR_PER_KWH * 100 * 1000)  # cents per MWh
        self.limit = round(ctx.tariffs.utility_eur_per_kwh * 100 * 1000)
        return SlotActions(
            notes=[
                f"two feeders: internal {INTERNAL_LIMIT_W:,} W, import/export {EXCHANGE_LIMIT_W:,} W per slot; "
                f"asks at {self.ask:,} cents/MWh, buyers' limit {self.limit:,}"
            ]
        )

    def on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        actions = SlotActions()
        self._deliver(state, actions)
        if any(not t.recorded and t.last < state.index for t in self.trades):
            self._record_deliveries(ctx)
        last = min(state.index + HOUR, ctx.n_slots - 1)
        if state.index >= self.next_round and last > state.index and self._trade(ctx, state, state.index + 1, last):
            self.next_round = state.index + HOUR  # at most one round per hour
        return actions

    def _deliver(self, state: SlotState, actions: SlotActions) -> None:
        residual = list(state.residual_wh)
        for t in self.trades:
            if not t.first <= state.index <= t.last:
                continue
            wh = min(t.wh, max(-residual[t.seller], 0), max(residual[t.buyer], 0))
            t.flows.append(wh)
            t.delivered_wh += wh
            if wh <= 0:
                continue
            residual[t.seller] += wh
            residual[t.buyer] -= wh
            slots = t.last - t.first + 1
            share = t.cost_cents * CENT_WEI // slots
            if state.index == t.last:
                share = t.cost_cents * CENT_WEI - share * (slots - 1)
            actions.flows.append(Flow(self.name, state.index, t.seller, t.buyer, wh, share, "local", t.tx))

    def _record_deliveries(self, ctx: DayContext) -> None:
        assert self.market is not None
        if all(t.recorded for t in self.trades):
            return
        now = self.market.current_slot()
        due = [t for t in self.trades if not t.recorded and decode_id(t.production_id).last < now]
        for t in due:
            self.market.record_delivery(t.production_id, t.delivered_wh * 1000, sender=ctx.operator)
            t.recorded = True
            self.deliveries += 1

    def _trade(self, ctx: DayContext, state: SlotState, first: int, last: int) -> bool:
        """One round: pairs for day slots ``first..last`` from the residual seen now; True if any traded."""
        assert self.market is not None
        market = self.market
        offer = {h: -r // 10 * 10 for h, r in enumerate(state.residual_wh) if -r >= MIN_WH}
        need = {h: r // 10 * 10 for h, r in enumerate(state.residual_wh) if r >= MIN_WH}
        if not offer or not need:
            return False
        headroom = {(f, d): EXCHANGE_LIMIT_W for f in (1, 2) for d in ("export", "import")}
        slots = last - first + 1
        # the hour's market slots; later if the market's clock already passed them (assets lie ahead)
        m_first = max(self.base + first, market.current_slot() + 1)
        m_last = m_first + slots - 1
        traded = len(self.trades)
        for b in sorted(need, key=lambda h: -need[h]):
            for s in sorted(offer, key=lambda h: -offer[h]):
                wanted = min(need[b], offer[s])
                if wanted < MIN_WH:
                    continue
                power = wanted * 4 // QUANTUM_W * QUANTUM_W
                cross = self._feeder(s) != self._feeder(b)
                capped = power
                if cross:
                    room = min(headroom[(self._feeder(s), "export")], headroom[(self._feeder(b), "import")])
                    capped = min(power, room // QUANTUM_W * QUANTUM_W)
                if capped <= 0:
                    self.capped.append({"slot": state.index, "seller": s, "buyer": b, "wanted_w": power, "got_w": 0})
                    continue
                if capped * slots * self.ask < 4_000_000:  # under a cent: the fiat token cannot price it
                    self.too_small += 1
                    continue
                try:
                    trade = self._pair(ctx, state, s, b, power, capped, (m_first, m_last))
                except TransactionFailedError as exc:
                    # refused before sending (decoded), or mined and reverted (PoA: the slot
                    # began between the node's estimate and the block; no reason in a receipt)
                    began = exc.error_name == "PetraSlotNotInFuture" or (
                        exc.error_name is None and market.current_slot() >= m_first
                    )
                    if not began:
                        raise
                    # the hour began while this round traded: nothing of this pair was
                    # accepted; its minted assets expire unsold and a deposit stays free
                    self.cut_short += 1
                    self.rounds += len(self.trades) > traded
                    return len(self.trades) > traded
                self.free_cents[b] -= trade.cost
                self.paid_wei[b] += trade.cost * CENT_WEI
                self.paid_wei[s] -= trade.cost * CENT_WEI
                self.trades.append(
                    _Trade(s, b, first, last, capped // 4, trade.cost, trade.tx_hash, trade.matched_offer_id)
                )
                if cross:
                    headroom[(self._feeder(s), "export")] -= capped
                    headroom[(self._feeder(b), "import")] -= capped
                offer[s] -= capped // 4
                need[b] -= capped // 4
                if need[b] < MIN_WH:
                    break
        self.rounds += len(self.trades) > traded
        return len(self.trades) > traded

    def _pair(
        self, ctx: DayContext, state: SlotState, s: int, b: int, power: int, capped: int, window: tuple[int, int]
    ) -> Any:
        """Mint the seller's and buyer's assets for ``window``, post the ask and accept ``capped`` W of it."""
        assert self.market is not None
        market, (m_first, m_last) = self.market, window
        for h in (s, b):
            self._register(ctx, h)
        seller, buyer = self._account(ctx, s), self._account(ctx, b)
        ask_id, _ = market.mint(
            s + 1, seller.address, AssetKind.PRODUCTION, power, m_first, m_last, sender=ctx.operator
        )
        self.mints += 1
        bid_id, _ = market.mint(
            b + 1, buyer.address, AssetKind.CONSUMPTION, power, m_first, m_last, sender=ctx.operator
        )
        self.mints += 1
        market.post_offer(ask_id, self.ask, sender=seller)
        self._fund(ctx, b, power * (m_last - m_first + 1) * self.ask // 4_000_000)
        if capped < power:
            self.capped.append({"slot": state.index, "seller": s, "buyer": b, "wanted_w": power, "got_w": capped})
            if not self.refusals:  # once: show that the chain itself refuses the whole portion
                try:
                    market.accept(ask_id, bid_id, Portion(power, m_first, m_last), self.limit, sender=buyer)
                except TransactionFailedError as exc:
                    if exc.error_name == "PetraSlotNotInFuture":
                        raise  # the hour began: not the feeder's refusal this shows
                    self.refusals.append(str(exc))
        return market.accept(ask_id, bid_id, Portion(capped, m_first, m_last), self.limit, sender=buyer)

    def finish(self, ctx: DayContext) -> DayOutcome:
        assert self.market is not None
        self._record_deliveries(ctx)
        traded = sum(t.wh * (t.last - t.first + 1) for t in self.trades)
        delivered = sum(t.delivered_wh for t in self.trades)
        reputation = {}
        for h in sorted({t.seller for t in self.trades}):
            r = self.market.reputation(self.accounts[h].address)
            reputation[str(h)] = {
                "promised_mwh": r.promised_mwh,
                "delivered_mwh": r.delivered_mwh,
                "shortfalls": r.shortfalls,
            }
        households = sorted(self.accounts)
        return DayOutcome(
            f"{len(self.trades)} PETra trades ({traded:,} Wh traded an hour ahead, {delivered:,} Wh delivered), "
            f"{len(self.capped)} capped by a feeder limit, {self.deliveries} deliveries recorded",
            payments_wei={h: self.paid_wei.get(h, 0) for h in households},
            data={
                "market": self.market.address,
                "cent_wei": CENT_WEI,
                "feeders": {str(h): self._feeder(h) for h in range(len(ctx.households))},
                "exchange_limit_w": EXCHANGE_LIMIT_W,
                "ask_cents_per_mwh": self.ask,
                "limit_cents_per_mwh": self.limit,
                "rounds": self.rounds,
                "rounds_cut_short": self.cut_short,
                "skipped_under_a_cent": self.too_small,
                "trades": len(self.trades),
                "mints": self.mints,
                "traded_wh": traded,
                "delivered_wh": delivered,
                "cost_cents": sum(t.cost_cents for t in self.trades),
                "capped": self.capped,
                "refusals": self.refusals,
                "deliveries_recorded": self.deliveries,
                "reputation": reputation,
                "trade_list": [
                    {
                        "seller": t.seller,
                        "buyer": t.buyer,
                        "slots": [t.first, t.last],
                        "wh_per_slot": t.wh,
                        "cost_cents": t.cost_cents,
                        "delivered_wh": t.delivered_wh,
                        "tx": t.tx,
                    }
                    for t in self.trades
                ],
            },
        )
