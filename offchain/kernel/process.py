"""Background processes (anvil, devnet nodes, the IPFS daemon): spawn into their own session, stop by PID.

Each process runs in a new session (its PID is also its process-group id), so stopping it
signals the whole group: wrapper scripts (``node_modules/.bin/anvil`` execs a native
binary) never leave a child behind. A process started for the lifetime of the caller
(``ephemeral=True``) also gets ``PR_SET_PDEATHSIG``: if the caller dies without running
its finalizers (SIGKILL), the kernel sends the node SIGTERM.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import psutil

__all__ = ["NodeProcess", "spawn", "stop_group"]

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class NodeProcess:
    """One background process (a devnet node, anvil, the IPFS daemon): what was started, where it listens and logs."""

    name: str
    pid: int
    create_time: float
    cmd: list[str]
    log: str
    rpc_url: str
    p2p_port: int | None = None
    signer: str | None = None
    datadir: str | None = None
    _popen: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NodeProcess:
        return cls(**{k: v for k, v in data.items() if not k.startswith("_")})

    def _process(self) -> psutil.Process | None:
        """The live process with this PID *and* start time (a reused PID is not ours)."""
        try:
            proc = psutil.Process(self.pid)
            if abs(proc.create_time() - self.create_time) > 1.0 or proc.status() == psutil.STATUS_ZOMBIE:
                return None
            return proc
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None

    def alive(self) -> bool:
        if self._popen is not None and self._popen.poll() is not None:
            return False
        return self._process() is not None

    def group_pids(self) -> list[int]:
        """PIDs of the node's process group still running (the node and its children).

        Scans every process of the machine: any of them may exit between the listing and
        the look-up of its group, which then just means "not running" (never an error).
        """
        pids = []
        for proc in psutil.process_iter(["pid", "status"]):
            if proc.info["status"] != psutil.STATUS_ZOMBIE and _pgid(proc.pid) == self.pid:
                pids.append(proc.pid)
        return pids

    def running(self) -> bool:
        """True while the node or any process of its group is still running."""
        self._reap()
        return self._process() is not None or bool(self.group_pids())

    def terminate(self) -> None:
        """Ask the node to shut down cleanly (SIGTERM to its process group)."""
        if self.running():
            _signal_group(self.pid, signal.SIGTERM)

    def wait_stopped(self, timeout: float = 15.0) -> None:
        """Wait for the group to exit; SIGKILL it after ``timeout``; reap if we are the parent."""
        deadline = time.monotonic() + timeout
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.running():
            _signal_group(self.pid, signal.SIGKILL)
            time.sleep(0.1)
        self._reap(block=True)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the node's process group, SIGKILL after ``timeout`` (EthereumJS takes ~8 s)."""
        self.terminate()
        self.wait_stopped(timeout)

    def kill(self) -> None:
        """SIGKILL the node at once (fault drills): no clean shutdown."""
        _signal_group(self.pid, signal.SIGKILL)
        self._reap(block=True)

    def _reap(self, block: bool = False) -> None:
        if self._popen is None:
            return
        if block:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=10)
        else:
            self._popen.poll()


def _pgid(pid: int) -> int | None:
    """Process-group id of ``pid``, or None once the process has exited (it may at any moment)."""
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_group(pgid: int, timeout: float = 10.0) -> None:
    """Stop a process group known only by its id (a PID file): SIGTERM, then SIGKILL after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        _signal_group(pgid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pgid, os.WNOHANG)
            time.sleep(0.1)


def spawn(
    name: str,
    cmd: list[str],
    log: Path,
    *,
    rpc_url: str,
    cwd: Path | None = None,
    ephemeral: bool = True,
    env: dict[str, str] | None = None,
    **info: Any,
) -> NodeProcess:
    """Start ``cmd`` in its own session with stdout/stderr appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        popen = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            start_new_session=True,
            preexec_fn=_die_with_parent if ephemeral else None,  # noqa: PLW1509 - only prctl, no locks
        )
    try:
        create_time = psutil.Process(popen.pid).create_time()
    except psutil.NoSuchProcess:
        create_time = time.time()
    return NodeProcess(
        name=name, pid=popen.pid, create_time=create_time, cmd=cmd, log=str(log), rpc_url=rpc_url, _popen=popen, **info
    )
