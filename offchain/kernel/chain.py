"""Connect web3.py to any JSON-RPC endpoint and send transactions there.

``connect(url)`` returns a :class:`Chain`: a web3 instance plus the helpers every
module needs — chain-id guard, fee selection that works on EIP-1559 chains and on
EthereumJS (which lacks ``eth_feeHistory`` / ``eth_maxPriorityFeePerGas``), and
transaction sending with local keys or node-unlocked accounts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlparse

import requests
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound, Web3RPCError
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import RPCEndpoint

from .errors import ChainIdMismatchError, ConfigError, NetworkError, TransactionFailedError
from .reverts import failure_from

__all__ = ["Chain", "connect", "settled", "CACHEABLE_REQUESTS"]

#: JSON-RPC answers that cannot change under one connection: cached on its provider
#: (web3's validation middleware would ask for the chain id before every call and
#: transaction). The test suite caches the same answers on brownie's provider.
CACHEABLE_REQUESTS = frozenset({RPCEndpoint("eth_chainId"), RPCEndpoint("net_version")})

#: Priority fee used when the node cannot suggest one (EthereumJS): 1 gwei.
FALLBACK_TIP_WEI = 10**9

T = TypeVar("T")


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
    _tip_rpc: bool | None = field(default=None, repr=False)
    _nonces: dict[str, int] = field(default_factory=dict, repr=False)
    #: how many times :meth:`wait_for_receipt` re-broadcast a transaction the node had lost
    resubmissions: int = field(default=0, repr=False)

    # -- fees -------------------------------------------------------------------------
    def fee_fields(self) -> dict[str, int]:
        """Gas-price fields for a new transaction, without asking the user for flags.

        EIP-1559 chains get ``maxFeePerGas``/``maxPriorityFeePerGas`` (twice the latest
        base fee plus the tip, so the transaction survives a few fuller blocks); the tip
        comes from ``eth_maxPriorityFeePerGas`` and, where the node lacks it (EthereumJS
        has neither it nor ``eth_feeHistory``), falls back to :data:`FALLBACK_TIP_WEI`.
        Chains without a base fee get a legacy ``gasPrice`` from ``eth_gasPrice``.
        """
        block = self.w3.eth.get_block("latest")
        base_fee = block.get("baseFeePerGas")
        if base_fee is None:
            return {"gasPrice": int(self.w3.eth.gas_price)}
        tip = self._priority_fee()
        return {"maxFeePerGas": int(base_fee) * 2 + tip, "maxPriorityFeePerGas": tip}

    def _priority_fee(self) -> int:
        # Ask the node directly (web3's max_priority_fee would warn and try eth_feeHistory,
        # which EthereumJS lacks too); remember a missing method so it is asked once.
        if self._tip_rpc is not False:
            try:
                response = self.w3.provider.make_request("eth_maxPriorityFeePerGas", [])  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - transport trouble: use the fallback this time
                response = {}
            result = response.get("result") if isinstance(response, dict) else None
            if result is not None:
                self._tip_rpc = True
                return max(int(result, 16) if isinstance(result, str) else int(result), 1)
            if isinstance(response, dict) and "error" in response:
                self._tip_rpc = False
        return FALLBACK_TIP_WEI

    # -- nonces -----------------------------------------------------------------------
    def _next_nonce(self, address: str) -> int:
        """Next nonce of ``address``: ``pending`` count where supported, else ``latest``
        raised to what this Chain has already handed out (EthereumJS refuses ``pending``)."""
        try:
            # the node's own view wins where it has one: a reverted chain (a test snapshot,
            # a reorg) lowers it, and a cached higher nonce would leave a gap never mined
            return int(self.w3.eth.get_transaction_count(address, "pending"))
        except Web3RPCError:
            on_chain = int(settled(lambda: self.w3.eth.get_transaction_count(address, "latest")))
        return max(on_chain, self._nonces.get(address, 0))

    # -- sending ----------------------------------------------------------------------
    def send(
        self,
        tx: dict[str, Any],
        sender: LocalAccount | str,
        *,
        timeout: float = 120,
        what: str = "transaction",
        on_broadcast: Callable[[HexBytes], None] | None = None,
    ) -> Any:
        """Fill in nonce, gas and fees, send ``tx`` from ``sender`` and wait for the receipt.

        ``sender`` is a local account (signed here) or an address unlocked on the node;
        ``on_broadcast(tx_hash)`` is called once the node has accepted the transaction.
        A transaction the chain would refuse raises :class:`TransactionFailedError` with
        the decoded custom error (nothing is sent); a missing receipt after ``timeout``
        seconds raises :class:`NetworkError`.

        While waiting, an unreachable node is retried (the HTTP connection is re-opened),
        and a transaction the node no longer knows (a restarted node loses its pool) is
        re-broadcast byte for byte — same nonce, same hash — so it is mined at most once.
        """
        tx = dict(tx)
        address = sender if isinstance(sender, str) else sender.address
        tx.setdefault("from", address)
        tx.setdefault("chainId", self.chain_id)
        tx.setdefault("nonce", self._next_nonce(address))
        if "gasPrice" not in tx and "maxFeePerGas" not in tx:
            tx.update(self.fee_fields())
        if "maxFeePerGas" in tx:
            tx.setdefault("type", 2)  # EthereumJS estimates an untyped request as legacy with gasPrice 0
        if "gas" not in tx:
            try:
                tx["gas"] = int(settled(lambda: self.w3.eth.estimate_gas(tx)) * 1.2) + 10_000
            except (ContractCustomError, ContractLogicError) as exc:
                raise failure_from(exc, what) from exc
        raw = None if isinstance(sender, str) else bytes(sender.sign_transaction(tx).raw_transaction)
        tx_hash = self._broadcast(tx, raw)
        self._nonces[address] = int(tx["nonce"]) + 1
        if on_broadcast is not None:  # the node has the transaction; its receipt is awaited next
            on_broadcast(tx_hash)
        try:
            receipt = self.wait_for_receipt(tx_hash, timeout=timeout, resend=(tx, raw))
        except NetworkError:
            self._nonces.pop(address, None)  # the nonce may still be free: ask the chain next time
            raise
        if receipt["status"] != 1:
            raise TransactionFailedError(f"{what} reverted in tx 0x{tx_hash.hex()}", tx_hash="0x" + tx_hash.hex())
        return receipt

    def _broadcast(self, tx: dict[str, Any], raw: bytes | None) -> HexBytes:
        if raw is None:
            return HexBytes(self.w3.eth.send_transaction(tx))  # type: ignore[arg-type]
        return HexBytes(settled(lambda: self.w3.eth.send_raw_transaction(raw)))

    def wait_for_receipt(
        self,
        tx_hash: HexBytes | bytes | str,
        *,
        timeout: float = 120,
        poll: float = 0.05,
        resend: tuple[dict[str, Any], bytes | None] | None = None,
        resend_after: float = 4.0,
    ) -> Any:
        """Wait for the receipt of ``tx_hash``, riding out node restarts.

        Connection failures are retried until ``timeout``. With ``resend=(tx, raw)``, a
        transaction that has no receipt for ``resend_after`` seconds while its nonce is
        still unused on chain is broadcast again unchanged (``self.resubmissions`` counts
        it); once its nonce is spent nothing is sent again.
        """
        tx_hash = HexBytes(tx_hash)
        deadline = time.monotonic() + timeout
        last_sent = time.monotonic()
        while True:
            try:
                return self.w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                if resend is not None and time.monotonic() - last_sent >= resend_after:
                    last_sent = time.monotonic()
                    self._maybe_resend(tx_hash, *resend)
            except (requests.exceptions.RequestException, OSError, Web3RPCError):
                pass  # node down or restarting: keep polling (requests re-opens the connection)
            if time.monotonic() >= deadline:
                raise NetworkError(f"no receipt for 0x{tx_hash.hex()} after {timeout:.0f}s at {self.url}")
            time.sleep(poll)

    def _maybe_resend(self, tx_hash: HexBytes, tx: dict[str, Any], raw: bytes | None) -> None:
        try:
            used = int(self.w3.eth.get_transaction_count(tx["from"], "latest"))
        except (requests.exceptions.RequestException, OSError, Web3RPCError):
            return
        if used > int(tx["nonce"]):
            return  # the nonce is spent (by this tx, whose receipt comes next, or another): never re-send
        try:
            self._broadcast(tx, raw)
            self.resubmissions += 1
        except Web3RPCError as exc:
            if not any(word in str(exc).lower() for word in ("known", "already", "underpriced")):
                raise NetworkError(f"re-broadcast of 0x{tx_hash.hex()} refused: {exc}") from exc
        except (requests.exceptions.RequestException, OSError):
            pass


def settled(call: Callable[[], T], attempts: int = 50, delay: float = 0.1) -> T:
    """``call()``, retried while the node has imported its head block but not executed it yet
    (EthereumJS answers "State trie does not contain state root" for a few hundred ms)."""
    for attempt in range(attempts):
        try:
            return call()
        except Web3RPCError as exc:
            if "state root" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")


def connect(url: str, *, expected_chain_id: int | None = None, timeout: float = 10.0) -> Chain:
    """Connect to the JSON-RPC endpoint at ``url``.

    Raises :class:`ConfigError` for a malformed URL, :class:`NetworkError` when nothing
    answers, and :class:`ChainIdMismatchError` when ``expected_chain_id`` is given and
    differs from the chain's — before anything is sent.
    """
    _check_url(url)
    # a node's chain id does not change under a connection, and it is checked below before
    # anything is sent: cache it (CACHEABLE_REQUESTS). Failed answers are not cached.
    provider = HTTPProvider(
        url,
        request_kwargs={"timeout": timeout},
        cache_allowed_requests=True,
        cacheable_requests=CACHEABLE_REQUESTS,
    )
    w3 = Web3(provider)
    # Clique (PoA) headers carry 97-byte extraData; harmless on every other chain.
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:  # noqa: BLE001 - any transport failure means unreachable
        raise NetworkError(f"cannot reach an Ethereum JSON-RPC node at {url}: {type(exc).__name__}") from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ChainIdMismatchError(expected_chain_id, chain_id, url)
    return Chain(w3=w3, url=url, chain_id=chain_id)
