"""End-to-end session keys between two parties (two identity keys) on the backbone.

One authenticated, ephemeral key agreement per pair of parties, then one AEAD operation
per message (AES-256-GCM or ChaCha20-Poly1305 from ``cryptography``), instead of an
ECIES encryption and a signature per message. Everything below travels inside the
ciphertext field of a DATA frame, so a backbone node still sees only the destination
key and opaque bytes. The first byte says what the bytes are:

``I`` INIT (initiator A → responder B), ECIES-encrypted to B's identity key::

    ver u8 | n u8 | suites[n] | reply_onion u8 | sid_a[8] | e_a[32] | ts u64 | pk_a[64] | sig_a[65]
    sig_a = sign_A(keccak("gridledger-arb-session-init-v1" || everything before sig_a || pk_b))

``R`` RESP (B → A), ECIES-encrypted to A's identity key::

    ver u8 | sid_a[8] | sid_b[8] | e_b[32] | suite u8 | ts u64 | sig_b[65]
    sig_b = sign_B(keccak("gridledger-arb-session-resp-v1" || h_init || everything before sig_b || pk_a))
    h_init = sha256(INIT plaintext || pk_b)

``S`` DATA under a session::

    'S' | rid[8] | counter u64 | AEAD(key_dir, nonce = 0^4 || counter, payload, aad = 'S' || rid || counter || dest)

Keys: ``HKDF-SHA256(X25519(e_a, e_b), salt = sha256(h_init || RESP body), info)`` → one
key per direction. ``rid`` is the *receiver's* random session id (chosen by it in the
handshake), so a receiver finds the session without learning anything from the frame.

Why this stops a man in the middle (a backbone node can change any byte it relays):
``sig_a`` covers A's ephemeral key, the offered suites and both identities, ``sig_b``
covers B's ephemeral key, the chosen suite and (through ``h_init``) A's whole INIT; each
side checks the other's signature against the identity key it already trusts (the
destination it addressed, or the key named in the INIT), so a substituted ephemeral key,
a stripped suite list or a redirected handshake fails a signature. Nonces never repeat
under a key: each direction has its own key, fresh per handshake (fresh ephemerals), and
its counter only increases; re-keying happens long before the counter could wrap.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import ecies
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..kernel.crypto import PUBKEY_LEN, SIG_LEN, keccak256, recover, sign_digest
from ..kernel.errors import SignatureError
from ._errors import SessionError

__all__ = [
    "KIND_INIT",
    "KIND_RESP",
    "KIND_DATA",
    "KIND_LEGACY",
    "SUITE_NONE",
    "SUITE_AES256GCM",
    "SUITE_CHACHA20POLY1305",
    "SessionOptions",
    "Session",
    "SessionManager",
    "ReplayWindow",
]

KIND_INIT, KIND_RESP, KIND_DATA = 0x49, 0x52, 0x53  # 'I', 'R', 'S'
#: The first byte of an eciespy ciphertext (uncompressed ephemeral key): a legacy sealed envelope.
KIND_LEGACY = 0x04
VERSION = 1
SUITE_NONE, SUITE_AES256GCM, SUITE_CHACHA20POLY1305 = 0, 1, 2
SUITE_NAMES = {SUITE_NONE: "none", SUITE_AES256GCM: "AES-256-GCM", SUITE_CHACHA20POLY1305: "ChaCha20-Poly1305"}
_AEAD = {SUITE_AES256GCM: AESGCM, SUITE_CHACHA20POLY1305: ChaCha20Poly1305}
#: How far a handshake's timestamp may be from the receiver's clock (seconds).
HANDSHAKE_MAX_SKEW = 120
#: No key ever encrypts more messages than this (the counter is 64 bits; re-keying comes first).
COUNTER_LIMIT = 1 << 62

_DOM_INIT = b"gridledger-arb-session-init-v1"
_DOM_RESP = b"gridledger-arb-session-resp-v1"
_DOM_KEYS = b"gridledger-arb-session-keys-v1"
_S_HDR = struct.Struct(">B8sQ")
_RESP = struct.Struct(">B8s8s32sBQ")
_TAIL = struct.Struct(">8s32sQ")  # sid_a, e_a, ts of the INIT
_ZERO4 = b"\0\0\0\0"


@dataclass
class SessionOptions:
    """Session-key tunables of a regular node (defaults suit the backbone)."""

    rekey_messages: int = 1 << 20  # a sender starts a new handshake after this many messages
    rekey_seconds: float = 600.0  # ... or after this long
    grace_seconds: float = 30.0  # a superseded session still accepts frames this long
    replay_window: int = 1024  # counters accepted out of order, at most this far behind the highest
    handshake_timeout: float = 10.0  # queued messages fail when no RESP comes within this
    suites: tuple[int, ...] = (SUITE_AES256GCM, SUITE_CHACHA20POLY1305)  # offered / accepted, preferred first
    max_sessions: int = 50_000  # sessions kept per regular node; beyond, the oldest are dropped (unanswered first)

    def __post_init__(self) -> None:
        if not self.suites or any(s not in _AEAD for s in self.suites):
            raise ValueError(f"session suites must be a non-empty subset of {sorted(_AEAD)}, got {self.suites}")
        if self.replay_window < 1 or self.rekey_messages < 1 or self.max_sessions < 1:
            raise ValueError("replay_window, rekey_messages and max_sessions must be >= 1")


class ReplayWindow:
    """Anti-replay window over 64-bit counters (RFC 4303 §3.4.3 / RFC 6479 semantics).

    A counter above the highest seen is accepted; one at most ``size - 1`` below it is
    accepted once (a late, reordered frame: counted); anything else is refused — seen
    before (replay) or too far behind (reordered beyond the window).
    """

    __slots__ = ("size", "top", "bits")

    def __init__(self, size: int) -> None:
        self.size, self.top, self.bits = size, -1, 0

    def check(self, ctr: int) -> SessionError | None:
        if ctr > self.top:
            return None
        behind = self.top - ctr
        if behind >= self.size:
            return SessionError(
                "reordered",
                f"reordered frame: counter {ctr} arrived after counter {self.top}, "
                f"beyond the replay window of {self.size}",
            )
        if (self.bits >> behind) & 1:
            return SessionError("replay", f"replayed frame: counter {ctr} was already received")
        return None

    def accept(self, ctr: int) -> bool:
        """Record ``ctr`` (already checked); True when it arrived late (out of order)."""
        if ctr > self.top:
            shift = ctr - self.top
            self.bits = ((self.bits << shift) | 1) & ((1 << self.size) - 1) if shift < self.size else 1
            self.top = ctr
            return False
        self.bits |= 1 << (self.top - ctr)
        return True


class Session:
    """One direction pair of AEAD keys between ``local`` and ``peer``."""

    __slots__ = ("local", "peer", "rid", "tid", "suite", "_tx", "_rx", "sent", "window", "created",
                 "superseded_at", "confirmed", "late")  # fmt: skip

    def __init__(
        self, local: bytes, peer: bytes, rid: bytes, tid: bytes, suite: int, tx_key: bytes, rx_key: bytes, window: int
    ) -> None:
        self.local, self.peer, self.rid, self.tid, self.suite = local, peer, rid, tid, suite
        self._tx, self._rx = _AEAD[suite](tx_key), _AEAD[suite](rx_key)
        self.sent = 0
        self.window = ReplayWindow(window)
        self.created = time.monotonic()
        self.superseded_at: float | None = None
        self.confirmed = False
        self.late = 0

    def seal(self, payload: bytes) -> bytes:
        """The ciphertext field of a DATA frame to ``peer`` carrying ``payload``."""
        ctr = self.sent
        if ctr >= COUNTER_LIMIT:
            raise SessionError("exhausted", "session counter exhausted: a new handshake is needed")
        self.sent = ctr + 1
        head = _S_HDR.pack(KIND_DATA, self.tid, ctr)
        return head + self._tx.encrypt(_ZERO4 + ctr.to_bytes(8, "big"), payload, head + self.peer)

    def open(self, ct: bytes) -> bytes:
        """The payload of a frame sent to us under this session, or :class:`SessionError`."""
        if len(ct) < _S_HDR.size + 16:
            raise SessionError("malformed", "session frame shorter than its header and tag")
        ctr = int.from_bytes(ct[9:17], "big")
        refused = self.window.check(ctr)
        if refused is not None:
            raise refused
        head = ct[:17]
        try:
            payload = self._rx.decrypt(_ZERO4 + head[9:], ct[17:], head + self.local)
        except InvalidTag:
            raise SessionError(
                "tampered", f"frame does not authenticate under session {self.rid.hex()} (tampered or forged)"
            ) from None
        if self.window.accept(ctr):
            self.late += 1
        self.confirmed = True
        return payload


@dataclass
class _Handshake:
    local: bytes
    peer: bytes
    sid: bytes
    eph: X25519PrivateKey
    suites: tuple[int, ...]
    h_init: bytes
    started: float


def _derive(shared: bytes, salt: bytes) -> tuple[bytes, bytes]:
    okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=_DOM_KEYS).derive(shared)
    return okm[:32], okm[32:]  # initiator → responder, responder → initiator


def _raw(pub: X25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_ts(ts: int, what: str) -> None:
    if abs(time.time() - ts) > HANDSHAKE_MAX_SKEW:
        raise SessionError("stale", f"{what} timestamp {ts} is more than {HANDSHAKE_MAX_SKEW}s from now")


def init_plaintext(
    local_private: bytes,
    local: bytes,
    peer: bytes,
    sid: bytes,
    eph_pub: bytes,
    suites: tuple[int, ...],
    *,
    reply_onion: int = 0,
    ts: int | None = None,
) -> bytes:
    """The signed INIT plaintext (public so that tests can build hostile ones)."""
    ts = int(time.time()) if ts is None else ts
    body = bytes([VERSION, len(suites)]) + bytes(suites) + bytes([reply_onion]) + _TAIL.pack(sid, eph_pub, ts) + local
    return body + sign_digest(local_private, keccak256(_DOM_INIT + body + peer))


def encrypt_to(peer: bytes, plaintext: bytes) -> bytes:
    """ECIES to an identity key (handshake messages only: they hide both identities)."""
    return ecies.encrypt(b"\x04" + peer, plaintext)


class SessionManager:
    """The sessions of one regular node's keys: handshakes, lookup by receive id, expiry."""

    def __init__(self, keys: Mapping[bytes, bytes], options: SessionOptions | None = None) -> None:
        self._keys = keys  # public -> private (the node's own dict: keys added later are seen)
        self.opts = options or SessionOptions()
        self.by_rid: dict[bytes, Session] = {}
        self.current: dict[tuple[bytes, bytes], Session] = {}
        self.pending: dict[bytes, _Handshake] = {}  # by our sid
        self.pending_pair: dict[tuple[bytes, bytes], bytes] = {}
        self._seen_inits: OrderedDict[bytes, float] = OrderedDict()
        self._swept = 0.0
        self.established = 0
        self.evicted = 0

    # -- sending ----------------------------------------------------------------------
    def for_sending(self, local: bytes, peer: bytes) -> tuple[Session | None, bool]:
        """``(session to seal with or None, whether a new handshake should start)``."""
        s = self.current.get((local, peer))
        if s is None:
            return None, (local, peer) not in self.pending_pair
        age = time.monotonic() - s.created
        if age >= self.opts.rekey_seconds + self.opts.grace_seconds / 2 or s.sent >= COUNTER_LIMIT:
            return None, (local, peer) not in self.pending_pair  # the peer would refuse it soon: wait
        rekey = (s.sent >= self.opts.rekey_messages or age >= self.opts.rekey_seconds) and (
            local,
            peer,
        ) not in self.pending_pair
        return s, rekey

    def start(self, local: bytes, peer: bytes, *, reply_onion: int = 0) -> bytes:
        """A new handshake with ``peer``: the ciphertext field of the INIT's DATA frame."""
        sid = os.urandom(8)
        eph = X25519PrivateKey.generate()
        plain = init_plaintext(
            self._keys[local], local, peer, sid, _raw(eph.public_key()), self.opts.suites, reply_onion=reply_onion
        )
        self.pending[sid] = _Handshake(
            local, peer, sid, eph, self.opts.suites, hashlib.sha256(plain + peer).digest(), time.monotonic()
        )
        self.pending_pair[(local, peer)] = sid
        return bytes([KIND_INIT]) + encrypt_to(peer, plain)

    def abandon(self, local: bytes, peer: bytes) -> None:
        sid = self.pending_pair.pop((local, peer), None)
        if sid is not None:
            self.pending.pop(sid, None)

    # -- receiving --------------------------------------------------------------------
    def on_init(self, local: bytes, ct: bytes) -> tuple[Session, bytes, int]:
        """Answer an INIT: ``(new session, RESP ciphertext field, reply onion hops)``."""
        try:
            plain = ecies.decrypt(self._keys[local], ct[1:])
        except Exception as exc:  # noqa: BLE001 - eciespy raises ValueError or library errors
            raise SessionError("malformed", f"handshake does not decrypt with this key: {type(exc).__name__}") from exc
        if len(plain) < 3 or plain[0] != VERSION:
            raise SessionError("malformed", f"handshake version {plain[:1].hex()} is not {VERSION}")
        n = plain[1]
        body_len = 2 + n + 1 + _TAIL.size + PUBKEY_LEN
        if len(plain) != body_len + SIG_LEN:
            raise SessionError("malformed", "handshake INIT has the wrong length")
        suites = tuple(plain[2 : 2 + n])
        reply_onion = plain[2 + n]
        sid_a, e_a, ts = _TAIL.unpack_from(plain, 3 + n)
        pk_a = plain[body_len - PUBKEY_LEN : body_len]
        body, sig = plain[:body_len], plain[body_len:]
        try:
            signer = recover(keccak256(_DOM_INIT + body + local), sig)
        except SignatureError as exc:
            raise SessionError("signature", f"handshake signature unusable: {exc}") from exc
        if signer != pk_a:
            raise SessionError("signature", "handshake INIT not signed by the key it names")
        _check_ts(ts, "handshake")
        chosen = next((s for s in self.opts.suites if s in suites), None)
        if chosen is None:
            offered = ", ".join(SUITE_NAMES.get(s, str(s)) for s in suites) or "nothing"
            raise SessionError("downgrade", f"downgrade refused: the peer offers no encryption we accept ({offered})")
        h_init = hashlib.sha256(plain + local).digest()
        self._forget_old_inits()
        if h_init in self._seen_inits:
            raise SessionError("replay", "replayed handshake INIT")
        self._seen_inits[h_init] = time.monotonic()
        eph = X25519PrivateKey.generate()
        sid_b = os.urandom(8)
        resp_body = _RESP.pack(VERSION, sid_a, sid_b, _raw(eph.public_key()), chosen, int(time.time()))
        sig_b = sign_digest(self._keys[local], keccak256(_DOM_RESP + h_init + resp_body + pk_a))
        k_ab, k_ba = _derive(
            eph.exchange(X25519PublicKey.from_public_bytes(e_a)), hashlib.sha256(h_init + resp_body).digest()
        )
        session = Session(local, pk_a, sid_b, sid_a, chosen, k_ba, k_ab, self.opts.replay_window)
        self._install(session, confirmed=False)
        return session, bytes([KIND_RESP]) + encrypt_to(pk_a, resp_body + sig_b), reply_onion

    def on_resp(self, local: bytes, ct: bytes) -> Session:
        """Finish a handshake we started; the new session becomes the one we send with."""
        try:
            plain = ecies.decrypt(self._keys[local], ct[1:])
        except Exception as exc:  # noqa: BLE001
            raise SessionError("malformed", f"handshake does not decrypt with this key: {type(exc).__name__}") from exc
        if len(plain) != _RESP.size + SIG_LEN or plain[0] != VERSION:
            raise SessionError("malformed", "handshake RESP has the wrong length or version")
        _v, sid_a, sid_b, e_b, suite, ts = _RESP.unpack_from(plain)
        hs = self.pending.get(sid_a)
        if hs is None or hs.local != local:
            raise SessionError("stale", "handshake RESP answers no pending handshake (replayed or late)")
        resp_body, sig = plain[: _RESP.size], plain[_RESP.size :]
        try:
            signer = recover(keccak256(_DOM_RESP + hs.h_init + resp_body + local), sig)
        except SignatureError as exc:
            raise SessionError("signature", f"handshake RESP signature unusable: {exc}") from exc
        if signer != hs.peer:
            raise SessionError("signature", "handshake RESP not signed by the peer we addressed")
        if suite not in hs.suites or suite == SUITE_NONE:
            raise SessionError("downgrade", f"downgrade refused: the peer chose suite {suite}, which we did not offer")
        _check_ts(ts, "handshake RESP")
        del self.pending[sid_a]
        self.pending_pair.pop((local, hs.peer), None)
        k_ab, k_ba = _derive(
            hs.eph.exchange(X25519PublicKey.from_public_bytes(e_b)), hashlib.sha256(hs.h_init + resp_body).digest()
        )
        session = Session(local, hs.peer, sid_a, sid_b, suite, k_ab, k_ba, self.opts.replay_window)
        self._install(session, confirmed=True)
        return session

    def open(self, local: bytes, ct: bytes) -> tuple[Session, bytes]:
        """``(session, payload)`` of a session DATA frame for ``local``, or :class:`SessionError`."""
        s = self.by_rid.get(ct[1:9])
        if s is None:
            raise SessionError(
                "stale", f"frame for unknown session {ct[1:9].hex()} (stale: expired, or from before a restart)"
            )
        if s.local != local:
            raise SessionError("misdirected", "frame under a session of another key")
        if self._expired(s, time.monotonic()):
            self._drop(s)
            raise SessionError("stale", f"frame under stale session {s.rid.hex()} (superseded or expired)")
        was_confirmed = s.confirmed
        payload = s.open(ct)
        if not was_confirmed:  # the initiator uses it: it is now the one to answer with
            cur = self.current.get((s.local, s.peer))
            if cur is not s and (cur is None or cur.created < s.created):
                self._supersede(cur)
                self.current[(s.local, s.peer)] = s
        return s, payload

    # -- bookkeeping ------------------------------------------------------------------
    def _install(self, s: Session, *, confirmed: bool) -> None:
        self.established += 1
        self.by_rid[s.rid] = s
        now = time.monotonic()
        if now - self._swept >= 1.0 or len(self.by_rid) > self.opts.max_sessions:
            self._swept = now  # expired sessions are swept at most once a second (not per handshake)
            for old in [o for o in self.by_rid.values() if self._expired(o, now)]:
                self._drop(old)
        if len(self.by_rid) > self.opts.max_sessions:
            self._evict(s)
        cur = self.current.get((s.local, s.peer))
        if confirmed or cur is None:
            self._supersede(cur)
            self.current[(s.local, s.peer)] = s
        s.confirmed = confirmed

    def _supersede(self, s: Session | None) -> None:
        if s is not None and s.superseded_at is None:
            s.superseded_at = time.monotonic()

    def _expired(self, s: Session, now: float) -> bool:
        if s.superseded_at is not None and now - s.superseded_at > self.opts.grace_seconds:
            return True
        return now - s.created > self.opts.rekey_seconds + self.opts.grace_seconds

    def _evict(self, keep: Session) -> None:
        """Above ``max_sessions`` (a flood of handshakes from fresh keys): drop the oldest
        sessions no frame has used yet, then the oldest of all; never ``keep``."""
        excess = len(self.by_rid) - self.opts.max_sessions
        for unused_only in (True, False):
            for old in list(self.by_rid.values()):  # insertion order: oldest first
                if excess <= 0:
                    return
                if old is keep or (unused_only and old.confirmed):
                    continue
                self._drop(old)
                self.evicted += 1
                excess -= 1

    def _drop(self, s: Session) -> None:
        self.by_rid.pop(s.rid, None)
        if self.current.get((s.local, s.peer)) is s:
            del self.current[(s.local, s.peer)]

    def _forget_old_inits(self) -> None:
        cutoff = time.monotonic() - 2 * HANDSHAKE_MAX_SKEW
        while self._seen_inits and next(iter(self._seen_inits.values())) < cutoff:
            self._seen_inits.popitem(last=False)
