"""``gridledger bench NAME``: long benchmarks that print numbers (never timed tests).

Benches come from the registry (:func:`offchain.app.registry.benches`): each mechanism's
``benches`` plus the infrastructure's. A bench is ``"module:function"``; the function
receives the remaining command-line arguments (a list of strings) and returns an exit code.
"""

from __future__ import annotations

import argparse

from ...kernel.mechanism import load
from ..registry import benches


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bench", help="run a benchmark and print its numbers")
    parser.add_argument("name", choices=[*sorted(benches()), "all"], help="which benchmark ('all' runs each in turn)")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="arguments passed to the benchmark (see its --help)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    table = benches()
    names = sorted(table) if args.name == "all" else [args.name]
    rc = 0
    for name in names:
        rc = max(rc, int(load(table[name])(list(args.rest)) or 0))
    return rc
