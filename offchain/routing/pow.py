"""Proof-of-work stamps against spam (PriWatt): a partial hash collision.

A stamp for ``digest`` at difficulty ``bits`` is a 64-bit nonce such that
``sha256(digest || nonce)`` starts with ``bits`` zero bits. Minting costs about
``2**bits`` hashes; checking costs one.
"""

from __future__ import annotations

import hashlib

__all__ = ["mint", "check", "stamp_digest"]


def stamp_digest(msg_id: bytes, dest: bytes, ciphertext: bytes) -> bytes:
    """What a DATA frame's stamp covers: its id, destination and ciphertext."""
    return hashlib.sha256(msg_id + dest + ciphertext).digest()


def _value(digest: bytes, nonce: int) -> int:
    return int.from_bytes(hashlib.sha256(digest + nonce.to_bytes(8, "big")).digest(), "big")


def check(digest: bytes, nonce: int, bits: int) -> bool:
    """Whether ``nonce`` is a stamp of difficulty ``bits`` for ``digest``."""
    return bits <= 0 or _value(digest, nonce) >> (256 - bits) == 0


def mint(digest: bytes, bits: int) -> int:
    """The smallest nonce that stamps ``digest`` at difficulty ``bits`` (0 when bits is 0)."""
    if bits <= 0:
        return 0
    if bits > 32:
        raise ValueError(f"proof-of-work difficulty {bits} bits is beyond what a sender can mint")
    limit = 1 << (256 - bits)
    nonce = 0
    while _value(digest, nonce) >= limit:
        nonce += 1
    return nonce
