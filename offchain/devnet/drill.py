"""Fault drill: a node goes away while transactions are in flight, and comes back.

:func:`run_drill` sends ``count`` transfers through :meth:`Chain.send` in a background
thread (each waits for its receipt), stops a node — SIGKILL, no clean shutdown — while
they are in flight, restarts it on the same data folder and ports, and waits for every
sender to finish. It then checks that each nonce was used exactly once, that every
transaction is mined exactly once, and reports how many were re-broadcast.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount

from .poa import PoaDevnet

__all__ = ["DrillResult", "run_drill"]


@dataclass
class DrillResult:
    sent: int
    confirmed: int
    resubmissions: int
    errors: list[str] = field(default_factory=list)
    nonces: list[int] = field(default_factory=list)
    tx_hashes: list[str] = field(default_factory=list)
    duplicates: int = 0
    downtime_s: float = 0.0
    recovery_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("tx_hashes",)}


def run_drill(
    devnet: PoaDevnet,
    sender: LocalAccount,
    recipient: str,
    *,
    count: int = 6,
    node: int = 0,
    via: int = 0,
    down_for: float = 2.0,
    hard: bool = True,
) -> DrillResult:
    """Send ``count`` transfers through node ``via``; kill and restart node ``node`` meanwhile."""
    chain = devnet.chain(via)
    start_nonce = int(chain.w3.eth.get_transaction_count(sender.address, "latest"))
    receipts: list[Any] = []
    errors: list[str] = []
    in_flight = threading.Event()

    def worker() -> None:
        for _ in range(count):
            try:
                in_flight.set()
                receipts.append(chain.send({"to": recipient, "value": 1}, sender, timeout=120))
            except Exception as exc:  # noqa: BLE001 - recorded and reported by the drill
                errors.append(f"{type(exc).__name__}: {exc}")
                return

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    in_flight.wait(10)
    _wait_in_pool(chain, sender.address, start_nonce)  # the first transaction is in the pool, not yet sealed
    t_down = time.monotonic()
    devnet.stop_node(node, hard=hard)
    time.sleep(down_for)
    devnet.restart_node(node)
    t_up = time.monotonic()
    thread.join(180)
    result = DrillResult(
        sent=count,
        confirmed=sum(1 for r in receipts if r["status"] == 1),
        resubmissions=chain.resubmissions,
        errors=errors,
        downtime_s=round(t_up - t_down, 2),
        recovery_s=round(time.monotonic() - t_up, 2),
    )
    # every nonce from start_nonce on is used exactly once, by our transfers only
    final_nonce = int(chain.w3.eth.get_transaction_count(sender.address, "latest"))
    seen: dict[int, int] = {}
    head = chain.w3.eth.block_number
    first = min((int(r["blockNumber"]) for r in receipts), default=head)
    for number in range(max(first - 5, 0), head + 1):
        for tx in chain.w3.eth.get_block(number, full_transactions=True)["transactions"]:
            if tx["from"] == sender.address and tx["nonce"] >= start_nonce:
                seen[tx["nonce"]] = seen.get(tx["nonce"], 0) + 1
                result.tx_hashes.append("0x" + bytes(tx["hash"]).hex())
    result.nonces = sorted(seen)
    result.duplicates = sum(n - 1 for n in seen.values()) + (len(result.tx_hashes) - len(set(result.tx_hashes)))
    if final_nonce != start_nonce + result.confirmed:
        result.errors.append(f"nonce advanced by {final_nonce - start_nonce}, {result.confirmed} confirmed")
    return result


def _wait_in_pool(chain: Any, address: str, nonce: int, timeout: float = 10.0) -> None:
    """Until the node's pool (``txpool_content``) holds ``address``'s transaction ``nonce``,
    or it is already mined; a fixed 0.3 s was too short on a busy machine: the node was
    killed before the first transfer had even been sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if int(chain.w3.eth.get_transaction_count(address, "latest")) > nonce:
                return
            pending = chain.w3.provider.make_request("txpool_content", []).get("result", {}).get("pending", {})
            if str(nonce) in {str(int(k)) for k in pending.get(address.lower(), {})}:
                return
        except Exception:  # noqa: BLE001 - no txpool_content on this node: fall back to a fixed wait
            time.sleep(0.3)
            return
        time.sleep(0.05)
