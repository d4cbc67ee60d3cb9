"""Plumbing shared by PriWatt's commands: keys, the message network, running a scenario."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ...kernel.commandline import address, int_range, work_folder
from ...kernel.errors import ConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ...kernel.chain import Chain
    from ..scenario import Community

KEYS_ENV = "GRIDLEDGER_PRIWATT_KEYS"
T = TypeVar("T")


def add_trade_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--market", type=address, help="address of a deployed PriWattMarket (default: deploy a fresh one)"
    )
    parser.add_argument(
        "--backbone",
        type=int_range(0, 64),
        default=2,
        metavar="N",
        help="carry the messages over a temporary routing backbone of N node processes (default 2; 0: in memory)",
    )
    parser.add_argument(
        "--pow-bits", type=int_range(0, 32), default=8, help="proof-of-work bits per message (default 8)"
    )
    parser.add_argument("--onion", type=int_range(0, 8), default=0, help="backbone hops in onion mode (default 0)")
    parser.add_argument("--workdir", type=work_folder, help="where agent state goes (default: temporary)")


def positive(name: str, value: int) -> int:
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def keys(chain_id: int) -> list[LocalAccount]:
    """The governor/DSO key and the key that pays fresh addresses' gas."""
    from ...devnet.genesis import funded_keys

    return funded_keys(KEYS_ENV, chain_id, minimum=2, roles="governor and DSO, gas funder")


def run_trade(
    args: argparse.Namespace, chain: Chain, trade: Callable[[Community], Awaitable[T]]
) -> tuple[Community, T]:
    """Build a community (fresh agents) on ``chain`` and run ``trade`` over the chosen network."""
    from ...routing import BackboneCluster
    from ..client import PriWattClient
    from ..messaging import BackboneNetwork, LocalNetwork
    from ..scenario import build_community

    if args.backbone < 0 or args.pow_bits < 0 or args.onion < 0:
        raise ConfigError("--backbone, --pow-bits and --onion must not be negative")
    if args.onion and args.onion > args.backbone:
        raise ConfigError(f"--onion {args.onion} needs at least that many backbone nodes (--backbone)")
    found = keys(chain.chain_id)
    market = PriWattClient(chain, args.market) if args.market else None
    with tempfile.TemporaryDirectory(prefix="gridledger-priwatt-") as tmp:
        workdir = args.workdir or Path(tmp)

        async def main() -> tuple[Community, T]:
            cluster = BackboneCluster(args.backbone).start() if args.backbone else None
            network: Any = (
                BackboneNetwork(cluster.table, pow_bits=args.pow_bits, onion=args.onion) if cluster else LocalNetwork()
            )
            try:
                community = build_community(chain, found, workdir, network, market=market, sellers=1, buyers=1)
                return community, await trade(community)
            finally:
                await network.close()
                if cluster is not None:
                    cluster.stop()

        return asyncio.run(main())


def ether(wei: int) -> str:
    return f"{wei / 10**18:.6f} ETH"
