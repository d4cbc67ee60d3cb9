"""CARv1 export and import of dag-pb blocks (what ``ipfs dag import`` / ``dag export`` use).

Layout: ``varint(len(header)) header`` where the header is DAG-CBOR
``{"roots": [CID...], "version": 1}`` (CIDs as CBOR tag 42 over ``0x00 || cid bytes``),
then per block ``varint(len(cid) + len(data)) cid data``. CBOR comes from ``cbor2``,
varints from ``varint``, CIDs from ``py-cid``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import cbor2
import cid as _cid
import multihash
import varint

from .cid import Block, multihash_to_cid
from .errors import BillError

__all__ = ["write_car", "read_car", "CarError"]


class CarError(BillError):
    """A CAR file is malformed or holds a block whose bytes do not match its CID."""


def _cid_bytes(value: str) -> bytes:
    return bytes(_cid.from_string(value).buffer)


def write_car(out: str | Path | BinaryIO, roots: list[str], blocks: Iterable[Block]) -> int:
    """Write a CARv1 with ``roots`` and ``blocks`` (each block once); returns the block count."""
    header = cbor2.dumps({"roots": [cbor2.CBORTag(42, b"\x00" + _cid_bytes(r)) for r in roots], "version": 1})
    own = isinstance(out, str | Path)
    f: BinaryIO = open(out, "wb") if own else out  # type: ignore[assignment]  # noqa: SIM115
    seen: set[str] = set()
    try:
        f.write(varint.encode(len(header)) + header)
        for block in blocks:
            if block.cid in seen:
                continue
            seen.add(block.cid)
            key = _cid_bytes(block.cid)
            f.write(varint.encode(len(key) + len(block.data)) + key + block.data)
    finally:
        if own:
            f.close()
    return len(seen)


def _read_varint(f: BinaryIO) -> int | None:
    shift = value = 0
    while True:
        b = f.read(1)
        if not b:
            if shift:
                raise CarError("truncated varint in CAR file")
            return None
        value |= (b[0] & 0x7F) << shift
        if not b[0] & 0x80:
            return value
        shift += 7


def _root(tag: cbor2.CBORTag) -> str:
    raw = bytes(tag.value)
    if tag.tag != 42 or raw[:1] != b"\x00" or raw[1:3] != b"\x12\x20" or len(raw) != 35:
        raise CarError("only CIDv0 (sha2-256 dag-pb) roots are supported")
    return multihash_to_cid(raw[1:])


def read_car(source: str | Path | bytes) -> tuple[list[str], dict[str, bytes]]:
    """Roots and blocks (CID → bytes) of a CARv1; every block's hash is checked."""
    f: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    with f:
        size = _read_varint(f)
        if size is None:
            raise CarError("empty CAR file")
        try:
            header = cbor2.loads(f.read(size))
            roots = [_root(t) for t in header["roots"]]
        except Exception as exc:  # noqa: BLE001 - any decoding failure is a malformed header
            raise CarError(f"malformed CAR header: {exc}") from exc
        if header.get("version") != 1:
            raise CarError(f"unsupported CAR version {header.get('version')!r}")
        blocks: dict[str, bytes] = {}
        while (length := _read_varint(f)) is not None:
            section = f.read(length)
            if len(section) != length:
                raise CarError("truncated block in CAR file")
            if section[:2] != b"\x12\x20":
                raise CarError("only CIDv0 (sha2-256 dag-pb) blocks are supported")
            mh, data = section[:34], section[34:]
            if bytes(multihash.digest(data, "sha2-256").encode()) != mh:
                raise CarError(f"block {multihash_to_cid(mh)} does not match its hash")
            blocks[multihash_to_cid(mh)] = data
    return roots, blocks
