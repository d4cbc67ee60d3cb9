"""``gridledger backbone``: run an Anonymous Routing Backbone on 127.0.0.1.

gridledger backbone up --nodes 4                # until Ctrl-C; writes .gridledger/backbone.json
gridledger backbone status                      # counters of every running node
gridledger backbone rebalance                   # ask node 0 to rebuild the table with a larger X
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from ...kernel.errors import ConfigError
from ...kernel.fs import atomic_write, state_dir

if TYPE_CHECKING:
    from ...routing import RoutingTable

# The routing package (coincurve, eciespy, eth-utils) is imported when a command runs,
# not at `gridledger --help`.


def default_state_file() -> Path:
    return state_dir() / "backbone.json"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("backbone", help="run the anonymous routing backbone (ARB) on loopback")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    up = actions.add_parser("up", help="start N backbone node processes and keep them running")
    up.add_argument("--nodes", type=int, default=4, help="backbone node processes (default 4)")
    up.add_argument("--x", type=int, default=1, help="initial routing bytes X (default 1)")
    up.add_argument("--load-threshold", type=float, default=0.0, help="deliveries/s per node that trigger a rebalance")
    up.add_argument("--pow-bits", type=int, default=0, help="proof-of-work difficulty required of senders")
    up.add_argument("--duration", type=float, default=None, help="stop after this many seconds (default: Ctrl-C)")
    up.add_argument(
        "--state", type=Path, default=None, help="where to write the table (default .gridledger/backbone.json)"
    )
    up.set_defaults(func=_up)
    status = actions.add_parser("status", help="print the counters of every node of a running backbone")
    status.add_argument("--state", type=Path, default=None, help="table file written by `backbone up`")
    status.set_defaults(func=_status)
    rebalance = actions.add_parser("rebalance", help="make node 0 rebuild the table with a larger X now")
    rebalance.add_argument("--state", type=Path, default=None, help="table file written by `backbone up`")
    rebalance.set_defaults(func=_rebalance)


def load_table(path: Path | None) -> RoutingTable:
    from ...routing import RoutingTable

    path = path or default_state_file()
    try:
        return RoutingTable.from_dict(json.loads(path.read_text()))
    except FileNotFoundError as exc:
        raise ConfigError(f"no backbone table at {path}: start one with `gridledger backbone up`") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path} is not a backbone table: {exc}") from exc


def _up(args: argparse.Namespace) -> int:
    from ...routing import BackboneCluster, BackboneUnavailableError, NodeOptions

    if not 1 <= args.nodes <= 256:
        raise ConfigError("--nodes must be between 1 and 256")
    if not 1 <= args.x <= 4 or not 0 <= args.pow_bits <= 24:
        raise ConfigError("--x must be 1..4 and --pow-bits 0..24")
    options = NodeOptions(load_threshold=args.load_threshold, min_pow_bits=args.pow_bits)
    state = args.state or default_state_file()
    with BackboneCluster(args.nodes, options=options, x=args.x, keep_logs=True) as cluster:
        atomic_write(state, json.dumps(cluster.table.to_dict(), indent=1), mode=0o644)
        table = Table(title=f"ARB backbone: {args.nodes} nodes, X={cluster.table.x} routing byte(s)")
        for col in ("node", "address", "pid", "routing bytes", "onion key"):
            table.add_column(col)
        width = 2 * cluster.table.x
        for info in cluster.table.nodes:
            rbs = ", ".join(
                f"{lo:0{width}x}-{hi:0{width}x}" for lo, hi, owner in cluster.table.ranges() if owner == info.node_id
            )
            table.add_row(str(info.node_id), f"{info.host}:{info.port}", str(cluster.procs[info.node_id].pid), rbs,
                          info.pubkey.hex()[:16] + "…")  # fmt: skip
        Console().print(table)
        print(f"table written to {state}; node logs in {cluster.log_dir}; stop with Ctrl-C", flush=True)
        deadline = None if args.duration is None else time.monotonic() + args.duration
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
            dead = [i for i in cluster.procs if i not in cluster.alive()]
            if dead:
                raise BackboneUnavailableError(f"backbone node(s) {dead} exited; see {cluster.log_dir}")
    print("backbone stopped")
    return 0


def _status(args: argparse.Namespace) -> int:
    from ...routing import backbone_stats

    table = load_table(args.state)

    async def gather() -> list[dict | str]:
        out: list[dict | str] = []
        for info in table.nodes:
            try:
                out.append(await backbone_stats(info.host, info.port))
            except OSError as exc:
                out.append(f"unreachable ({type(exc).__name__})")
        return out

    rows = asyncio.run(gather())
    view = Table(title="ARB backbone status")
    for col in ("node", "table v", "X", "joined keys", "delivered", "forwarded", "dropped", "rebalances"):
        view.add_column(col)
    for info, row in zip(table.nodes, rows, strict=True):
        if isinstance(row, str):
            view.add_row(str(info.node_id), row, "", "", "", "", "", "")
            continue
        stats = row["stats"]
        dropped = sum(v for k, v in stats.items() if k.startswith("dropped_"))
        view.add_row(str(row["id"]), str(row["table_version"]), str(row["x"]), str(row["joined_keys"]),
                     str(stats.get("delivered", 0)), str(stats.get("forwarded", 0)), str(dropped),
                     str(stats.get("rebalances", 0)))  # fmt: skip
    Console().print(view)
    return 0 if all(isinstance(r, dict) for r in rows) else 1


def _rebalance(args: argparse.Namespace) -> int:
    from ...routing import BackboneUnavailableError, backbone_admin

    table = load_table(args.state)
    info = table.nodes[0]
    try:
        asyncio.run(backbone_admin(info.host, info.port, "rebalance"))
    except OSError as exc:
        raise BackboneUnavailableError(f"backbone node {info.node_id} at {info.host}:{info.port} unreachable") from exc
    print(f"node {info.node_id} is rebuilding the table with a larger X")
    return 0
