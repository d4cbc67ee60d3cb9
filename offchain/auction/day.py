"""The per-slot double auction's part of the trading day: the community's market of last resort.

It runs last (after SPB, the grid and the other parts). In every slot each household's agent
forecasts what is left for it — its forecast need (or surplus) minus what the earlier parts
already bought (or sold) for it in this slot (its own trades) — and signs a bid for a need
left or an ask for a surplus left (EIP-712, :class:`~offchain.auction.agents.TraderAgent`). The
orders travel to the operator over real routing backbone processes (a ``BackboneCluster`` of
TCP node processes, one ``RegularNode`` per household and one for the operator,
``ArbTransport``). The operator (:class:`~offchain.auction.agents.OperatorAgent`) keeps the
orders whose signatures recover to their owners, clears the slot off chain (pay-as-clear,
:mod:`offchain.auction.solver`) and submits the clearing, which the market verifies on chain.

What is delivered is decided by the actual residual: a seller delivers min(sold, what it
really has left), a buyer takes min(bought, what it really still needs). From the slot's
gate the clearing is settled (buyers pay price + grid fees, sellers are paid, the fees go to
the operator as DSO), and after the slot the operator settles every account's deviation
from those readings (short: charged the imbalance price plus penalty; long: credited it
minus the penalty). Per slot with something to trade: one ``submitClearing``, one
``settle``, one ``settleDeviations``; slots where no bid meets an ask send nothing.

On anvil the part trades on the deployed ``AuctionMarket`` (real-time 15-minute slots: each
day slot clears the next market slot whose challenge window is still open, settles at its
gate one or two day slots later and reconciles after it; at the end anvil's clock is moved
past the last gate). On chains whose time cannot be moved (PoA devnets, any RPC) it
deploys a market of its own on a clock of a few seconds per slot and adds it to the day's
deployment as ``AuctionMarketDay``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount

from ..common.slots import SlotConfig
from ..kernel.chain import Chain
from ..kernel.crypto import public_key
from ..kernel.errors import TransactionFailedError
from ..kernel.mechanism import DayContext, DayOutcome, Flow, SlotActions, SlotState
from ..routing import ArbTransport, BackgroundBackbone, RegularNode
from .agents import Forecast, OperatorAgent, TraderAgent
from .client import AuctionClient, Timing
from .deploy import DEFAULT_PARAMS
from .encoding import Record, unpack_records
from .errors import AuctionError
from .orders import Side
from .solver import AccountLimits, FeederLimits, Grid

__all__ = ["AuctionDayPart", "factory", "payments_from_events", "MARKET_KEY", "REGISTRY_KEY"]

#: the registry's market (real-time slots; used on anvil) and the key of the compressed-clock
#: market this part deploys on chains whose time it cannot move (PoA devnets, any RPC)
REGISTRY_KEY = "AuctionMarket"
MARKET_KEY = "AuctionMarketDay"
#: smallest order worth signing (Wh)
MIN_ORDER_WH = 20
#: per-slot capacities the DSO registers for every household (Wh), and the one feeder's limits
CAP_WH = 50_000
FEEDER = 1
#: limit prices in €/kWh: buyers bid up to just below the utility tariff, sellers ask just above feed-in
BUY_EUR = (0.20, 0.28)
SELL_EUR = (0.09, 0.15)
#: each household's deposit (wei) and the operator's (it pays long positions as DSO)
DEPOSIT_WEI = 10**16
DSO_DEPOSIT_WEI = 5 * 10**16


def factory() -> AuctionDayPart:
    return AuctionDayPart()


def payments_from_events(
    chain: Chain, deployed: Mapping[str, str], owner_of: Mapping[str, int], *, from_block: int = 0
) -> dict[int, int]:
    """household → wei paid through the auction (> 0 paid), from events alone: the standing
    records (``ClearingSubmitted``) of every settled slot (``SlotSettled``) — a buyer pays its
    amount plus the grid fee, a seller receives its amount — and ``DeviationSettled``
    (charged minus credited)."""
    address = deployed.get(MARKET_KEY) or deployed.get(REGISTRY_KEY)
    if not address:
        return {}
    net: dict[int, int] = defaultdict(int)
    for owner, bill in AuctionClient(chain, address).bills(from_block=from_block).items():
        h = owner_of.get(owner.lower())
        if h is not None:
            net[h] -= bill.net
    return dict(net)


@dataclass
class _Pending:
    """A cleared market slot waiting for its gate (settle) and its end (deviations)."""

    index: int  # the day slot it traded for
    slot: int  # the market slot
    price: int  # wei per MWh
    records: list[Record]
    readings: dict[str, int]
    settled: bool = False
    gas: dict[str, int] = field(default_factory=dict)


class AuctionDayPart:
    name = "auction"

    def __init__(self, backbone_nodes: int = 3) -> None:
        self.backbone_nodes = backbone_nodes
        self.backbone: BackgroundBackbone | None = None
        self.nodes: list[RegularNode] = []
        self.transport: ArbTransport | None = None
        self.market: AuctionClient | None = None
        self.traders: dict[int, TraderAgent] = {}
        self.household_of: dict[str, int] = {}
        self.pending: list[_Pending] = []
        self.last_slot = 0
        self.paid: dict[int, int] = defaultdict(int)
        self.fees: dict[int, int] = defaultdict(int)
        self.clearing_prices: dict[int, float] = {}
        self.slots: list[dict[str, Any]] = []
        self.orders = 0
        self.bids = 0
        self.asks = 0
        self.messages = 0
        self.rejected = 0
        self.clearings = 0
        #: clearings mined after their slot's submission deadline (refused on chain; the slot goes to the grid)
        self.missed_clearings: list[dict[str, int]] = []
        self.settlements = 0
        self.reconciliations = 0
        self.long_wh = 0
        self.short_wh = 0
        self.charged = 0
        self.credited = 0
        self.unpaid = 0
        self.seconds: dict[str, float] = {}
        self.dso_received = 0  # fees + rounding + deviation charges − credits: the operator's (DSO's) net

    # -- setup -----------------------------------------------------------------------------
    def setup(self, ctx: DayContext) -> SlotActions:
        with self._timed("setup"):
            return self._setup(ctx)

    @contextlib.contextmanager
    def _timed(self, phase: str) -> Any:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.monotonic() - started

    def _setup(self, ctx: DayContext) -> SlotActions:
        chain, op = ctx.chain, ctx.operator
        self.anvil = ctx.network == "anvil"
        if self.anvil and REGISTRY_KEY in ctx.deployed:
            # the deployed market (real-time 15-minute slots): the day moves anvil's time slot by slot
            self.market = market = AuctionClient(chain, ctx.deployed[REGISTRY_KEY])
            self.market_seconds = market.clock.config.slot_seconds
            self.window = market.timing().challenge_window
            self.margin = 0
        else:
            # a chain whose time cannot be moved: a market of the day's own on a compressed clock, a few
            # seconds per slot on a devnet; on any other RPC endpoint blocks may take ~12 s, so longer
            devnet = ctx.network.startswith("poa")
            self.market_seconds = max(4, 4 * ctx.slot_seconds) if devnet else 120
            self.window = max(1, self.market_seconds // 3)
            # the clearing must be mined before its deadline: leave room for the orders' round over the
            # backbone and a few blocks of confirmation (a 3-signer devnet confirms in 2-4 s)
            self.margin = max(3, 3 * ctx.slot_seconds + 2) if devnet else 40
            genesis = int(chain.w3.eth.get_block("latest")["timestamp"])
            day = dt.datetime.fromtimestamp(genesis, dt.UTC).date()
            clock = SlotConfig.compressed("Europe/Vienna", genesis, day, self.market_seconds)
            self.market = market = AuctionClient.deploy(
                chain, sender=op, clock=clock, timing=Timing(self.window, 1, 192), params=DEFAULT_PARAMS
            )
            if not isinstance(ctx.deployed, dict):
                raise AuctionError("the day's deployment must be a dict to record the auction's market")
            ctx.deployed[MARKET_KEY] = market.address
        self.tariffs = ctx.tariffs
        market.set_feeder(FEEDER, 10**9, 10**9, sender=op)
        market.deposit(DSO_DEPOSIT_WEI, sender=op)
        accounts: dict[str, AccountLimits] = {}
        traders: dict[int, LocalAccount] = {}
        for h in ctx.households:
            key = ctx.account("auction-trader", h.index)
            traders[h.index] = key
            ctx.note_address(h.index, "auction", "trader (order signer)", key.address)
            market.set_account(key.address, FEEDER, CAP_WH, CAP_WH, sender=op)
            market.deposit(DEPOSIT_WEI, sender=key)
            accounts[key.address] = AccountLimits(FEEDER, CAP_WH, CAP_WH)
            self.household_of[key.address.lower()] = h.index
        grid = Grid(accounts, {FEEDER: FeederLimits(10**9, 10**9)})
        workdir = ctx.workdir / "auction"
        workdir.mkdir(parents=True, exist_ok=True)
        wei_per_mwh = 1000  # €/kWh → wei per MWh: × wei per kWh × 1000
        for h, key in traders.items():
            self.traders[h] = TraderAgent(
                market,
                key,
                workdir / f"trader-{h}.json",
                route_key=public_key(bytes(key.key)),
                buy_limit=ctx.tariffs.wei_per_kwh(ctx.rng.uniform(*BUY_EUR)) * wei_per_mwh,
                sell_limit=ctx.tariffs.wei_per_kwh(ctx.rng.uniform(*SELL_EUR)) * wei_per_mwh,
            )
        self.operator = OperatorAgent(
            market, op, workdir / "operator.json", route_key=public_key(bytes(op.key)), grid=grid
        )
        # the backbone: node processes over TCP; one regular node per household and one for the operator
        self.backbone = BackgroundBackbone(self.backbone_nodes, ctx.workdir / "auction-backbone", name="auction-day")
        self.backbone.start()
        self.nodes = [RegularNode([traders[h].key], self.backbone.addresses) for h in sorted(traders)]
        self.nodes.append(RegularNode([op.key], self.backbone.addresses))
        self.backbone.gather(n.start() for n in self.nodes)
        self.transport = ArbTransport(self.nodes)
        return SlotActions(
            notes=[
                f"market {market.address} on a {self.market_seconds}-s clock (challenge window {self.window} s), "
                f"{len(traders)} traders with a deposit of {DEPOSIT_WEI / 1e18:.3f} ETH each; "
                f"orders over a backbone of {self.backbone_nodes} processes"
            ]
        )

    def _run(self, coro: Any, timeout: float = 60.0) -> Any:
        assert self.backbone is not None
        return self.backbone.run(coro, timeout)

    # -- the pipeline: settle at the gate, deviations after the slot -------------------------
    def _now(self) -> int:
        assert self.market is not None
        return int(self.market.chain.w3.eth.get_block("latest")["timestamp"])

    def _advance(self, ctx: DayContext, now: int) -> None:
        assert self.market is not None
        market, op = self.market, ctx.operator
        for p in list(self.pending):
            start = market.clock.slot_start(p.slot)
            if not p.settled and now >= start:
                receipt = market.settle(p.slot, sender=op, records=p.records)
                p.gas["settle"] = int(receipt["gasUsed"])
                p.settled = True
                self.settlements += 1
                for e in market.events(receipt, "SlotSettled"):
                    self.dso_received += int(e["fees"]) + int(e["rounding"])
                for r in p.records:
                    h = self.household_of[r.owner.lower()]
                    self.paid[h] += r.pays if r.side is Side.BID else -r.amount
                    self.fees[h] += r.fee
            if p.settled and now >= start + self.market_seconds:
                receipt = market.settle_deviations(p.slot, p.readings, sender=op, records=p.records)
                p.gas["settleDeviations"] = int(receipt["gasUsed"])
                for e in market.events(receipt, "DeviationSettled"):
                    h = self.household_of[str(e["account"]).lower()]
                    self.paid[h] += int(e["charged"]) - int(e["credited"])
                    self.charged += int(e["charged"])
                    self.dso_received += int(e["charged"]) - int(e["credited"])
                    self.credited += int(e["credited"])
                    self.unpaid += int(e["unpaid"])
                    traded, delivered = int(e["tradedWh"]), int(e["deliveredWh"])
                    gap = delivered - traded if Side(e["side"]) is Side.BID else traded - delivered
                    self.short_wh += max(gap, 0)
                    self.long_wh += max(-gap, 0)
                self.reconciliations += 1
                self.pending.remove(p)
                self.slots[p.index]["gas"] = dict(p.gas)

    def _target_slot(self, now: int) -> int:
        """The first market slot whose first clearing can still come (its gate ≥ now + window)."""
        assert self.market is not None
        clock = self.market.clock
        slot = clock.slot_at(now) + 1
        while clock.slot_start(slot) - self.window < now + self.margin:
            slot += 1
        return slot

    # -- one slot --------------------------------------------------------------------------
    def on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        with self._timed("slots"):
            return self._on_slot(ctx, state)

    def _on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        assert self.market is not None and self.transport is not None
        market = self.market
        now = self._now()
        self._advance(ctx, now)
        # a market slot per day slot: on a fast chain day slots may come quicker than market slots
        slot = max(self._target_slot(now), self.last_slot + 1)
        self.last_slot = slot
        expiry = market.clock.slot_start(slot)
        signed = []
        for h, s in enumerate(state.households):
            # the agent's forecast of what is left: its forecast need (surplus) minus what the earlier
            # parts already bought (sold) for it in this slot; it never turns a forecast need into an ask
            # (energy it was given beyond the forecast was used) nor a forecast surplus into a bid
            moved = s.net_wh - state.residual_wh[h]  # > 0 bought for it, < 0 sold for it
            forecast = s.forecast_net_wh
            left = max(0, forecast - max(moved, 0)) if forecast > 0 else min(0, forecast - min(moved, 0))
            if abs(left) < MIN_ORDER_WH:
                continue
            wh = min(abs(left), CAP_WH)
            what = Forecast(pv_wh=0, load_wh=wh) if left > 0 else Forecast(pv_wh=wh, load_wh=0)
            order = self.traders[h].order_for(slot, what, expiry=expiry)
            if order is not None:
                signed.append((h, order))
        sides = {o.order.side for _h, o in signed}
        if sides != {Side.BID, Side.ASK}:
            return SlotActions()  # nothing can match: no message, no transaction
        self.orders += len(signed)
        self.bids += sum(o.order.side is Side.BID for _h, o in signed)
        self.asks += sum(o.order.side is Side.ASK for _h, o in signed)
        self._run(self._exchange(signed))
        solution = self.operator.solve(slot)
        if solution.empty:
            self.operator.book.pop(slot, None)
            return SlotActions()
        clearing = self.operator.clearing(slot, solution)
        self.operator.book.pop(slot, None)  # the book of a cleared slot is not needed again
        try:
            receipt = market.submit_clearing(clearing, sender=ctx.operator)
        except TransactionFailedError:
            # a slow chain mined the clearing after the slot's submission deadline (AuctionSubmissionClosed):
            # nothing was cleared, the orders expire, the energy goes to the grid; anything else is a bug
            deadline = market.clock.slot_start(slot) - self.window
            mined_at = self._now()
            if mined_at < deadline:
                raise
            self.missed_clearings.append({"slot": slot, "deadline": deadline, "mined_at": mined_at})
            return SlotActions(
                notes=[f"clearing of market slot {slot} missed its deadline {deadline} (chain time {mined_at})"]
            )
        self.clearings += 1
        event = market.events(receipt, "ClearingSubmitted")[0]
        records = unpack_records(bytes(event["records"]))
        tx = "0x" + bytes(receipt["transactionHash"]).hex()
        # delivery: what each account really can deliver / still takes (the actual residual)
        readings: dict[str, int] = {}
        given: dict[int, int] = {}
        taken: dict[int, int] = {}
        for r in records:
            h = self.household_of[r.owner.lower()]
            if r.side is Side.ASK:
                given[h] = min(r.energy_wh, state.surplus(h))
                readings[r.owner] = given[h]
            else:
                taken[h] = min(r.energy_wh, state.deficit(h))
                readings[r.owner] = taken[h]
        actions = SlotActions()
        price = int(solution.price)
        buyers = [[h, wh] for h, wh in taken.items() if wh > 0]
        for s, wh in given.items():
            rest = wh
            for entry in buyers:  # the energy taken locally, pairwise, at the uniform price
                b, want = entry
                e = min(rest, want)
                if e <= 0:
                    continue
                actions.flows.append(Flow("auction", state.index, s, b, e, e * price // 10**6, "local", tx))
                entry[1] -= e
                rest -= e
            if rest > 0:  # delivered into the pool and not taken by a buyer: out to the grid via the DSO
                actions.flows.append(Flow("auction", state.index, s, None, rest, 0, "grid_export", tx))
        eur_per_kwh = price / 1000 / self.tariffs.wei_per_eur
        self.clearing_prices[state.index] = round(eur_per_kwh, 4)
        self.slots.append(
            {
                "index": state.index,
                "market_slot": slot,
                "orders": len(signed),
                "volume_wh": clearing.volume_wh,
                "price_eur_kwh": round(eur_per_kwh, 4),
                "price_wei_per_mwh": price,
                "delivered_wh": sum(given.values()),
                "taken_wh": sum(taken.values()),
                "clearing_tx": tx,
            }
        )
        self.pending.append(_Pending(len(self.slots) - 1, slot, price, records, readings))
        return actions

    async def _exchange(self, signed: list[tuple[int, Any]]) -> None:
        assert self.transport is not None
        for h, order in signed:
            await self.traders[h].send(self.transport, self.operator.route_key, order)
            self.messages += 1
        before = self.operator.rejected
        await self.operator.gather(self.transport, len(signed), timeout=10)
        self.rejected += self.operator.rejected - before

    # -- end of day ------------------------------------------------------------------------
    def finish(self, ctx: DayContext) -> DayOutcome:
        with self._timed("finish"):
            outcome = self._finish(ctx)
        outcome.data["seconds"].update({k: round(v, 2) for k, v in self.seconds.items()})  # type: ignore[index]
        return outcome

    def _finish(self, ctx: DayContext) -> DayOutcome:
        assert self.market is not None
        try:
            last_due = max(
                (self.market.clock.slot_start(p.slot) + self.market_seconds for p in self.pending), default=0
            )
            deadline = time.monotonic() + 60 + max(0, last_due - self._now())  # chain seconds still to come
            while self.pending:
                now = self._now()
                self._advance(ctx, now)
                if not self.pending:
                    break
                if time.monotonic() > deadline:
                    raise AuctionError(f"{len(self.pending)} auction slots still unsettled at the end of the day")
                p = self.pending[0]
                due = self.market.clock.slot_start(p.slot) + (self.market_seconds if p.settled else 0)
                if self.anvil:
                    chain = self.market.chain
                    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [max(due, now + 1)])  # type: ignore[arg-type]
                    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
                else:
                    time.sleep(0.5)
        finally:
            self.close()
        payments = {h.index: self.paid.get(h.index, 0) for h in ctx.households}
        traded = sum(s["volume_wh"] for s in self.slots)
        return DayOutcome(
            f"{self.clearings} auction slots cleared ({traded / 1000:.1f} kWh at a uniform price; "
            f"{self.orders} signed orders over the backbone), settled with grid fees and deviations",
            payments_wei=payments,
            data={
                "market": self.market.address,
                "market_slot_seconds": self.market_seconds,
                "challenge_window_s": self.window,
                "pricing": "pay-as-clear",
                "orders": self.orders,
                "bids": self.bids,
                "asks": self.asks,
                "messages": self.messages,
                "rejected_orders": self.rejected,
                "clearings": self.clearings,
                "missed_clearings": self.missed_clearings,
                "settlements": self.settlements,
                "reconciliations": self.reconciliations,
                "traded_wh": traded,
                "clearing_prices": dict(self.clearing_prices),
                "slots": self.slots,
                "fees_wei": {str(h): v for h, v in self.fees.items()},
                "fees_note": "grid fees are paid by buyers on top of the energy price (in each settlement "
                "record's fee) to the operator as DSO; they are part of payments_wei and of the events' net",
                "deviations": {
                    "short_wh": self.short_wh,
                    "long_wh": self.long_wh,
                    "charged_wei": self.charged,
                    "credited_wei": self.credited,
                    "unpaid_wei": self.unpaid,
                },
                "dso_received_wei": self.dso_received,
                "deposit_wei": DEPOSIT_WEI,
                "backbone_nodes": self.backbone_nodes,
                "seconds": {},  # wall-clock seconds this part took per phase (filled in by finish)
            },
        )

    def close(self) -> None:
        if self.backbone is not None:
            self.backbone.close(n.close() for n in self.nodes)
            self.backbone = None
