"""``up`` / ``down`` / ``status`` / ``logs`` for named devnets that outlive the command.

A devnet started by :func:`up` keeps running after the calling process exits (its nodes
run in their own sessions); its ``state.json`` under ``.gridledger/devnets/<name>/``
records every PID with its start time, so :func:`down` stops exactly those processes —
never a reused PID, never anything matched by name.
"""

from __future__ import annotations

import shutil
from collections import deque
from pathlib import Path
from typing import Any

from ..kernel.errors import ConfigError, StateFileError
from ..kernel.fs import read_state
from ..kernel.process import NodeProcess, tagged_processes
from .base import AnvilDevnet, Devnet, GanacheDevnet, devnets_dir
from .poa import PoaDevnet

__all__ = ["KINDS", "DEFAULT_PORTS", "up", "down", "load", "status", "logs", "names", "prune"]

KINDS: dict[str, type[Devnet]] = {"anvil": AnvilDevnet, "ganache": GanacheDevnet, "poa": PoaDevnet}

#: RPC port of the first node when ``devnet up`` is not given one; the brownie network
#: entries (``networks/brownie-networks.yaml``) point at these.
DEFAULT_PORTS: dict[str, int] = {"anvil": 8645, "ganache": 8646, "poa": 8647}


def up(kind: str, name: str | None = None, *, timeout: float = 90.0, **params: Any) -> Devnet:
    """Start a devnet of ``kind`` that keeps running until :func:`down`; returns it healthy."""
    if kind not in KINDS:
        raise ConfigError(f"unknown devnet kind {kind!r}: choose one of {', '.join(KINDS)}")
    devnet = KINDS[kind](name, ephemeral=False, **params)
    devnet.start(timeout)
    return devnet


def load(name: str) -> Devnet:
    """The devnet recorded under ``name`` (running or not), rebuilt from its ``state.json``."""
    path = devnets_dir() / name / "state.json"
    reset = f"gridledger devnet prune {name}"
    data = read_state(path, reset=reset)
    if data is None:
        known = ", ".join(names()) or "none"
        raise ConfigError(f"no devnet named {name!r} (known: {known}); start one with `gridledger devnet up`")
    cls = KINDS.get(str(data.get("kind", "")))
    if cls is None:
        raise StateFileError(f"{path} records an unknown devnet kind {data.get('kind')!r}; clear it with `{reset}`")
    try:
        params = {k: v for k, v in (data.get("params") or {}).items() if v is not None}
        devnet = cls(name, ephemeral=False, **params)
        devnet.chain_id = int(data["chain_id"])
        devnet.started_at = data.get("started_at")
        devnet.nodes = [NodeProcess.from_json(n) for n in data.get("nodes", [])]
    except (AttributeError, KeyError, TypeError, ValueError, ConfigError) as exc:
        detail = " ".join(str(exc).split())[:120]
        raise StateFileError(f"state file {path} is corrupt ({detail}); clear it with `{reset}`") from None
    return devnet


def names() -> list[str]:
    """Every recorded devnet (a folder with a state file, readable or not)."""
    return sorted(p.name for p in devnets_dir().iterdir() if p.is_dir() and (p / "state.json").exists())


def down(name: str) -> list[int]:
    """Stop every node of devnet ``name`` by PID (checked: PID, start time, command line); returns
    the PIDs that were running. The nodes' logs are deleted; the entry stays listed (stopped)
    until :func:`prune`."""
    devnet = load(name)
    pids = [n.pid for n in devnet.nodes if n.running()]
    devnet.stop()
    for node in devnet.nodes:
        Path(node.log).unlink(missing_ok=True)
    return pids


def prune(name: str | None = None) -> list[tuple[str, str]]:
    """Remove stopped devnets (or ``name``, stopped or corrupt) from ``.gridledger/devnets/``.

    A running devnet is left alone (stop it with :func:`down` first). An entry whose
    ``state.json`` is corrupt has its processes found by their supervisor tag and stopped.
    Returns ``(name, what was done)`` for every entry looked at."""
    chosen = [name] if name else names()
    if name and not (devnets_dir() / name).is_dir():
        raise ConfigError(f"no devnet named {name!r} (known: {', '.join(names()) or 'none'})")
    done = []
    for entry in chosen:
        home = devnets_dir() / entry
        try:
            devnet = load(entry)
        except StateFileError:
            stray = tagged_processes(f"devnet:{home.resolve()}")
            for proc in stray:
                NodeProcess.adopt(entry, proc.pid).stop()
            shutil.rmtree(home, ignore_errors=True)
            stopped = f", stopped PID {', '.join(str(p.pid) for p in stray)}" if stray else ""
            done.append((entry, f"removed (its state file was corrupt{stopped})"))
            continue
        except ConfigError:
            shutil.rmtree(home, ignore_errors=True)
            done.append((entry, "removed (no state file)"))
            continue
        running = [n for n in devnet.nodes if n.running()]
        if running:
            done.append((entry, f"still running (PID {', '.join(str(n.pid) for n in running)}): kept"))
            continue
        shutil.rmtree(home, ignore_errors=True)
        done.append((entry, "removed"))
    return done


def status(name: str | None = None) -> list[dict[str, Any]]:
    """One row per node of each devnet (or of ``name``): kind, PID, running, RPC URL, height."""
    rows = []
    for devnet_name in [name] if name else names():
        try:
            devnet = load(devnet_name)
        except StateFileError:
            if name:
                raise
            rows.append({"devnet": devnet_name, "kind": "?", "node": "", "pid": None,
                         "running": f"corrupt state: `gridledger devnet prune {devnet_name}`", "rpc_url": None,
                         "chain_id": None, "block": None, "peers": None})  # fmt: skip
            continue
        for i, node in enumerate(devnet.nodes):
            row: dict[str, Any] = {
                "devnet": devnet_name,
                "kind": devnet.kind,
                "node": node.name,
                "pid": node.pid,
                "running": node.alive(),
                "rpc_url": node.rpc_url,
                "chain_id": devnet.chain_id,
                "block": None,
                "peers": None,
            }
            if row["running"]:
                try:
                    chain = devnet.chain(i, timeout=2.0)
                    row["block"] = chain.w3.eth.block_number
                    if devnet.kind == "poa":
                        row["peers"] = int(chain.w3.net.peer_count)
                except Exception:  # noqa: BLE001 - status reports, it never fails on a sick node
                    row["block"] = "no answer"
            rows.append(row)
    return rows


def logs(name: str, node: str | None = None, lines: int = 40) -> dict[str, list[str]]:
    """The last ``lines`` lines of each node's log (or of ``node``)."""
    devnet = load(name)
    chosen = [n for n in devnet.nodes if node in (None, n.name)]
    if not chosen:
        raise ConfigError(f"devnet {name!r} has no node {node!r} (nodes: {', '.join(n.name for n in devnet.nodes)})")
    out = {}
    for n in chosen:
        path = Path(n.log)
        if not path.exists():
            out[n.name] = []
            continue
        with open(path, "rb") as fh:
            tail = deque(fh, maxlen=lines)
        out[n.name] = [line.decode("utf-8", "replace").rstrip("\n") for line in tail]
    return out
