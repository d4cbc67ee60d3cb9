"""``gridledger bench NAME``: long benchmarks that print numbers (never timed tests).

Each area registers ``"module:function"`` in :data:`BENCHES`; the function receives the
remaining command-line arguments (a list of strings) and returns an exit code.
"""

from __future__ import annotations

import argparse
import importlib

BENCHES: dict[str, str] = {
    "merkle": "offchain.spb.bench:merkle_main",
    "routing": "offchain.routing.bench:main",
    "devnet": "offchain.devnet.measure:main",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bench", help="run a benchmark and print its numbers")
    parser.add_argument("name", choices=[*sorted(BENCHES), "all"], help="which benchmark ('all' runs each in turn)")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="arguments passed to the benchmark (see its --help)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    names = sorted(BENCHES) if args.name == "all" else [args.name]
    rc = 0
    for name in names:
        module, _, func = BENCHES[name].partition(":")
        rc = max(rc, int(getattr(importlib.import_module(module), func)(list(args.rest)) or 0))
    return rc
