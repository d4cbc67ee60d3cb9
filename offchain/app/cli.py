"""The ``gridledger`` command line.

Every subcommand lives in a module that defines ``register(subparsers)``: the
application's own (:mod:`offchain.app.commands`) and each mechanism's
(``offchain/<mechanism>/commands/``), all listed by the registry
(:func:`offchain.app.registry.command_modules`), so adding a command never edits this
file. Errors of the package's own hierarchy become a one-line message on stderr and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from ..kernel.errors import GridLedgerError
from .registry import command_modules

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gridledger", description="GridLedger: peer-to-peer energy trading on Ethereum.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for path in command_modules():
        importlib.import_module(path).register(sub)
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
