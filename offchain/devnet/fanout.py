"""A client for a multi-node devnet: every signed transaction goes to every node it knows.

Why: each EthereumJS node keeps its own transaction pool. A transaction sent to one node
reaches the signer whose turn it is only through gossip, and a signer that was killed
and restarted comes back with an empty pool and misses what was gossiped meanwhile.
Submitting the same signed bytes to every node puts the transaction in every signer's
pool at once, and receipts are read from whichever node answers first, so one node
down or behind does not stall the caller.

No double spend: the transaction is signed once; every node receives the *same bytes*
(same sender, same nonce, hence one hash). A chain includes a given nonce of an account
at most once, so at most one copy is ever mined, and all copies are that same
transaction. A node that already has it answers "already in the TxPool" (counted as
accepted); a node that has already seen it mined answers "nonce too low" (also
harmless). Re-broadcasts (after ``resend_after`` seconds without a receipt: a node may
have restarted with an empty pool, or the block holding it may have been reorganised
away) send the same bytes again and nothing else. Nonces are handed out by this client
per account (EthereumJS has no ``pending`` nonce): the start value is the highest
``latest`` count any node reports, then counted up locally.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from eth_account.signers.local import LocalAccount
from web3.exceptions import TransactionNotFound

from ..kernel.chain import Chain, connect
from ..kernel.chain import settled as _settled

__all__ = ["FanoutClient", "ReceiptWatcher", "Submitted", "BENIGN_REFUSALS"]

#: node answers to a re-sent transaction that mean "I have it / it is already mined"
BENIGN_REFUSALS = ("already in the txpool", "already known", "nonce too low", "tries to send a tx with nonce")


@dataclass
class Submitted:
    """One signed transaction and what became of it."""

    tx_hash: str
    raw: bytes
    sender: str
    nonce: int
    sent_at: float  # time.monotonic() of the first broadcast
    sent_block: int  # highest head any node reported just before the broadcast
    accepted_by: list[int] = field(default_factory=list)  # node indices that took it into their pool
    refused: dict[int, str] = field(default_factory=dict)
    broadcasts: int = 1
    receipt: Any = None
    seen_at: float | None = None  # first time any node had the receipt
    seen_by: int | None = None
    seen_at_node: dict[int, float] = field(default_factory=dict)

    @property
    def latency(self) -> float | None:
        return None if self.seen_at is None else self.seen_at - self.sent_at


class FanoutClient:
    """Send signed transactions to every node in ``urls``; read receipts from any of them."""

    def __init__(self, urls: list[str], *, chain_id: int, timeout: float = 3.0, resend_after: float = 4.0) -> None:
        if not urls:
            raise ValueError("FanoutClient needs at least one node URL")
        self.urls = list(urls)
        self.chain_id = chain_id
        self.timeout = timeout
        self.resend_after = resend_after
        self._chains: dict[int, Chain] = {}
        self._nonces: dict[str, int] = {}
        self._lock = threading.Lock()
        self.resubmissions = 0

    # -- nodes --------------------------------------------------------------------------
    def chain(self, i: int) -> Chain | None:
        """A connection to node ``i`` (None while it does not answer)."""
        chain = self._chains.get(i)
        if chain is None:
            try:
                chain = connect(self.urls[i], expected_chain_id=self.chain_id, timeout=self.timeout)
            except Exception:  # noqa: BLE001 - a node down is normal here: try the others
                return None
            self._chains[i] = chain
        return chain

    def _call(self, i: int, fn: Any) -> Any:
        chain = self.chain(i)
        if chain is None:
            raise ConnectionError(f"node {i} does not answer")
        try:
            return fn(chain)
        except (requests.exceptions.RequestException, OSError):
            self._chains.pop(i, None)  # reconnect next time (a restarted node)
            raise

    def heads(self) -> list[int | None]:
        out: list[int | None] = []
        for i in range(len(self.urls)):
            try:
                out.append(int(self._call(i, lambda c: c.w3.eth.block_number)))
            except Exception:  # noqa: BLE001 - a node down reports no head
                out.append(None)
        return out

    def head(self) -> int:
        known = [h for h in self.heads() if h is not None]
        if not known:
            raise ConnectionError("no node of the devnet answers")
        return max(known)

    # -- nonces and fees ----------------------------------------------------------------
    def next_nonce(self, address: str) -> int:
        with self._lock:
            if address not in self._nonces:
                counts = []
                for i in range(len(self.urls)):
                    try:
                        counts.append(int(self._call(i, lambda c: c.w3.eth.get_transaction_count(address, "latest"))))
                    except Exception:  # noqa: BLE001, S112 - nodes down do not vote
                        continue
                if not counts:
                    raise ConnectionError("no node of the devnet answers")
                self._nonces[address] = max(counts)
            nonce = self._nonces[address]
            self._nonces[address] = nonce + 1
            return nonce

    def fee_fields(self) -> dict[str, int]:
        for i in range(len(self.urls)):
            try:
                return dict(self._call(i, lambda c: c.fee_fields()))
            except Exception:  # noqa: BLE001, S112 - try the next node
                continue
        raise ConnectionError("no node of the devnet answers")

    # -- sending ------------------------------------------------------------------------
    def transfer(
        self,
        sender: LocalAccount,
        to: str,
        value: int,
        *,
        fees: dict[str, int] | None = None,
        nodes: list[int] | None = None,
        watcher: ReceiptWatcher | None = None,
    ) -> Submitted:
        """Sign a plain transfer with the next nonce of ``sender`` and broadcast it."""
        tx = {"to": to, "value": value, "gas": 21_000, "type": 2, "chainId": self.chain_id}
        tx.update(fees or self.fee_fields())
        tx["nonce"] = self.next_nonce(sender.address)
        signed = sender.sign_transaction(tx)
        return self.submit(
            bytes(signed.raw_transaction), sender.address, int(tx["nonce"]), nodes=nodes, watcher=watcher
        )

    def submit(
        self,
        raw: bytes,
        sender: str,
        nonce: int,
        *,
        nodes: list[int] | None = None,
        watcher: ReceiptWatcher | None = None,
    ) -> Submitted:
        """Broadcast signed ``raw`` to ``nodes`` (default: every node); ``watcher`` tracks it first."""
        from eth_utils import keccak

        try:
            sent_block = self.head()
        except ConnectionError:
            sent_block = -1
        sub = Submitted(
            tx_hash="0x" + keccak(raw).hex(),
            raw=raw,
            sender=sender,
            nonce=nonce,
            sent_at=time.monotonic(),
            sent_block=sent_block,
        )
        if watcher is not None:
            watcher.track(sub)
        self._broadcast(sub, nodes)
        if not sub.accepted_by:
            raise RuntimeError(f"no node accepted {sub.tx_hash}: {sub.refused}")
        return sub

    def _broadcast(self, sub: Submitted, nodes: list[int] | None = None) -> None:
        for i in range(len(self.urls)) if nodes is None else nodes:
            try:
                # _settled: right after a new head EthereumJS may not have executed it yet
                self._call(i, lambda c: _settled(lambda: c.w3.eth.send_raw_transaction(sub.raw), attempts=30))
                if i not in sub.accepted_by:
                    sub.accepted_by.append(i)
            except Exception as exc:  # noqa: BLE001 - recorded per node
                text = str(exc)
                if any(word in text.lower() for word in BENIGN_REFUSALS):
                    if i not in sub.accepted_by:
                        sub.accepted_by.append(i)
                else:
                    sub.refused[i] = f"{type(exc).__name__}: {text[:160]}"

    # -- receipts -----------------------------------------------------------------------
    def poll(self, sub: Submitted, *, nodes: list[int] | None = None) -> Any:
        """Look for the receipt of ``sub`` on ``nodes`` (default all); record when each node had it."""
        for i in range(len(self.urls)) if nodes is None else nodes:
            if i in sub.seen_at_node:
                continue
            try:
                receipt = self._call(i, lambda c: c.w3.eth.get_transaction_receipt(sub.tx_hash))
            except TransactionNotFound:
                continue
            except Exception:  # noqa: BLE001, S112 - node down or restarting
                continue
            if receipt is None:
                continue
            now = time.monotonic()
            sub.seen_at_node[i] = now
            if sub.receipt is None:
                sub.receipt, sub.seen_at, sub.seen_by = receipt, now, i
        return sub.receipt

    def maybe_resend(self, sub: Submitted) -> None:
        """Re-broadcast the same bytes if no node has had a receipt for ``resend_after`` s."""
        if sub.receipt is not None:
            return
        if time.monotonic() - sub.sent_at >= self.resend_after * sub.broadcasts:
            sub.broadcasts += 1
            self.resubmissions += 1
            self._broadcast(sub)

    def wait(
        self, subs: list[Submitted], *, timeout: float = 120.0, poll: float = 0.05, resend: bool = True
    ) -> list[Submitted]:
        """Wait until every one of ``subs`` has a receipt on some node; returns those still missing.

        With ``resend`` (default) a transfer without receipt is re-broadcast to every node
        (:meth:`maybe_resend`); without it, only the nodes it was sent to ever had it.
        """
        deadline = time.monotonic() + timeout
        pending = [s for s in subs if s.receipt is None]
        while pending and time.monotonic() < deadline:
            for sub in pending:
                self.poll(sub)
                if resend:
                    self.maybe_resend(sub)
            pending = [s for s in pending if s.receipt is None]
            if pending:
                time.sleep(poll)
        return pending


class ReceiptWatcher:
    """Record when each tracked transaction's receipt becomes visible on each node.

    One thread per node follows that node's head; for every new block it reads the
    block's transaction hashes and, for each tracked one, the receipt (retried while the
    node has imported but not yet executed the block). A few RPC calls per block and
    node, however many transfers are pending, so a busy machine delays the measurement
    client much less than polling every pending receipt on every node.
    """

    def __init__(self, urls: list[str], *, chain_id: int, nodes: list[int] | None = None, poll: float = 0.02) -> None:
        self.urls = list(urls)
        self.chain_id = chain_id
        self.nodes = list(range(len(urls))) if nodes is None else nodes
        self.poll = poll
        self.arrivals: dict[int, list[tuple[int, float]]] = {i: [] for i in self.nodes}
        self._subs: dict[str, Submitted] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def track(self, sub: Submitted) -> None:
        with self._lock:
            self._subs[sub.tx_hash.lower()] = sub

    def start(self) -> ReceiptWatcher:
        for i in self.nodes:
            thread = threading.Thread(target=self._run, args=(i,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(10)

    def _record(self, i: int, chain: Chain, tx_hash: str) -> None:
        with self._lock:
            sub = self._subs.get(tx_hash)
        if sub is None or i in sub.seen_at_node:
            return
        for _ in range(100):  # imported, maybe not executed yet: receipts follow within ms
            try:
                receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                time.sleep(0.02)
                continue
            now = time.monotonic()
            with self._lock:
                sub.seen_at_node[i] = now
                if sub.receipt is None:
                    sub.receipt, sub.seen_at, sub.seen_by = receipt, now, i
            return

    def _run(self, i: int) -> None:
        chain: Chain | None = None
        last: int | None = None
        while not self._stop.is_set():
            try:
                if chain is None:
                    chain = connect(self.urls[i], expected_chain_id=self.chain_id, timeout=3.0)
                head = int(chain.w3.eth.block_number)
                if last is None or head < last - 8:
                    last = head  # start (or a node restarted far behind): follow from here
                for number in range(last + 1, head + 1):
                    self.arrivals[i].append((number, time.monotonic()))
                    block = chain.w3.eth.get_block(number)
                    for h in block["transactions"]:
                        self._record(i, chain, "0x" + bytes(h).hex())
                    last = number
            except Exception:  # noqa: BLE001 - node down or restarting: reconnect
                chain = None
                self._stop.wait(0.2)
                continue
            self._stop.wait(self.poll)
