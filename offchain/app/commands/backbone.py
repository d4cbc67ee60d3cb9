"""``gridledger backbone``: run an Anonymous Routing Backbone on 127.0.0.1.

gridledger backbone up --nodes 4                # until Ctrl-C; writes .gridledger/backbone.json
gridledger backbone up --nodes 4 --detach       # in the background; returns once every node is ready
gridledger backbone status                      # counters of every running node
gridledger backbone rebalance                   # ask node 0 to rebuild the table with a larger X
gridledger backbone down                        # stop it (by PID, checked), delete its logs
gridledger backbone prune                       # forget a stopped backbone and stale logs

The table file also records the process that runs the backbone (``supervisor``: PID,
start time, command line) and its node processes (``processes``), so that ``down`` stops
exactly those, never a reused PID.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from ...kernel.commandline import finite_float, int_range, output_file
from ...kernel.errors import ConfigError, StateFileError
from ...kernel.fs import atomic_write, read_state, state_dir, wait_until

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
    up.add_argument("--nodes", type=int_range(1, 256), default=4, help="backbone node processes (default 4)")
    up.add_argument("--x", type=int_range(1, 4), default=1, help="initial routing bytes X (default 1)")
    up.add_argument(
        "--load-threshold", type=finite_float(lo=0), default=0.0, help="deliveries/s per node that trigger a rebalance"
    )
    up.add_argument("--pow-bits", type=int_range(0, 24), default=0, help="proof-of-work difficulty required of senders")
    up.add_argument(
        "--duration", type=finite_float(above=0), default=None, help="stop after this many seconds (default: Ctrl-C)"
    )
    up.add_argument(
        "--state", type=output_file, default=None, help="where to write the table (default .gridledger/backbone.json)"
    )
    up.add_argument(
        "--detach", action="store_true", help="run in the background; stop it with `gridledger backbone down`"
    )
    up.add_argument(
        "--timeout", type=finite_float(above=0, hi=3600), default=60.0, help="seconds to wait for the nodes (60)"
    )
    up.set_defaults(func=_up)
    status = actions.add_parser("status", help="print the counters of every node of a running backbone")
    status.add_argument("--state", type=Path, default=None, help="table file written by `backbone up`")
    status.set_defaults(func=_status)
    rebalance = actions.add_parser("rebalance", help="make node 0 rebuild the table with a larger X now")
    rebalance.add_argument("--state", type=Path, default=None, help="table file written by `backbone up`")
    rebalance.set_defaults(func=_rebalance)
    down = actions.add_parser("down", help="stop the backbone of a table file (by PID, checked) and delete its logs")
    down.add_argument("--state", type=Path, default=None, help="table file written by `backbone up`")
    down.add_argument(
        "--force", action="store_true", help="also clear a corrupt table file (its processes are found by their tag)"
    )
    down.set_defaults(func=_down)
    prune = actions.add_parser("prune", help="delete the table file of a stopped backbone and logs of stopped runs")
    prune.add_argument("--state", type=Path, default=None, help="table file written by `backbone up`")
    prune.set_defaults(func=_prune)


def _reset(path: Path) -> str:
    return "gridledger backbone down --force" + ("" if path == default_state_file() else f" --state {path}")


def _read(path: Path) -> dict[str, Any] | None:
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, not a backbone table file")
    return read_state(path, reset=_reset(path))


def load_table(path: Path | None) -> RoutingTable:
    from ...routing import RoutingTable

    path = path or default_state_file()
    data = _read(path)
    if data is None:
        raise ConfigError(f"no backbone table at {path}: start one with `gridledger backbone up`")
    try:
        return RoutingTable.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        detail = " ".join(str(exc).split())[:120]
        raise StateFileError(f"{path} is not a backbone table ({detail}); clear it with `{_reset(path)}`") from exc


def _processes(data: dict[str, Any]) -> tuple[Any, list[Any]]:
    """The supervisor and node process records of a table file (ValueError if malformed)."""
    from ...kernel.process import NodeProcess

    sup = data.get("supervisor")
    supervisor = NodeProcess.from_json(sup) if sup is not None else None
    records = data.get("processes", [])
    if not isinstance(records, list):
        raise ValueError(f"'processes' must be a list, got {type(records).__name__}")
    return supervisor, [NodeProcess.from_json(p) for p in records]


def _running_supervisor(path: Path) -> Any:
    """The live process that runs the backbone of ``path`` (checked), or None."""
    data = _read(path)
    if data is None:
        return None
    try:
        supervisor, _ = _processes(data)
    except ValueError as exc:
        raise StateFileError(f"{path} has a bad process record ({exc}); clear it with `{_reset(path)}`") from None
    return supervisor if supervisor is not None and supervisor.alive() else None


def _log_root() -> Path:
    return state_dir() / "backbone"


def _up(args: argparse.Namespace) -> int:
    state = (args.state or default_state_file()).resolve()
    running = _running_supervisor(state)
    if running is not None:
        raise ConfigError(
            f"a backbone already runs for {state} (PID {running.pid}); stop it with `{_reset(state).replace(' --force', '')}`"
        )
    if args.detach:
        return _up_detached(args, state)
    return _up_foreground(args, state)


def _up_detached(args: argparse.Namespace, state: Path) -> int:
    """Run ``backbone up`` (without --detach) in its own session; return once it recorded its nodes."""
    from ...kernel.process import spawn

    cmd = [sys.executable, "-m", "offchain", "backbone", "up", "--state", str(state), "--nodes", str(args.nodes),
           "--x", str(args.x), "--load-threshold", repr(args.load_threshold), "--pow-bits", str(args.pow_bits),
           "--timeout", repr(args.timeout)]  # fmt: skip
    if args.duration is not None:
        cmd += ["--duration", repr(args.duration)]
    log = _log_root() / f"detached-{state.stem}.log"
    log.unlink(missing_ok=True)
    if state.exists():
        state.unlink()  # a stopped backbone's table: the new one replaces it
    proc = spawn("backbone-up", cmd, log, rpc_url="", ephemeral=False, tag=f"backbone-up:{state}")
    try:

        def recorded() -> bool:
            if not proc.alive():
                tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
                raise ConfigError(f"backbone up exited during start-up: {' '.join(tail) or 'no output'}; see {log}")
            try:
                data = read_state(state, reset=_reset(state))
            except StateFileError:
                return False
            return bool(data and (data.get("supervisor") or {}).get("pid") == proc.pid)

        if not wait_until(recorded, args.timeout + 30, interval=0.1):
            raise ConfigError(f"backbone up did not report its nodes within {args.timeout + 30:.0f}s; see {log}")
    except BaseException:
        proc.stop(timeout=20)
        raise
    table = load_table(state)
    print(f"backbone of {len(table.nodes)} node(s) runs in the background (PID {proc.pid}); table in {state}")
    for info in table.nodes:
        print(f"  node {info.node_id}: {info.host}:{info.port}")
    print("stop it with: gridledger backbone down" + ("" if state == default_state_file() else f" --state {state}"))
    return 0


def _up_foreground(args: argparse.Namespace, state: Path) -> int:
    import psutil

    from ...kernel.process import NodeProcess

    me = psutil.Process()
    supervisor = NodeProcess(
        "backbone-up", me.pid, me.create_time(), me.cmdline(), "", "", tag=os.environ.get("GRIDLEDGER_SUPERVISOR_TAG")
    )
    log_dir = _log_root() / f"run-{me.pid}-{int(me.create_time())}"
    try:
        _run_cluster(args, state, supervisor, log_dir)
    except KeyboardInterrupt:
        shutil.rmtree(log_dir, ignore_errors=True)  # stopped on request: not a failure to look into
        raise
    finally:
        _forget_processes(state, me.pid)
    shutil.rmtree(log_dir, ignore_errors=True)  # a clean stop: the nodes' logs go (a failure keeps them)
    print("backbone stopped")
    return 0


def _forget_processes(state: Path, pid: int) -> None:
    """Once stopped, the table file keeps the table but no longer names our processes."""
    import json

    try:
        data = read_state(state, reset=_reset(state))
    except StateFileError:
        return
    if data and (data.get("supervisor") or {}).get("pid") == pid:
        for key in ("supervisor", "processes", "log_dir"):
            data.pop(key, None)
        atomic_write(state, json.dumps(data, indent=1), mode=0o644)


def _run_cluster(args: argparse.Namespace, state: Path, supervisor: Any, log_dir: Path) -> None:
    import json

    from ...kernel.process import NodeProcess
    from ...routing import BackboneCluster, BackboneUnavailableError, NodeOptions

    options = NodeOptions(load_threshold=args.load_threshold, min_pow_bits=args.pow_bits)
    with BackboneCluster(args.nodes, options=options, x=args.x, log_dir=log_dir) as cluster:
        nodes = [NodeProcess.adopt(f"node{i}", p.pid, log=str(cluster.log_file(i))) for i, p in cluster.procs.items()]
        record = {**cluster.table.to_dict(), "supervisor": supervisor.to_json(),
                  "processes": [n.to_json() for n in nodes], "log_dir": str(log_dir)}  # fmt: skip
        atomic_write(state, json.dumps(record, indent=1), mode=0o644)
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


def _down(args: argparse.Namespace) -> int:
    from ...kernel.process import NodeProcess, tagged_processes

    state = (args.state or default_state_file()).resolve()
    try:
        data = _read(state)
        supervisor, nodes = _processes(data) if data else (None, [])
    except (StateFileError, ValueError) as exc:
        if not args.force:
            if isinstance(exc, StateFileError):
                raise
            raise StateFileError(f"{state} has a bad process record ({exc}); clear it with `{_reset(state)}`") from None
        stray = tagged_processes(f"backbone-up:{state}#")
        for proc in stray:
            NodeProcess.adopt("backbone-up", proc.pid).stop(timeout=20)
        state.unlink(missing_ok=True)
        print(f"cleared {state}" + (f"; stopped PID {', '.join(str(p.pid) for p in stray)}" if stray else ""))
        return 0
    if data is None:
        print(f"no backbone recorded at {state}")
        return 0
    stopped = []
    if supervisor is not None and supervisor.running():
        stopped.append(supervisor.pid)
        supervisor.stop(timeout=20)  # it stops its nodes (SIGTERM unwinds `backbone up`)
    for node in nodes:
        if node.running():
            stopped.append(node.pid)
            node.stop(timeout=10)
    state.unlink(missing_ok=True)
    if data.get("log_dir"):
        shutil.rmtree(data["log_dir"], ignore_errors=True)
    (_log_root() / f"detached-{state.stem}.log").unlink(missing_ok=True)
    print("backbone stopped" + (f" (PID {', '.join(map(str, stopped))})" if stopped else " (nothing was running)"))
    return 0


def _prune(args: argparse.Namespace) -> int:
    import psutil

    state = (args.state or default_state_file()).resolve()
    removed = []
    try:
        running = _running_supervisor(state)
    except StateFileError:
        running = None
        print(f"{state} is corrupt: clear it with `{_reset(state)}`", file=sys.stderr)
    if running is None and state.exists() and not state.is_dir():
        try:
            data = _read(state)
            nodes = _processes(data)[1] if data else []
        except (StateFileError, ValueError):
            nodes = []
        if not any(n.running() for n in nodes):
            try:
                state.unlink()
                removed.append(str(state))
            except OSError:
                pass
    root = _log_root()
    if root.is_dir():
        for entry in sorted(root.glob("run-*")):
            try:
                _, pid, started = entry.name.split("-")
                proc = psutil.Process(int(pid))
                alive = int(proc.create_time()) == int(started)
            except (ValueError, psutil.Error):
                alive = False
            if not alive:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(str(entry))
    print("\n".join(f"removed {r}" for r in removed) if removed else "nothing to prune")
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
