"""The auction's part of the trading day: a few midday slots cleared by the double auction.

Households (the demo's keys) forecast PV and load per slot, sign a bid for their shortfall
or an ask for their surplus and send it over a transport to two operators. The first
operator clears each slot from the orders that reached it in time (a partial book); the
second holds every order and, within the challenge window, replaces that clearing with its
better one. At the gate anyone settles the slot; once the slot is over the DSO settles
each account's delivery deviation from its meter reading. Prints the slots (price,
volume, gas), the per-home bills rebuilt from events, and what the chain stored.

The market is deployed here on a compressed clock (60 s per slot) so the demo also runs
on real-time chains; on anvil the clock is moved forward instead of waited for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.table import Table

from ..common.slots import SlotConfig
from ..kernel.chain import Chain
from ..kernel.mechanism import DemoContext, DemoOutcome
from ..negotiation import InMemoryTransport
from .agents import FEED_IN_PER_MWH, RETAIL_PER_MWH, Forecast, OperatorAgent, TraderAgent
from .client import AuctionClient, Timing
from .deploy import DEFAULT_PARAMS
from .orders import SignedOrder
from .solver import AccountLimits, FeederLimits, Grid

__all__ = ["run", "run_scenario", "ScenarioResult", "SLOT_SECONDS"]

SLOT_SECONDS = 60
WINDOW = 20
DEPOSIT = 10**16  # 10 € at 1 € = 10^15 wei
CAP_WH = 20_000
FEEDERS = {1: FeederLimits(50_000, 50_000), 2: FeederLimits(3_000, 3_000)}


@dataclass
class SlotReport:
    slot: int
    orders: int
    first_volume_wh: int
    volume_wh: int
    price: int
    challenged: bool
    gas: dict[str, int] = field(default_factory=dict)


@dataclass
class ScenarioResult:
    slots: list[SlotReport]
    bills: dict[str, Any]
    market: str


def _wait_until(chain: Chain, t: int) -> None:
    """Chain time >= ``t``: anvil is moved forward, any other chain is waited for."""
    latest = int(chain.w3.eth.get_block("latest")["timestamp"])
    if latest >= t:
        return
    answer = chain.w3.provider.make_request("evm_setNextBlockTimestamp", [t])  # type: ignore[arg-type]
    if "error" not in answer:
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        return
    while int(chain.w3.eth.get_block("latest")["timestamp"]) < t:
        time.sleep(1)


def _forecast(home: int, slot_of_day: int, rng: random.Random) -> Forecast:
    """A 15-minute PV production (homes 0, 2, 4… have PV) and load, in Wh."""
    hour = slot_of_day / 4
    sun = max(0.0, 1 - abs(hour - 12.5) / 6)
    kwp = (3 + 2 * (home % 3)) if home % 2 == 0 else 0
    pv = int(kwp * 1_000 * 0.25 * sun * rng.uniform(0.8, 1.0))
    load = int(rng.uniform(150, 700))
    return Forecast(pv, load)


def run_scenario(
    chain: Chain, keys: list[LocalAccount], workdir: Path, rng: random.Random, console: Console, *, slots: int = 3
) -> ScenarioResult:
    """Deploy a market on a compressed clock and run ``slots`` slots through the agents."""
    dso, op1, op2, *homes = keys
    if len(homes) < 2:
        raise ValueError("the auction scenario needs at least 5 keys (DSO, two operators, two homes)")
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    # market time at local 11:00 now: the demo trades around noon
    day = dt.datetime.fromtimestamp(now, dt.UTC).date()
    clock = SlotConfig.compressed("Europe/Vienna", now - 44 * SLOT_SECONDS, day, SLOT_SECONDS)
    market = AuctionClient.deploy(chain, sender=dso, clock=clock, timing=Timing(WINDOW, 2, 96), params=DEFAULT_PARAMS)
    accounts = {}
    for f, limits in FEEDERS.items():
        market.set_feeder(f, limits.import_limit_wh, limits.export_limit_wh, sender=dso)
    for i, h in enumerate(homes):
        feeder = 2 if i == len(homes) - 1 else 1
        market.set_account(h.address, feeder, CAP_WH, CAP_WH, sender=dso)
        accounts[h.address] = AccountLimits(feeder, CAP_WH, CAP_WH)
        market.deposit(DEPOSIT, sender=h)
    market.deposit(DEPOSIT, sender=dso)  # the DSO pays long positions
    grid = Grid(accounts, FEEDERS)
    transport = InMemoryTransport()
    first = OperatorAgent(market, op1, workdir / "operator-1.json", route_key=b"operator-1", grid=grid)
    second = OperatorAgent(market, op2, workdir / "operator-2.json", route_key=b"operator-2", grid=grid)
    traders = [
        TraderAgent(
            market,
            h,
            workdir / f"home-{i}.json",
            route_key=f"home-{i}".encode(),
            buy_limit=rng.randint(RETAIL_PER_MWH * 7 // 10, RETAIL_PER_MWH),
            sell_limit=rng.randint(FEED_IN_PER_MWH, FEED_IN_PER_MWH * 2),
        )
        for i, h in enumerate(homes)
    ]
    reports: list[SlotReport] = []
    for _ in range(slots):
        slot = market.current_slot() + 2  # its gate 1-2 slots ahead: time to order, clear, challenge
        reports.append(_one_slot(chain, market, dso, slot, traders, first, second, transport, rng))
    bills = market.bills([r.slot for r in reports])
    return ScenarioResult(reports, dict(bills), market.address)


def _one_slot(
    chain: Chain,
    market: AuctionClient,
    dso: LocalAccount,
    slot: int,
    traders: list[TraderAgent],
    first: OperatorAgent,
    second: OperatorAgent,
    transport: InMemoryTransport,
    rng: random.Random,
) -> SlotReport:
    expiry = market.slot_start(slot)
    slot_of_day = slot % 96
    sent: list[SignedOrder] = []
    forecasts = {}

    async def send_all() -> None:
        for i, t in enumerate(traders):
            forecasts[t.address] = _forecast(i, slot_of_day, rng)
            signed = t.order_for(slot, forecasts[t.address], expiry=expiry)
            if signed is None:
                continue
            sent.append(signed)
            await t.send(transport, first.route_key, signed)
            await t.send(transport, second.route_key, signed)
        await first.gather(transport, len(sent), timeout=1)
        await second.gather(transport, len(sent), timeout=1)

    asyncio.run(send_all())
    gas: dict[str, int] = {}
    # the first operator saw about two thirds of the orders in time
    in_time = {o.order.key for o in sent if rng.random() < 0.67}
    outcome = first.clear(slot, only=in_time)
    if outcome.clearing is None:  # its partial book could not trade: it clears everything
        outcome = first.clear(slot)
    if outcome.clearing is None:
        return SlotReport(slot, len(sent), 0, 0, 0, False, gas)
    gas["submit"] = outcome.gas
    first_volume = outcome.clearing.volume_wh
    better = second.clear(slot)
    challenged = better.action == "challenged"
    if challenged:
        gas["challenge"] = better.gas
    standing = better.clearing if challenged else outcome.clearing
    assert standing is not None
    _wait_until(chain, market.slot_start(slot))
    gas["settle"] = second.settle(slot)
    for t in traders:
        t.refresh(slot)
    # the meters' readings: what each account really took or delivered
    delivered = {}
    for r in market.standing_records(slot):
        delivered[r.owner] = max(0, int(r.energy_wh * rng.uniform(0.85, 1.15)))
    _wait_until(chain, market.slot_start(slot + 1))
    receipt = market.settle_deviations(slot, delivered, sender=dso)
    gas["deviations"] = int(receipt["gasUsed"])
    for t in traders:
        t.refresh(slot)
    return SlotReport(slot, len(sent), first_volume, standing.volume_wh, standing.price, challenged, gas)


def run(ctx: DemoContext) -> DemoOutcome:
    """Run three midday slots on ``ctx.chain`` (a market of its own on a compressed clock)."""
    console = ctx.console
    keys = list(ctx.keys)
    result = _run(ctx.chain, keys, ctx.workdir / "auction", ctx.rng, console, slots=3)
    traded = sum(r.volume_wh for r in result.slots)
    challenged = sum(r.challenged for r in result.slots)
    return DemoOutcome(
        f"{len(result.slots)} auction slots cleared, {traded / 1000:.1f} kWh traded, "
        f"{challenged} clearing(s) replaced by a better one",
        {"slots": result.slots, "bills": result.bills, "market": result.market},
    )


def _run(
    chain: Chain, keys: list[LocalAccount], workdir: Path, rng: random.Random, console: Console, *, slots: int
) -> ScenarioResult:
    workdir.mkdir(parents=True, exist_ok=True)
    result = run_scenario(chain, keys, workdir, rng, console, slots=slots)
    print_result(console, result)
    return result


def print_result(console: Console, result: ScenarioResult) -> None:
    table = Table(title=f"auction slots (market {result.market[:10]}…; prices in €/MWh, 1 € = 10^15 wei)")
    for col in ("slot", "orders", "first clearing Wh", "standing Wh", "price", "challenged", "gas"):
        table.add_column(col, justify="left" if col in ("gas", "challenged") else "right")
    for r in result.slots:
        gas = ", ".join(f"{k} {v:,}" for k, v in r.gas.items())
        table.add_row(
            str(r.slot), str(r.orders), f"{r.first_volume_wh:,}", f"{r.volume_wh:,}",
            f"{r.price / 10**15:.2f}", "yes" if r.challenged else "no", gas,
        )  # fmt: skip
    console.print(table)
    bills = Table(title="bills per home over these slots (€, from events)")
    for col in ("home", "bought Wh", "sold Wh", "spent", "earned", "fees", "penalty Wh", "imbalance net"):
        bills.add_column(col, justify="left" if col == "home" else "right")
    for account, b in sorted(result.bills.items()):
        bills.add_row(
            account[:10] + "…", f"{b.bought_wh:,}", f"{b.sold_wh:,}", f"{b.spent / 10**15:.4f}",
            f"{b.earned / 10**15:.4f}", f"{b.fees / 10**15:.4f}", f"{b.penalty_wh:,}",
            f"{(b.imbalance_credited - b.imbalance_charged) / 10**15:+.4f}",
        )  # fmt: skip
    console.print(bills)
