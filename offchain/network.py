"""Connect web3.py to the embedded anvil chain or to any JSON-RPC endpoint.

``connect(url)`` returns a :class:`Chain`: a web3 instance plus the helpers every
module needs — chain-id guard, fee selection that works on EIP-1559 chains and on
EthereumJS (which lacks ``eth_feeHistory`` / ``eth_maxPriorityFeePerGas``), and
transaction sending with local keys or node-unlocked accounts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted

from ._utils import free_port, node_bin, state_dir, wait_until
from .errors import ChainIdMismatchError, ConfigError, NetworkError, ToolchainError, TransactionFailedError

__all__ = ["Chain", "connect", "EmbeddedAnvil", "ANVIL_MNEMONIC", "anvil_keys"]

#: Anvil's well-known development mnemonic: its accounts are funded on every start.
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
ANVIL_CHAIN_ID = 31337

Account.enable_unaudited_hdwallet_features()


def anvil_keys(count: int = 10) -> list[LocalAccount]:
    """The first ``count`` accounts of anvil's development mnemonic."""
    return [Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)]


def _check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"bad RPC URL {url!r}: expected http(s)://host[:port][/path]")


@dataclass
class Chain:
    """A connected chain: web3 instance, URL and chain id."""

    w3: Web3
    url: str
    chain_id: int
    _eip1559: bool | None = field(default=None, repr=False)

    # -- fees -------------------------------------------------------------------------
    def fee_fields(self) -> dict[str, int]:
        """Gas-price fields for a new transaction, without asking the user for flags.

        EIP-1559 chains get ``maxFeePerGas``/``maxPriorityFeePerGas``; when the node
        does not implement ``eth_maxPriorityFeePerGas`` (EthereumJS) the tip falls back
        to 1 gwei. Chains without a base fee get a legacy ``gasPrice``.
        """
        block = self.w3.eth.get_block("latest")
        base_fee = block.get("baseFeePerGas")
        if base_fee is None:
            return {"gasPrice": int(self.w3.eth.gas_price)}
        try:
            tip = int(self.w3.eth.max_priority_fee)
        except Exception:  # noqa: BLE001 - node lacks the method: use a fixed tip
            tip = 10**9
        return {"maxFeePerGas": int(base_fee) * 2 + tip, "maxPriorityFeePerGas": tip}

    # -- sending ----------------------------------------------------------------------
    def send(
        self, tx: dict[str, Any], sender: LocalAccount | str, *, timeout: float = 120, what: str = "transaction"
    ) -> Any:
        """Fill in nonce, gas and fees, send ``tx`` from ``sender`` and wait for the receipt.

        ``sender`` is a local account (signed here) or an address unlocked on the node.
        A transaction the chain would refuse raises :class:`TransactionFailedError` with
        the decoded custom error (nothing is sent); a missing receipt after ``timeout``
        seconds raises :class:`NetworkError`.
        """
        from .contracts import failure_from

        tx = dict(tx)
        address = sender if isinstance(sender, str) else sender.address
        tx.setdefault("from", address)
        tx.setdefault("chainId", self.chain_id)
        tx.setdefault("nonce", self.w3.eth.get_transaction_count(address, "pending"))
        if "gasPrice" not in tx and "maxFeePerGas" not in tx:
            tx.update(self.fee_fields())
        if "gas" not in tx:
            try:
                tx["gas"] = int(self.w3.eth.estimate_gas(tx) * 1.2) + 10_000
            except (ContractCustomError, ContractLogicError) as exc:
                raise failure_from(exc, what) from exc
        if isinstance(sender, str):
            tx_hash = self.w3.eth.send_transaction(tx)
        else:
            signed = sender.sign_transaction(tx)
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=0.05)
        except TimeExhausted as exc:
            raise NetworkError(f"no receipt for {tx_hash.hex()} after {timeout:.0f}s at {self.url}") from exc
        if receipt["status"] != 1:
            raise TransactionFailedError(f"{what} reverted in tx 0x{tx_hash.hex()}", tx_hash="0x" + tx_hash.hex())
        return receipt


def connect(url: str, *, expected_chain_id: int | None = None, timeout: float = 10.0) -> Chain:
    """Connect to the JSON-RPC endpoint at ``url``.

    Raises :class:`ConfigError` for a malformed URL, :class:`NetworkError` when nothing
    answers, and :class:`ChainIdMismatchError` when ``expected_chain_id`` is given and
    differs from the chain's — before anything is sent.
    """
    _check_url(url)
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:  # noqa: BLE001 - any transport failure means unreachable
        raise NetworkError(f"cannot reach an Ethereum JSON-RPC node at {url}: {type(exc).__name__}") from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ChainIdMismatchError(expected_chain_id, chain_id, url)
    return Chain(w3=w3, url=url, chain_id=chain_id)


class EmbeddedAnvil:
    """An anvil process started from ``node_modules`` and stopped by PID.

    Use as a context manager::

        with EmbeddedAnvil() as chain:
            ...  # chain is a connected Chain
    """

    def __init__(
        self, port: int | None = None, *, block_time: float | None = None, accounts: int = 10, hardfork: str = "london"
    ) -> None:
        self.port = port or free_port()
        self.block_time = block_time
        self.accounts = accounts
        self.hardfork = hardfork
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = state_dir() / f"anvil-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Chain:
        cmd = [
            node_bin("anvil"),
            "--port",
            str(self.port),
            "--host",
            "127.0.0.1",
            "--accounts",
            str(self.accounts),
            "--hardfork",
            self.hardfork,
            "--base-fee",
            "0",
            "--gas-limit",
            "30000000",
            "--mnemonic",
            ANVIL_MNEMONIC,
        ]
        if self.block_time:
            cmd += ["--block-time", str(self.block_time)]
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

        def ready() -> Chain | None:
            if self.proc is not None and self.proc.poll() is not None:
                raise ToolchainError(f"anvil exited with code {self.proc.returncode}; see {self.log_path}")
            try:
                return connect(self.url, timeout=1.0)
            except NetworkError:
                return None

        chain = wait_until(ready, timeout)
        if chain is None:
            self.stop()
            raise ToolchainError(f"anvil did not answer on {self.url} within {timeout:.0f}s; see {self.log_path}")
        return chain

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> Chain:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for_chain(url: str, timeout: float) -> Chain:
    """Connect to ``url``, retrying until it answers or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return connect(url, timeout=2.0)
        except NetworkError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
