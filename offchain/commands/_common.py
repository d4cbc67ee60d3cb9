"""Helpers shared by subcommands (private)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from ..network import Chain, EmbeddedAnvil, connect


@contextlib.contextmanager
def open_chain(args: argparse.Namespace) -> Iterator[Chain]:
    """The chain named by ``--rpc-url``/``--chain-id``, or an embedded anvil for this command."""
    if getattr(args, "rpc_url", None):
        yield connect(args.rpc_url, expected_chain_id=args.chain_id)
        return
    with EmbeddedAnvil() as chain:
        if args.chain_id is not None and args.chain_id != chain.chain_id:
            from ..errors import ChainIdMismatchError

            raise ChainIdMismatchError(args.chain_id, chain.chain_id, chain.url)
        yield chain
