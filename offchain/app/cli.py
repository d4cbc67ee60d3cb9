"""The ``gridledger`` command line.

Every subcommand lives in a module that defines ``register(subparsers)``: the
application's own (:mod:`offchain.app.commands`) and each mechanism's
(``offchain/<mechanism>/commands/``), all listed by the registry
(:func:`offchain.app.registry.command_modules`), so adding a command never edits this
file.

The error contract (docs/cli.md): a bad argument is refused by the parser in one line
naming it (exit 2); an operation the package refuses (:class:`GridLedgerError`) is one
line on stderr (exit 1, or the error's ``exit_code``); anything else is still one line
(exit 1) with the traceback only under ``--debug`` (or ``GRIDLEDGER_DEBUG=1``). SIGINT,
SIGTERM and SIGHUP unwind the command like Ctrl-C, so every process and temporary folder
it started is stopped and removed, then it exits 128 + the signal number.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ..kernel.commandline import OneLineParser
from ..kernel.errors import GridLedgerError
from ..kernel.process import Interrupted, signals_interrupt
from .registry import command_modules

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="gridledger", description="GridLedger: peer-to-peer energy trading on Ethereum.")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for path in command_modules():
        importlib.import_module(path).register(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:400] + ("…" if len(text) > 400 else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = args.debug or os.environ.get("GRIDLEDGER_DEBUG") == "1"
    try:
        with signals_interrupt():
            return int(args.func(args) or 0)
    except GridLedgerError as exc:
        if debug:
            raise
        print(f"gridledger: error: {_one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except argparse.ArgumentTypeError as exc:  # a validator used by a handler
        print(f"gridledger: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Interrupted as exc:
        print(f"gridledger: interrupted by {exc.name}; everything it started was stopped", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("gridledger: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - the contract: one line, the traceback only on request
        if debug:
            raise
        detail = _one_line(exc) or "(no message)"
        print(
            f"gridledger: error: unexpected {type(exc).__name__}: {detail} (run `gridledger --debug ...` for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
