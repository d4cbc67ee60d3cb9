"""Bills: built from a purchaser's chain events, canonical JSON, stored, anchored, verified.

A bill covers every purchase and transfer of the purchaser up to the block of its latest
one, plus the storage records of the locations it bought from up to that block. It is
rebuilt from logs alone (``StorageRecorded``, ``PurchaseRecorded``, ``TransferRecorded``),
so anyone can rebuild it and get the same bytes: the JSON is canonical (sorted keys, no
whitespace, integers only, UTF-8, one trailing newline).
"""

from __future__ import annotations

import enum
import html
import json
from dataclasses import dataclass
from typing import Any

from ..kernel.crypto import to_hex
from .cid import cid_of, cid_to_digest, digest_to_cid
from .client import GridClient, Sender, unlabel32
from .errors import BillIncompleteError, BillNotFoundError, BillTamperedError
from .queue import BillQueue, QueueEntry
from .store import BillStore

__all__ = [
    "SCHEMA",
    "BillCheck",
    "BillStatus",
    "build_bill",
    "canonical_json",
    "render_html",
    "make_bill",
    "verify_bills",
    "anchored_cids",
]

#: v2: purchases are paid (costs in payment-asset units, delivery deadlines, cancellations)
SCHEMA = "gridledger.bill/2"


def canonical_json(doc: dict[str, Any]) -> bytes:
    """Stable bytes for a bill: sorted keys, compact separators, UTF-8, trailing newline."""
    return (json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def build_bill(client: GridClient, purchaser: str) -> dict[str, Any]:
    """The bill document of ``purchaser`` from the contract's logs."""
    purchaser = client.chain.w3.to_checksum_address(purchaser)
    purchases = client.logs("PurchaseRecorded", purchaser=purchaser)
    transfers = client.logs("TransferRecorded", purchaser=purchaser)
    cancellations = client.logs("PurchaseCancelled", purchaser=purchaser)
    if not purchases:
        raise BillIncompleteError(f"{purchaser} has no purchase (hence no storage record) on {client.address}")
    if not transfers:
        raise BillIncompleteError(f"{purchaser} has no transfer on {client.address}: nothing to bill yet")
    last_block = max(log["blockNumber"] for log in [*purchases, *transfers, *cancellations])
    locations = sorted({bytes(log["args"]["location"]) for log in purchases})
    storage = [
        log
        for loc in locations
        for log in client.logs("StorageRecorded", to_block=last_block, location=loc)
        if log["blockNumber"] <= last_block
    ]
    storage.sort(key=lambda log: (log["blockNumber"], log["logIndex"]))
    stamps: dict[int, int] = {}

    def when(log: Any) -> int:
        number = int(log["blockNumber"])
        if number not in stamps:
            stamps[number] = int(client.chain.w3.eth.get_block(number)["timestamp"])
        return stamps[number]

    def ref(log: Any) -> dict[str, Any]:
        return {
            "block": int(log["blockNumber"]),
            "log_index": int(log["logIndex"]),
            "tx": to_hex(log["transactionHash"]),
        }

    storage_rows = [
        {
            "location": unlabel32(a["location"]),
            "sensor": a["sensor"],
            "capacity_wh": int(a["capacityWh"]),
            "available_wh": int(a["availableWh"]),
            "rate_per_kwh": int(a["ratePerKWh"]),
            "record": int(a["storageCount"]),
            "time": when(log),
            **ref(log),
        }
        for log in storage
        for a in [log["args"]]
    ]
    purchase_rows = [
        {
            "purchase_id": int(a["purchaseId"]),
            "location": unlabel32(a["location"]),
            "quantity_wh": int(a["quantityWh"]),
            "rate_per_kwh": int(a["ratePerKWh"]),
            "cost": int(a["cost"]),
            "date": int(a["date"]),
            "deliver_by": int(a["deliverBy"]),
            **ref(log),
        }
        for log in purchases
        for a in [log["args"]]
    ]
    transfer_rows = [
        {
            "purchase_id": int(a["purchaseId"]),
            "location": unlabel32(a["location"]),
            "device": a["device"],
            "device_name": unlabel32(a["deviceName"]),
            "amount_wh": int(a["amountWh"]),
            "start": int(a["start"]),
            "end": int(a["end"]),
            "cost": int(a["cost"]),
            **ref(log),
        }
        for log in transfers
        for a in [log["args"]]
    ]
    cancellation_rows = [
        {
            "purchase_id": int(a["purchaseId"]),
            "location": unlabel32(a["location"]),
            "undelivered_wh": int(a["undeliveredWh"]),
            "refund": int(a["refund"]),
            **ref(log),
        }
        for log in cancellations
        for a in [log["args"]]
    ]
    return {
        "schema": SCHEMA,
        "chain_id": client.chain.chain_id,
        "contract": client.address,
        "purchaser": purchaser,
        "up_to_block": int(last_block),
        "units": {
            "energy": "Wh",
            "rate": "payment-asset units per kWh",
            "cost": "payment-asset units",
            "time": "unix seconds",
        },
        "payment_asset": client.ledger.payment_asset,
        "storage": storage_rows,
        "purchases": purchase_rows,
        "transfers": transfer_rows,
        "cancellations": cancellation_rows,
        "totals": {
            "purchased_wh": sum(r["quantity_wh"] for r in purchase_rows),
            "purchased_cost": sum(r["cost"] for r in purchase_rows),
            "delivered_wh": sum(r["amount_wh"] for r in transfer_rows),
            "paid": sum(r["cost"] for r in transfer_rows),
            "cancelled_wh": sum(r["undelivered_wh"] for r in cancellation_rows),
            "refunded": sum(r["refund"] for r in cancellation_rows),
        },
    }


def render_html(doc: dict[str, Any]) -> str:
    """A human-readable rendering of a bill (the canonical JSON stays the anchored document)."""

    def table(title: str, rows: list[dict[str, Any]]) -> str:
        if not rows:
            return f"<h2>{html.escape(title)}</h2><p>none</p>"
        cols = [c for c in rows[0] if c not in ("tx", "log_index")]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in cols) + "</tr>" for r in rows)
        return f"<h2>{html.escape(title)}</h2><table><tr>{head}</tr>{body}</table>"

    totals = doc["totals"]
    asset = "ether (wei)" if int(doc["payment_asset"], 16) == 0 else f"token {doc['payment_asset']}"
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>GridLedger bill</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}</style></head><body>"
        f"<h1>Energy bill for {html.escape(doc['purchaser'])}</h1>"
        f"<p>contract {html.escape(doc['contract'])} on chain {doc['chain_id']}, up to block {doc['up_to_block']}</p>"
        + table("Storage", doc["storage"])
        + table("Purchases", doc["purchases"])
        + table("Transfers", doc["transfers"])
        + table("Cancelled", doc["cancellations"])
        + f"<p><b>Delivered:</b> {totals['delivered_wh']} Wh &mdash; <b>paid:</b> {totals['paid']} "
        f"&mdash; <b>refunded:</b> {totals['refunded']} (units of {html.escape(asset)})</p>"
        "</body></html>\n"
    )


def make_bill(
    client: GridClient, purchaser: Sender, store: BillStore, queue: BillQueue | None = None
) -> tuple[dict[str, Any], QueueEntry]:
    """Build the purchaser's bill, queue it, store it and anchor its CID (signed by ``purchaser``).

    An unreachable store leaves the bill queued (state ``built``); nothing is anchored twice.
    """
    queue = queue or BillQueue()
    address = purchaser if isinstance(purchaser, str) else purchaser.address
    doc = build_bill(client, address)
    entry = queue.enqueue(canonical_json(doc), client.chain.w3.to_checksum_address(address))
    entry = queue.process_one(entry, store, client, purchaser)
    return doc, entry


def anchored_cids(client: GridClient, purchaser: str) -> list[str]:
    """CIDs anchored under ``purchaser``, in anchoring order (from ``BillAnchored`` logs)."""
    purchaser = client.chain.w3.to_checksum_address(purchaser)
    return [digest_to_cid(bytes(log["args"]["digest"])) for log in client.logs("BillAnchored", purchaser=purchaser)]


class BillStatus(enum.StrEnum):
    """What verifying one anchored bill found."""

    OK = "ok"
    TAMPERED = "tampered"
    MISSING = "missing"
    NOT_ANCHORED = "not-anchored"


@dataclass(frozen=True)
class BillCheck:
    cid: str
    status: BillStatus
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is BillStatus.OK


def verify_bills(client: GridClient, store: BillStore, purchaser: str) -> list[BillCheck]:
    """Fetch every bill anchored under ``purchaser``, recompute its CID and compare.

    Raises :class:`BillNotFoundError` when no bill is anchored for the purchaser.
    """
    purchaser = client.chain.w3.to_checksum_address(purchaser)
    cids = anchored_cids(client, purchaser)
    if not cids:
        raise BillNotFoundError(f"no bill anchored under {purchaser} on {client.address}")
    checks = []
    for cid in cids:
        if client.bill_anchored_at(purchaser, cid_to_digest(cid)) is None:
            checks.append(
                BillCheck(cid, BillStatus.NOT_ANCHORED, f"the contract holds no record of {cid} for {purchaser}")
            )
            continue
        try:
            data = store.get(cid)
        except BillNotFoundError as exc:
            checks.append(BillCheck(cid, BillStatus.MISSING, str(exc)))
            continue
        actual = cid_of(data)
        if actual != cid:
            err = BillTamperedError(f"bill {cid} was altered: its bytes hash to {actual}", expected=cid, actual=actual)
            checks.append(BillCheck(cid, BillStatus.TAMPERED, str(err)))
            continue
        try:
            doc = json.loads(data)
            if doc.get("purchaser", "").lower() != purchaser.lower():
                checks.append(BillCheck(cid, BillStatus.TAMPERED, f"bill names purchaser {doc.get('purchaser')}"))
                continue
        except ValueError:
            checks.append(BillCheck(cid, BillStatus.TAMPERED, "not a JSON bill"))
            continue
        checks.append(BillCheck(cid, BillStatus.OK, f"{len(data)} bytes"))
    return checks
