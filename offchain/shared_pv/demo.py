"""The shared-PV part of the trading day: three tenants share a PV plant (the paper's use case).

The consortium creates a plant with the default key A 20 %, B 20 %, C 60 % on a compressed
Europe/Vienna clock whose second day is the autumn change day, 2026-10-25 (100 slots). A is
away that day: its agent gives A's whole day to B; C gives B 15 % for 10:00–14:00 (16 slots);
B tries to give away more than it holds in one slot and is refused. Then chain time moves
past the day and the clearing server bills every owner per slot from the plant's events,
a synthetic PV curve and synthetic meter series; the bill is printed and written as CSV.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from rich.table import Table

from ..common.slots import SlotConfig
from ..kernel.errors import TransactionFailedError
from ..kernel.mechanism import DemoContext, DemoOutcome
from .agents import GiftState, OwnerAgent
from .clearing import ClearingServer, Tariff
from .client import OwnerShare, PlantClient, RegistryClient
from .deploy import deploy

__all__ = ["run", "DEMO_DAY", "KEY", "TARIFF"]

ZONE = "Europe/Vienna"
#: the plant's market time starts at local midnight of this day; the billed day follows it
START_DAY = dt.date(2026, 10, 24)
DEMO_DAY = dt.date(2026, 10, 25)  # autumn change day: 100 slots
KEY = (2_000, 2_000, 6_000)
#: chain seconds per 15-minute slot on the demo chain
SLOT_SECONDS = 1
TARIFF = Tariff(grid_price_per_kwh=Decimal("0.30"), feed_in_price_per_kwh=Decimal("0.08"))


def pv_wh(local: dt.datetime) -> int:
    """A clear-sky-like curve: up to 2,500 Wh per quarter hour (a 10 kWp plant), 07:00–17:00."""
    h = local.hour + local.minute / 60
    return max(0, round(2_500 * math.sin(math.pi * (h - 7) / 10))) if 7 <= h <= 17 else 0


def consumption_wh(who: int, local: dt.datetime) -> int:
    """Synthetic meters: A away (standby), B at home with a midday wash, C a larger household."""
    h = local.hour
    if who == 0:
        return 40
    if who == 1:
        return 150 + (600 if 10 <= h < 14 else 0)
    return 300 + (400 if 18 <= h < 21 else 0)


def run(ctx: DemoContext) -> DemoOutcome:
    chain, keys, console = ctx.chain, list(ctx.keys), ctx.console
    consortium, a, b, c = keys[0], keys[1], keys[2], keys[3]
    registry_address = ctx.deployed.get("SharedPvRegistry") or deploy(chain, consortium, {})["SharedPvRegistry"]
    registry = RegistryClient(chain, registry_address)
    genesis = int(chain.w3.eth.get_block("latest")["timestamp"])
    clock = SlotConfig.compressed(ZONE, genesis, START_DAY, SLOT_SECONDS)
    owners = [OwnerShare(k.address, bp) for k, bp in zip((a, b, c), KEY, strict=True)]
    plant: PlantClient = registry.create_plant(owners, sender=consortium, clock=clock)
    day = plant.clock.day_slots(DEMO_DAY)
    gas: dict[str, int] = {}

    # A is away: its agent gives all it holds that day to B (journaled, restart-safe)
    agent = OwnerAgent(plant, a, ctx.workdir / "shared_pv" / "owner-a.json")
    gift = agent.give_day("away-2026-10-25", b.address, DEMO_DAY)
    if gift.state is not GiftState.CONFIRMED:
        raise RuntimeError(f"A's gift was not confirmed: {gift}")
    gas[f"A gives B its whole day ({len(day)} slots)"] = _gas_of(chain, gift.tx_hash)
    # C lends B 15 % for 10:00-14:00 local (16 slots)
    ten = next(s for s in day if plant.clock.local_time(s).hour == 10)
    receipt = plant.transfer(b.address, ten, ten + 15, 1_500, sender=c)
    gas["C gives B 1,500 bp, 10:00-14:00 (16 slots)"] = int(receipt["gasUsed"])
    # B tries to give C more than it holds at 10:00 (2,000 + 2,000 + 1,500 = 5,500 bp)
    refusal = ""
    try:
        plant.transfer(c.address, day.start, day.stop - 1, 5_000, sender=b)
    except TransactionFailedError as exc:
        refusal = f"{exc.error_name}{tuple(exc.error_args)}"
    console.print(f"B's transfer of 5,000 bp over the whole day: refused with {refusal or 'NOTHING (bug)'}")
    if not refusal:
        raise RuntimeError("an over-transfer was accepted")

    # the day passes (compressed clock: one slot per second of chain time)
    end = plant.clock.slot_start(day.stop) + 1
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    if end > now:
        chain.w3.provider.make_request("evm_increaseTime", [end - now])  # type: ignore[arg-type]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    people = {a.address: 0, b.address: 1, c.address: 2}
    consumption = {
        addr: (lambda s, w=who: consumption_wh(w, plant.clock.local_time(s))) for addr, who in people.items()
    }

    def generation(slot: int) -> int:
        return pv_wh(plant.clock.local_time(slot))

    bill = ClearingServer(plant, TARIFF).bill(DEMO_DAY, consumption, generation)
    out = ctx.workdir / "shared_pv" / f"bill-{DEMO_DAY.isoformat()}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    bill.write_csv(out)

    table = Table(title="shared PV: measured gas")
    table.add_column("operation")
    table.add_column("gas", justify="right")
    for op, g in gas.items():
        table.add_row(op, f"{g:,}")
    console.print(table)
    console.print(bill.table())
    console.print(f"per-slot bill written to {out}")
    names = {a.address: "A", b.address: "B", c.address: "C"}
    rows: list[dict[str, Any]] = [
        {
            "owner": names[o],
            "address": o,
            "own_pv_wh": str(t.allocated_wh),
            "grid_wh": str(t.grid_wh),
            "fed_in_wh": str(t.surplus_wh),
            "net": str(bill.money(t.net)),
        }
        for o, t in bill.totals.items()
    ]
    net = sum((t.net for t in bill.totals.values()), Decimal(0))
    return DemoOutcome(
        f"shared PV plant billed for {DEMO_DAY} ({len(day)} slots, 3 owners, net {bill.money(net)} {TARIFF.currency})",
        {"plant": plant.address, "bill_csv": str(out), "owners": rows, "gas": gas, "refusal": refusal},
    )


def _gas_of(chain: Any, tx_hash: str | None) -> int:
    if not tx_hash:
        return 0
    return int(chain.w3.eth.get_transaction_receipt(tx_hash)["gasUsed"])
