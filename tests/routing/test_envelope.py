from __future__ import annotations

import pytest
from eth_account import Account

from offchain.kernel.crypto import eip191_digest, new_private_key, public_key, recover, sign_digest
from offchain.routing import BadSignatureError, open_envelope, seal


def test_a_sealed_message_opens_for_the_recipient_with_the_verified_sender():
    alice, bob = new_private_key(), new_private_key()
    ct = seal(alice, public_key(bob), b"offer 120 wei for 5000 Wh")
    env = open_envelope(bob, ct)
    assert env.payload == b"offer 120 wei for 5000 Wh"
    assert env.sender == public_key(alice)
    assert b"offer" not in ct and public_key(alice) not in ct  # the backbone sees neither


def test_another_key_cannot_open_a_sealed_message():
    alice, bob, eve = new_private_key(), new_private_key(), new_private_key()
    ct = seal(alice, public_key(bob), b"secret")
    with pytest.raises(BadSignatureError):
        open_envelope(eve, ct)


def test_a_tampered_ciphertext_is_refused():
    alice, bob = new_private_key(), new_private_key()
    ct = bytearray(seal(alice, public_key(bob), b"secret"))
    ct[-1] ^= 1
    with pytest.raises(BadSignatureError):
        open_envelope(bob, bytes(ct))


def test_an_envelope_signed_by_another_key_than_it_names_is_refused():
    import ecies

    alice, bob, mallory = new_private_key(), new_private_key(), new_private_key()
    from offchain.routing.envelope import _digest

    forged_sig = sign_digest(mallory, _digest(public_key(bob), b"pay me"))
    ct = ecies.encrypt(b"\x04" + public_key(bob), public_key(alice) + forged_sig + b"pay me")
    with pytest.raises(BadSignatureError, match="not made by the sender"):
        open_envelope(bob, ct)


def test_signatures_are_byte_identical_to_eth_account():
    acct = Account.create()
    digest = eip191_digest(b"\x11" * 32)
    ours = sign_digest(bytes(acct.key), digest)
    theirs = Account.unsafe_sign_hash(digest, acct.key).signature
    assert ours == bytes(theirs)
    assert recover(digest, ours) == public_key(bytes(acct.key))
