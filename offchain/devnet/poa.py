"""A Clique proof-of-authority devnet of EthereumJS client nodes on 127.0.0.1.

``PoaDevnet(signers=N, period=S)`` writes a geth-style genesis with N signers and the
prefunded user accounts, starts node 0, reads its enode over ``admin_nodeInfo`` and
starts the other nodes with it (and every earlier node) as bootnodes. Every node seals
with its own unlocked key (``--unlock`` + ``--mine``) and serves JSON-RPC on its own
port. The health check waits until all nodes are peered and agree on a head that keeps
advancing. The client is ``@ethereumjs/client`` 0.9.0 with the project's patches
(``patches/``, applied by ``make``).
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from ..kernel.errors import ConfigError, NetworkError, ToolchainError
from ..kernel.fs import free_port, node_bin
from ..kernel.process import NodeProcess, port_taken_in_log, spawn
from .base import Devnet
from .genesis import POA_CHAIN_ID, clique_genesis, prefunded_keys, signer_keys

__all__ = ["PoaDevnet"]


class PoaDevnet(Devnet):
    """N Clique signers, one EthereumJS node each, peered on 127.0.0.1."""

    kind = "poa"

    def __init__(
        self,
        name: str | None = None,
        *,
        signers: int = 1,
        period: int = 2,
        chain_id: int = POA_CHAIN_ID,
        log_level: str = "info",
        port: int | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(name, **kw)
        self.port = port  # RPC port of node 0 (node i listens on port + i); free ports if None
        if signers < 1:
            raise ConfigError("a PoA devnet needs at least one signer (--signers 1 or more)")
        if period < 1:
            raise ConfigError("the Clique period must be a whole number of seconds, at least 1")
        self.signers = signers
        self.period = period
        self.chain_id = chain_id
        self.log_level = log_level

    def params(self) -> dict[str, Any]:
        return {"signers": self.signers, "period": self.period, "port": self.port}

    def rpc_ports(self) -> list[int]:
        return [self.port + i for i in range(self.signers)] if self.port else []

    def accounts(self) -> list[LocalAccount]:
        return prefunded_keys()

    def signer_accounts(self) -> list[LocalAccount]:
        return signer_keys(self.signers)

    # -- start ------------------------------------------------------------------------
    def _launch(self, timeout: float) -> None:
        keys = self.signer_accounts()
        genesis = clique_genesis(
            [k.address for k in keys], [a.address for a in self.accounts()], period=self.period, chain_id=self.chain_id
        )
        (self.home / "genesis.json").write_text(json.dumps(genesis, indent=2) + "\n")
        enodes: list[str] = []
        for i, key in enumerate(keys):
            keyfile = self.home / f"signer{i}.key"
            keyfile.write_text(key.key.hex().removeprefix("0x"))
            keyfile.chmod(0o600)
            node = self._spawn_node(i, key.address, bootnodes=list(enodes))
            chain = self._wait_rpc(node, timeout)
            enodes.append(self._enode(chain, node))
        self.save()

    def _node_cmd(self, i: int, rpc_port: int, p2p_port: int, bootnodes: list[str]) -> list[str]:
        cmd = [node_bin("ethereumjs"), "--gethGenesis", str(self.home / "genesis.json")]
        cmd += ["--dataDir", str(self.home / f"node{i}"), "--port", str(p2p_port), "--extIP", "127.0.0.1"]
        cmd += ["--rpc", "--rpcAddr", "127.0.0.1", "--rpcPort", str(rpc_port)]
        cmd += ["--unlock", str(self.home / f"signer{i}.key"), "--mine"]
        cmd += ["--logLevel", self.log_level, "--dnsAddr", "127.0.0.1"]
        # the client's own log file (rotated daily): warnings and errors only, in the data folder
        cmd += ["--logFile", str(self.home / f"node{i}" / "client.log"), "--logLevelFile", "warn"]
        # Every signer seals from genesis: without --isSingleNode a node waits for a
        # sync target and a fresh network (all at block 0) never starts.
        cmd += ["--isSingleNode", "--minPeers", "0", "--maxPeers", str(max(self.signers, 2) + 2)]
        if bootnodes:
            cmd += ["--bootnodes", ",".join(bootnodes)]
        return cmd

    def _spawn_node(self, i: int, signer: str, bootnodes: list[str]) -> NodeProcess:
        rpc_port = self.port + i if self.port else free_port()
        p2p_port = free_port()
        cmd = self._node_cmd(i, rpc_port, p2p_port, bootnodes)
        return self._spawn(
            f"node{i}",
            cmd,
            rpc_url=f"http://127.0.0.1:{rpc_port}",
            p2p_port=p2p_port,
            signer=signer,
            datadir=str(self.home / f"node{i}"),
        )

    def _enode(self, chain: Chain, node: NodeProcess) -> str:
        info = chain.w3.provider.make_request("admin_nodeInfo", [])  # type: ignore[arg-type]
        enode = (info.get("result") or {}).get("enode")
        if not enode:
            raise ToolchainError(f"{node.name} did not report its enode (admin_nodeInfo: {info}); see {node.log}")
        # the node reports its listen address (0.0.0.0 or [::]); peers dial 127.0.0.1
        ident = enode.split("@", 1)[0]
        return f"{ident}@127.0.0.1:{node.p2p_port}"

    # -- health -----------------------------------------------------------------------
    def health_check(self, timeout: float = 60.0) -> None:
        """Every node answers, is peered with the others and shares a head that advances."""
        super().health_check(timeout)
        deadline = time.monotonic() + timeout
        chains = [self.chain(i) for i in range(len(self.nodes))]
        start = [c.w3.eth.block_number for c in chains]
        while True:
            report = self._head_report(chains)
            advanced = all(h >= s + 2 for h, s in zip(report["heights"], start, strict=True))
            if advanced and report["in_sync"] and report["peered"]:
                return
            if time.monotonic() >= deadline:
                raise ToolchainError(f"PoA devnet {self.name!r} is not healthy after {timeout:.0f}s: {report}")
            for node in self.nodes:
                if not node.alive():
                    raise ToolchainError(f"{node.name} exited during start-up; see {node.log}")
                if port_taken_in_log(node.log):  # e.g. its p2p port: it runs, but peers cannot reach it
                    raise ToolchainError(
                        f"{node.name}: a port it was given is in use by another process; see {node.log}"
                    )
            time.sleep(0.5)

    def _head_report(self, chains: list[Chain]) -> dict[str, Any]:
        heights = [c.w3.eth.block_number for c in chains]
        common = min(heights)
        hashes = {c.w3.eth.get_block(common)["hash"].hex() for c in chains}
        peers = [int(c.w3.net.peer_count) for c in chains] if len(chains) > 1 else [0]
        return {
            "heights": heights,
            "in_sync": len(hashes) == 1 and max(heights) - common <= 1,
            "peers": peers,
            "peered": len(chains) == 1 or all(p >= 1 for p in peers),
        }

    def sync_report(self) -> dict[str, Any]:
        """Heights, peer counts and whether the reachable nodes agree on the chain."""
        chains = []
        for i, node in enumerate(self.nodes):
            if node.alive():
                with contextlib.suppress(NetworkError):
                    chains.append(self.chain(i, timeout=3.0))
        return self._head_report(chains) if chains else {"heights": [], "in_sync": False, "peers": [], "peered": False}

    # -- fault drills -----------------------------------------------------------------
    def stop_node(self, i: int, *, hard: bool = False) -> None:
        """Stop node ``i`` (SIGKILL if ``hard``); its data folder is kept for a restart."""
        node = self.nodes[i]
        node.kill() if hard else node.stop()
        self.save()

    def restart_node(self, i: int, timeout: float = 60.0) -> Chain:
        """Start node ``i`` again on its data folder and ports, peered with the running nodes."""
        old = self.nodes[i]
        if old.alive():
            raise ConfigError(f"{old.name} of devnet {self.name!r} is still running")
        bootnodes = []
        for j, other in enumerate(self.nodes):
            if j != i and other.alive():
                bootnodes.append(self._enode(self.chain(j), other))
        rpc_port = int(old.rpc_url.rsplit(":", 1)[1])
        cmd = self._node_cmd(i, rpc_port, int(old.p2p_port or free_port()), bootnodes)
        node = spawn(
            old.name,
            cmd,
            Path(old.log),
            rpc_url=old.rpc_url,
            cwd=self.home,
            ephemeral=self.ephemeral,
            tag=self.tag,
            p2p_port=old.p2p_port,
            signer=old.signer,
            datadir=old.datadir,
        )
        self.nodes[i] = node
        self.save()
        return self._wait_rpc(node, timeout)
