"""A real IPFS node with the Kubo RPC API (js-ipfs 0.66.1 from ``node_modules``), offline.

Kubo cannot be installed from the registries this project uses; js-ipfs speaks the same
``/api/v0`` RPC and its ``add`` defaults match Kubo's. The node runs with no swarm
addresses, no bootstrap peers and no MDNS, on a free API port, under ``timeout`` (a
failed js-ipfs start can hang holding the repo lock), and is stopped by PID.

``gridledger ipfs up`` / ``down`` use :func:`start_detached` / :func:`stop_detached`,
which keep the PID and API address in ``.gridledger/ipfs/``.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

from ..kernel.errors import ConfigError, StateFileError, ToolchainError
from ..kernel.fs import atomic_write, free_port, node_bin, read_state, state_dir, wait_until
from ..kernel.process import NodeProcess, port_free, port_taken_in_log, spawn, tagged_processes

__all__ = [
    "IpfsNodeError",
    "IpfsPortTakenError",
    "JsIpfsNode",
    "start_detached",
    "stop_detached",
    "detached_api",
    "api_multiaddr",
]

#: Node 20 lacks Promise.withResolvers, which js-ipfs 0.66's dependencies call.
_PRELOAD = """if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function () {
    let resolve, reject
    const promise = new Promise((a, b) => { resolve = a; reject = b })
    return { promise, resolve, reject }
  }
}
"""

#: Upper bound on a daemon's lifetime (seconds) enforced by ``timeout``; `ipfs up` uses a day.
DEFAULT_LIFETIME = 3600


class IpfsNodeError(ToolchainError):
    """The local js-ipfs daemon could not be started or stopped."""


class IpfsPortTakenError(IpfsNodeError):
    """A port this node chose free was taken by another process before the daemon bound it (EADDRINUSE).

    Its caller may start a new node on fresh ports (:func:`~offchain.kernel.process.start_on_fresh_ports`);
    a port the caller fixed and found busy before the start is refused with
    :class:`~offchain.kernel.errors.ConfigError` instead."""


def api_multiaddr(port: int) -> str:
    return f"/ip4/127.0.0.1/tcp/{port}/http"


class JsIpfsNode:
    """An offline js-ipfs daemon in ``repo`` with its API on ``127.0.0.1:port``.

    Use as a context manager (``with JsIpfsNode() as api: ...`` yields the API multiaddr).
    """

    def __init__(
        self,
        repo: str | Path | None = None,
        port: int | None = None,
        *,
        lifetime: int = DEFAULT_LIFETIME,
        detached: bool = False,
    ) -> None:
        """``detached``: the daemon outlives this process (``gridledger ipfs up``); otherwise it dies with it."""
        self.port = port or free_port()
        self._chosen = port is None
        self.repo = Path(repo) if repo else state_dir() / "ipfs" / f"repo-{self.port}"
        self.lifetime = lifetime
        self.detached = detached
        self.node: NodeProcess | None = None
        self.log_path = self.repo.parent / f"daemon-{self.port}.log"

    @property
    def api(self) -> str:
        return api_multiaddr(self.port)

    def _env(self) -> dict[str, str]:
        self.repo.parent.mkdir(parents=True, exist_ok=True)
        preload = self.repo.parent / "jsipfs-preload.cjs"
        preload.write_text(_PRELOAD)
        env = dict(os.environ)
        env["IPFS_PATH"] = str(self.repo)
        env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} --require {preload}".strip()
        return env

    def _init_repo(self, env: dict[str, str]) -> None:
        if (self.repo / "config").exists():
            self._configure()
            return
        self.repo.parent.mkdir(parents=True, exist_ok=True)
        # through the supervisor (own session, dies with us, stopped on any exception or signal)
        log = self.repo.parent / f"init-{self.port}.log"
        log.unlink(missing_ok=True)
        init = spawn("jsipfs-init", ["timeout", "120", node_bin("jsipfs"), "init", "--empty-repo"], log, rpc_url="",
                     env=env, tag=f"ipfs:{self.repo.resolve()}")  # fmt: skip
        try:
            assert init._popen is not None
            code = init._popen.wait()
        except BaseException:
            init.stop(timeout=10)
            log.unlink(missing_ok=True)
            shutil.rmtree(self.repo, ignore_errors=True)  # a half-initialised repo would be reused
            raise
        tail = log.read_text(errors="replace").strip()[-500:] if log.exists() else ""
        log.unlink(missing_ok=True)
        if code != 0:
            shutil.rmtree(self.repo, ignore_errors=True)
            raise IpfsNodeError(f"jsipfs init failed ({code}): {' '.join(tail.split())}")
        self._configure()

    def _configure(self) -> None:
        path = self.repo / "config"
        config = json.loads(path.read_text())
        addresses = config.setdefault("Addresses", {})
        addresses["Swarm"] = []
        addresses["API"] = f"/ip4/127.0.0.1/tcp/{self.port}"
        addresses["Gateway"] = f"/ip4/127.0.0.1/tcp/{free_port()}"
        addresses["RPC"] = f"/ip4/127.0.0.1/tcp/{free_port()}"
        addresses["Delegates"] = []
        config["Bootstrap"] = []
        discovery = config.setdefault("Discovery", {})
        discovery["MDNS"] = {"Enabled": False, "Interval": 10}
        discovery["webRTCStar"] = {"Enabled": False}
        config["Preload"] = {"Enabled": False}
        atomic_write(path, json.dumps(config, indent=2), mode=0o644)

    def _answers(self) -> bool:
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v0/version", method="POST")
            with urllib.request.urlopen(req, timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    def _log_says_in_use(self) -> bool:
        return port_taken_in_log(self.log_path)

    def start(self, timeout: float = 90.0) -> str:
        """Start the daemon; returns its API multiaddr once it answers (and is the process on the port).

        Everything started is stopped again if the start fails or is interrupted."""
        if not port_free(self.port):
            if self._chosen:  # chosen free here, taken since: the caller may start a node on fresh ports
                raise IpfsPortTakenError(
                    f"port {self.port}, chosen free for the API, was taken before the start (EADDRINUSE)"
                )
            raise ConfigError(f"port {self.port} is already in use on 127.0.0.1: choose another with --port")
        self._keep_log = True
        try:
            env = self._env()
            self._init_repo(env)
            cmd = ["timeout", str(self.lifetime), node_bin("jsipfs"), "daemon", "--offline"]
            self.log_path.unlink(missing_ok=True)
            self.node = spawn(
                "jsipfs", cmd, self.log_path, rpc_url=f"http://127.0.0.1:{self.port}", env=env,
                ephemeral=not self.detached, tag=f"ipfs:{self.repo.resolve()}",
            )  # fmt: skip

            def ready() -> bool:
                if self.node is not None and not self.node.alive():
                    raise IpfsNodeError(f"js-ipfs daemon exited during start-up; see {self.log_path}")
                if self._log_says_in_use():
                    raise IpfsPortTakenError(
                        f"js-ipfs daemon: an address it needs is in use (EADDRINUSE); see {self.log_path}"
                    )
                return self._answers()

            if not wait_until(ready, timeout, interval=0.25):
                raise IpfsNodeError(
                    f"js-ipfs daemon did not answer on {self.api} within {timeout:.0f}s; see {self.log_path}"
                )
            assert self.node is not None
            if self.node.owns_port(self.port) is False:
                raise IpfsNodeError(f"another process answers on port {self.port}, not the daemon started here")
        except KeyboardInterrupt:
            self._keep_log = False
            self.stop()
            raise
        except BaseException:
            self.stop()
            raise
        self._keep_log = False
        return self.api

    def stop(self) -> None:
        """Stop the daemon (by PID, checked); its log is deleted unless a failed start names it."""
        if self.node is not None:
            self.node.stop(timeout=10)
            self.node = None
        if not getattr(self, "_keep_log", False):
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _pidfile() -> Path:
    return state_dir() / "ipfs" / "daemon.json"


_RESET = "gridledger ipfs down --force"


def _recorded() -> tuple[str, NodeProcess] | None:
    """The API and process recorded by ``ipfs up``; :class:`StateFileError` when ``daemon.json`` is corrupt."""
    path = _pidfile()
    info = read_state(path, reset=_RESET)
    if info is None:
        return None
    try:
        return str(info["api"]), NodeProcess.from_json(info["node"])
    except (KeyError, TypeError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:120]
        raise StateFileError(f"state file {path} is corrupt ({detail}); clear it with `{_RESET}`") from None


def detached_api() -> str | None:
    """API multiaddr of the node started by ``gridledger ipfs up``, if that very process still runs."""
    recorded = _recorded()
    if recorded is None:
        return None
    api, node = recorded
    return api if node.alive() else None


def start_detached(port: int | None = None, lifetime: int = 86400) -> tuple[str, int]:
    """Start a node that outlives this process; returns (API multiaddr, PID)."""
    if port is not None and not port_free(port):
        raise ConfigError(f"port {port} is already in use on 127.0.0.1: choose another with --port")
    if api := detached_api():
        raise IpfsNodeError(f"an IPFS node started by `gridledger ipfs up` already runs at {api}")
    node = JsIpfsNode(state_dir() / "ipfs" / "repo", port, lifetime=lifetime, detached=True)
    api = node.start()
    assert node.node is not None
    try:
        atomic_write(_pidfile(), json.dumps({"api": api, "node": node.node.to_json()}), mode=0o644)
    except BaseException:
        node.stop()
        raise
    return api, node.node.pid


def stop_detached(*, force: bool = False) -> int | None:
    """Stop the node started by ``gridledger ipfs up`` (only if the recorded PID still is that
    process: start time and command line); returns its PID (None if none ran).

    ``force``: also clear a corrupt ``daemon.json`` (the daemon, found by its supervisor tag, is stopped)."""
    path = _pidfile()
    try:
        recorded = _recorded()
    except StateFileError:
        if not force:
            raise
        repo = (state_dir() / "ipfs" / "repo").resolve()
        stray = tagged_processes(f"ipfs:{repo}")
        for proc in stray:
            NodeProcess.adopt("jsipfs", proc.pid).stop(timeout=10)
        path.unlink(missing_ok=True)
        return stray[0].pid if stray else None
    if recorded is None:
        return None
    _, node = recorded
    was_running = node.running()
    node.stop(timeout=10)
    path.unlink(missing_ok=True)
    Path(node.log).unlink(missing_ok=True)
    return node.pid if was_running else None
