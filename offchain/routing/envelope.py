"""Signed, encrypted envelopes: what a regular node puts inside a DATA frame.

``seal`` signs ``recipient || payload`` with the sender's key and encrypts
``sender_pubkey || signature || payload`` to the recipient's public key with ECIES
(eciespy: secp256k1 ECDH, HKDF-SHA256, AES-256-GCM). A backbone node sees only the
destination key (whose first X bytes are the routing bytes) and the ciphertext.
"""

from __future__ import annotations

from dataclasses import dataclass

import ecies

from ..kernel.crypto import PUBKEY_LEN, SIG_LEN, keccak256, public_key, recover, sign_digest
from ..kernel.errors import SignatureError
from ._errors import BadSignatureError

__all__ = ["Envelope", "seal", "open_envelope"]

_DOMAIN = b"gridledger-arb-envelope-v1"


@dataclass(frozen=True)
class Envelope:
    """An opened envelope: who signed it (verified) and the payload."""

    sender: bytes
    payload: bytes


def _digest(recipient: bytes, payload: bytes) -> bytes:
    return keccak256(_DOMAIN + recipient + payload)


def seal(sender_private: bytes, recipient: bytes, payload: bytes) -> bytes:
    """Sign ``payload`` for ``recipient`` and encrypt it to ``recipient``'s key."""
    sender = public_key(sender_private)
    sig = sign_digest(sender_private, _digest(recipient, payload))
    return ecies.encrypt(b"\x04" + recipient, sender + sig + payload)


def open_envelope(recipient_private: bytes, ciphertext: bytes, recipient: bytes | None = None) -> Envelope:
    """Decrypt and verify. Raises :class:`BadSignatureError` when decryption fails or the
    signature was not made by the key named inside."""
    recipient = recipient or public_key(recipient_private)
    try:
        plain = ecies.decrypt(recipient_private, ciphertext)
    except Exception as exc:  # noqa: BLE001 - eciespy raises ValueError or library errors
        raise BadSignatureError(f"envelope does not decrypt with this key: {type(exc).__name__}") from exc
    if len(plain) < PUBKEY_LEN + SIG_LEN:
        raise BadSignatureError("envelope too short to hold a sender key and signature")
    sender, sig, payload = plain[:PUBKEY_LEN], plain[PUBKEY_LEN : PUBKEY_LEN + SIG_LEN], plain[PUBKEY_LEN + SIG_LEN :]
    try:
        signer = recover(_digest(recipient, payload), sig)
    except SignatureError as exc:
        raise BadSignatureError(f"envelope signature unusable: {exc}") from exc
    if signer != sender:
        raise BadSignatureError("envelope signature was not made by the sender key it names")
    return Envelope(sender, payload)
