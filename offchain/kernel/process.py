"""The process supervisor: background processes (anvil, devnet nodes, the IPFS daemon, backbone nodes).

Every process the package starts goes through :func:`spawn` (or is recorded with
:meth:`NodeProcess.adopt`) and is described by a :class:`NodeProcess`: PID, start time
(``psutil`` ``create_time``), command line and a random *tag* put in its environment
(``GRIDLEDGER_SUPERVISOR_TAG``), which its children inherit. Before any signal the
supervisor checks that the PID still is that process — same start time and command line —
or, for the children of a wrapper script, that it carries the tag: a PID reused by an
unrelated process is never signalled.

Each process runs in a new session (its PID is also its process-group id), so stopping it
signals the whole group: wrapper scripts (``node_modules/.bin/anvil`` execs a native
binary) never leave a child behind, and a Ctrl-C typed at the terminal reaches only the
``gridledger`` process, which tears down what it started. A process started for the
lifetime of the caller (``ephemeral=True``) also gets ``PR_SET_PDEATHSIG``: if the caller
dies without running its finalizers (SIGKILL), the kernel sends the node SIGTERM.

:func:`signals_interrupt` turns SIGINT, SIGTERM and SIGHUP into :class:`Interrupted` (a
``KeyboardInterrupt``) in the main thread, so that every ``with``/``finally`` that stops a
process also runs on those signals; further signals during the teardown are ignored.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import psutil

from .errors import ToolchainError

__all__ = [
    "NodeProcess",
    "spawn",
    "stop_group",
    "child_setup",
    "Interrupted",
    "signals_interrupt",
    "port_free",
    "port_taken_in_log",
    "port_taken_lines",
    "START_ATTEMPTS",
    "start_on_fresh_ports",
    "listening_pids",
    "TAG_ENV",
    "tagged_processes",
]

_PR_SET_PDEATHSIG = 1
#: environment variable carrying a supervised process's tag (inherited by its children)
TAG_ENV = "GRIDLEDGER_SUPERVISOR_TAG"
#: how far a recorded start time may be from the live process's (psutil rounds to clock ticks)
_START_TOLERANCE = 0.5


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _default_signals() -> None:  # pragma: no cover - runs in the child between fork and exec
    # a parent tearing down ignores further signals: its children must not inherit that
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(Exception):
            signal.signal(sig, signal.SIG_DFL)


def child_setup(ephemeral: bool = True) -> Any:
    """A ``preexec_fn``: default signal dispositions, and ``PR_SET_PDEATHSIG`` when ``ephemeral``."""

    def setup() -> None:  # pragma: no cover - runs in the child between fork and exec
        _default_signals()
        if ephemeral:
            _die_with_parent()

    return setup


# -- signals ---------------------------------------------------------------------------
class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived: unwind (stop what was started), then exit 128 + signum."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM/SIGHUP raise :class:`Interrupted` once; later ones are ignored.

    Outside the main thread (where Python cannot set handlers) the block runs unchanged."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    fired = []

    def handler(signum: int, frame: Any) -> None:
        if fired:
            return  # tearing down already: finish it
        fired.append(signum)
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in handled}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# -- ports -----------------------------------------------------------------------------
#: what a child writes when a port it was told to bind is held by another process: Rust
#: and Python ("Address already in use"), Node.js ("EADDRINUSE")
_PORT_TAKEN_WORDS = "address already in use|EADDRINUSE"
_PORT_TAKEN = re.compile(_PORT_TAKEN_WORDS.encode(), re.IGNORECASE)
_PORT_TAKEN_LINE = re.compile(_PORT_TAKEN_WORDS, re.IGNORECASE)
#: starts a launcher makes when ports it chose free were taken before its children bound them
START_ATTEMPTS = 3
_T = TypeVar("_T")
logger = logging.getLogger(__name__)


def port_taken_in_log(log: str | Path) -> bool:
    """Whether a child's log says a port it was given was taken by another process.

    A port chosen free (:func:`~offchain.kernel.fs.free_port`) and then passed to a child can
    be bound by any other process in between; launchers that cannot let the child bind
    port 0 start again on fresh ports when this says so (:func:`start_on_fresh_ports`)."""
    try:
        return _PORT_TAKEN.search(Path(log).read_bytes()) is not None
    except OSError:
        return False


def port_taken_lines(log: str | Path) -> list[str]:
    """The lines of a child's log that say a port was taken (kept for the warning: a retry deletes the log)."""
    try:
        text = Path(log).read_text(errors="replace")
    except OSError:
        return []
    return [line.strip()[:200] for line in text.splitlines() if _PORT_TAKEN_LINE.search(line)]


def start_on_fresh_ports(
    what: str,
    attempt: Callable[[int], _T],
    *,
    ports_taken: Callable[[Exception], list[str]],
    cleanup: Callable[[], None] = lambda: None,
    attempts: int = START_ATTEMPTS,
) -> _T:
    """Run ``attempt(1)``, ``attempt(2)``, … until one returns: the start of children whose ports were chosen free.

    A port chosen free and then passed to a child can be bound by another process before
    the child binds it. When an attempt fails, ``cleanup`` runs first (it must leave
    nothing running); then, if ``ports_taken(exc)`` gives the evidence — the log lines that
    say a port was in use — the next attempt starts, and must choose fresh ports itself.
    At most ``attempts`` starts; the last failure, any failure without that evidence, and
    Ctrl-C are raised as they are. Each retry is logged with its evidence (``what`` names
    the launcher)."""
    for number in range(1, attempts + 1):
        try:
            return attempt(number)
        except Exception as exc:
            cleanup()
            evidence = ports_taken(exc)
            if not evidence or number == attempts:
                raise
            logger.warning(
                "%s: a port chosen free was taken before it was bound (%s); starting again on fresh ports (%d of %d)",
                what, "; ".join(evidence[:2]), number + 1, attempts,
            )  # fmt: skip
        except BaseException:
            cleanup()
            raise
    raise AssertionError("unreachable")


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether nothing listens on ``host:port`` (a bind succeeds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def listening_pids(port: int) -> set[int] | None:
    """PIDs listening on TCP ``port`` (None when the system does not tell)."""
    try:
        conns = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return None
    return {c.pid for c in conns if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid}


# -- identity --------------------------------------------------------------------------
def _environ_tag(proc: psutil.Process) -> str | None:
    try:
        return proc.environ().get(TAG_ENV)
    except (psutil.Error, OSError):
        return None


def tagged_processes(prefix: str) -> list[psutil.Process]:
    """Live processes of this user whose supervisor tag starts with ``prefix`` (slow: reads every environment)."""
    out = []
    me = os.getuid()
    for proc in psutil.process_iter(["uids", "status"]):
        try:
            if proc.info["uids"] is None or proc.info["uids"].real != me or proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
        except (KeyError, AttributeError):
            continue
        tag = _environ_tag(proc)
        if tag and tag.startswith(prefix):
            out.append(proc)
    return out


def _same_command(recorded: list[str], live: list[str]) -> bool:
    """A wrapper may exec another binary (``.bin/anvil``) or run under an interpreter (``node script``):
    the recorded arguments must end the live command line, or the program names must match."""
    if not recorded or not live:
        return not recorded
    if live == recorded:
        return True
    args = recorded[1:]
    if args and live[-len(args) :] == args:
        return True
    return not args and any(Path(part).name == Path(recorded[0]).name for part in live)


@dataclass
class NodeProcess:
    """One supervised process: what was started, where it listens and logs, and how to recognise it."""

    name: str
    pid: int
    create_time: float
    cmd: list[str]
    log: str
    rpc_url: str
    p2p_port: int | None = None
    signer: str | None = None
    datadir: str | None = None
    tag: str | None = None
    _popen: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NodeProcess:
        """Rebuild a record from a state file; :class:`ValueError` when it is not one."""
        if not isinstance(data, dict):
            raise ValueError(f"a process record must be an object, got {type(data).__name__}")
        known = {f.name for f in fields(cls) if not f.name.startswith("_")}
        try:
            node = cls(**{k: v for k, v in data.items() if k in known})
            node.pid, node.create_time = int(node.pid), float(node.create_time)
            node.cmd = [str(c) for c in node.cmd]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad process record: {exc}") from None
        if node.pid <= 1:
            raise ValueError(f"bad process record: pid {node.pid}")
        return node

    @classmethod
    def adopt(cls, name: str, pid: int, *, log: str = "", rpc_url: str = "", **info: Any) -> NodeProcess:
        """A record of a live process started otherwise (``subprocess.Popen``): its start time and command line now."""
        proc = psutil.Process(pid)
        return cls(name=name, pid=pid, create_time=proc.create_time(), cmd=proc.cmdline(), log=log, rpc_url=rpc_url,
                   **info)  # fmt: skip

    def _process(self) -> psutil.Process | None:
        """The live process with this PID *and* start time and command line (a reused PID is not ours).

        A child this object started and has not reaped is ours whatever its command line says:
        its PID cannot be reused before the wait, and between fork and exec (long on a busy
        machine) or after a wrapper's exec the command line is not the one recorded."""
        try:
            if self._popen is not None and self._popen.poll() is None:
                return psutil.Process(self.pid)
            proc = psutil.Process(self.pid)
            if abs(proc.create_time() - self.create_time) > _START_TOLERANCE:
                return None
            if proc.status() == psutil.STATUS_ZOMBIE:
                return None
            if self.tag is not None and _environ_tag(proc) not in (None, self.tag):
                return None
            if not _same_command(self.cmd, proc.cmdline()):
                return None
            return proc
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return None

    def alive(self) -> bool:
        if self._popen is not None and self._popen.poll() is not None:
            return False
        return self._process() is not None

    def _ours(self, proc: psutil.Process) -> bool:
        """A member of our process group is ours when it carries our tag, started after the leader."""
        if self.tag is None:
            return False
        try:
            return proc.create_time() >= self.create_time - _START_TOLERANCE and _environ_tag(proc) == self.tag
        except psutil.Error:
            return False

    def group_pids(self) -> list[int]:
        """PIDs of the node's process group still running (the node and its children), checked as ours.

        The group counts only while its leader is this very process (PID + start time +
        command line) or, once the leader is gone, for the members that carry this node's
        tag: an unrelated process that reused the PID, and its group, are never listed.
        Scans every process of the machine: any of them may exit between the listing and
        the look-up of its group, which then just means "not running" (never an error).
        """
        leader = self._process() is not None
        pids = []
        for proc in psutil.process_iter(["pid", "status"]):
            if proc.info["status"] == psutil.STATUS_ZOMBIE or _pgid(proc.pid) != self.pid:
                continue
            if leader or self._ours(proc):
                pids.append(proc.pid)
        return pids

    def running(self) -> bool:
        """True while the node or any process of its group is still running."""
        self._reap()
        return self._process() is not None or bool(self.group_pids())

    def _signal(self, sig: signal.Signals) -> None:
        """Signal the group if its leader is ours, else each member that carries our tag; nothing else."""
        self._reap()
        if self._process() is not None:
            if _pgid(self.pid) == self.pid:
                _signal_group(self.pid, sig)
            else:  # not a group leader (a `gridledger` run from a shell): only the process itself
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(self.pid, sig)
            return
        for pid in self.group_pids():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def terminate(self) -> None:
        """Ask the node to shut down cleanly (SIGTERM to its process group)."""
        self._signal(signal.SIGTERM)

    def wait_stopped(self, timeout: float = 15.0) -> None:
        """Wait for the group to exit; SIGKILL it after ``timeout``; reap if we are the parent."""
        deadline = time.monotonic() + timeout
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.running():
            self._signal(signal.SIGKILL)
            deadline = time.monotonic() + 5
            while self.running() and time.monotonic() < deadline:
                time.sleep(0.05)
        self._reap(block=True)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the node's process group, SIGKILL after ``timeout`` (EthereumJS takes ~8 s)."""
        self.terminate()
        self.wait_stopped(timeout)

    def kill(self) -> None:
        """SIGKILL the node at once (fault drills): no clean shutdown."""
        self._signal(signal.SIGKILL)
        self._reap(block=True)

    def owns_port(self, port: int) -> bool | None:
        """Whether the process listening on ``port`` is this node (or its group); None if unknown."""
        pids = listening_pids(port)
        if not pids:
            return None
        return bool(pids & ({self.pid} | set(self.group_pids())))

    def check_listener(self, port: int) -> None:
        """Raise :class:`ToolchainError` unless this node runs and no other process holds ``port``.

        A readiness check that connects to ``port`` may reach another program that holds it
        (an anvil of another test session): the node that answered must be the one started here."""
        if not self.alive() or self.owns_port(port) is False:
            raise ToolchainError(
                f"{self.name}: another process answers on port {port}, not the one started here; see {self.log}"
            )

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
    """Stop a process group known only by its id: SIGTERM, then SIGKILL after ``timeout``.

    Unchecked (the group id may have been reused): only for groups this process created
    and has not reaped. Everything else goes through :class:`NodeProcess`."""
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
    tag: str | None = None,
    **info: Any,
) -> NodeProcess:
    """Start ``cmd`` in its own session with stdout/stderr appended to ``log``.

    ``tag``: prefix of the supervisor tag (the tag is ``<tag>#<random>``), e.g. the folder
    of the devnet, so that its processes can be found even when its state file is lost."""
    log.parent.mkdir(parents=True, exist_ok=True)
    full_tag = f"{tag or name}#{secrets.token_hex(8)}"
    with open(log, "ab") as out:
        popen = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, **(env or {}), TAG_ENV: full_tag},
            start_new_session=True,
            preexec_fn=child_setup(ephemeral),  # noqa: PLW1509 - only signal() and prctl, no locks
        )
    try:
        create_time = psutil.Process(popen.pid).create_time()
    except psutil.NoSuchProcess:
        create_time = time.time()
    return NodeProcess(
        name=name, pid=popen.pid, create_time=create_time, cmd=cmd, log=str(log), rpc_url=rpc_url, tag=full_tag,
        _popen=popen, **info,
    )  # fmt: skip
