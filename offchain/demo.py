"""The ``make demo`` scenario: SPB trades between agents, then grid events and bills.

Runs on an embedded anvil (London) that it starts and stops itself:

1. deploys every component with the one deploy function (``deployments/demo.json``);
2. builds an SPB population — a manufacturer CA, verifier meters, 3 producers with
   supply, 4 consumers with deposits and their meters (two of them share a group CoE);
3. runs trades through the agents only: negotiation with signed offers, on-chain CTPs
   and signed single-transaction CTPs, a batch of signed CTPs, and one trade whose
   producer never delivers (the consumer gets its funds back after the expiry);
4. producers collect their earnings; prints trades, balances and gas;
5. records storage, purchase and transfer events for households, builds their bills,
   stores them under their IPFS CIDs, anchors and verifies them (``offchain.grid``).
"""

from __future__ import annotations

import random
import shutil
import time
from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ._utils import state_dir
from .deploy import deploy_all
from .network import EmbeddedAnvil, anvil_keys
from .spb.agents import negotiate_trade
from .spb.market import MarketClient
from .spb.scenario import TradeResult, build_population, run_trade

__all__ = ["run_demo"]

ETHER = 10**18

#: (consumer, producer, energy Wh, form) — the scripted SPB trades.
TRADES: list[tuple[int, int, int, str]] = [
    (0, 0, 4_000, "onchain"),
    (1, 1, 2_500, "signed"),
    (2, 2, 6_000, "onchain"),
    (3, 0, 1_500, "signed"),
    (0, 1, 3_000, "signed"),
    (1, 2, 5_000, "onchain"),
    (2, 0, 2_000, "signed"),
    (3, 1, 3_500, "onchain"),
]


def _fmt_eth(wei: int) -> str:
    return f"{wei / ETHER:.6f}"


def _short(name: str) -> str:
    """consumer-2 -> c2, producer-0 -> p0 (keeps the tables narrow)."""
    role, _, n = name.partition("-")
    return f"{role[0]}{n}"


def run_demo(console: Console | None = None, *, seed: int = 7) -> dict[str, Any]:
    """Run the whole scenario; returns a summary (also printed)."""
    console = console or Console(width=110)
    rng = random.Random(seed)
    workdir = state_dir() / "demo"
    shutil.rmtree(workdir, ignore_errors=True)
    started = time.monotonic()
    with EmbeddedAnvil() as chain:
        keys = anvil_keys(10)
        console.print(f"[bold]GridLedger demo[/] on anvil {chain.url} (chain id {chain.chain_id}, London)")
        addresses = deploy_all(chain, keys[0], network="demo")
        console.print("deployed: " + ", ".join(f"{k} {v}" for k, v in addresses.items()))
        market = MarketClient(chain, addresses["SpbMarket"])
        pop = build_population(
            chain, keys, workdir, market=market, producers=3, consumers=4, pool_size=16, group_size=2, rng=rng
        )
        console.print(
            "population: 3 producers, 4 consumers with meters; CoEs registered (meters 0 and 1 share a group CoE, "
            "anonymity set 2); verifier meters saw roots only"
        )
        results: list[TradeResult] = []
        steps = len(TRADES) + 2
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("SPB trades", total=steps)
            for c, p, wh, form in TRADES:
                results.append(run_trade(pop, c, p, amount_wh=wh, form=form))  # type: ignore[arg-type]
                progress.advance(task)
            results += _batch(pop, producer=2, trades=[(0, 1_000), (3, 1_200), (1, 800)])
            progress.advance(task)
            results.append(run_trade(pop, 2, 1, amount_wh=2_200, form="onchain", deliver=False, ttl=600))
            progress.advance(task)
        collected = {p.name: p.collect() for p in pop.producers}
        _print_trades(console, results)
        _print_balances(console, pop, collected)
        gas = _print_gas(console, results)
        console.rule("grid events and bills")
        from .grid.demo import run as grid_demo

        grid_rows = grid_demo(chain, keys, console, grid_address=addresses.get("GridEvents"))
    elapsed = time.monotonic() - started
    settled = sum(r.outcome == "settled" for r in results)
    released = sum(r.outcome == "released" for r in results)
    console.print(
        f"[bold green]demo finished[/] in {elapsed:.1f}s: {settled} trades settled, {released} released after "
        f"expiry, {len(grid_rows)} household bills anchored and verified"
    )
    return {"trades": results, "gas": gas, "grid": grid_rows, "collected": collected}


def _batch(pop: Any, producer: int, trades: list[tuple[int, int]]) -> list[TradeResult]:
    """Several consumers sign CTPs for one producer, who settles them in one transaction."""
    p = pop.producers[producer]
    items, deals = [], []
    for consumer, wh in trades:
        c, m = pop.consumers[consumer], pop.meters[consumer]
        deal = negotiate_trade(c, p, amount_wh=wh)
        ctp, signature = c.sign(deal)
        items.append((ctp, signature, m.confirm_delivery(ctp, deal)))
        deals.append((c, deal, ctp))
    receipt = p.settle_batch(items, atomic=True)
    per_trade = int(receipt["gasUsed"]) // len(items)
    return [
        TradeResult("signed", c.name, p.name, pop.market.ctp_id(ctp), deal, "settled", {"batch_per_trade": per_trade})
        for c, deal, ctp in deals
    ]


def _print_trades(console: Console, results: list[TradeResult]) -> None:
    table = Table(title="SPB trades (negotiated, committed, delivered, confirmed by anonymous meters)")
    for col in ("#", "form", "buyer", "seller", "energy Wh", "price ETH", "outcome", "gas used"):
        table.add_column(col, justify="right" if col in ("#", "energy Wh", "price ETH") else "left")
    for i, r in enumerate(results, 1):
        gas = " + ".join(f"{k} {v:,}" for k, v in r.gas.items())
        form = "batch" if "batch_per_trade" in r.gas else r.form
        table.add_row(
            str(i),
            form,
            _short(r.consumer),
            _short(r.producer),
            f"{r.deal.energy_wh:,}",
            _fmt_eth(r.deal.price),
            r.outcome,
            gas,
        )
    console.print(table)


def _print_balances(console: Console, pop: Any, collected: dict[str, int]) -> None:
    table = Table(title="balances in the market (ETH)")
    for col in ("party", "balance", "frozen", "collected earnings", "supply left Wh"):
        table.add_column(col, justify="left" if col == "party" else "right")
    for c in pop.consumers:
        f = c.funds()
        table.add_row(c.name, _fmt_eth(f.balance), _fmt_eth(f.frozen), "", "")
    for p in pop.producers:
        f = pop.market.funds(p.address)
        supply = pop.market.account(p.account_id)[1]
        table.add_row(
            f"{p.name} (acct {p.account_id})",
            _fmt_eth(f.balance),
            _fmt_eth(f.frozen),
            _fmt_eth(collected[p.name]),
            f"{supply:,}",
        )
    console.print(table)


def _print_gas(console: Console, results: list[TradeResult]) -> dict[str, int]:
    samples: dict[str, list[int]] = defaultdict(list)
    for r in results:
        for op, g in r.gas.items():
            samples[op].append(g)
    table = Table(title="gas per SPB operation in this run (mean)")
    table.add_column("operation")
    table.add_column("n", justify="right")
    table.add_column("gas", justify="right")
    means = {op: sum(v) // len(v) for op, v in samples.items()}
    for op, mean in sorted(means.items()):
        table.add_row(op, str(len(samples[op])), f"{mean:,}")
    console.print(table)
    return means
