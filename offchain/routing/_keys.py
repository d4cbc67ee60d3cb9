"""secp256k1 keys and signatures (private): fast coincurve paths, eth-account compatible.

Public keys are the 64-byte uncompressed form without the ``0x04`` prefix (as
eth-keys uses them); their first bytes are uniformly distributed, so the X most
significant bytes make good routing bytes. Signatures are 65 bytes ``r || s || v``
with ``v`` in {27, 28}: byte-for-byte what eth-account's ``unsafe_sign_hash``
produces for the same digest (RFC 6979, low ``s``), at a sixth of the cost.
"""

from __future__ import annotations

import functools
import os

import coincurve
from eth_utils import keccak

from ._errors import BadSignatureError

PUBKEY_LEN = 64
SIG_LEN = 65


def new_private_key() -> bytes:
    """A fresh random 32-byte secp256k1 private key."""
    while True:
        secret = os.urandom(32)
        try:
            coincurve.PrivateKey(secret)
        except ValueError:  # pragma: no cover - probability ~2^-128
            continue
        return secret


def as_private_key(key: object) -> bytes:
    """32 raw bytes from raw bytes, a hex string or an eth-account ``LocalAccount``."""
    if isinstance(key, bytes | bytearray) and len(key) == 32:
        return bytes(key)
    if isinstance(key, str):
        raw = bytes.fromhex(key.removeprefix("0x"))
        if len(raw) == 32:
            return raw
    inner = getattr(key, "key", None)
    if inner is not None:
        return bytes(inner)
    raise TypeError(f"not a secp256k1 private key: {type(key).__name__}")


@functools.lru_cache(maxsize=4096)
def _private_obj(private: bytes) -> coincurve.PrivateKey:
    return coincurve.PrivateKey(private)


@functools.lru_cache(maxsize=4096)
def public_key(private: bytes) -> bytes:
    """The 64-byte public key of a 32-byte private key."""
    return _private_obj(private).public_key.format(compressed=False)[1:]


def address_of(pubkey: bytes) -> str:
    """The Ethereum address (checksummed) of a 64-byte public key."""
    from eth_utils import to_checksum_address

    return to_checksum_address(keccak(pubkey)[12:])


def sign_digest(private: bytes, digest: bytes) -> bytes:
    """65-byte recoverable signature ``r || s || v`` (v = 27/28) over a 32-byte digest."""
    sig = _private_obj(private).sign_recoverable(digest, hasher=None)
    return sig[:64] + bytes([sig[64] + 27])


def recover(digest: bytes, signature: bytes) -> bytes:
    """The 64-byte public key that made ``signature`` over ``digest``.

    Raises :class:`BadSignatureError` for a malformed or unrecoverable signature.
    """
    if len(signature) != SIG_LEN or signature[64] not in (27, 28):
        raise BadSignatureError("malformed signature (expected 65 bytes r||s||v with v 27/28)")
    try:
        pub = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([signature[64] - 27]), digest, hasher=None
        )
    except Exception as exc:  # noqa: BLE001 - coincurve raises plain Exception
        raise BadSignatureError(f"signature does not recover a key: {exc}") from exc
    return pub.format(compressed=False)[1:]


def eip191_digest(inner: bytes) -> bytes:
    """The digest eth-account signs for ``encode_defunct(primitive=inner)``."""
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(inner)).encode() + inner)
