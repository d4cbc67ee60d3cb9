"""Grid events and bills on IPFS (Vashistha & Barbhuiya; SPEC §2).

Contract client for ``GridEvents``, bills built from chain events as canonical JSON, a
local content-addressed bill store computing exactly Kubo's ``ipfs add`` CIDs (CIDv0,
UnixFS, 256 KiB chunks, balanced DAG of 174 links) with CARv1 export, an
``ipfshttpclient`` store for any Kubo-compatible node, an on-disk upload queue, and the
paper's gas cost table.
"""

from __future__ import annotations

from .bill import BillCheck, build_bill, canonical_json, make_bill, render_html, verify_bills
from .car import CarError, read_car, write_car
from .cid import add_bytes, add_file, cid_of, cid_to_digest, digest_to_cid
from .client import GridClient, label32, unlabel32
from .errors import (
    BillError,
    BillIncompleteError,
    BillNotFoundError,
    BillTamperedError,
    IpfsNodeError,
    IpfsUnavailableError,
    StoreConfigError,
)
from .gasreport import cost_table, measure
from .ipfsnode import JsIpfsNode
from .queue import BillQueue
from .store import IpfsBillStore, LocalBillStore, open_store

__all__ = [
    "BillCheck",
    "BillError",
    "BillIncompleteError",
    "BillNotFoundError",
    "BillQueue",
    "BillTamperedError",
    "CarError",
    "GridClient",
    "IpfsBillStore",
    "IpfsNodeError",
    "IpfsUnavailableError",
    "JsIpfsNode",
    "LocalBillStore",
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
