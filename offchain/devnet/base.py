"""A local devnet: one or more node processes, their data and logs, started and stopped by PID.

:class:`Devnet` is the common part of every kind (anvil, ganache, Clique PoA): a folder
``.gridledger/devnets/<name>/`` holding ``state.json`` (kind, chain id, nodes with PID,
start time, RPC URL, log file), the nodes' data and their logs. ``start`` returns only
after the health check passed and stops everything it started if anything fails or the
caller is interrupted (KeyboardInterrupt included); ``stop`` signals each node by PID.
Used as a context manager, the nodes also die with the calling process.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, ClassVar

from eth_account.signers.local import LocalAccount

from ..kernel.anvil import ANVIL_CHAIN_ID, ANVIL_MNEMONIC, anvil_command, anvil_keys, wait_listening_port
from ..kernel.chain import Chain, connect
from ..kernel.errors import ConfigError, GridLedgerError, NetworkError, StateFileError, ToolchainError
from ..kernel.fs import atomic_write, free_port, node_bin, read_state, state_dir, wait_until
from ..kernel.process import (
    NodeProcess,
    port_free,
    port_taken_in_log,
    port_taken_lines,
    spawn,
    start_on_fresh_ports,
    tagged_processes,
)

__all__ = ["Devnet", "AnvilDevnet", "GanacheDevnet", "devnets_dir"]


def devnets_dir() -> Path:
    """Project-local folder holding one sub-folder per devnet."""
    path = state_dir() / "devnets"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Devnet:
    """Base class: subclasses set :attr:`kind`, :attr:`chain_id` and implement :meth:`_launch`."""

    kind: ClassVar[str] = ""
    chain_id: int = 0

    def __init__(self, name: str | None = None, *, home: Path | None = None, ephemeral: bool = True) -> None:
        self.name = name or self.kind
        if not self.name.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(f"bad devnet name {self.name!r}: use letters, digits, '-' and '_'")
        self.home = home or devnets_dir() / self.name
        self.ephemeral = ephemeral
        self.nodes: list[NodeProcess] = []
        self.started_at: float | None = None
        #: starts begun again because a chosen port was taken before a node bound it
        self.start_retries = 0

    # -- description ------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.home / "state.json"

    @property
    def rpc_urls(self) -> list[str]:
        """Every node's RPC URL, node 0 first (the fan-out client sends to all of them)."""
        return [n.rpc_url for n in self.nodes]

    @property
    def url(self) -> str:
        return self.nodes[0].rpc_url

    def params(self) -> dict[str, Any]:
        """Kind-specific settings recorded in ``state.json``."""
        return {}

    def accounts(self) -> list[LocalAccount]:
        """Prefunded accounts (local keys) usable on this devnet."""
        return anvil_keys(10)

    def chain(self, node: int = 0, *, timeout: float = 10.0) -> Chain:
        """A :class:`Chain` connected to node ``node``, checked against the expected chain id."""
        return connect(self.nodes[node].rpc_url, expected_chain_id=self.chain_id, timeout=timeout)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "chain_id": self.chain_id,
            "started_at": self.started_at,
            "params": self.params(),
            "nodes": [n.to_json() for n in self.nodes],
        }

    def save(self) -> None:
        atomic_write(self.state_file, json.dumps(self.to_json(), indent=2) + "\n", mode=0o644)

    def running(self) -> list[NodeProcess]:
        return [n for n in self.nodes if n.alive()]

    def rpc_ports(self) -> list[int]:
        """The RPC ports this devnet will listen on, when fixed in advance (checked free before start)."""
        port = getattr(self, "port", None)
        return [int(port)] if port else []

    @property
    def tag(self) -> str:
        """Supervisor tag prefix of this devnet's processes (they can be found even without ``state.json``)."""
        return f"devnet:{self.home.resolve()}"

    # -- lifecycle --------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> Chain:
        """Start every node, wait for the health check, record the state; returns node 0's chain.

        Ports not fixed by the caller are chosen free before the nodes bind them, so another
        process may take one in between (the p2p ports always; seen with several test
        sessions and a trading day on 2 cores). When a node's log then says its port was in
        use, the devnet starts again on fresh ports, at most :data:`~offchain.kernel.process.START_ATTEMPTS` times;
        any other failure raises at once, and a failed start leaves nothing running."""
        self._refuse_if_running()
        self._refuse_busy_ports()

        def attempt(number: int) -> Chain:
            if number > 1:
                self.start_retries += 1
                self._refuse_busy_ports()  # a port the caller fixed is not retried: it is refused
            if self.home.exists():
                shutil.rmtree(self.home)
            self.home.mkdir(parents=True)
            self.nodes = []
            self.started_at = time.time()
            self._launch(timeout)
            self.save()
            self.health_check(timeout)
            return self.chain()

        def ports_taken(exc: Exception) -> list[str]:
            if not isinstance(exc, GridLedgerError) or isinstance(exc, ConfigError):
                return []  # a refused fixed port is the caller's to change
            return [f"{n.name}: {line}" for n in self.nodes for line in port_taken_lines(n.log)]

        return start_on_fresh_ports(f"devnet {self.name}", attempt, ports_taken=ports_taken, cleanup=self.stop)

    def _refuse_busy_ports(self) -> None:
        busy = [p for p in self.rpc_ports() if not port_free(p)]
        if busy:
            raise ConfigError(
                f"port {', '.join(map(str, busy))} is already in use on 127.0.0.1 (another devnet or program): "
                "choose another with --port"
            )

    def stop(self) -> None:
        """Stop every node by PID (last started first) and record that nothing runs."""
        for node in reversed(self.nodes):
            node.terminate()  # all at once: each EthereumJS node takes ~8 s to shut down
        for node in reversed(self.nodes):
            node.wait_stopped()
        if self.home.exists():
            self.save()

    def health_check(self, timeout: float = 30.0) -> None:
        """Every node answers JSON-RPC with the expected chain id, and is the process listening on its port."""
        for node in self.nodes:
            self._wait_rpc(node, timeout)
            node.check_listener(int(node.rpc_url.rsplit(":", 1)[1]))

    def _launch(self, timeout: float) -> None:
        raise NotImplementedError

    def _refuse_if_running(self) -> None:
        try:
            data = read_state(self.state_file, reset=f"gridledger devnet prune {self.name}")
        except StateFileError:
            data = None  # a corrupt entry: its processes are found by tag below
        if data is None:
            if not self.state_file.exists():
                return
            alive_pids = [p.pid for p in tagged_processes(self.tag)]
            if alive_pids:
                raise ConfigError(
                    f"devnet {self.name!r} has running processes (PID {', '.join(map(str, alive_pids))}) but a corrupt "
                    f"state file; stop them with `gridledger devnet prune {self.name}`"
                )
            return
        try:
            recorded = [NodeProcess.from_json(d) for d in data.get("nodes", [])]
        except ValueError:
            recorded = []
        alive = [n for n in recorded if n.alive()]
        if alive:
            pids = ", ".join(str(n.pid) for n in alive)
            raise ConfigError(
                f"devnet {self.name!r} is already running (PID {pids}); stop it with `gridledger devnet down {self.name}`"
            )

    def _wait_rpc(self, node: NodeProcess, timeout: float) -> Chain:
        def ready() -> Chain | None:
            if not node.alive():
                raise ToolchainError(f"{node.name} exited during start-up; see {node.log}")
            if port_taken_in_log(node.log):
                raise ToolchainError(f"{node.name}: a port it was given is in use by another process; see {node.log}")
            try:
                return connect(node.rpc_url, expected_chain_id=self.chain_id, timeout=2.0)
            except NetworkError as exc:
                if "mismatch" in str(exc):
                    raise
                return None

        chain = wait_until(ready, timeout, interval=0.2)
        if chain is None:
            raise ToolchainError(f"{node.name} did not answer on {node.rpc_url} within {timeout:.0f}s; see {node.log}")
        return chain

    def _spawn(self, name: str, cmd: list[str], *, rpc_url: str, **info: Any) -> NodeProcess:
        node = spawn(
            name, cmd, self.home / f"{name}.log", rpc_url=rpc_url, cwd=self.home, ephemeral=self.ephemeral,
            tag=self.tag, **info,
        )  # fmt: skip
        self.nodes.append(node)
        self.save()  # PIDs are on disk before anything can fail
        return node

    def __enter__(self) -> Devnet:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class AnvilDevnet(Devnet):
    """Anvil in the background, with the flags of the embedded chain (:func:`~offchain.kernel.anvil.anvil_command`)."""

    kind = "anvil"
    chain_id = ANVIL_CHAIN_ID

    def __init__(
        self, name: str | None = None, *, port: int | None = None, block_time: float | None = None, **kw: Any
    ) -> None:
        super().__init__(name, **kw)
        self.port = port
        self.block_time = block_time

    def params(self) -> dict[str, Any]:
        return {"block_time": self.block_time, "port": self.port}

    def _launch(self, timeout: float) -> None:
        if self.port:
            url = f"http://127.0.0.1:{self.port}"
            self._spawn("anvil", anvil_command(self.port, block_time=self.block_time), rpc_url=url)
            return
        # no port asked for: anvil binds port 0 and logs the one it got (nothing can take it in between)
        wait_listening_port(self._spawn("anvil", anvil_command(0, block_time=self.block_time), rpc_url=""), timeout)
        self.save()


class GanacheDevnet(Devnet):
    """Ganache 7 (London, instamine) with the same funded mnemonic as anvil."""

    kind = "ganache"
    chain_id = 1337

    def __init__(self, name: str | None = None, *, port: int | None = None, **kw: Any) -> None:
        super().__init__(name, **kw)
        self.port = port

    def params(self) -> dict[str, Any]:
        return {"port": self.port}

    def _launch(self, timeout: float) -> None:
        port = self.port or free_port()
        cmd = [node_bin("ganache"), "--server.host", "127.0.0.1", "--server.port", str(port)]
        cmd += [
            "--chain.chainId",
            str(self.chain_id),
            "--chain.hardfork",
            "london",
            "--wallet.mnemonic",
            ANVIL_MNEMONIC,
        ]
        cmd += ["--wallet.totalAccounts", "10", "--wallet.defaultBalance", "10000", "--miner.blockGasLimit", "30000000"]
        self._spawn("ganache", cmd, rpc_url=f"http://127.0.0.1:{port}")
