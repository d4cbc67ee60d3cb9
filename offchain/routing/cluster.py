"""Start and stop a backbone of N node processes on 127.0.0.1.

    with BackboneCluster(4) as cluster:
        cluster.table          # the initial routing table (addresses, keys)
        cluster.kill(2)        # SIGKILL one node (failure tests)
        cluster.restart(2)     # start it again: same id, key and port (NodeOptions.peer_grace
                               # keeps its peers from removing it from the table meanwhile)

Every process is started by this object and stopped by its PID (SIGTERM, then SIGKILL);
each runs in its own session (a Ctrl-C at the terminal reaches only the caller, which
stops them) and dies with the caller (``PR_SET_PDEATHSIG``, via the kernel's supervisor).
"""

from __future__ import annotations

import itertools
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..kernel.crypto import new_private_key, public_key
from ..kernel.fs import PROJECT_ROOT, free_port, state_dir
from ..kernel.process import TAG_ENV, child_setup, port_taken_lines, start_on_fresh_ports
from ._errors import BackboneUnavailableError
from .backbone import NodeOptions
from .table import BackboneInfo, RoutingTable

__all__ = ["BackboneCluster"]

_runs = itertools.count()

# A node process needs only offchain.routing: registering a bare ``offchain`` package
# skips offchain/__init__.py (which imports web3, ~1 s of CPU per process at start).
_NODE_BOOT = (
    "import sys, types; pkg = types.ModuleType('offchain'); pkg.__path__ = [{path!r}]; "
    "sys.modules['offchain'] = pkg; from offchain.routing._node_main import main; sys.exit(main())"
)


class BackboneCluster:
    """N backbone node processes with a shared initial table."""

    def __init__(
        self,
        nodes: int = 4,
        *,
        options: NodeOptions | None = None,
        x: int = 1,
        host: str = "127.0.0.1",
        log_level: str = "WARNING",
        log_dir: Path | None = None,
        keep_logs: bool = False,
    ) -> None:
        if nodes < 1:
            raise ValueError("a backbone needs at least one node")
        self.options = options or NodeOptions()
        self._privates = {i: new_private_key() for i in range(nodes)}
        self._host, self._x = host, x
        self.table = self._table_on_free_ports()
        self.log_level = log_level
        self.log_dir = log_dir or state_dir() / "backbone"
        # several clusters may log into one folder at once (test sessions, a trading day): a
        # node's log is its own even when another cluster chose the same port at the same time
        self._run = f"{os.getpid()}-{next(_runs)}"
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.keep_logs = keep_logs
        self._started = False

    def log_file(self, node_id: int) -> Path:
        """Where backbone node ``node_id`` of this cluster logs (named by its port and this cluster)."""
        return self.log_dir / f"node-{self.table.node(node_id).port}-{self._run}.log"

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [(n.host, n.port) for n in self.table.nodes]

    def _table_on_free_ports(self) -> RoutingTable:
        infos = [BackboneInfo(i, self._host, free_port(), public_key(k)) for i, k in self._privates.items()]
        return RoutingTable.initial(infos, x=self._x)

    def start(self, timeout: float = 30.0) -> BackboneCluster:
        """Start every node; returns once all are linked (``READY``).

        Ports are chosen free before the nodes bind them, so another process may take one in
        between (seen in a fresh-clone ``make test`` with other test sessions and a trading
        day running beside it). A node that finds its port taken exits with "address already
        in use" in its log; the cluster then starts again on fresh ports (same ids and keys),
        at most :data:`~offchain.kernel.process.START_ATTEMPTS` times. Any other failure raises at once."""
        self.log_dir.mkdir(parents=True, exist_ok=True)

        def attempt(number: int) -> BackboneCluster:
            if number > 1:  # same ids and keys, fresh ports
                for info in self.table.nodes:
                    self.log_file(info.node_id).unlink(missing_ok=True)
                self.procs = {}
                self.table = self._table_on_free_ports()
            for info in self.table.nodes:
                self._launch(info, timeout, append_log=False)
            deadline = time.monotonic() + timeout
            for node_id in self.procs:
                self._wait_ready(node_id, deadline)
            self._started = True
            return self

        def ports_taken(exc: Exception) -> list[str]:
            if not isinstance(exc, BackboneUnavailableError):
                return []
            return [
                f"node {info.node_id} (port {info.port}): {line}"
                for info in self.table.nodes
                for line in port_taken_lines(self.log_file(info.node_id))
            ]

        return start_on_fresh_ports("backbone cluster", attempt, ports_taken=ports_taken, cleanup=self.stop)

    def restart(self, node_id: int, timeout: float = 30.0) -> None:
        """Stop backbone node ``node_id`` if it runs (SIGKILL: a crash) and start it again with
        the same id, key, port and the cluster's table; returns once its peer links are up.

        Its state (joined keys, held messages, onion circuit keys) is gone: regular nodes
        re-join, and onion circuits through it re-key on their next message. Its peers keep
        it in the table only if it is back within ``NodeOptions.peer_grace`` seconds."""
        self.kill(node_id)
        old = self.procs.get(node_id)
        if old is not None and old.stdout:
            old.stdout.close()
        self._launch(self.table.node(node_id), timeout, append_log=True)
        self._wait_ready(node_id, time.monotonic() + timeout)

    def _launch(self, info: BackboneInfo, timeout: float, *, append_log: bool) -> None:
        env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env[TAG_ENV] = f"backbone:{os.getpid()}#{id(self):x}"
        log = open(self.log_file(info.node_id), "ab" if append_log else "wb")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            [sys.executable, "-c", _NODE_BOOT.format(path=str(PROJECT_ROOT / "offchain"))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env, cwd=PROJECT_ROOT,
            start_new_session=True, preexec_fn=child_setup(),  # noqa: PLW1509 - signal() and prctl only
        )  # fmt: skip
        log.close()
        self.procs[info.node_id] = proc
        config = {
            "id": info.node_id,
            "private": self._privates[info.node_id].hex(),
            "table": self.table.to_dict(),
            "options": self.options.to_dict(),
            "log_level": self.log_level,
            "peer_timeout": timeout,
        }
        assert proc.stdin is not None
        proc.stdin.write((json.dumps(config) + "\n").encode())
        proc.stdin.close()

    def _wait_ready(self, node_id: int, deadline: float) -> None:
        proc = self.procs[node_id]
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], max(0.1, deadline - time.monotonic()))
        line = proc.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("READY"):
            raise BackboneUnavailableError(
                f"backbone node {node_id} did not start ({line or 'no answer'}); see {self.log_file(node_id)}"
            )

    def kill(self, node_id: int) -> None:
        """SIGKILL one node (simulates a crash)."""
        proc = self.procs.get(node_id)
        if proc and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def alive(self) -> list[int]:
        return [i for i, p in self.procs.items() if p.poll() is None]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(5)
            if proc.stdout:
                proc.stdout.close()
        if self._started and not self.keep_logs:  # logs of a failed start are kept for the error message
            for info in self.table.nodes:
                self.log_file(info.node_id).unlink(missing_ok=True)

    def __enter__(self) -> BackboneCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
