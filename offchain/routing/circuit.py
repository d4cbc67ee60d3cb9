"""Onion mode with per-hop session keys: one key agreement per hop and circuit, AEAD per message.

A sender builds a :class:`Circuit` for a path of backbone nodes ``h1 .. hk``: for each hop
a fresh ephemeral secp256k1 key ``e_i``, a random circuit id ``cid_i`` and the hop key
``HKDF-SHA256(ECDH(e_i, node key of h_i), salt = cid_i || E_i, info = domain || node id)``.
Every layer then costs one AEAD operation (AES-256-GCM) instead of one ECIES encryption::

    layer_i = 0x02 | cid_i[8] | E_i[33] | ctr_i u64 | AEAD(key_i, nonce = 0^4 || ctr_i,
                                                            'R' next u16 blob  or  'E' data_frame,
                                                            aad = header || node id u16)

Hop ``i`` (:class:`CircuitKeys`) derives ``key_i`` the first time it sees ``cid_i`` and
caches it; the header carries ``E_i`` on every message, so a hop that restarted (and
forgot its circuits) derives the same key again from the next message: the circuit
survives the restart by re-keying on the hop's side. Each hop keeps an anti-replay window
per circuit. As before, hop ``i`` learns only the previous and the next hop; the counters
of different hops start at independent random offsets, so a counter seen at one hop says
nothing about the layer of another. The sender starts a new circuit (new ephemeral keys)
after ``rekey_messages`` messages or ``rekey_seconds``; the hop key is agreed with the
node's long-term key, so (as with the ECIES layers before) a node whose key leaks exposes
the layers it could peel, circuit by circuit.

The legacy ECIES layers (:mod:`.onion`, first byte 0x04) are still peeled.
"""

from __future__ import annotations

import os
import struct
import time
from collections import OrderedDict
from collections.abc import Sequence

import coincurve
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ._errors import FrameError, SessionError
from .onion import Layer
from .session import ReplayWindow
from .table import BackboneInfo

__all__ = ["CIRCUIT_MARK", "Circuit", "CircuitKeys"]

CIRCUIT_MARK = 0x02
_HDR = struct.Struct(">B8s33sQ")
_RELAY, _EXIT = b"R", b"E"
_DOMAIN = b"gridledger-arb-onion-v2"
_ZERO4 = b"\0\0\0\0"


def _hop_key(shared: bytes, cid: bytes, eph: bytes, node_id: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=cid + eph, info=_DOMAIN + node_id.to_bytes(2, "big")).derive(
        shared
    )


class Circuit:
    """The sender's side of one onion path: per-hop keys, counters and ids."""

    def __init__(self, hops: Sequence[BackboneInfo]) -> None:
        if not hops:
            raise ValueError("onion mode needs at least one hop")
        self.hop_ids = tuple(h.node_id for h in hops)
        self._layers: list[tuple[int, bytes, AESGCM]] = []
        self._ctr: list[int] = []
        for h in hops:
            eph = coincurve.PrivateKey()
            eph_pub = eph.public_key.format(compressed=True)
            cid = os.urandom(8)
            key = _hop_key(eph.ecdh(b"\x04" + h.pubkey), cid, eph_pub, h.node_id)
            self._layers.append((h.node_id, _HDR.pack(CIRCUIT_MARK, cid, eph_pub, 0)[:42], AESGCM(key)))
            self._ctr.append(int.from_bytes(os.urandom(6), "big"))  # independent offsets, far from 2**64
        self.sent = 0
        self.created = time.monotonic()

    def wrap(self, data_body: bytes) -> tuple[int, bytes]:
        """``(first hop id, blob)`` for a DATA frame body, one AEAD layer per hop."""
        n = self.sent
        self.sent = n + 1
        blob = b""
        last = len(self._layers) - 1
        for i in range(last, -1, -1):
            node_id, prefix, aead = self._layers[i]
            inner = _EXIT + data_body if i == last else _RELAY + self._layers[i + 1][0].to_bytes(2, "big") + blob
            ctr = self._ctr[i] + n
            head = prefix + ctr.to_bytes(8, "big")
            blob = head + aead.encrypt(_ZERO4 + head[42:], inner, head + node_id.to_bytes(2, "big"))
        return self._layers[0][0], blob


class CircuitKeys:
    """A backbone node's side: circuit id → (ephemeral key, hop key, replay window)."""

    def __init__(
        self, node_private: bytes, node_id: int, *, window: int = 1024, max_circuits: int = 20_000, ttl: float = 900.0
    ) -> None:
        self._priv = coincurve.PrivateKey(node_private)
        self._node = node_id.to_bytes(2, "big")
        self._node_id = node_id
        self._window = window
        self._max = max_circuits
        self._ttl = ttl
        self._cache: OrderedDict[bytes, tuple[bytes, AESGCM, ReplayWindow, float]] = OrderedDict()
        self.derived = 0

    def peel(self, blob: bytes) -> Layer:
        """Remove this hop's layer; :class:`SessionError` for a replayed, stale or tampered one."""
        if len(blob) < _HDR.size + 16:
            raise FrameError("onion layer shorter than its header")
        _mark, cid, eph, ctr = _HDR.unpack_from(blob)
        now = time.monotonic()
        entry = self._cache.get(cid)
        fresh = False
        if entry is not None and now - entry[3] > self._ttl:
            del self._cache[cid]
            entry = None
        if entry is None:
            try:
                shared = self._priv.ecdh(eph)
            except (ValueError, TypeError) as exc:
                raise FrameError(f"onion layer carries no usable ephemeral key: {exc}") from exc
            entry = (eph, AESGCM(_hop_key(shared, cid, eph, self._node_id)), ReplayWindow(self._window), now)
            fresh = True
        elif entry[0] != eph:
            raise SessionError("stale", f"onion circuit {cid.hex()} presented another ephemeral key")
        window = entry[2]
        refused = window.check(ctr)
        if refused is not None:
            raise refused
        head = blob[: _HDR.size]
        try:
            plain = entry[1].decrypt(_ZERO4 + head[42:], blob[_HDR.size :], head + self._node)
        except InvalidTag:
            raise SessionError(
                "tampered",
                f"onion layer does not authenticate under circuit {cid.hex()} (tampered or not for this node)",
            ) from None
        window.accept(ctr)
        if fresh:  # cached only once a layer authenticated under it: forged ids cannot squat
            self.derived += 1
            self._cache[cid] = entry
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        kind, rest = plain[:1], plain[1:]
        if kind == _RELAY and len(rest) > 2:
            return Layer(int.from_bytes(rest[:2], "big"), rest[2:])
        if kind == _EXIT and rest:
            return Layer(None, rest)
        raise FrameError("onion layer has an unknown kind")

    def __len__(self) -> int:
        return len(self._cache)
