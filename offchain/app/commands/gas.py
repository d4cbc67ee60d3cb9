"""``gridledger gas``: measure gas per operation on anvil and write the snapshot."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from ...kernel.commandline import output_file
from ..registry import gas_goals, gas_sections


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("gas", help="measure gas per operation on a fresh anvil (London) and print a table")
    parser.add_argument(
        "--write",
        metavar="FILE",
        type=output_file,
        help="merge the figures into this JSON snapshot (gas-snapshot.json)",
    )
    parser.add_argument(
        "--only", action="append", choices=sorted(gas_sections()), help="measure only this area (repeatable)"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..gas import load_snapshot, measure_all, write_snapshot

    if args.write:
        load_snapshot(args.write)  # refuse a file that is not a snapshot before minutes of measuring
    goals = gas_goals()
    snapshot = measure_all(args.only)
    table = Table(title=f"gas used (anvil, {snapshot['_hardfork']})")
    table.add_column("operation")
    table.add_column("gas", justify="right")
    table.add_column("goal", justify="right")
    for key, value in sorted(snapshot.items()):
        if key.startswith("_"):
            continue
        goal = goals.get(key)
        verdict = "" if goal is None else f"≤ {goal:,} " + ("ok" if value <= goal else f"MISSED by {value - goal:,}")
        table.add_row(key, f"{value:,}", verdict)
    Console().print(table)
    if args.write:
        write_snapshot(snapshot, args.write)
        print(f"wrote {args.write}")
    return 0
