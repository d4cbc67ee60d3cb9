"""web3.py client of the GridEvents contract: send the four events, read records back from logs.

Every state-changing method takes the signing account as keyword-only ``sender=`` (the
grid operator, a storage sensor, a delivery device or a purchaser, as the contract
requires) and returns the transaction receipt. Purchases are paid through the shared
funds ledger the contract inherits: ``client.ledger.deposit(...)`` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from ..common.funds import FundsClient
from ..kernel.chain import Chain
from ..kernel.contracts import call_or_raise, contract_at

__all__ = ["GridClient", "PurchaserCounts", "label32", "unlabel32", "EVENT_NAMES", "Sender"]

CONTRACT = "GridEvents"
EVENT_NAMES = ("StorageRecorded", "PurchaseRecorded", "TransferRecorded", "PurchaseCancelled", "BillAnchored")
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
    def ledger(self) -> FundsClient:
        """The shared funds ledger the contract inherits: deposit before purchasing."""
        return FundsClient(self.chain, self.contract)

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

    def register_sensor(self, sensor: str, location: str, *, sender: Sender) -> Any:
        """Operator only: ``sensor`` may then record the storage of ``location`` (nothing else)."""
        fn = self.contract.functions.registerSensor(sensor, label32(location))
        return self._send(fn, sender, "registerSensor")

    def register_device(self, device: str, location: str, *, sender: Sender) -> Any:
        """Operator only: ``device`` may then record transfers at ``location`` (nothing else)."""
        fn = self.contract.functions.registerDevice(device, label32(location))
        return self._send(fn, sender, "registerDevice")

    def revoke_sensor(self, sensor: str, *, sender: Sender) -> Any:
        """Operator only."""
        return self._send(self.contract.functions.revokeSensor(sensor), sender, "revokeSensor")

    def revoke_device(self, device: str, *, sender: Sender) -> Any:
        """Operator only."""
        return self._send(self.contract.functions.revokeDevice(device), sender, "revokeDevice")

    def set_rate(self, location: str, rate_per_kwh: int, *, sender: Sender) -> Any:
        """Operator only: the rate (payment-asset units per kWh) of future purchases at ``location``."""
        return self._send(self.contract.functions.setRate(label32(location), rate_per_kwh), sender, "setRate")

    def set_payee(self, payee: str, *, sender: Sender) -> Any:
        """Operator only: who receives the payments for delivered energy."""
        return self._send(self.contract.functions.setPayee(payee), sender, "setPayee")

    def record_storage(self, capacity_wh: int, available_wh: int, *, sender: Sender) -> Any:
        """A registered storage sensor records its location's storage."""
        fn = self.contract.functions.recordStorage(capacity_wh, available_wh)
        return self._send(fn, sender, "storage event")

    def record_purchase(self, location: str, quantity_wh: int, deliver_by: int, *, sender: Sender) -> Any:
        """The purchaser (``sender``) buys ``quantity_wh`` at ``location``, to be delivered by
        ``deliver_by`` (unix time, at most 30 days ahead); the cost is frozen in its balance."""
        fn = self.contract.functions.recordPurchase(label32(location), quantity_wh, deliver_by)
        return self._send(fn, sender, "purchase event")

    def cancel_purchase(self, purchaser: str, location: str, purchase_id: int, *, sender: Sender) -> Any:
        """The purchaser after the deadline, or the operator any time: what was not delivered
        goes back (energy to storage, money to the purchaser's free balance)."""
        fn = self.contract.functions.cancelPurchase(purchaser, label32(location), purchase_id)
        return self._send(fn, sender, "cancelPurchase")

    def cost_of(self, quantity_wh: int, rate_per_kwh: int) -> int:
        """⌈rate × quantity / 1000⌉: what a purchase freezes (and deliveries pay out)."""
        return int(call_or_raise(self.contract.functions.costOf(quantity_wh, rate_per_kwh), "costOf"))

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
    def bill_anchored_at(self, purchaser: str, digest: bytes) -> int | None:
        """When ``purchaser`` anchored bill ``digest`` (unix time), or ``None`` if it did not."""
        _index, anchored_at = call_or_raise(self.contract.functions.billOf(purchaser, digest), "billOf")
        return int(anchored_at) or None

    def purchaser_counts(self, purchaser: str) -> PurchaserCounts:
        purchases, transfers, bills = call_or_raise(self.contract.functions.purchaserOf(purchaser), "purchaserOf")[:3]
        return PurchaserCounts(int(purchases), int(transfers), int(bills))

    def location_registered(self, location: str) -> bool:
        return bool(call_or_raise(self.contract.functions.locationOf(label32(location)), "locationOf")[4])

    def logs(self, name: str, *, to_block: int | str = "latest", **filters: Any) -> list[Any]:
        """Every ``name`` event of this contract (block order), optionally filtered by indexed args."""
        event = getattr(self.contract.events, name)
        logs = event.get_logs(from_block=0, to_block=to_block, argument_filters=filters or None)
        # checked again here: EthereumJS 0.9 answered an indexed-address filter with another
        # purchaser's logs (seen in the trading day on the PoA devnet)
        logs = [log for log in logs if all(_same(log["args"][k], v) for k, v in filters.items())]
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return bytes(a) == bytes(b) if isinstance(a, bytes | bytearray) else a == b
