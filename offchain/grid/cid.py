"""Kubo-compatible content identifiers: ``ipfs add`` with its defaults, computed locally.

Defaults reproduced (Kubo ``ipfs add`` and js-ipfs ``add``): CIDv0 (base58btc, dag-pb,
sha2-256), UnixFS file nodes (leaves are UnixFS ``File`` nodes with the chunk as data,
not raw blocks), fixed-size chunks of 256 KiB, balanced layout with at most 174 links
per node. A file of one chunk is a single leaf; larger files get a tree whose full
subtrees hold 174**depth leaves, built layer by layer.

CIDs, multihashes and base58 come from ``py-cid``/``py-multihash``; protobuf encoding
from ``protobuf`` (see :mod:`._pb`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import cid as _cid
import multihash

from ._pb import encode_node, unixfs_file

__all__ = [
    "CHUNK_SIZE",
    "MAX_LINKS",
    "Block",
    "DagResult",
    "add_bytes",
    "add_file",
    "add_stream",
    "cid_of",
    "cid_to_digest",
    "cid_to_multihash",
    "digest_to_cid",
    "multihash_to_cid",
]

CHUNK_SIZE = 256 * 1024
MAX_LINKS = 174


@dataclass(frozen=True)
class Block:
    """One dag-pb block: its CIDv0 (base58) and its bytes."""

    cid: str
    data: bytes


@dataclass(frozen=True)
class DagResult:
    """Root CID, file size and every block of the DAG (children before parents, root last)."""

    cid: str
    size: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class _Node:
    mh: bytes  # multihash bytes (the CIDv0 bytes)
    filesize: int  # bytes of file content below this node
    tsize: int  # encoded size of this node plus all nodes below it


def multihash_to_cid(mh: bytes) -> str:
    return str(_cid.make_cid(0, "dag-pb", mh))


def cid_to_multihash(value: str) -> bytes:
    return bytes(_cid.from_string(value).multihash)


def digest_to_cid(digest: bytes) -> str:
    """CIDv0 of a sha2-256 digest (what the contract stores)."""
    if len(digest) != 32:
        raise ValueError("a sha2-256 digest has 32 bytes")
    return multihash_to_cid(multihash.encode(digest, "sha2-256"))


def cid_to_digest(value: str) -> bytes:
    """The 32-byte sha2-256 digest inside a CIDv0 (or a CIDv1 with a sha2-256 multihash)."""
    decoded = multihash.decode(cid_to_multihash(value))
    if decoded.name != "sha2-256":
        raise ValueError(f"CID {value} does not use sha2-256")
    return bytes(decoded.digest)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while True:
        chunk = stream.read(CHUNK_SIZE)
        # read() of a pipe can return short: fill the chunk like Kubo's size splitter
        while chunk and len(chunk) < CHUNK_SIZE:
            more = stream.read(CHUNK_SIZE - len(chunk))
            if not more:
                break
            chunk += more
        if not chunk:
            return
        yield chunk


def _emit(raw: bytes, filesize: int, tsize_below: int, out: list[Block] | None) -> _Node:
    mh = bytes(multihash.digest(raw, "sha2-256").encode())
    if out is not None:
        out.append(Block(multihash_to_cid(mh), raw))
    return _Node(mh, filesize, len(raw) + tsize_below)


def _leaf(chunk: bytes, out: list[Block] | None) -> _Node:
    return _emit(encode_node(unixfs_file(chunk, len(chunk)), []), len(chunk), 0, out)


def _parent(children: list[_Node], out: list[Block] | None) -> _Node:
    data = unixfs_file(None, sum(c.filesize for c in children), [c.filesize for c in children])
    raw = encode_node(data, [(c.mh, c.tsize) for c in children])
    return _emit(raw, sum(c.filesize for c in children), sum(c.tsize for c in children), out)


def _build(chunks: Iterable[bytes], out: list[Block] | None) -> _Node:
    # layers[d] holds the finished nodes of depth d not yet linked into a parent
    layers: list[list[_Node]] = [[]]
    count = 0
    for chunk in chunks:
        count += 1
        layers[0].append(_leaf(chunk, out))
        depth = 0
        while len(layers[depth]) == MAX_LINKS:  # a full node: close it
            if depth + 1 == len(layers):
                layers.append([])
            layers[depth + 1].append(_parent(layers[depth], out))
            layers[depth] = []
            depth += 1
    if count == 0:
        return _emit(encode_node(unixfs_file(None, 0), []), 0, 0, out)
    if count == 1:
        return layers[0][0]
    # close partial nodes bottom-up; the root is the single node left on top
    depth = 0
    while True:
        nodes = layers[depth]
        top = depth == len(layers) - 1
        if top and len(nodes) == 1:
            return nodes[0]
        if top:
            layers.append([])
        if nodes:
            layers[depth + 1].append(_parent(nodes, out))
            layers[depth] = []
        depth += 1


def add_stream(stream: BinaryIO, *, keep_blocks: bool = True) -> DagResult:
    """Chunk ``stream`` and build the DAG; blocks are kept unless ``keep_blocks`` is false."""
    out: list[Block] | None = [] if keep_blocks else None
    root = _build(_chunks(stream), out)
    return DagResult(multihash_to_cid(root.mh), root.filesize, tuple(out or ()))


def add_bytes(data: bytes, *, keep_blocks: bool = True) -> DagResult:
    return add_stream(io.BytesIO(data), keep_blocks=keep_blocks)


def add_file(path: str | Path, *, keep_blocks: bool = True) -> DagResult:
    with open(path, "rb") as f:
        return add_stream(f, keep_blocks=keep_blocks)


def cid_of(data: bytes | str | Path | BinaryIO) -> str:
    """The CID ``ipfs add`` (defaults) gives for bytes, a file path or a binary stream."""
    if isinstance(data, bytes | bytearray | memoryview):
        return add_bytes(bytes(data), keep_blocks=False).cid
    if isinstance(data, str | Path):
        return add_file(data, keep_blocks=False).cid
    return add_stream(data, keep_blocks=False).cid
