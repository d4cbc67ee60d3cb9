"""web3.py client of the GridEvents contract: send the four events, read records back from logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from ..contracts import call_or_raise
from ..deploy import contract_at
from ..network import Chain

__all__ = ["GridClient", "label32", "unlabel32", "EVENT_NAMES"]

CONTRACT = "GridEvents"
EVENT_NAMES = ("StorageRecorded", "PurchaseRecorded", "TransferRecorded", "BillAnchored")
Sender = LocalAccount | str


def label32(text: str) -> bytes:
    """A short UTF-8 label (≤ 32 bytes) as bytes32, right-padded with zeros."""
    raw = text.encode()
    if not raw or len(raw) > 32:
        raise ValueError(f"label {text!r} must be 1 to 32 bytes of UTF-8")
    return raw.ljust(32, b"\0")


def unlabel32(value: bytes) -> str:
    return bytes(value).rstrip(b"\0").decode(errors="replace")


@dataclass
class GridClient:
    chain: Chain
    contract: Contract

    @classmethod
    def at(cls, chain: Chain, address: str) -> GridClient:
        return cls(chain, contract_at(chain, CONTRACT, address))

    @property
    def address(self) -> str:
        return str(self.contract.address)

    # -- sending ------------------------------------------------------------------------
    def _send(self, fn: Any, sender: Sender, what: str) -> Any:
        address = sender if isinstance(sender, str) else sender.address
        # explicit gas/gasPrice keep web3 from estimating (reverts are decoded by Chain.send)
        # or from mixing fee styles; Chain.send then fills in gas and the chain's fee fields
        tx = fn.build_transaction({"from": address, "gas": 0, "gasPrice": 0})
        tx.pop("gas")
        tx.pop("gasPrice")
        return self.chain.send(tx, sender, what=what)

    def _event(self, receipt: Any, name: str) -> dict[str, Any]:
        logs = getattr(self.contract.events, name)().process_receipt(receipt)
        return dict(logs[0]["args"])

    def register_location(self, operator: Sender, location: str) -> Any:
        return self._send(self.contract.functions.registerLocation(label32(location)), operator, "registerLocation")

    def register_device(self, operator: Sender, device: str, location: str) -> Any:
        fn = self.contract.functions.registerDevice(device, label32(location))
        return self._send(fn, operator, "registerDevice")

    def revoke_device(self, operator: Sender, device: str) -> Any:
        return self._send(self.contract.functions.revokeDevice(device), operator, "revokeDevice")

    def record_storage(self, sensor: Sender, capacity_wh: int, available_wh: int, rate_milli_per_kwh: int) -> Any:
        fn = self.contract.functions.recordStorage(capacity_wh, available_wh, rate_milli_per_kwh)
        return self._send(fn, sensor, "storage event")

    def record_purchase(self, purchaser: Sender, location: str, quantity_wh: int) -> Any:
        fn = self.contract.functions.recordPurchase(label32(location), quantity_wh)
        return self._send(fn, purchaser, "purchase event")

    def record_transfer(
        self,
        device: Sender,
        purchaser: str,
        purchase_id: int,
        device_name: str,
        amount_wh: int,
        start: int,
        end: int,
    ) -> Any:
        fn = self.contract.functions.recordTransfer(purchaser, purchase_id, label32(device_name), amount_wh, start, end)
        return self._send(fn, device, "transfer event")

    def anchor_bill(self, purchaser: Sender, digest: bytes) -> Any:
        return self._send(self.contract.functions.anchorBill(digest), purchaser, "bill anchoring")

    def event_args(self, receipt: Any, name: str) -> dict[str, Any]:
        """Arguments of the first ``name`` event in ``receipt``."""
        return self._event(receipt, name)

    # -- reading ------------------------------------------------------------------------
    def bill_owner(self, digest: bytes) -> str | None:
        record = call_or_raise(self.contract.functions.billOf(digest), "billOf")
        owner = record[0]
        return None if int(owner, 16) == 0 else str(owner)

    def purchaser_counts(self, purchaser: str) -> dict[str, int]:
        p = call_or_raise(self.contract.functions.purchaserOf(purchaser), "purchaserOf")
        return {"purchases": int(p[0]), "transfers": int(p[1]), "bills": int(p[2])}

    def logs(self, name: str, *, to_block: int | str = "latest", **filters: Any) -> list[Any]:
        """Every ``name`` event of this contract (block order), optionally filtered by indexed args."""
        event = getattr(self.contract.events, name)
        logs = event.get_logs(from_block=0, to_block=to_block, argument_filters=filters or None)
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))
