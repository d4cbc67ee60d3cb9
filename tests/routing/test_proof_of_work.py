"""Proof-of-work stamps: ``sha256(digest || nonce)`` starts with ``bits`` zero bits.

The expected answers come from an independent reading of that definition (the hash as
a bit string), so a check that accepted too much or too little, or ignored the digest,
fails here.
"""

from __future__ import annotations

import hashlib
import os
import random

import pytest

from offchain.routing.pow import check, mint, stamp_digest


def zero_bits(digest: bytes, nonce: int) -> int:
    """Leading zero bits of sha256(digest || 8-byte big-endian nonce), counted on the bit string."""
    bits = "".join(f"{b:08b}" for b in hashlib.sha256(digest + nonce.to_bytes(8, "big")).digest())
    return len(bits) - len(bits.lstrip("0"))


def test_check_accepts_exactly_the_nonces_with_enough_leading_zero_bits():
    rng = random.Random(1)
    pairs = [(os.urandom(32), rng.getrandbits(64)) for _ in range(3000)]
    # plus nonces known to carry many zero bits, so that the high difficulties are exercised too
    pairs += [(d, mint(d, b)) for d in (os.urandom(32) for _ in range(4)) for b in (8, 12, 14)]
    for digest, nonce in pairs:
        z = zero_bits(digest, nonce)
        for bits in range(1, 17):
            assert check(digest, nonce, bits) == (z >= bits), (digest.hex(), nonce, bits, z)
    assert sum(zero_bits(d, n) >= 8 for d, n in pairs) >= 12  # the accepting side was exercised


def test_a_minted_stamp_is_the_smallest_nonce_at_its_difficulty_and_is_tied_to_its_digest():
    digest = stamp_digest(os.urandom(16), os.urandom(64), b"ciphertext")
    nonce = mint(digest, 12)
    assert zero_bits(digest, nonce) >= 12 and check(digest, nonce, 12)
    assert not any(check(digest, n, 12) for n in range(nonce))
    others = [stamp_digest(os.urandom(16), os.urandom(64), b"ciphertext") for _ in range(64)]
    # the stamp is worth 12 bits for its own digest only (another digest: 1 chance in 4096 each)
    assert sum(check(other, nonce, 12) for other in others) <= 1


def test_difficulty_zero_needs_no_work():
    assert mint(b"x" * 32, 0) == 0 and check(b"x" * 32, 12345, 0)


def test_a_stamp_below_the_difficulty_fails():
    digest = stamp_digest(b"\x01" * 16, b"\x02" * 64, b"c")
    nonce = mint(digest, 4)
    z = zero_bits(digest, nonce)
    assert all(check(digest, nonce, bits) for bits in range(1, z + 1))
    assert not any(check(digest, nonce, bits) for bits in range(z + 1, 33))


def test_a_difficulty_beyond_what_a_sender_can_mint_is_refused():
    with pytest.raises(ValueError, match="beyond"):
        mint(b"x" * 32, 33)
