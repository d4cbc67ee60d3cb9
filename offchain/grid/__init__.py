"""Grid events and bills on IPFS (Vashistha & Barbhuiya; SPEC §2).

Contract client for ``GridEvents``, bills built from chain events as canonical JSON, a
local content-addressed bill store computing exactly Kubo's ``ipfs add`` CIDs (CIDv0,
UnixFS, 256 KiB chunks, balanced DAG of 174 links) with CARv1 export, an
``ipfshttpclient`` store for any Kubo-compatible node (a local one: :mod:`offchain.ipfs`),
an on-disk upload queue, and the paper's gas cost table.

Public names are listed in ``__all__`` and loaded on first use (PEP 562), so that
reading the mechanism registry (``offchain.grid.mechanism``) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.lazy import lazy_attributes

if TYPE_CHECKING:
    from .bill import BillCheck, BillStatus, build_bill, canonical_json, make_bill, render_html, verify_bills
    from .car import CarError, read_car, write_car
    from .cid import add_bytes, add_file, cid_of, cid_to_digest, digest_to_cid
    from .client import GridClient, PurchaserCounts, label32, unlabel32
    from .errors import (
        BillError,
        BillIncompleteError,
        BillNotFoundError,
        BillTamperedError,
        IpfsUnavailableError,
        StoreConfigError,
    )
    from .gasreport import cost_table, measure
    from .queue import BillQueue, QueueState
    from .store import IpfsBillStore, LocalBillStore, open_store

_WHERE = {
    "BillCheck": "bill",
    "BillStatus": "bill",
    "build_bill": "bill",
    "canonical_json": "bill",
    "make_bill": "bill",
    "render_html": "bill",
    "verify_bills": "bill",
    "CarError": "car",
    "read_car": "car",
    "write_car": "car",
    "add_bytes": "cid",
    "add_file": "cid",
    "cid_of": "cid",
    "cid_to_digest": "cid",
    "digest_to_cid": "cid",
    "GridClient": "client",
    "PurchaserCounts": "client",
    "label32": "client",
    "unlabel32": "client",
    "BillError": "errors",
    "BillIncompleteError": "errors",
    "BillNotFoundError": "errors",
    "BillTamperedError": "errors",
    "IpfsUnavailableError": "errors",
    "StoreConfigError": "errors",
    "cost_table": "gasreport",
    "measure": "gasreport",
    "BillQueue": "queue",
    "QueueState": "queue",
    "IpfsBillStore": "store",
    "LocalBillStore": "store",
    "open_store": "store",
}

__all__ = [
    "BillCheck",
    "BillError",
    "BillIncompleteError",
    "BillNotFoundError",
    "BillQueue",
    "BillStatus",
    "BillTamperedError",
    "CarError",
    "GridClient",
    "IpfsBillStore",
    "IpfsUnavailableError",
    "LocalBillStore",
    "PurchaserCounts",
    "QueueState",
    "StoreConfigError",
    "add_bytes",
    "add_file",
    "build_bill",
    "canonical_json",
    "cid_of",
    "cid_to_digest",
    "cost_table",
    "digest_to_cid",
    "label32",
    "make_bill",
    "measure",
    "open_store",
    "read_car",
    "render_html",
    "unlabel32",
    "verify_bills",
    "write_car",
]


__getattr__ = lazy_attributes(__name__, _WHERE)
