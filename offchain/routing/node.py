"""A regular node: joins the backbone with its keys, sends and receives sealed messages.

    node = RegularNode([key1, key2], bootstrap=[("127.0.0.1", 7001)])
    await node.start()                     # fetch the table, join each key's backbone node
    await node.send(key1_pub, bob_pub, b"...")   # sign + encrypt, wait for the receipt
    env = await node.receive(key1_pub, timeout=5)

Messages travel under end-to-end session keys (:mod:`.session`): the first message to a
peer key starts one authenticated handshake (queued messages leave when it completes),
every message after that costs one AEAD operation; onion mode uses per-hop session keys
(:mod:`.circuit`). ``sessions=False`` keeps the previous format (one ECIES envelope and
signature per message). Frames are read and written in batches (many frames per system
call), without waiting: a lone message leaves in the same event-loop pass.

A node holds one TCP connection per backbone node it needs and re-associates its keys
whenever the table changes (rebalance) or its backbone node dies; messages not yet
acknowledged are sent again through the rebuilt table (receivers drop duplicates by
message id), and a message that cannot be delivered raises
:class:`UndeliverableError` / :class:`BackboneUnavailableError` — never a silent loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
from collections import OrderedDict
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import coincurve

from ..kernel.crypto import as_private_key, public_key
from . import _wire as w
from ._errors import (
    BackboneUnavailableError,
    BadSignatureError,
    FrameError,
    JoinRefusedError,
    RoutingError,
    SessionError,
    UndeliverableError,
)
from .circuit import Circuit
from .envelope import Envelope, open_envelope, seal
from .join import make_join
from .onion import wrap
from .pow import mint, stamp_digest
from .session import KIND_DATA, KIND_INIT, KIND_LEGACY, KIND_RESP, SessionManager, SessionOptions
from .table import RoutingTable

__all__ = ["RegularNode", "Received"]

log = logging.getLogger("gridledger.routing.node")


@dataclass(frozen=True)
class Received:
    """A message delivered to one of this node's keys, decrypted and signature-checked."""

    to: bytes
    sender: bytes
    payload: bytes
    msg_id: bytes


@dataclass
class _Link:
    node_id: int
    writer: asyncio.StreamWriter
    task: asyncio.Task | None = None
    out: w.Batcher = field(init=False)

    def __post_init__(self) -> None:
        self.out = w.Batcher(self.writer)


@dataclass
class _Pending:
    sender: bytes
    frame: bytes
    future: asyncio.Future
    node_id: int


class RegularNode:
    """A participant of the ARB with one or more keys (pseudonyms)."""

    def __init__(
        self,
        keys: Iterable[object],
        bootstrap: Sequence[tuple[str, int]] | RoutingTable,
        *,
        pow_bits: int = 0,
        receipt_timeout: float = 10.0,
        recover_timeout: float = 8.0,
        sessions: bool | SessionOptions = True,
    ) -> None:
        self._keys: dict[bytes, bytes] = {}
        for k in keys:
            priv = as_private_key(k)
            self._keys[public_key(priv)] = priv
        if isinstance(bootstrap, RoutingTable):
            self.table: RoutingTable | None = bootstrap
            self._bootstrap = [(n.host, n.port) for n in bootstrap.nodes]
        else:
            self.table = None
            self._bootstrap = list(bootstrap)
        self.pow_bits = pow_bits
        self.receipt_timeout = receipt_timeout
        self.recover_timeout = recover_timeout
        self.home: dict[bytes, int] = {}
        self._links: dict[int, _Link] = {}
        self._connecting: dict[int, asyncio.Future] = {}
        self._inbox: dict[bytes, asyncio.Queue[Received]] = {pk: asyncio.Queue() for pk in self._keys}
        self._pending: dict[bytes, _Pending] = {}
        self._join_waiters: dict[bytes, asyncio.Future] = {}
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        self._closed = False
        self.stats: dict[str, int] = {"sent": 0, "received": 0, "duplicates": 0, "bad_envelopes": 0, "resent": 0,
                                      "reassociations": 0, "handshakes": 0, "sessions": 0, "refused": 0,
                                      "reordered_accepted": 0}  # fmt: skip
        #: End-to-end sessions (None: legacy ECIES envelopes, ``sessions=False``).
        self.sessions: SessionManager | None = None
        if sessions is not False:
            self.sessions = SessionManager(self._keys, sessions if isinstance(sessions, SessionOptions) else None)
        self._outbox: dict[tuple[bytes, bytes], list[tuple[bytes, int | Sequence[int], asyncio.Future]]] = {}
        self._circuits: dict[tuple[int, ...], Circuit] = {}
        self._id_pool = b""
        self._valid_dests: set[bytes] = set()

    @property
    def public_keys(self) -> list[bytes]:
        return list(self._keys)

    async def add_key(self, key: object) -> bytes:
        """Hold and join one more key (a fresh pseudonym); returns its public key."""
        priv = as_private_key(key)
        pk = public_key(priv)
        if pk not in self._keys:
            self._keys[pk] = priv
            self._inbox[pk] = asyncio.Queue()
        async with self._lock:
            await self._associate(pk)
        return pk

    # -- lifecycle --------------------------------------------------------------------
    async def start(self) -> RegularNode:
        if self.table is None:
            self.table = await self._fetch_table()
        async with self._lock:
            for pk in self._keys:
                await self._associate(pk)
        return self

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for link in list(self._links.values()):
            link.out.close()
            if link.task:
                link.task.cancel()
        for link in list(self._links.values()):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(link.writer.wait_closed(), 1)
        for p in self._pending.values():
            if not p.future.done():
                p.future.set_exception(BackboneUnavailableError("regular node closed before a receipt arrived"))
                p.future.exception()  # mark retrieved
        for queued in self._outbox.values():
            for _payload, _onion, fut in queued:
                if not fut.done():
                    fut.set_exception(BackboneUnavailableError("regular node closed before its session was ready"))
                    fut.exception()
        self._outbox.clear()

    async def __aenter__(self) -> RegularNode:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- links ------------------------------------------------------------------------
    async def _fetch_table(self) -> RoutingTable:
        addresses = list(self._bootstrap)
        if self.table is not None:
            addresses = [(n.host, n.port) for n in self.table.nodes] + addresses
        errors = []
        for host, port in addresses:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
            except (TimeoutError, OSError) as exc:
                errors.append(f"{host}:{port} {type(exc).__name__}")
                continue
            try:
                writer.write(w.json_frame(w.GET_TABLE, {}))
                body = await asyncio.wait_for(w.read_frame(reader), 3)
                if body[0] == w.TABLE:
                    return RoutingTable.from_dict(w.parse_json(body))
            except (TimeoutError, OSError, asyncio.IncompleteReadError, FrameError) as exc:
                errors.append(f"{host}:{port} {type(exc).__name__}")
            finally:
                writer.close()
        raise BackboneUnavailableError(f"no backbone node answered with a routing table ({'; '.join(errors)})")

    async def _link(self, node_id: int) -> _Link:
        link = self._links.get(node_id)
        if link is not None and not link.writer.is_closing():
            return link
        waiting = self._connecting.get(node_id)
        if waiting is not None:
            return await asyncio.shield(waiting)
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._connecting[node_id] = fut
        try:
            assert self.table is not None
            info = self.table.node(node_id)
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(info.host, info.port, limit=1 << 20), 2)
            except (TimeoutError, OSError) as exc:
                raise BackboneUnavailableError(
                    f"backbone node {node_id} at {info.host}:{info.port} unreachable: {type(exc).__name__}"
                ) from exc
            link = _Link(node_id, writer)
            link.task = asyncio.ensure_future(self._read_loop(link, reader))
            self._links[node_id] = link
            fut.set_result(link)
            return link
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()
            raise
        finally:
            self._connecting.pop(node_id, None)

    async def _read_loop(self, link: _Link, reader: asyncio.StreamReader) -> None:
        frames = w.FrameBuffer()
        try:
            while True:  # batched: every complete frame of one read is handled in one pass
                data = await reader.read(1 << 18)
                if not data:
                    break
                for body in frames.feed(data):
                    if type(body) is not bytes:
                        raise body
                    try:
                        self._on_frame(link, body)
                    except SessionError as exc:
                        self.stats["refused"] += 1
                        self.stats[f"refused_{exc.kind}"] = self.stats.get(f"refused_{exc.kind}", 0) + 1
                        log.warning("refused frame from backbone node %d: %s", link.node_id, exc.reason)
                    except (FrameError, BadSignatureError, ValueError, KeyError) as exc:
                        log.warning("dropped frame from backbone node %d: %s", link.node_id, exc)
        except (asyncio.IncompleteReadError, ConnectionError, FrameError):
            pass
        finally:
            link.writer.close()
            if self._links.get(link.node_id) is link:
                del self._links[link.node_id]
                if not self._closed:
                    self._spawn(self._recover(link.node_id))

    def _on_frame(self, link: _Link, body: bytes) -> None:
        ftype = body[0]
        if ftype == w.DATA:
            data = w.Data.parse(body)
            priv = self._keys.get(data.dest)
            if priv is None:
                raise FrameError("DATA for a key this node does not hold")
            if data.msg_id in self._seen:
                self.stats["duplicates"] += 1
                return
            received = self._open(priv, data)
            self._seen[data.msg_id] = None
            if len(self._seen) > 100_000:
                self._seen.popitem(last=False)
            if received is not None:
                self.stats["received"] += 1
                self._inbox[data.dest].put_nowait(received)
        elif ftype == w.RECEIPT:
            msg_id, _origin, ok, reason = w.parse_receipt(body)
            pending = self._pending.pop(msg_id, None)
            if pending is not None and not pending.future.done():
                if ok:
                    pending.future.set_result(msg_id)
                else:
                    pending.future.set_exception(UndeliverableError(reason, msg_id))
        elif ftype == w.TABLE:
            table = RoutingTable.from_dict(w.parse_json(body))
            if self.table is None or table.supersedes(self.table):
                self.table = table
                self._spawn(self._reassociate())
        elif ftype in (w.JOINED, w.ERROR):
            obj = w.parse_json(body)
            pk = bytes.fromhex(obj["pk"]) if obj.get("pk") else None
            waiter = self._join_waiters.pop(pk, None) if pk else None
            if waiter is not None and not waiter.done():
                waiter.set_result(obj if ftype == w.JOINED else {"error": obj.get("reason", "?"), **obj})
            elif ftype == w.ERROR:
                log.warning("backbone node %d reported: %s", link.node_id, obj.get("reason"))
        else:
            raise FrameError(f"unexpected {w.NAMES.get(ftype, ftype)} frame")

    # -- association --------------------------------------------------------------------
    async def _associate(self, pk: bytes) -> None:
        """Join ``pk`` at the node the table names (caller holds the lock)."""
        assert self.table is not None
        for _attempt in range(4):
            owner = self.table.owner_of(pk)
            link = await self._link(owner)
            fut: asyncio.Future = asyncio.get_running_loop().create_future()
            self._join_waiters[pk] = fut
            link.out.write(w.json_frame(w.JOIN, make_join(self._keys[pk], owner)))
            try:
                reply = await asyncio.wait_for(fut, 5)
            except TimeoutError as exc:
                raise BackboneUnavailableError(f"backbone node {owner} did not answer a join") from exc
            if "error" not in reply:
                old = self.home.get(pk)
                self.home[pk] = owner
                if old is not None and old != owner and old in self._links:
                    self._links[old].out.write(w.json_frame(w.LEAVE, {"pk": pk.hex()}))
                table = RoutingTable.from_dict(reply["table"])
                if table.supersedes(self.table):
                    self.table = table
                return
            if "table" in reply:  # the node is not responsible under its newer table
                table = RoutingTable.from_dict(reply["table"])
                if table.supersedes(self.table):
                    self.table = table
                continue
            raise JoinRefusedError(f"backbone node {owner} refused the join: {reply['error']}")
        raise BackboneUnavailableError("could not find the backbone node responsible for a key")

    async def _reassociate(self) -> None:
        async with self._lock:
            assert self.table is not None
            for pk in list(self._keys):
                if self.home.get(pk) != self.table.owner_of(pk):
                    self.stats["reassociations"] += 1
                    try:
                        await self._associate(pk)
                    except (BackboneUnavailableError, JoinRefusedError) as exc:
                        log.warning("re-association failed: %s", exc)

    async def _recover(self, dead: int) -> None:
        """Our link to backbone node ``dead`` dropped: re-home its keys, resend what is unacknowledged."""
        deadline = time.monotonic() + self.recover_timeout
        while True:
            try:
                async with self._lock:
                    table = await self._fetch_table()
                    if self.table is None or table.supersedes(self.table):
                        self.table = table
                    assert self.table is not None
                    for pk in list(self._keys):
                        if self.home.get(pk) == dead or self.home.get(pk) not in self._links:
                            self.home.pop(pk, None)
                            await self._associate(pk)
                break
            except (BackboneUnavailableError, JoinRefusedError) as exc:
                if time.monotonic() > deadline:
                    self._fail_pending(dead, f"backbone node {dead} lost and no replacement reachable: {exc}")
                    return
                await asyncio.sleep(0.2)
        for _msg_id, p in list(self._pending.items()):
            if p.node_id == dead and not p.future.done():
                home = self.home.get(p.sender)
                link = self._links.get(home) if home is not None else None
                if link is None:
                    continue
                p.node_id = home
                link.out.write(p.frame)
                self.stats["resent"] += 1

    def _fail_pending(self, node_id: int, reason: str) -> None:
        for msg_id, p in list(self._pending.items()):
            if p.node_id == node_id and not p.future.done():
                del self._pending[msg_id]
                p.future.set_exception(BackboneUnavailableError(reason))

    # -- opening ----------------------------------------------------------------------
    def _open(self, priv: bytes, data: w.Data) -> Received | None:
        """The message in a DATA frame for one of our keys; None for a handshake message.
        Raises :class:`SessionError` (refused, with the reason) or :class:`BadSignatureError`."""
        ct = data.ciphertext
        kind = ct[0]
        mgr = self.sessions
        if mgr is None:
            try:
                env: Envelope = open_envelope(priv, ct, data.dest)
            except BadSignatureError:
                self.stats["bad_envelopes"] += 1
                raise
            return Received(data.dest, env.sender, env.payload, data.msg_id)
        if kind == KIND_DATA:
            session, payload = mgr.open(data.dest, ct)
            if session.late:
                self.stats["reordered_accepted"] += session.late
                session.late = 0
            return Received(data.dest, session.peer, payload, data.msg_id)
        if kind == KIND_INIT:
            session, resp, reply_onion = mgr.on_init(data.dest, ct)
            self.stats["sessions"] += 1
            self._reply(data.dest, session.peer, resp, reply_onion)
            return None
        if kind == KIND_RESP:
            session = mgr.on_resp(data.dest, ct)
            self.stats["sessions"] += 1
            self._flush_outbox(data.dest, session.peer)
            return None
        if kind == KIND_LEGACY:
            raise SessionError(
                "downgrade",
                "downgrade refused: a per-message ECIES envelope without session keys (no replay protection)",
            )
        raise SessionError("malformed", f"unknown payload kind 0x{kind:02x}")

    # -- messages ---------------------------------------------------------------------
    def _msg_id(self) -> bytes:
        pool = self._id_pool
        if len(pool) < 16:
            pool = os.urandom(4096)  # one system call for 256 ids
        self._id_pool = pool[16:]
        return pool[:16]

    def send_nowait(
        self, sender: bytes, dest: bytes, payload: bytes, *, onion: int | Sequence[int] = 0
    ) -> asyncio.Future:
        """Seal ``payload`` and send it; the returned future resolves on the delivery receipt.

        With session keys, the first message to ``dest`` starts the handshake and waits
        for it in order (the future then also covers the handshake)."""
        if sender not in self._keys:
            raise KeyError("sender key is not held by this node")
        if dest not in self._valid_dests:
            if len(dest) != 64 or not _valid_key(dest):
                raise RoutingError("destination is not a 64-byte secp256k1 public key")
            if len(self._valid_dests) > 100_000:
                self._valid_dests.clear()
            self._valid_dests.add(dest)
        home = self.home.get(sender)
        link = self._links.get(home) if home is not None else None
        if link is None or link.writer.is_closing():
            raise BackboneUnavailableError("sender key is not associated with a live backbone node (yet)")
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        mgr = self.sessions
        if mgr is None:
            self._transmit(sender, dest, seal(self._keys[sender], dest, payload), onion, fut)
        else:
            session, rekey = mgr.for_sending(sender, dest)
            if rekey:
                self._handshake(sender, dest, onion)
            queue = self._outbox.get((sender, dest))
            if session is None or queue:  # behind the handshake, in order
                self._outbox.setdefault((sender, dest), []).append((payload, onion, fut))
            else:
                self._transmit(sender, dest, session.seal(payload), onion, fut)
        self.stats["sent"] += 1
        return fut

    def _transmit(self, sender: bytes, dest: bytes, ct: bytes, onion: int | Sequence[int], fut: asyncio.Future) -> None:
        """Frame ``ct`` (a DATA ciphertext field) for ``dest`` and write it to ``sender``'s backbone node."""
        home = self.home.get(sender)
        link = self._links.get(home) if home is not None else None
        if link is None or link.writer.is_closing():
            if not fut.done():
                fut.set_exception(BackboneUnavailableError("sender key lost its backbone node before sending"))
            return
        assert self.table is not None
        msg_id = self._msg_id()
        nonce = mint(stamp_digest(msg_id, dest, ct), self.pow_bits) if self.pow_bits else 0
        if onion:
            hop_ids = list(onion) if isinstance(onion, Sequence) else self._pick_hops(int(onion))
            body = w.Data(msg_id, home, 0, self.pow_bits, nonce, dest, ct).body()
            if self.sessions is None:
                first, blob = wrap(body, [self.table.node(h) for h in hop_ids])
            else:
                first, blob = self._circuit(tuple(hop_ids)).wrap(body)
            frame = w.onion(msg_id, first, blob)
        else:
            frame = w.pack(w.Data(msg_id, w.NO_ORIGIN, 0, self.pow_bits, nonce, dest, ct).body())
        self._pending[msg_id] = _Pending(sender, frame, fut, home)
        link.out.write(frame)

    def _circuit(self, hop_ids: tuple[int, ...]) -> Circuit:
        """The onion circuit for a path (new ephemeral hop keys after N messages or T seconds)."""
        assert self.table is not None and self.sessions is not None
        c = self._circuits.get(hop_ids)
        opts = self.sessions.opts
        if c is None or c.sent >= opts.rekey_messages or time.monotonic() - c.created >= opts.rekey_seconds:
            c = self._circuits[hop_ids] = Circuit([self.table.node(h) for h in hop_ids])
        return c

    def _handshake(self, local: bytes, peer: bytes, onion: int | Sequence[int]) -> None:
        """Start a session handshake with ``peer`` (INIT through the same onion mode as the message)."""
        assert self.sessions is not None
        hops = len(onion) if isinstance(onion, Sequence) else int(onion)
        ct = self.sessions.start(local, peer, reply_onion=hops)
        sid = self.sessions.pending_pair[(local, peer)]
        loop = asyncio.get_running_loop()
        hfut: asyncio.Future = loop.create_future()
        hfut.add_done_callback(lambda f: self._handshake_sent(local, peer, sid, f))
        self.stats["handshakes"] += 1
        self._transmit(local, peer, ct, onion, hfut)
        loop.call_later(self.sessions.opts.handshake_timeout, self._handshake_expired, local, peer, sid)

    def _handshake_sent(self, local: bytes, peer: bytes, sid: bytes, fut: asyncio.Future) -> None:
        exc = None if fut.cancelled() else fut.exception()
        if exc is not None and self.sessions is not None and self.sessions.pending_pair.get((local, peer)) == sid:
            self.sessions.abandon(local, peer)
            self._fail_outbox(local, peer, exc)

    def _handshake_expired(self, local: bytes, peer: bytes, sid: bytes) -> None:
        if self.sessions is not None and self.sessions.pending_pair.get((local, peer)) == sid:
            self.sessions.abandon(local, peer)
            timeout = self.sessions.opts.handshake_timeout
            log.warning("session handshake with %s… not answered within %gs", peer.hex()[:12], timeout)
            self._fail_outbox(
                local,
                peer,
                UndeliverableError(f"no session with the recipient: handshake not answered within {timeout:g}s"),
            )

    def _fail_outbox(self, local: bytes, peer: bytes, exc: BaseException) -> None:
        for _payload, _onion, fut in self._outbox.pop((local, peer), []):
            if not fut.done():
                fut.set_exception(exc if isinstance(exc, RoutingError) else UndeliverableError(str(exc)))

    def _flush_outbox(self, local: bytes, peer: bytes) -> None:
        """The session with ``peer`` is ready: send what waited for it, in order."""
        assert self.sessions is not None
        queued = self._outbox.pop((local, peer), [])
        session = self.sessions.current.get((local, peer))
        for payload, onion, fut in queued:
            if fut.done():  # the caller gave up (timeout)
                continue
            if session is None:
                fut.set_exception(UndeliverableError("session with the recipient vanished before sending"))
                continue
            self._transmit(local, peer, session.seal(payload), onion, fut)

    def _reply(self, local: bytes, peer: bytes, ct: bytes, onion_hops: int) -> None:
        """Send a handshake RESP (no caller waits for it; a failure shows at the initiator)."""
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        fut.add_done_callback(lambda f: f.cancelled() or f.exception())
        hops = min(onion_hops, len(self.table.node_ids)) if self.table is not None else 0
        self._transmit(local, peer, ct, hops, fut)

    def _pick_hops(self, count: int) -> list[int]:
        assert self.table is not None
        ids = list(self.table.node_ids)
        if count > len(ids):
            raise ValueError(f"onion mode with {count} hops needs at least {count} backbone nodes")
        return random.sample(ids, count)

    async def send(
        self,
        sender: bytes,
        dest: bytes,
        payload: bytes,
        *,
        onion: int | Sequence[int] = 0,
        timeout: float | None = None,
    ) -> bytes:
        """Send and wait for the delivery receipt; returns the message id.

        Raises :class:`UndeliverableError` (with the backbone's reason, or no receipt in
        time) or :class:`BackboneUnavailableError`.
        """
        deadline = time.monotonic() + self.recover_timeout
        while True:
            try:
                fut = self.send_nowait(sender, dest, payload, onion=onion)
                break
            except BackboneUnavailableError:  # re-associating after a failure: wait a little
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout or self.receipt_timeout)
        except TimeoutError:
            fut.cancel()  # a message still queued behind a handshake must not leave after this
            for msg_id, p in list(self._pending.items()):
                if p.future is fut:
                    del self._pending[msg_id]
            raise UndeliverableError(f"no delivery receipt within {timeout or self.receipt_timeout:.1f}s") from None

    async def receive(self, key: bytes, timeout: float | None = None) -> Received:
        """The next message for ``key``; ``asyncio.TimeoutError`` after ``timeout`` seconds."""
        queue = self._inbox[key]
        if not queue.empty():  # fast path: no timer, no task (a busy receiver drains its queue here)
            return queue.get_nowait()
        if timeout is None:
            return await queue.get()
        return await asyncio.wait_for(queue.get(), timeout)


def _valid_key(pub: bytes) -> bool:
    try:
        coincurve.PublicKey(b"\x04" + pub)
    except ValueError:
        return False
    return True


async def backbone_stats(host: str, port: int) -> dict:
    """Counters of one backbone node (a STATS request on a fresh connection)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(w.json_frame(w.STATS, {}))
        body = await asyncio.wait_for(w.read_frame(reader), 3)
        return w.parse_json(body)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def backbone_admin(host: str, port: int, cmd: str) -> dict:
    """Send an admin command (``rebalance``) to one backbone node."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(w.json_frame(w.ADMIN, {"cmd": cmd}))
        return w.parse_json(await asyncio.wait_for(w.read_frame(reader), 5))
    finally:
        writer.close()
