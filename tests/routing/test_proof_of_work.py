from __future__ import annotations

import os

from offchain.routing.pow import check, mint, stamp_digest


def test_a_minted_stamp_checks_at_its_difficulty_and_fails_for_another_message():
    digest = stamp_digest(os.urandom(16), os.urandom(64), b"ciphertext")
    nonce = mint(digest, 12)
    assert check(digest, nonce, 12)
    other = stamp_digest(os.urandom(16), os.urandom(64), b"ciphertext")
    assert not all(check(other, nonce + i, 12) for i in range(4))


def test_difficulty_zero_needs_no_work():
    assert mint(b"x" * 32, 0) == 0 and check(b"x" * 32, 12345, 0)


def test_a_stamp_below_the_difficulty_fails():
    digest = stamp_digest(b"\x01" * 16, b"\x02" * 64, b"c")
    nonce = mint(digest, 4)
    higher = [bits for bits in range(5, 24) if not check(digest, nonce, bits)]
    assert higher, "a 4-bit stamp should not pass every higher difficulty"
