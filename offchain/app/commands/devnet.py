"""``gridledger devnet up|down|status|logs``: local chains as background processes."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from ...kernel.commandline import finite_float, int_range, name, port_number
from ...kernel.errors import ConfigError, GridLedgerError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("devnet", help="start, stop and inspect local devnets (anvil, ganache, Clique PoA)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    p_up = actions.add_parser("up", help="start a devnet in the background; returns once it is healthy")
    p_up.add_argument("--kind", choices=["anvil", "ganache", "poa"], default="anvil", help="chain to run (anvil)")
    p_up.add_argument(
        "--name", type=name, help="name of this devnet (default: the kind); data and logs in .gridledger/devnets/"
    )
    p_up.add_argument(
        "--port", type=port_number, help="RPC port of the first node (default: 8645 anvil, 8646 ganache, 8647 poa)"
    )
    p_up.add_argument(
        "--signers", type=int_range(1, 16), default=1, help="poa: number of Clique signers, one node each (1)"
    )
    p_up.add_argument("--period", type=int_range(1, 3600), default=2, help="poa: Clique block period in seconds (2)")
    p_up.add_argument(
        "--block-time",
        type=finite_float(above=0, hi=3600),
        help="anvil: seal every N seconds instead of on each transaction",
    )
    p_up.add_argument(
        "--timeout",
        type=finite_float(above=0, hi=3600),
        default=120.0,
        help="seconds to wait for the health check (120)",
    )
    p_up.set_defaults(func=_up)

    p_down = actions.add_parser("down", help="stop a devnet's processes by PID (checked) and delete their logs")
    p_down.add_argument("name", type=name, nargs="?", help="devnet to stop (default: every recorded devnet)")
    p_down.set_defaults(func=_down)

    p_status = actions.add_parser("status", help="list devnets, their nodes, PIDs, RPC URLs and heights")
    p_status.add_argument("name", type=name, nargs="?", help="only this devnet")
    p_status.set_defaults(func=_status)

    p_logs = actions.add_parser("logs", help="print the last lines of a devnet's node logs")
    p_logs.add_argument("name", type=name, help="devnet name")
    p_logs.add_argument("--node", help="only this node (node0, node1, …)")
    p_logs.add_argument("-n", "--lines", type=int_range(1, 100_000), default=40, help="lines per node (40)")
    p_logs.set_defaults(func=_logs)

    p_prune = actions.add_parser(
        "prune", help="forget stopped devnets (or NAME, also with a corrupt state file): their data and logs"
    )
    p_prune.add_argument("name", type=name, nargs="?", help="only this devnet")
    p_prune.set_defaults(func=_prune)


def _up(args: argparse.Namespace) -> int:
    from ...devnet import DEFAULT_PORTS, up

    params: dict[str, Any] = {"port": args.port or DEFAULT_PORTS[args.kind]}
    if args.kind == "poa":
        params.update(signers=args.signers, period=args.period)
    elif args.signers != 1 or args.period != 2:
        raise ConfigError("--signers and --period apply to --kind poa only")
    if args.block_time is not None and args.kind != "anvil":
        raise ConfigError("--block-time applies to --kind anvil only")
    if args.kind == "anvil" and args.block_time:
        params["block_time"] = args.block_time
    # SIGINT/SIGTERM while starting unwind like Ctrl-C (the CLI's signal handlers): whatever was started is stopped
    devnet = up(args.kind, args.name, timeout=args.timeout, **params)
    print(f"devnet {devnet.name} ({devnet.kind}) is up: chain id {devnet.chain_id}, data in {devnet.home}")
    for node in devnet.nodes:
        signer = f" signer={node.signer}" if node.signer else ""
        print(f"  {node.name}: pid={node.pid} rpc={node.rpc_url}{signer}")
    print(f"stop it with: gridledger devnet down {devnet.name}")
    return 0


def _down(args: argparse.Namespace) -> int:
    from ...devnet import down, names

    if args.name:
        pids = down(args.name)
        print(
            f"devnet {args.name}: stopped" + (f" PID {', '.join(map(str, pids))}" if pids else " (nothing was running)")
        )
        return 0
    targets = names()
    failed = 0
    for entry in targets:
        try:
            pids = down(entry)
        except GridLedgerError as exc:
            print(f"gridledger: error: devnet {entry}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"devnet {entry}: stopped" + (f" PID {', '.join(map(str, pids))}" if pids else " (nothing was running)"))
    if not targets:
        print("no devnets recorded")
    return 1 if failed else 0


def _prune(args: argparse.Namespace) -> int:
    from ...devnet import prune

    done = prune(args.name)
    for entry, what in done:
        print(f"devnet {entry}: {what}")
    if not done:
        print("no devnets recorded")
    return 0


_COLUMNS = ("devnet", "kind", "node", "pid", "running", "rpc_url", "chain_id", "block", "peers")


def _status(args: argparse.Namespace) -> int:
    from ...devnet import status

    rows = status(args.name)
    if not rows:
        print("no devnets recorded; start one with `gridledger devnet up`")
        return 0
    table = Table(title="devnets")
    for col in _COLUMNS:
        table.add_column(col)
    for row in rows:
        table.add_row(*["" if row[c] is None else str(row[c]) for c in _COLUMNS])
    Console(width=160).print(table)
    return 0


def _logs(args: argparse.Namespace) -> int:
    from ...devnet import logs

    for node, lines in logs(args.name, args.node, args.lines).items():
        print(f"==> {args.name}/{node} <==")
        for line in lines:
            print(line)
    return 0
