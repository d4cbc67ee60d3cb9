"""SPB's part of the demo: trades between agents, both CTP forms, a batch, an expiry.

Builds an SPB population on the demo's chain — a manufacturer CA, verifier meters, 3
producers with supply, 4 consumers with deposits and their meters (two of them share
a group CoE) — and runs trades through the agents only: negotiation with signed offers,
on-chain CTPs and signed single-transaction CTPs, a batch of signed CTPs, and one trade
whose producer never delivers (the consumer gets its funds back after the expiry).
Producers then collect their earnings; trades, balances and gas are printed.
"""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ..kernel.mechanism import DemoContext, DemoOutcome
from .agents import CtpState, negotiate_trade
from .market import MarketClient
from .scenario import CtpForm, Population, TradeResult, build_population, run_trade

__all__ = ["run", "TRADES"]

ETHER = 10**18

#: (consumer, producer, energy Wh, form) — the scripted SPB trades.
TRADES: list[tuple[int, int, int, CtpForm]] = [
    (0, 0, 4_000, CtpForm.ONCHAIN),
    (1, 1, 2_500, CtpForm.SIGNED),
    (2, 2, 6_000, CtpForm.ONCHAIN),
    (3, 0, 1_500, CtpForm.SIGNED),
    (0, 1, 3_000, CtpForm.SIGNED),
    (1, 2, 5_000, CtpForm.ONCHAIN),
    (2, 0, 2_000, CtpForm.SIGNED),
    (3, 1, 3_500, CtpForm.ONCHAIN),
]


def _fmt_eth(wei: int) -> str:
    return f"{wei / ETHER:.6f}"


def _short(name: str) -> str:
    """consumer-2 -> c2, producer-0 -> p0 (keeps the tables narrow)."""
    role, _, n = name.partition("-")
    return f"{role[0]}{n}"


def run(ctx: DemoContext) -> DemoOutcome:
    """Run the scripted trades on ``ctx.chain`` against the deployed ``SpbMarket``."""
    console = ctx.console
    market = MarketClient(ctx.chain, ctx.deployed["SpbMarket"])
    pop = build_population(
        ctx.chain,
        list(ctx.keys),
        ctx.workdir / "spb",
        market=market,
        producers=3,
        consumers=4,
        pool_size=16,
        group_size=2,
        rng=ctx.rng,
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
            results.append(run_trade(pop, c, p, amount_wh=wh, form=form))
            progress.advance(task)
        results += _batch(pop, producer=2, trades=[(0, 1_000), (3, 1_200), (1, 800)])
        progress.advance(task)
        results.append(run_trade(pop, 2, 1, amount_wh=2_200, form=CtpForm.ONCHAIN, deliver=False, ttl=600))
        progress.advance(task)
    collected = {p.name: p.collect() for p in pop.producers}
    _print_trades(console, results)
    _print_balances(console, pop, collected)
    gas = _print_gas(console, results)
    settled = sum(r.outcome is CtpState.SETTLED for r in results)
    released = sum(r.outcome is CtpState.RELEASED for r in results)
    return DemoOutcome(
        f"{settled} trades settled, {released} released after expiry",
        {"trades": results, "gas": gas, "collected": collected},
    )


def _batch(pop: Population, producer: int, trades: list[tuple[int, int]]) -> list[TradeResult]:
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
        TradeResult(
            CtpForm.SIGNED,
            c.name,
            p.name,
            pop.market.ctp_id(ctp),
            deal,
            CtpState.SETTLED,
            {"batch_per_trade": per_trade},
        )
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


def _print_balances(console: Console, pop: Population, collected: dict[str, int]) -> None:
    table = Table(title="balances in the market (ETH)")
    for col in ("party", "balance", "frozen", "collected earnings", "supply left Wh"):
        table.add_column(col, justify="left" if col == "party" else "right")
    for c in pop.consumers:
        funds = c.funds()
        table.add_row(c.name, _fmt_eth(funds.balance), _fmt_eth(funds.frozen), "", "")
    for p in pop.producers:
        funds = pop.market.funds(p.address)
        table.add_row(
            f"{p.name} (acct {p.account_id})",
            _fmt_eth(funds.balance),
            _fmt_eth(funds.frozen),
            _fmt_eth(collected[p.name]),
            f"{pop.market.account(p.account_id).supply_wh:,}",
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
