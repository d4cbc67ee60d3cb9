"""secp256k1 keys, Keccak-256, EIP-191 signatures, addresses and hex: the package's one crypto module.

Fast coincurve (libsecp256k1) paths that stay byte-compatible with eth-account:

* public keys are the 64-byte uncompressed form without the ``0x04`` prefix (as
  eth-keys uses them); their first bytes are uniformly distributed, so the X most
  significant bytes make good routing bytes;
* signatures are 65 bytes ``r || s || v`` with ``v`` in {27, 28}: byte for byte what
  eth-account's ``unsafe_sign_hash`` produces for the same digest (RFC 6979, low ``s``),
  at a sixth of the cost; :func:`personal_sign` equals
  ``Account.sign_message(encode_defunct(primitive=inner))``.

Malformed or unrecoverable signatures raise :class:`~offchain.kernel.errors.SignatureError`.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Callable
from typing import Any

import coincurve
from eth_utils import to_checksum_address

from .errors import ConfigError, SignatureError

__all__ = [
    "PUBKEY_LEN",
    "SIG_LEN",
    "keccak256",
    "new_private_key",
    "as_private_key",
    "public_key",
    "address_of_public_key",
    "address_of_private_key",
    "generate_keypairs",
    "sign_digest",
    "recover",
    "recover_address",
    "eip191_digest",
    "personal_sign",
    "recover_personal",
    "to_hex",
    "from_hex",
    "address_bytes",
]

PUBKEY_LEN = 64
SIG_LEN = 65


def _make_keccak() -> Callable[[bytes], bytes]:
    try:  # safe-pysha3 (a brownie dependency): ~10x faster per call than eth_hash
        import sha3

        k = sha3.keccak_256
        return lambda data: k(data).digest()
    except ImportError:  # pragma: no cover - fallback when pysha3 is missing
        from eth_hash.auto import keccak as k2

        return lambda data: bytes(k2(data))


#: Keccak-256 of ``data`` (32 bytes).
keccak256: Callable[[bytes], bytes] = _make_keccak()


# -- hex and addresses ------------------------------------------------------------------
def to_hex(data: bytes) -> str:
    """``0x``-prefixed lowercase hex of ``data``."""
    return "0x" + bytes(data).hex()


def from_hex(text: str) -> bytes:
    """Bytes of a hex string, with or without ``0x`` (``ValueError`` if not hex)."""
    return bytes.fromhex(str(text).removeprefix("0x"))


def address_bytes(address: str | bytes) -> bytes:
    """The 20 bytes of an address given as bytes or as a (checksummed or not) hex string."""
    return address if isinstance(address, bytes) else from_hex(address)


# -- keys -------------------------------------------------------------------------------
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
        raw = from_hex(key)
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


def address_of_public_key(pubkey: bytes) -> str:
    """The checksummed address of a public key (64 bytes, or 33/65 bytes SEC1-encoded).

    Raises :class:`SignatureError` if the bytes are not a point of secp256k1.
    """
    if len(pubkey) == PUBKEY_LEN:
        pubkey = b"\x04" + pubkey
    try:
        raw = coincurve.PublicKey(pubkey).format(compressed=False)
    except Exception as exc:  # coincurve raises ValueError / TypeError
        raise SignatureError(f"not a secp256k1 public key: {exc}") from exc
    return to_checksum_address(keccak256(raw[1:])[12:])


def address_of_private_key(private: bytes) -> str:
    """The checksummed address of a 32-byte private key."""
    return to_checksum_address(keccak256(public_key(bytes(private)))[12:])


def generate_keypairs(count: int) -> tuple[list[bytes], list[bytes]]:
    """``count`` fresh secp256k1 key pairs: (secrets, 20-byte addresses), independent keys.

    Calls libsecp256k1 directly; the EC multiplication is the cost (~20 µs per key).
    Keys are never derived from each other: related keys would let anyone link them.
    """
    if count < 0:
        raise ConfigError(f"key count must be >= 0, got {count}")
    from coincurve._libsecp256k1 import ffi, lib
    from coincurve.context import GLOBAL_CONTEXT

    ctx = GLOBAL_CONTEXT.ctx
    create = lib.secp256k1_ec_pubkey_create
    serialize = lib.secp256k1_ec_pubkey_serialize
    flag = lib.SECP256K1_EC_UNCOMPRESSED
    pk = ffi.new("secp256k1_pubkey *")
    out = ffi.new("unsigned char[65]")
    out_len = ffi.new("size_t *")
    buf = ffi.buffer(out)
    k = keccak256
    urandom = secrets.token_bytes
    keys: list[bytes] = []
    addresses: list[bytes] = []
    while len(keys) < count:
        sk = urandom(32)
        if not create(ctx, pk, sk):  # zero or >= group order: astronomically rare, retry
            continue
        out_len[0] = 65
        serialize(ctx, out, out_len, pk, flag)
        keys.append(sk)
        addresses.append(k(buf[1:65])[12:])
    return keys, addresses


# -- signatures -------------------------------------------------------------------------
def sign_digest(private: bytes, digest: bytes) -> bytes:
    """65-byte recoverable signature ``r || s || v`` (v = 27/28) over a 32-byte digest."""
    sig = _private_obj(private).sign_recoverable(digest, hasher=None)
    return sig[:64] + bytes([sig[64] + 27])


def recover(digest: bytes, signature: bytes) -> bytes:
    """The 64-byte public key that made ``signature`` over ``digest``.

    Raises :class:`SignatureError` for a malformed or unrecoverable signature.
    """
    if len(signature) != SIG_LEN or signature[64] not in (27, 28):
        raise SignatureError("malformed signature (expected 65 bytes r||s||v with v 27/28)")
    try:
        pub = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([signature[64] - 27]), digest, hasher=None
        )
    except Exception as exc:  # noqa: BLE001 - coincurve raises plain Exception
        raise SignatureError(f"signature does not recover a key: {exc}") from exc
    return pub.format(compressed=False)[1:]


def recover_address(digest: bytes, signature: bytes) -> str:
    """The checksummed address whose key made ``signature`` over ``digest``."""
    return to_checksum_address(keccak256(recover(digest, signature))[12:])


def eip191_digest(inner: bytes) -> bytes:
    """The digest eth-account signs for ``encode_defunct(primitive=inner)``."""
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(inner)).encode() + inner)


def personal_sign(key: Any, inner: bytes) -> bytes:
    """EIP-191 ``personal_sign`` of ``inner`` (``encode_defunct(primitive=inner)``), 65 bytes.

    ``key``: raw 32 bytes, hex, or an eth-account ``LocalAccount``.
    """
    return sign_digest(as_private_key(key), eip191_digest(inner))


def recover_personal(inner: bytes, signature: bytes) -> str:
    """Address whose ``personal_sign`` of ``inner`` is ``signature``; :class:`SignatureError` if malformed."""
    if len(signature) != SIG_LEN:
        raise SignatureError(f"a signature is 65 bytes (r||s||v), got {len(signature)}")
    if signature[64] in (0, 1):  # eth-account also accepts v as the bare recovery id
        signature = signature[:64] + bytes([signature[64] + 27])
    try:
        return recover_address(eip191_digest(inner), signature)
    except SignatureError as exc:
        raise SignatureError(f"unrecoverable signature: {exc}") from exc
