"""PETra's part of the demo: a DSO, two producers and two consumers on two feeders.

The DSO (the deployer, governor and DSO of the deployed market) registers two feeders and
four prosumers, mints energy assets within their capacities (one mint beyond capacity is
refused, naming the slot and the excess), and issues fiat cents to the consumers, who
deposit them. Producers post asks; a consumer buys from the cheapest asks (splits by time
and by power, leftovers back to their owners), the other posts a bid that a producer sells
into; one accept beyond a feeder's import/export limit is refused. The clock then passes
the intervals, the DSO records deliveries (one producer falls short) and reputations are
printed; a producer takes its earnings out and the DSO redeems them. Everything runs
through the agents and the client users call; the order book is read from events.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..kernel.errors import GridLedgerError
from ..kernel.mechanism import DemoContext, DemoOutcome
from .agents import ConsumerAgent, DsoAgent, HoldingState, ProducerAgent
from .client import AssetKind, AssetStatus, FiatClient, PetraClient, Portion, Trade

__all__ = ["run"]

P, C = AssetKind.PRODUCTION, AssetKind.CONSUMPTION


def _advance(ctx: DemoContext, seconds: int) -> None:
    ctx.chain.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    ctx.chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def run(ctx: DemoContext) -> DemoOutcome:
    """Run PETra's scripted trading on ``ctx.chain`` against the deployed ``PetraMarket``."""
    console = ctx.console
    market = PetraClient(ctx.chain, ctx.deployed["PetraMarket"])
    fiat = FiatClient(ctx.chain, ctx.deployed["FiatToken"])
    work = ctx.workdir / "petra"
    dso = DsoAgent(ctx.keys[0], market, fiat, work / "dso.json")
    p1, p2 = (ProducerAgent(f"producer-{i}", ctx.keys[i], market, work / f"p{i}.json") for i in (1, 2))
    c1, c2 = (ConsumerAgent(f"consumer-{i}", ctx.keys[i + 2], market, work / f"c{i}.json") for i in (1, 2))

    dso.set_feeder(1, 8_000, 3_000)
    dso.set_feeder(2, 8_000, 3_000)
    dso.register(1, p1.address, 1, 6_000, 0)
    dso.register(2, p2.address, 2, 4_000, 0)
    dso.register(3, c1.address, 1, 0, 5_000)
    dso.register(4, c2.address, 2, 0, 5_000)
    s = market.current_slot() + 2
    minted = {
        p1: dso.mint(1, P, 5_000, s, s + 3),
        p2: dso.mint(2, P, 3_000, s, s + 3),
        c1: dso.mint(3, C, 4_000, s, s + 2),
        c2: dso.mint(4, C, 2_000, s + 1, s + 3),
    }
    for agent, token in minted.items():
        agent.receive(token)
    refusals: list[str] = []
    try:
        dso.mint(1, P, 2_000, s + 2, s + 4)
    except GridLedgerError as exc:
        refusals.append(str(exc))
    for c in (c1, c2):
        dso.pay_in(c.address, 50_000)
        c.deposit(50_000)
    console.print(
        f"registry: feeders 1 and 2 (internal 8 kW, import/export 3 kW); 4 prosumers; assets minted for slots "
        f"{s}..{s + 3}; consumers deposited 500.00 EUR each"
    )

    trades: list[tuple[str, Trade]] = []
    p1.offer(minted[p1], 20_000)
    p2.offer(minted[p2], 18_000)
    trades += [(c1.name, t) for t in c1.trade(minted[c1], limit_price=20_000)]
    c2.offer(c2.holdings(HoldingState.HELD)[0].id, 22_000)
    p1.sync()
    leftover = next(h.id for h in p1.holdings(HoldingState.HELD))
    trades += [(p1.name, t) for t in p1.trade(leftover, limit_price=21_000)]
    sold = trades[-1][1].portion  # p1 -> c2 crosses from feeder 1 to feeder 2: 2 kW of 3 kW export used
    bid = dso.mint(4, C, 2_000, sold.first, sold.last)
    c2.receive(bid)
    c2.offer(bid, 30_000)
    p1.sync()
    spare = next(
        h.id
        for h in p1.holdings(HoldingState.HELD)
        if (a := market.asset(h.id)).first <= sold.first and a.last >= sold.last and a.power >= 2_000
    )
    try:  # another 2 kW out of feeder 1 in the same slots: 4 kW > 3 kW export limit
        market.accept(bid, spare, Portion(2_000, sold.first, sold.last), 30_000, sender=p1.key)
    except GridLedgerError as exc:
        refusals.append(str(exc))

    _advance(ctx, (market.slot_start(s + 4) - ctx.chain.w3.eth.get_block("latest")["timestamp"]) + 1)
    delivered: dict[int, tuple[str, int, int]] = {}
    for agent in (p1, p2, c1, c2):
        agent.sync()
        for h in agent.holdings():
            if not market.exists(h.id):
                continue
            a = market.asset(h.id)
            if a.status is not AssetStatus.MATCHED:
                continue
            promised = a.power * a.slots * 250
            actual = promised * 7 // 10 if agent is p2 else promised
            dso.record_delivery(h.id, actual)
            delivered[h.id] = (agent.name, promised, actual)

    expired = [
        h.id for a in (p1, p2, c1, c2) for h in a.holdings() if h.state in (HoldingState.HELD, HoldingState.OFFERED)
    ]
    expired = [t for t in expired if market.exists(t)]
    if expired:
        market.retire(expired, sender=dso.key)  # anyone may; c2's open bid gets its escrow back
    earnings = market.funds(p1.address).balance
    market.withdraw(earnings, sender=p1.key)
    dso.pay_out(p1.key, earnings)

    _print_trades(console, trades)
    _print_parties(console, market, fiat, (p1, p2, c1, c2))
    for line in refusals:
        console.print(f"refused as it should: {line}")
    gas = {"accept": max(t.gas_used for _, t in trades)}
    return DemoOutcome(
        f"{len(trades)} PETra trades, {len(delivered)} deliveries recorded, {len(refusals)} refusals",
        {"trades": trades, "delivered": delivered, "refusals": refusals, "gas": gas, "paid_out": earnings},
    )


def _print_trades(console: Console, trades: list[tuple[str, Trade]]) -> None:
    table = Table(title="PETra trades (accepted offers, split by time and power)")
    for col in ("#", "acceptor", "offer", "power W", "slots", "cost cents", "pieces", "gas"):
        table.add_column(col, justify="left" if col in ("acceptor", "offer", "slots") else "right")
    for i, (who, t) in enumerate(trades, 1):
        table.add_row(
            str(i),
            who,
            f"{t.offer_id & (2**40 - 1)}",
            f"{t.portion.power:,}",
            f"{t.portion.first}..{t.portion.last}",
            f"{t.cost:,}",
            str(len(t.offer_pieces) + len(t.asset_pieces)),
            f"{t.gas_used:,}",
        )
    console.print(table)


def _print_parties(console: Console, market: PetraClient, fiat: FiatClient, agents: tuple) -> None:
    table = Table(title="PETra accounts: funds (cents) and reputation (delivered / promised mWh)")
    for col in ("party", "balance", "frozen", "wallet", "delivered", "promised", "short"):
        table.add_column(col, justify="left" if col == "party" else "right")
    for agent in agents:
        f = market.funds(agent.address)
        r = market.reputation(agent.address)
        table.add_row(
            agent.name,
            f"{f.balance:,}",
            f"{f.frozen:,}",
            f"{fiat.balance(agent.address):,}",
            f"{r.delivered_mwh:,}",
            f"{r.promised_mwh:,}",
            str(r.shortfalls),
        )
    console.print(table)
