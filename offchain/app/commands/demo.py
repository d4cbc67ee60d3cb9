"""``gridledger demo``: the main scenario on an embedded chain (what ``make demo`` runs)."""

from __future__ import annotations

import argparse

from ...kernel.commandline import int_range


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo", help="run SPB trades between agents and the grid billing scenario on an embedded anvil"
    )
    parser.add_argument(
        "--seed", type=int_range(0, 2**32 - 1), default=7, help="seed for the random choices (verifier meters)"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    run_demo(seed=args.seed)
    return 0
