"""Command-line plumbing shared by the application's commands and the mechanisms' commands.

Lives in the kernel so that a mechanism's command module (``offchain/<m>/commands/``)
and the ``gridledger`` entry point (``offchain.app.cli``) both use it without
importing each other.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from .errors import ChainIdMismatchError

if TYPE_CHECKING:
    from .chain import Chain

__all__ = ["DEFAULT_RPC_ENV", "CommandModule", "add_network_options", "open_chain"]

DEFAULT_RPC_ENV = "GRIDLEDGER_RPC_URL"


class CommandModule(Protocol):
    """A module defining one top-level ``gridledger`` command."""

    def register(self, sub: argparse._SubParsersAction) -> None: ...


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
