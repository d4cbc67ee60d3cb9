"""web3.py client of the GridEvents contract: send the four events, read records back from logs.

Every state-changing method takes the signing account as keyword-only ``sender=`` (the
grid operator, a sensor or device, or a purchaser, as the contract requires) and
returns the transaction receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from ..kernel.chain import Chain
from ..kernel.contracts import call_or_raise, contract_at

__all__ = ["GridClient", "PurchaserCounts", "label32", "unlabel32", "EVENT_NAMES", "Sender"]

CONTRACT = "GridEvents"
EVENT_NAMES = ("StorageRecorded", "PurchaseRecorded", "TransferRecorded", "BillAnchored")
#: who signs a transaction: a local account, or an address unlocked on the node
Sender = LocalAccount | str


def label32(text: str) -> bytes:
    """A short UTF-8 label (≤ 32 bytes) as bytes32, right-padded with zeros."""
    raw = text.encode()
    if not raw or len(raw) > 32:
        raise ValueError(f"label {text!r} must be 1 to 32 bytes of UTF-8")
    return raw.ljust(32, b"\0")


def unlabel32(value: bytes) -> str:
    return bytes(value).rstrip(b"\0").decode(errors="replace")


@dataclass(frozen=True)
class PurchaserCounts:
    """How many records the contract holds for one purchaser (the paper's "number of records")."""

    purchases: int
    transfers: int
    bills: int


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

    def register_location(self, location: str, *, sender: Sender) -> Any:
        """Operator only."""
        return self._send(self.contract.functions.registerLocation(label32(location)), sender, "registerLocation")

    def register_device(self, device: str, location: str, *, sender: Sender) -> Any:
        """Operator only: ``device`` may then record storage / transfers at ``location``."""
        fn = self.contract.functions.registerDevice(device, label32(location))
        return self._send(fn, sender, "registerDevice")

    def revoke_device(self, device: str, *, sender: Sender) -> Any:
        """Operator only."""
        return self._send(self.contract.functions.revokeDevice(device), sender, "revokeDevice")

    def record_storage(self, capacity_wh: int, available_wh: int, rate_milli_per_kwh: int, *, sender: Sender) -> Any:
        """A registered sensor records its location's storage."""
        fn = self.contract.functions.recordStorage(capacity_wh, available_wh, rate_milli_per_kwh)
        return self._send(fn, sender, "storage event")

    def record_purchase(self, location: str, quantity_wh: int, *, sender: Sender) -> Any:
        """The purchaser (``sender``) buys ``quantity_wh`` at ``location``."""
        fn = self.contract.functions.recordPurchase(label32(location), quantity_wh)
        return self._send(fn, sender, "purchase event")

    def record_transfer(
        self,
        purchaser: str,
        purchase_id: int,
        device_name: str,
        amount_wh: int,
        start: int,
        end: int,
        *,
        sender: Sender,
    ) -> Any:
        """A registered device (``sender``) records a transfer against ``purchaser``'s purchase."""
        fn = self.contract.functions.recordTransfer(purchaser, purchase_id, label32(device_name), amount_wh, start, end)
        return self._send(fn, sender, "transfer event")

    def anchor_bill(self, digest: bytes, *, sender: Sender) -> Any:
        """The purchaser (``sender``) anchors the sha2-256 digest of its bill's CID."""
        return self._send(self.contract.functions.anchorBill(digest), sender, "bill anchoring")

    # -- reading ------------------------------------------------------------------------
    def bill_owner(self, digest: bytes) -> str | None:
        record = call_or_raise(self.contract.functions.billOf(digest), "billOf")
        owner = record[0]
        return None if int(owner, 16) == 0 else str(owner)

    def purchaser_counts(self, purchaser: str) -> PurchaserCounts:
        purchases, transfers, bills = call_or_raise(self.contract.functions.purchaserOf(purchaser), "purchaserOf")[:3]
        return PurchaserCounts(int(purchases), int(transfers), int(bills))

    def location_registered(self, location: str) -> bool:
        return bool(call_or_raise(self.contract.functions.locationOf(label32(location)), "locationOf")[4])

    def logs(self, name: str, *, to_block: int | str = "latest", **filters: Any) -> list[Any]:
        """Every ``name`` event of this contract (block order), optionally filtered by indexed args."""
        event = getattr(self.contract.events, name)
        logs = event.get_logs(from_block=0, to_block=to_block, argument_filters=filters or None)
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))
