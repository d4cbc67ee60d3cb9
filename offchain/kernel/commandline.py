"""Command-line plumbing shared by the application's commands and the mechanisms' commands.

Lives in the kernel so that a mechanism's command module (``offchain/<m>/commands/``)
and the ``gridledger`` entry point (``offchain.app.cli``) both use it without
importing each other.

The error contract (docs/cli.md): a user mistake is refused *at the parser*, before any
side effect, by the ``type=`` validators below (numbers in range, finite floats,
existing readable files, writable output paths, EIP-55 addresses, non-empty URLs); argparse
turns their :class:`argparse.ArgumentTypeError` into one line naming the argument, exit
code 2. :class:`OneLineParser` is the parser class every ``gridledger`` parser (benches
included) uses for that one line.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol

from .errors import ChainIdMismatchError

if TYPE_CHECKING:
    from .chain import Chain

__all__ = [
    "DEFAULT_RPC_ENV",
    "CommandModule",
    "OneLineParser",
    "add_network_options",
    "open_chain",
    "int_range",
    "port_number",
    "finite_float",
    "readable_file",
    "output_file",
    "work_folder",
    "address",
    "rpc_url",
    "hex_bytes",
    "name",
    "MAX_UINT256",
]

DEFAULT_RPC_ENV = "GRIDLEDGER_RPC_URL"
MAX_UINT256 = 2**256 - 1


class CommandModule(Protocol):
    """A module defining one top-level ``gridledger`` command."""

    def register(self, sub: argparse._SubParsersAction) -> None: ...


class OneLineParser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


# -- validators (argparse ``type=``) ---------------------------------------------------
def _fail(message: str) -> NoReturn:
    raise argparse.ArgumentTypeError(message)


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def int_range(lo: int | None = None, hi: int | None = None) -> Callable[[str], int]:
    """An integer in ``[lo, hi]`` (decimal or 0x-hex)."""

    def parse(text: str) -> int:
        try:
            value = int(text, 0) if text.strip().lower().startswith(("0x", "-0x")) else int(text)
        except ValueError:
            _fail(f"not an integer: {_short(text)}")
        if lo is not None and value < lo or hi is not None and value > hi:
            if hi is None:
                _fail(f"must be at least {lo}, got {value}")
            if lo is None:
                _fail(f"must be at most {hi}, got {value}")
            _fail(f"must be between {lo} and {hi}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


#: a TCP port to listen on or connect to
port_number = int_range(1, 65535)


def finite_float(
    lo: float | None = None, hi: float | None = None, *, above: float | None = None
) -> Callable[[str], float]:
    """A finite float (no nan/inf) in ``[lo, hi]``; ``above``: strictly greater than it."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            _fail(f"not a number: {_short(text)}")
        if not math.isfinite(value):
            _fail(f"must be a finite number, got {text!r}")
        if above is not None and value <= above:
            _fail(f"must be greater than {above:g}, got {value:g}")
        if lo is not None and value < lo or hi is not None and value > hi:
            _fail(f"must be between {lo:g} and {hi:g}, got {value:g}" if lo is not None and hi is not None
                  else f"must be at least {lo:g}, got {value:g}" if lo is not None
                  else f"must be at most {hi:g}, got {value:g}")  # fmt: skip
        return value

    parse.__name__ = "number"
    return parse


def readable_file(text: str) -> Path:
    """An existing, readable regular file."""
    if not text:
        _fail("empty file name")
    path = Path(text)
    if not path.exists():
        _fail(f"no such file: {text}")
    if path.is_dir():
        _fail(f"{text} is a folder, not a file")
    if not path.is_file():
        _fail(f"{text} is not a regular file")
    if not os.access(path, os.R_OK):
        _fail(f"{text} is not readable")
    return path


def output_file(text: str) -> Path:
    """A file that can be written: not a folder, in an existing writable folder."""
    if not text:
        _fail("empty file name")
    path = Path(text)
    if path.is_dir() or text.endswith(os.sep):
        _fail(f"{text} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        _fail(f"folder {parent} does not exist")
    if path.exists() and not (path.is_file() and os.access(path, os.W_OK)):
        _fail(f"{text} exists and cannot be overwritten")
    if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        _fail(f"folder {parent} is not writable")
    return path


def work_folder(text: str) -> Path:
    """A folder to work in: an existing writable folder, or a new one in an existing folder."""
    if not text:
        _fail("empty folder name")
    path = Path(text)
    if path.exists():
        if not path.is_dir():
            _fail(f"{text} exists and is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            _fail(f"folder {text} is not writable")
        return path
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        _fail(f"folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        _fail(f"folder {parent} is not writable")
    return path


_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def address(text: str) -> str:
    """A 0x-address; mixed case must be its EIP-55 checksum (all lower or all upper case carries none).

    Returns the checksummed form."""
    from eth_utils import is_checksum_address, to_checksum_address

    if not _HEX_ADDRESS.match(text):
        _fail(f"not a 0x-address (0x and 40 hex digits): {_short(text)}")
    body = text[2:]
    mixed = body != body.lower() and body != body.upper()
    if mixed and not is_checksum_address(text):
        _fail(f"bad EIP-55 checksum in {text} (expected {to_checksum_address(text)})")
    return str(to_checksum_address(text))


def rpc_url(text: str) -> str:
    """A non-empty URL (its scheme and reachability are checked when connecting)."""
    if not text.strip():
        _fail("empty URL (leave the option out to use the default)")
    return text.strip()


def hex_bytes(size: int | None = None) -> Callable[[str], bytes]:
    """0x-prefixed (or bare) hex of exactly ``size`` bytes (any size if None)."""

    def parse(text: str) -> bytes:
        try:
            raw = bytes.fromhex(text.removeprefix("0x"))
        except ValueError:
            _fail(f"not hex: {_short(text)}")
        if size is not None and len(raw) != size:
            _fail(f"must be {size} bytes ({2 * size} hex digits), got {len(raw)}")
        return raw

    parse.__name__ = "hex"
    return parse


def name(text: str) -> str:
    """A short name of letters, digits, '-' and '_' (devnets, state entries)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", text):
        _fail(f"bad name {_short(text)}: use 1-64 letters, digits, '-' and '_'")
    return text


# -- network options -------------------------------------------------------------------
def add_network_options(parser: argparse.ArgumentParser) -> None:
    """``--rpc-url`` / ``--chain-id``, shared by every subcommand that talks to a chain."""
    env_url = os.environ.get(DEFAULT_RPC_ENV) or None
    parser.add_argument(
        "--rpc-url",
        type=rpc_url,
        default=env_url,
        help=f"JSON-RPC endpoint (default: ${DEFAULT_RPC_ENV}, else an embedded anvil "
        "started and stopped for this command)",
    )
    parser.add_argument(
        "--chain-id",
        type=int_range(1, 2**64 - 1),
        default=None,
        help="refuse to send anything unless the endpoint reports this chain id",
    )


@contextlib.contextmanager
def open_chain(args: argparse.Namespace) -> Iterator[Chain]:
    """The chain named by ``--rpc-url``/``--chain-id``, or an embedded anvil for this command."""
    # imported here, not at the top: `gridledger --help` must not load web3
    from .anvil import EmbeddedAnvil
    from .chain import connect

    if getattr(args, "rpc_url", None):
        yield connect(args.rpc_url, expected_chain_id=args.chain_id)
        return
    with EmbeddedAnvil() as chain:
        if args.chain_id is not None and args.chain_id != chain.chain_id:
            raise ChainIdMismatchError(args.chain_id, chain.chain_id, chain.url)
        yield chain
