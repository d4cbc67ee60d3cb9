"""Deterministic inputs of the CID test vectors (shared by the tests and make_cid_vectors.py).

Large inputs are generated, never committed: ``random.Random(seed).randbytes`` (Mersenne
Twister seeded from a string through SHA-512) gives the same bytes on every CPython 3.9+.
"""

from __future__ import annotations

import random

CHUNK = 256 * 1024

#: name → (size in bytes, how the bytes are made)
CASES: dict[str, int] = {
    "empty": 0,
    "hello": 6,
    "chunk_exact": CHUNK,
    "chunk_plus_one": CHUNK + 1,
    "ten_mib": 10 * 1024 * 1024,
    # 175 full chunks + a tail: more than 174 leaves, so the root links intermediate nodes
    "two_level": 175 * CHUNK + 12_345,
}


def make_input(name: str) -> bytes:
    if name == "hello":
        return b"hello\n"
    return random.Random(f"gridledger-cid-vector-{name}").randbytes(CASES[name])
