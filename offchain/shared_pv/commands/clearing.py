"""``gridledger clearing``: bill a shared PV plant's co-owners for one local day, from chain events."""

from __future__ import annotations

import argparse

from ...kernel.commandline import open_chain
from ._common import chain_options, date, need_rpc, plant_client


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("clearing", help="the clearing server: bill co-owners per slot from events and meter data")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    p = actions.add_parser("bill", help="bill every co-owner for one local day (table, CSV, totals)")
    p.add_argument("day", type=date, help="local date YYYY-MM-DD (over: its portions are final)")
    p.add_argument(
        "--consumption", required=True, metavar="CSV", help="`slot` or `position` column, one Wh column per owner"
    )
    p.add_argument("--generation", required=True, metavar="CSV", help="`slot` or `position`, `generation_wh`")
    p.add_argument("--tariff", required=True, metavar="JSON", help="grid_price_per_kwh, feed_in_price_per_kwh, ...")
    p.add_argument("--csv", metavar="OUT", help="write every line and the totals as CSV")
    p.add_argument("--per-slot", action="store_true", help="print every slot, not only the totals")
    chain_options(p)
    p.set_defaults(func=_bill)


def _bill(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..clearing import ClearingServer, Tariff, read_consumption_csv, read_generation_csv

    tariff = Tariff.load(args.tariff)
    consumption = read_consumption_csv(args.consumption)
    generation = read_generation_csv(args.generation)
    need_rpc(args)
    with open_chain(args) as chain:
        server = ClearingServer(plant_client(args, chain), tariff)
        bill = server.bill(args.day, consumption, generation)
    Console(width=160).print(bill.table(per_slot=args.per_slot))
    if args.csv:
        bill.write_csv(args.csv)
        print(f"wrote {args.csv}")
    return 0
