"""The one anvil launcher: the embedded default chain and the ``anvil`` devnet use the same flags.

Anvil (npm ``@foundry-rs/anvil``) always runs with the London rules, base fee 0, a
30M gas limit, chain id 31337 and the well-known development mnemonic (its accounts
are funded on every start), on 127.0.0.1 only: :func:`anvil_command` builds that
command line, :class:`EmbeddedAnvil` runs it for the length of a ``with`` block and
:class:`offchain.devnet.AnvilDevnet` keeps it running in the background.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from .chain import Chain, connect
from .errors import NetworkError, ToolchainError
from .fs import node_bin, state_dir, wait_until
from .process import NodeProcess, spawn

__all__ = [
    "ANVIL_MNEMONIC",
    "ANVIL_CHAIN_ID",
    "ANVIL_HARDFORK",
    "ANVIL_GAS_LIMIT",
    "anvil_keys",
    "anvil_command",
    "listening_port",
    "wait_listening_port",
    "EmbeddedAnvil",
]

#: Anvil's well-known development mnemonic: its accounts are funded on every start.
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
#: states of recent blocks anvil keeps in memory; older ones are dropped. Without
#: ``--prune-history`` anvil writes every older state to ``~/.foundry/anvil/tmp`` and never
#: deletes it — ~7 kB per block; a few days of ``make test`` and 100-household demos left
#: 54 GB there and filled this machine's disk. Nothing here reads state that old.
ANVIL_STATE_HISTORY = 500
ANVIL_CHAIN_ID = 31337
ANVIL_HARDFORK = "london"
ANVIL_GAS_LIMIT = 30_000_000
#: the line anvil logs once its RPC socket is bound (with ``--port 0``: the port the kernel chose)
_LISTENING = re.compile(rb"^Listening on 127\.0\.0\.1:(\d+)\s*$", re.MULTILINE)
_log_names = itertools.count()

Account.enable_unaudited_hdwallet_features()


def anvil_keys(count: int = 10) -> list[LocalAccount]:
    """The first ``count`` accounts of anvil's development mnemonic."""
    return [Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)]


def anvil_command(port: int, *, block_time: float | None = None, accounts: int = 10) -> list[str]:
    """The anvil command line every launcher uses (London, base fee 0, 30M gas, dev mnemonic, loopback).

    ``port=0`` lets the kernel choose a free port when anvil binds: read it from the log
    with :func:`listening_port`. Choosing a free port first and passing it races with every
    other process on the machine that binds a port in between.
    """
    cmd = [
        node_bin("anvil"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chain-id",
        str(ANVIL_CHAIN_ID),
        "--accounts",
        str(accounts),
        "--hardfork",
        ANVIL_HARDFORK,
        "--base-fee",
        "0",
        "--gas-limit",
        str(ANVIL_GAS_LIMIT),
        "--mnemonic",
        ANVIL_MNEMONIC,
        "--prune-history",
        str(ANVIL_STATE_HISTORY),
    ]
    if block_time:
        cmd += ["--block-time", str(block_time)]
    return cmd


def listening_port(log: str | Path) -> int | None:
    """The port anvil logged ``Listening on 127.0.0.1:<port>`` for, or None before it has bound."""
    try:
        match = _LISTENING.search(Path(log).read_bytes())
    except FileNotFoundError:
        return None
    return int(match.group(1)) if match else None


def wait_listening_port(node: NodeProcess, timeout: float) -> int:
    """Wait until an anvil started with ``--port 0`` logs the port it bound; sets ``node.rpc_url`` to it.

    Raises :class:`ToolchainError` naming the log when anvil exits first or logs no port in time."""

    def bound() -> int | None:
        if not node.alive():
            raise ToolchainError(f"{node.name} exited during start-up; see {node.log}")
        return listening_port(node.log)

    port = wait_until(bound, timeout, interval=0.1)
    if port is None:
        raise ToolchainError(f"{node.name} logged no listening port within {timeout:.0f}s; see {node.log}")
    node.rpc_url = f"http://127.0.0.1:{port}"
    return port


class EmbeddedAnvil:
    """An anvil process for the length of a ``with`` block, stopped by PID (and with its caller).

    Use as a context manager::

        with EmbeddedAnvil() as chain:
            ...  # chain is a connected Chain
    """

    def __init__(self, port: int | None = None, *, block_time: float | None = None, accounts: int = 10) -> None:
        #: None until started when anvil chooses its port (the default): no other process can take it first
        self.port = port
        self._chosen = port is None
        self.block_time = block_time
        self.accounts = accounts
        self.node: NodeProcess | None = None
        self.log_path = state_dir() / "anvil" / f"anvil-{os.getpid()}-{next(_log_names)}.log"
        self._keep_log = False

    @property
    def url(self) -> str:
        if self.port is None:
            raise ToolchainError("this anvil has not started yet: its port is chosen when it binds")
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Chain:
        """Start anvil and return a connection once the anvil started here answers (not another program)."""
        fixed = None if self._chosen else self.port
        self.port = fixed
        cmd = anvil_command(fixed or 0, block_time=self.block_time, accounts=self.accounts)
        self.log_path.unlink(missing_ok=True)
        self.node = node = spawn(
            "anvil", cmd, self.log_path, rpc_url=self.url if fixed else "", tag=f"anvil:{fixed or self.log_path.stem}"
        )
        deadline = time.monotonic() + timeout

        def ready() -> Chain | None:
            if not node.alive():
                raise ToolchainError(f"anvil exited during start-up; see {self.log_path}")
            try:
                chain = connect(node.rpc_url, timeout=1.0)
            except NetworkError:
                return None
            node.check_listener(self.port or 0)
            return chain

        try:
            if fixed is None:
                self.port = wait_listening_port(node, timeout)
            chain = wait_until(ready, max(0.0, deadline - time.monotonic()))
        except KeyboardInterrupt:
            self.stop()
            raise
        except BaseException:
            self._keep_log = True  # named in the error
            self.stop()
            raise
        if chain is None:
            self._keep_log = True
            self.stop()
            raise ToolchainError(f"anvil did not answer on {node.rpc_url} within {timeout:.0f}s; see {self.log_path}")
        return chain

    def stop(self) -> None:
        """Stop anvil (by PID, checked) and delete its log unless a failed start names it."""
        if self.node is not None:
            self.node.stop(timeout=10)
            self.node = None
            if not self._keep_log:
                self.log_path.unlink(missing_ok=True)
        if self._chosen:
            self.port = None  # a restart binds a fresh port again

    def __enter__(self) -> Chain:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
