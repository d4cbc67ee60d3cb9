"""The ``gridledger`` command line.

Every subcommand lives in a module of :mod:`offchain.commands` that defines
``register(subparsers)``; this file discovers them, so adding a command never edits
it. Errors of the package's own hierarchy become a one-line message on stderr and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import commands
from .errors import GridLedgerError

__all__ = ["main", "build_parser"]

DEFAULT_RPC_ENV = "GRIDLEDGER_RPC_URL"


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def add_network_options(parser: argparse.ArgumentParser) -> None:
    """``--rpc-url`` / ``--chain-id``, shared by every subcommand that talks to a chain."""
    parser.add_argument(
        "--rpc-url",
        default=os.environ.get(DEFAULT_RPC_ENV),
        help=f"JSON-RPC endpoint (default: ${DEFAULT_RPC_ENV}, else an embedded anvil "
        "started and stopped for this command)",
    )
    parser.add_argument(
        "--chain-id", type=int, default=None, help="refuse to send anything unless the endpoint reports this chain id"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gridledger", description="GridLedger: peer-to-peer energy trading on Ethereum.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except GridLedgerError as exc:
        print(f"gridledger: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gridledger: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
