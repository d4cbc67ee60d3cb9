"""PriWatt's part of the demo / trading day: a long delivery over a micropayment channel and
an escrow with one dispute (plus one released without dispute).

On the demo's chain and deployed ``PriWattMarket``: a DSO agent (the deployer's key, which
holds the DSO role), two sellers whose PV panels are simulated with pvlib for a clear
21 June in Vienna (the DSO's meter data), and two buyers. All messages travel over a
temporary two-node routing backbone — fresh keys per trade, encrypted, proof-of-work
stamped. Trades run through the agents only; outcomes, balances and gas are printed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.table import Table

from ..kernel.mechanism import DemoContext, DemoOutcome
from .client import PriWattClient
from .messaging import BackboneNetwork
from .scenario import Community, build_community, channel_trade, escrow_trade

__all__ = ["run"]

MILLI = 10**15  # 0.001 ether


def run(ctx: DemoContext) -> DemoOutcome:
    from ..routing import BackboneCluster

    client = PriWattClient(ctx.chain, ctx.deployed["PriWattMarket"])
    console = ctx.console

    async def trades() -> tuple[Community, list[Any], dict[str, int]]:
        cluster = BackboneCluster(2).start()
        network = BackboneNetwork(cluster.table, pow_bits=8)
        try:
            c = build_community(
                ctx.chain, [ctx.keys[0], ctx.keys[1]], ctx.workdir / "priwatt", network, market=client,
                dso_key=ctx.keys[0], sellers=2, buyers=2,
            )  # fmt: skip
            results = [
                ("channel, long delivery", await channel_trade(c, 0, 0, kwh=8, ask_price=8 * MILLI)),
                ("escrow, no dispute", await escrow_trade(c, 1, 1, energy_wh=3_000, ask_price=3 * MILLI)),
                ("escrow, 1 kWh short: dispute", await escrow_trade(c, 1, 0, energy_wh=4_000, ask_price=4 * MILLI,
                                                                    loss_wh=1_000)),
            ]  # fmt: skip
            return c, results, network.stats()
        finally:
            await network.close()
            cluster.stop()

    community, results, stats = asyncio.run(trades())
    total_kwh = sum(wh for wh in _production_kwh(community).values())
    console.print(
        f"PV (pvlib, clear sky, Vienna 21 June): sellers' meters produced {total_kwh:.1f} kWh; the DSO attested "
        f"only measured energy; {stats.get('sent', 0)} messages over the backbone (encrypted, 8-bit proof of work)"
    )
    table = Table(title="PriWatt trades (fresh addresses per trade, negotiated over the routing backbone)")
    for col in ("trade", "outcome", "to seller", "to buyer", "gas"):
        table.add_column(col, justify="left" if col in ("trade", "outcome", "gas") else "right")
    for title, out in results:
        if hasattr(out, "kwh_paid"):
            outcome = f"{out.kwh_delivered} kWh delivered, {out.kwh_paid} signed"
            to_seller, to_buyer = out.paid, out.refunded
        else:
            outcome = f"DSO split {out.seller_bps / 100:.0f} % to seller" if out.disputed else "released 100 %"
            to_seller, to_buyer = out.to_seller, out.to_buyer
        gas = ", ".join(f"{k} {v:,}" for k, v in out.gas.items())
        table.add_row(title, outcome, f"{to_seller / 10**18:.4f}", f"{to_buyer / 10**18:.4f}", gas)
    console.print(table)
    means = {op: sum(v) // len(v) for op, v in community.gas.items()}
    disputes = sum(1 for _, o in results if getattr(o, "disputed", False))
    return DemoOutcome(
        f"PriWatt: 1 channel ({results[0][1].kwh_paid} kWh paid per kWh), {len(results) - 1} escrows ({disputes} disputed)",
        {"trades": [o for _, o in results], "gas": means, "backbone": stats},
    )


def _production_kwh(c: Community) -> dict[str, float]:
    return {meter: sum(slots.values()) / 1000 for meter, slots in c.production.items()}
