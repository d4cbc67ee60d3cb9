"""``gridledger channel run``: one micropayment channel between fresh agents, paid per kWh."""

from __future__ import annotations

import argparse

from ...kernel.commandline import add_network_options, open_chain
from ._common import add_trade_options, ether, positive, run_trade


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("channel", help="PriWatt micropayment channel: pay per kWh delivered, time-locked refund")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    run = actions.add_parser(
        "run",
        help="one channel trade between fresh agents (claim, offer, negotiation, lock, channel, close)",
        description="A seller with a PV panel gets a DSO claim, posts it, negotiates with a buyer over the "
        "routing backbone (fresh keys, encrypted, proof of work), locks the offer; the buyer opens a channel "
        "with a time-locked refund and signs the new cumulative amount for every kWh its meter confirms; the "
        "seller closes with the latest state. Local devnets use anvil's keys; elsewhere set "
        "$GRIDLEDGER_PRIWATT_KEYS (governor/DSO, gas funder).",
    )
    add_network_options(run)
    add_trade_options(run)
    run.add_argument("--kwh", type=int, default=5, help="energy to deliver, kWh (default 5)")
    run.add_argument("--ask", type=int, default=5 * 10**15, help="asking price for all of it, wei (default 5e15)")
    run.add_argument("--stop-after", type=int, metavar="KWH", help="the buyer stops signing after this many kWh")
    run.add_argument("--hours", type=int, default=24, help="the channel's time lock, hours (default 24)")
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    positive("--kwh", args.kwh)
    positive("--ask", args.ask)
    positive("--hours", args.hours)
    if args.stop_after is not None and args.stop_after < 1:
        raise_stop = "--stop-after must be at least 1 (a buyer that never signs leaves nothing to close)"
        from ...kernel.errors import ConfigError

        raise ConfigError(raise_stop)
    from ..scenario import channel_trade

    with open_chain(args) as chain:
        community, out = run_trade(
            args,
            chain,
            lambda c: channel_trade(
                c, 0, 0, kwh=args.kwh, ask_price=args.ask, stop_after_kwh=args.stop_after, duration=args.hours * 3600
            ),
        )
        print(f"market {community.client.address} on chain {chain.chain_id}")
        print(f"channel 0x{out.trade_id.hex()} for offer 0x{out.offer_id.hex()}")
        state = "stopped: the buyer stopped signing" if out.stopped else "complete"
        print(f"delivered {out.kwh_delivered} kWh, paid {out.kwh_paid} kWh ({state})")
        print(f"closed: {ether(out.paid)} to the seller, {ether(out.refunded)} back to the buyer")
        print("gas: " + ", ".join(f"{k} {v:,}" for k, v in out.gas.items()))
    return 0
