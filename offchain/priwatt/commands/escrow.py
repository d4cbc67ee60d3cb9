"""``gridledger escrow run``: one 2-of-3 escrow trade between fresh agents (optionally disputed)."""

from __future__ import annotations

import argparse

from ...kernel.commandline import add_network_options, open_chain
from ...kernel.errors import ConfigError
from ._common import add_trade_options, ether, positive, run_trade


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("escrow", help="PriWatt 2-of-3 escrow among buyer, seller and the DSO as mediator")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    run = actions.add_parser(
        "run",
        help="one escrow trade between fresh agents; --short-wh makes the delivery fall short and go to dispute",
        description="A DSO-attested offer is negotiated over the routing backbone, locked and funded into "
        "the 2-of-3 escrow. With a full delivery buyer and seller release it to the seller; with "
        "--short-wh the buyer disputes, the DSO reads its meter and signs a split, and the seller co-signs "
        "it. Local devnets use anvil's keys; elsewhere set $GRIDLEDGER_PRIWATT_KEYS (governor/DSO, gas funder).",
    )
    add_network_options(run)
    add_trade_options(run)
    run.add_argument("--energy-wh", type=int, default=4_000, help="energy sold, Wh (default 4000)")
    run.add_argument("--ask", type=int, default=4 * 10**15, help="asking price, wei (default 4e15)")
    run.add_argument("--short-wh", type=int, default=0, help="Wh that never arrive (default 0: no dispute)")
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    positive("--energy-wh", args.energy_wh)
    positive("--ask", args.ask)
    if not 0 <= args.short_wh <= args.energy_wh:
        raise ConfigError(f"--short-wh must lie in 0..{args.energy_wh}, got {args.short_wh}")
    from ..scenario import escrow_trade

    with open_chain(args) as chain:
        community, out = run_trade(
            args,
            chain,
            lambda c: escrow_trade(c, 0, 0, energy_wh=args.energy_wh, ask_price=args.ask, loss_wh=args.short_wh),
        )
        print(f"market {community.client.address} on chain {chain.chain_id}")
        print(f"escrow 0x{out.trade_id.hex()} for offer 0x{out.offer_id.hex()}")
        how = (
            f"disputed: the DSO's split gives the seller {out.seller_bps / 100:.2f} %"
            if out.disputed
            else ("released by buyer and seller")
        )
        print(f"{how}: {ether(out.to_seller)} to the seller, {ether(out.to_buyer)} back to the buyer")
        print("gas: " + ", ".join(f"{k} {v:,}" for k, v in out.gas.items()))
    return 0
