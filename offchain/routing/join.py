"""Join messages: a regular node proves it holds the private key of the key it joins with."""

from __future__ import annotations

import time

from ..kernel.crypto import keccak256, public_key, recover, sign_digest
from ..kernel.errors import SignatureError
from ._errors import JoinRefusedError

__all__ = ["make_join", "verify_join", "JOIN_MAX_SKEW"]

#: How far a join's timestamp may be from the backbone node's clock (seconds).
JOIN_MAX_SKEW = 120


def _digest(node_id: int, pubkey: bytes, ts: int) -> bytes:
    return keccak256(b"gridledger-arb-join-v1" + node_id.to_bytes(2, "big") + pubkey + ts.to_bytes(8, "big"))


def make_join(private: bytes, node_id: int, ts: int | None = None) -> dict:
    """The JOIN body for backbone node ``node_id``, signed by ``private``."""
    pub = public_key(private)
    ts = int(time.time()) if ts is None else ts
    return {"pk": pub.hex(), "ts": ts, "sig": sign_digest(private, _digest(node_id, pub, ts)).hex()}


def verify_join(body: dict, node_id: int, now: float | None = None) -> bytes:
    """The joining public key, or :class:`JoinRefusedError` with the reason."""
    try:
        pub = bytes.fromhex(str(body["pk"]))
        ts = int(body["ts"])
        sig_hex = body.get("sig")
    except (KeyError, ValueError, TypeError) as exc:
        raise JoinRefusedError("join lacks a 64-byte public key and timestamp") from exc
    if len(pub) != 64:
        raise JoinRefusedError("join public key must be 64 bytes")
    if not sig_hex:
        raise JoinRefusedError("unsigned join")
    now = time.time() if now is None else now
    if abs(now - ts) > JOIN_MAX_SKEW:
        raise JoinRefusedError(f"join timestamp {ts} is more than {JOIN_MAX_SKEW}s from now")
    try:
        signer = recover(_digest(node_id, pub, ts), bytes.fromhex(str(sig_hex)))
    except (SignatureError, ValueError) as exc:
        raise JoinRefusedError(f"join signature invalid: {exc}") from exc
    if signer != pub:
        raise JoinRefusedError("join signed by another key than the one joining")
    return pub


def _hello_digest(from_id: int, to_id: int, ts: int) -> bytes:
    return keccak256(
        b"gridledger-arb-hello-v1" + from_id.to_bytes(2, "big") + to_id.to_bytes(2, "big") + ts.to_bytes(8, "big")
    )


def make_hello(node_private: bytes, from_id: int, to_id: int, ts: int | None = None) -> dict:
    """The HELLO a backbone node opens a peer link with, signed by its node key."""
    ts = int(time.time()) if ts is None else ts
    return {"id": from_id, "ts": ts, "sig": sign_digest(node_private, _hello_digest(from_id, to_id, ts)).hex()}


def verify_hello(body: dict, to_id: int, peer_keys: dict[int, bytes], now: float | None = None) -> int:
    """The id of the backbone node that signed this HELLO, or :class:`JoinRefusedError`.

    Without this a regular node could pose as a peer and push a forged routing table.
    """
    try:
        from_id, ts, sig = int(body["id"]), int(body["ts"]), bytes.fromhex(str(body["sig"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise JoinRefusedError("HELLO lacks a node id, timestamp and signature") from exc
    if from_id not in peer_keys:
        raise JoinRefusedError(f"HELLO from unknown backbone node {from_id}")
    now = time.time() if now is None else now
    if abs(now - ts) > JOIN_MAX_SKEW:
        raise JoinRefusedError(f"HELLO timestamp {ts} is more than {JOIN_MAX_SKEW}s from now")
    try:
        signer = recover(_hello_digest(from_id, to_id, ts), sig)
    except SignatureError as exc:
        raise JoinRefusedError(f"HELLO signature invalid: {exc}") from exc
    if signer != peer_keys[from_id]:
        raise JoinRefusedError(f"HELLO not signed by backbone node {from_id}'s key")
    return from_id
