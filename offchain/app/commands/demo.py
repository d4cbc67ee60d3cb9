"""``gridledger demo``: the trading day and its report (what ``make demo`` runs)."""

from __future__ import annotations

import argparse
import os

from ...kernel.commandline import DEFAULT_RPC_ENV, int_range, rpc_url, work_folder


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="run the trading day (a community over 96 slots, every mechanism with a day part) and write the report",
    )
    parser.add_argument(
        "--households", type=int_range(2, 1000), default=10, help="households in the community (default 10)"
    )
    parser.add_argument(
        "--seed", type=int_range(0, 2**32 - 1), default=7, help="seed of the community and the agents' choices"
    )
    parser.add_argument("--network", choices=("anvil", "poa"), default="anvil",
                        help="anvil (embedded, default) or poa (an EthereumJS Clique devnet started for the run)")  # fmt: skip
    parser.add_argument(
        "--signers", type=int_range(1, 8), default=1, help="Clique signers with --network poa (default 1)"
    )
    parser.add_argument(
        "--period", type=int_range(1, 60), default=1, help="Clique block period (s) with --network poa (default 1)"
    )
    parser.add_argument(
        "--slots", type=int_range(1, 100), default=96, help="slots of the day to run (default 96, the whole day)"
    )
    parser.add_argument(
        "--first-slot", type=int_range(0, 99), default=0, help="slot of the day to start at (default 0, midnight)"
    )
    parser.add_argument("--rpc-url", type=rpc_url, default=os.environ.get(DEFAULT_RPC_ENV) or None,
                        help="run on this JSON-RPC endpoint instead (key from $GRIDLEDGER_PRIVATE_KEY)")  # fmt: skip
    parser.add_argument(
        "--chain-id", type=int_range(1, 2**64 - 1), default=None, help="with --rpc-url: refuse any other chain id"
    )
    parser.add_argument("--out", type=work_folder, default=None, help="report folder (default reports/<timestamp>)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ...kernel.errors import ConfigError
    from ..demo import run_demo

    if args.households < 2:
        raise ConfigError("--households must be at least 2")
    results, _page = run_demo(
        seed=args.seed,
        households=args.households,
        network=args.network,
        rpc_url=args.rpc_url,
        chain_id=args.chain_id,
        signers=args.signers,
        period=args.period,
        slots=args.slots,
        first_slot=args.first_slot,
        out=args.out,
    )
    return 0 if all(r["match"] for r in results["reconciliation"]) else 1
