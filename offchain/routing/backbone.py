"""A backbone node of the Anonymous Routing Backbone: an asyncio TCP server.

Regular nodes connect, join with keys (signed join messages) and send DATA frames; the
node routes each frame by the destination key's routing bytes (see :mod:`._route`):
deliver to a joined key, hold briefly for a key that is re-associating, or forward to
the responsible backbone node over a persistent peer link. Every DATA frame ends in a
RECEIPT back to the sender — delivered, or undeliverable with the reason — so nothing
is lost silently. The node that first accepted a message (its origin) keeps it until
the receipt arrives and re-routes it if the peer it went through dies.

Overload (more than ``load_threshold`` deliveries per second) makes the node gather
load from its peers, rebuild the table with a larger X and push it to everyone; a peer
that dies is removed from the table by every survivor (deterministically). Regular
nodes re-associate on every new table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from . import _wire as w
from ._errors import FrameError, JoinRefusedError, SessionError
from ._route import DELIVER, FORWARD, route_step
from .circuit import CIRCUIT_MARK, CircuitKeys
from .join import make_hello, verify_hello, verify_join
from .onion import peel
from .pow import check as pow_check
from .pow import stamp_digest
from .table import LOAD_PREFIX_BYTES, BackboneInfo, RoutingTable

__all__ = ["BackboneNode", "NodeOptions"]

log = logging.getLogger("gridledger.routing.backbone")

#: Seconds an origin keeps an unacknowledged message before telling the sender it failed.
INFLIGHT_TTL = 30.0
#: Bytes queued for one connection beyond which it counts as not reading (slow consumer).
MAX_BUFFERED = 16 * 1024 * 1024


@dataclass
class NodeOptions:
    """Tunables of a backbone node (all have working defaults)."""

    load_threshold: float = 0.0  # deliveries per second that trigger a rebalance (0: never)
    load_window: float = 1.0
    rebalance_cooldown: float = 3.0
    hold_timeout: float = 3.0  # how long a message waits for its key to (re-)join
    min_pow_bits: int = 0
    max_frame: int = w.MAX_FRAME
    peer_grace: float = 0.0  # a peer link may stay down this long (and 3 reconnects) before the peer counts as dead

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(eq=False)
class _Session:
    writer: asyncio.StreamWriter
    peer: str
    keys: set[bytes] = field(default_factory=set)
    peer_id: int | None = None
    out: w.Batcher = field(init=False)

    def __post_init__(self) -> None:
        self.out = w.Batcher(self.writer)

    def send(self, frame: bytes) -> bool:
        if self.writer.is_closing() or self.writer.transport.get_write_buffer_size() > MAX_BUFFERED:
            return False  # gone, or not reading: the message is held and then fails with a receipt
        self.out.write(frame)
        return True


@dataclass
class _Inflight:
    session: _Session
    body: bytes | None  # None for onion messages (the origin never sees their DATA frame)
    via: int | None = None
    since: float = field(default_factory=time.monotonic)


class BackboneNode:
    """One backbone node; ``await start()``, later ``await close()``."""

    def __init__(
        self, info: BackboneInfo, private: bytes, table: RoutingTable, options: NodeOptions | None = None
    ) -> None:
        self.info = info
        self.node_id = info.node_id
        self._private = private
        self.table = table
        self._peer_keys = {n.node_id: n.pubkey for n in table.nodes if n.node_id != info.node_id}
        self.opts = options or NodeOptions()
        self.stats: Counter[str] = Counter()
        self.local: dict[bytes, _Session] = {}
        self._sessions: set[_Session] = set()
        self._inflight: dict[bytes, _Inflight] = {}
        self._held: dict[bytes, list[tuple[float, bytes]]] = {}  # dest -> (deadline, body)
        self._peer_out: dict[int, w.Batcher] = {}
        self._peer_up: dict[int, bool] = {}
        self._dead: set[int] = set()
        self._tasks: set[asyncio.Task] = set()
        self._server: asyncio.base_events.Server | None = None
        self._load: Counter[int] = Counter()
        self._window_start = time.monotonic()
        self._window_count = 0
        self._last_rebalance = 0.0
        self._rebalancing = False
        self._load_replies: dict[int, dict[int, dict]] = {}
        self._req = 0
        self.circuits = CircuitKeys(private, info.node_id)

    # -- lifecycle --------------------------------------------------------------------
    async def start(self) -> None:
        self._server = await asyncio.start_server(self._on_conn, self.info.host, self.info.port, limit=1 << 20)
        for peer in self.table.nodes:
            if peer.node_id != self.node_id:
                self._spawn(self._peer_link(peer))
        self._spawn(self._maintenance())
        log.info("backbone node %d listening on %s:%d", self.node_id, self.info.host, self.info.port)

    async def wait_peers(self, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        want = {n.node_id for n in self.table.nodes} - {self.node_id}
        while time.monotonic() < deadline:
            if all(self._peer_up.get(p) for p in want):
                return True
            await asyncio.sleep(0.05)
        return False

    async def close(self) -> None:
        if self._server:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for s in list(self._sessions):
            s.writer.close()
        for wr in self._peer_out.values():
            wr.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 2)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- peer links -------------------------------------------------------------------
    async def _peer_link(self, peer: BackboneInfo) -> None:
        """Keep an outgoing link to ``peer``; declare it dead when a live link cannot be restored
        (three failed reconnects, and ``peer_grace`` seconds since it went down)."""
        was_up = False
        failures = 0
        down_since = 0.0
        while peer.node_id not in self._dead:
            try:
                reader, writer = await asyncio.open_connection(peer.host, peer.port)
            except OSError:
                if was_up:
                    failures += 1
                    if failures >= 3 and time.monotonic() - down_since >= self.opts.peer_grace:
                        self._on_peer_dead(peer.node_id)
                        return
                await asyncio.sleep(0.1)
                continue
            out = w.Batcher(writer)
            out.write(w.json_frame(w.HELLO, make_hello(self._private, self.node_id, peer.node_id)))
            self._peer_out[peer.node_id] = out
            self._peer_up[peer.node_id] = True
            if was_up:
                self.stats["peer_links_restored"] += 1
            was_up, failures = True, 0
            frames = w.FrameBuffer(self.opts.max_frame)
            with contextlib.suppress(ConnectionError, FrameError):
                while True:  # peers answer on this link too (LOAD replies)
                    data = await reader.read(1 << 18)
                    if not data:
                        break
                    for body in frames.feed(data):
                        if isinstance(body, FrameError):
                            raise body
                        self._dispatch_peer(body, peer.node_id)
            down_since = time.monotonic()
            self._peer_up[peer.node_id] = False
            self._peer_out.pop(peer.node_id, None)
            writer.close()
            log.warning("node %d: link to backbone node %d lost", self.node_id, peer.node_id)

    def _send_peer(self, peer_id: int, frame: bytes) -> bool:
        out = self._peer_out.get(peer_id)
        if out is None or out.is_closing() or out.buffered() > MAX_BUFFERED:
            return False
        out.write(frame)
        self.stats["frames_to_peers"] += 1
        return True

    def _on_peer_dead(self, peer_id: int) -> None:
        if peer_id in self._dead:
            return
        self._dead.add(peer_id)
        self.stats["peers_dead"] += 1
        log.warning("node %d: backbone node %d is dead; removing it from the table", self.node_id, peer_id)
        with contextlib.suppress(ValueError):
            self._apply_table(self.table.without(self._dead), broadcast=False)
        for _msg_id, entry in list(self._inflight.items()):
            if entry.via == peer_id and entry.body is not None:
                self.stats["rerouted_after_death"] += 1
                entry.via = None
                self._route(entry.body)

    # -- connections ------------------------------------------------------------------
    async def _on_conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        session = _Session(writer, f"{peername[0]}:{peername[1]}" if peername else "?")
        self._sessions.add(session)
        frames = w.FrameBuffer(self.opts.max_frame)
        try:
            while True:  # batched: every complete frame of one read is handled in one pass
                data = await reader.read(1 << 18)
                if not data:
                    break
                for body in frames.feed(data):
                    if type(body) is bytes:
                        try:
                            self._dispatch(session, body)
                        except (FrameError, JoinRefusedError) as exc:
                            self._drop(session, type(exc).__name__, str(exc))
                    elif isinstance(body, w.OversizedFrame):
                        self._drop(session, "oversized", str(body))
                    else:
                        raise body
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except FrameError as exc:  # beyond the hard limit: the stream cannot be trusted
            self._drop(session, "closed", str(exc))
        finally:
            self._sessions.discard(session)
            for key in session.keys:
                if self.local.get(key) is session:
                    del self.local[key]
            writer.close()

    def _drop(self, session: _Session, kind: str, reason: str) -> None:
        self.stats[f"dropped_{kind}"] += 1
        log.warning("node %d: dropped frame from %s: %s", self.node_id, session.peer, reason)
        if session.peer_id is None:
            session.send(w.json_frame(w.ERROR, {"reason": reason}))

    def _dispatch(self, session: _Session, body: bytes) -> None:
        ftype = body[0]
        self.stats["frames_in"] += 1
        if session.peer_id is not None:
            self._dispatch_peer(body, session.peer_id)
        elif ftype == w.DATA:
            self._data_from_regular(session, body)
        elif ftype == w.RECEIPT:
            raise FrameError("regular nodes do not send receipts")
        elif ftype == w.ONION:
            self._onion_from_regular(session, body)
        elif ftype in w.JSON_TYPES:
            self._control(session, ftype, w.parse_json(body))
        else:
            raise FrameError(f"unknown frame type {ftype}")

    def _control(self, session: _Session, ftype: int, obj: dict) -> None:
        if ftype == w.HELLO:
            session.peer_id = verify_hello(obj, self.node_id, self._peer_keys)
            self.stats["peer_links_in"] += 1
        elif ftype == w.JOIN:
            self._join(session, obj)
        elif ftype == w.LEAVE:
            key = bytes.fromhex(str(obj.get("pk", "")))
            if self.local.get(key) is session:
                del self.local[key]
                session.keys.discard(key)
                self.stats["leaves"] += 1
        elif ftype == w.GET_TABLE:
            session.send(w.json_frame(w.TABLE, self.table.to_dict()))
        elif ftype == w.STATS:
            session.send(w.json_frame(w.STATS, self.snapshot()))
        elif ftype == w.ADMIN:
            if obj.get("cmd") == "rebalance":
                self._spawn(self._rebalance(force=True))
                session.send(w.json_frame(w.ADMIN, {"ok": True}))
            else:
                raise FrameError(f"unknown admin command {obj.get('cmd')!r}")
        else:
            raise FrameError(f"{w.NAMES[ftype]} frames are not accepted from regular nodes")

    def snapshot(self) -> dict:
        return {
            "id": self.node_id,
            "table_version": self.table.version,
            "x": self.table.x,
            "joined_keys": len(self.local),
            "inflight": len(self._inflight),
            "held": sum(len(v) for v in self._held.values()),
            "dead_peers": sorted(self._dead),
            "stats": dict(self.stats),
        }

    def _join(self, session: _Session, obj: dict) -> None:
        try:
            key = verify_join(obj, self.node_id)
        except JoinRefusedError as exc:
            self.stats["joins_refused"] += 1
            log.warning("node %d: refused join from %s: %s", self.node_id, session.peer, exc)
            session.send(w.json_frame(w.ERROR, {"reason": f"join refused: {exc}", "pk": obj.get("pk")}))
            return
        owner = self.table.owner_of(key)
        if owner != self.node_id:
            self.stats["joins_misdirected"] += 1
            session.send(
                w.json_frame(
                    w.ERROR,
                    {"reason": f"not responsible for this key (owner is {owner})", "pk": key.hex(),
                     "table": self.table.to_dict()},
                )
            )  # fmt: skip
            return
        old = self.local.get(key)
        if old is not None and old is not session:
            old.keys.discard(key)
        self.local[key] = session
        session.keys.add(key)
        self.stats["joins"] += 1
        session.send(w.json_frame(w.JOINED, {"pk": key.hex(), "table": self.table.to_dict()}))
        for _deadline, body in self._held.pop(key, []):
            self._route(body)

    # -- data path --------------------------------------------------------------------
    def _data_from_regular(self, session: _Session, body: bytes) -> None:
        if not session.keys:
            raise FrameError("DATA from a connection that has not joined any key")
        msg_id, _origin, _hops, dest = w.data_header(body)
        if self.opts.min_pow_bits:
            data = w.Data.parse(body)
            if data.pow_bits < self.opts.min_pow_bits or not pow_check(
                stamp_digest(data.msg_id, data.dest, data.ciphertext), data.pow_nonce, self.opts.min_pow_bits
            ):
                self.stats["dropped_pow"] += 1
                log.warning("node %d: dropped DATA from %s: proof of work below difficulty", self.node_id, session.peer)
                session.send(
                    w.receipt(msg_id, self.node_id, False, f"proof of work below {self.opts.min_pow_bits} bits")
                )
                return
        body = w.data_with(body, origin=self.node_id, hops=0)
        self._inflight[msg_id] = _Inflight(session, body)
        self.stats["data_accepted"] += 1
        self._route(body)

    def _onion_from_regular(self, session: _Session, body: bytes) -> None:
        if not session.keys:
            raise FrameError("ONION from a connection that has not joined any key")
        msg_id, next_hop, blob = w.parse_onion(body)
        self._inflight[msg_id] = _Inflight(session, None)
        self.stats["onion_accepted"] += 1
        self._relay_onion(next_hop, blob)

    def _relay_onion(self, next_hop: int, blob: bytes) -> None:
        if next_hop == self.node_id:
            self._peel(blob)
        elif not self._send_peer(next_hop, w.onion(bytes(16), next_hop, blob)):
            self.stats["dropped_onion_unreachable"] += 1
            log.warning("node %d: onion next hop %d unreachable", self.node_id, next_hop)

    def _peel(self, blob: bytes) -> None:
        if blob[:1] == bytes([CIRCUIT_MARK]):  # per-hop session keys
            derived = self.circuits.derived
            try:
                layer = self.circuits.peel(blob)
            except SessionError as exc:
                self.stats[f"dropped_onion_{exc.kind}"] += 1
                log.warning("node %d: refused onion layer: %s", self.node_id, exc.reason)
                return
            if self.circuits.derived != derived:
                self.stats["circuit_keys_derived"] += 1
        else:  # a legacy ECIES layer
            layer = peel(self._private, blob)
        self.stats["onion_peeled"] += 1
        if layer.next_hop is None:
            msg_id, origin, _hops, _dest = w.data_header(layer.inner)
            if layer.inner[0] != w.DATA:
                raise FrameError("onion exit layer does not hold a DATA frame")
            self._route(w.data_with(layer.inner, hops=0))
        else:
            self._relay_onion(layer.next_hop, layer.inner)

    def _route(self, body: bytes) -> None:
        msg_id, origin, hops, dest = w.data_header(body)
        action, target = route_step(self.table, self.node_id, dest, self.local)
        if action == DELIVER:
            session = self.local[dest]
            if session.send(w.pack(body)):
                self.stats["delivered"] += 1
                self._count_load(dest)
                self._receipt(msg_id, origin, True)
                return
            del self.local[dest]
            action = "hold"
        if action == FORWARD:
            if hops >= w.MAX_HOPS:
                self._receipt(msg_id, origin, False, "routing loop: hop limit reached")
                return
            if self._send_peer(target, w.pack(w.data_with(body, hops=hops + 1))):
                self.stats["forwarded"] += 1
                entry = self._inflight.get(msg_id) if origin == self.node_id else None
                if entry is not None:
                    entry.via = target
                return
        self.stats["held"] += 1
        self._held.setdefault(dest, []).append((time.monotonic() + self.opts.hold_timeout, body))

    def _receipt(self, msg_id: bytes, origin: int, ok: bool, reason: str = "") -> None:
        if origin == self.node_id:
            entry = self._inflight.pop(msg_id, None)
            if entry is not None:
                entry.session.send(w.receipt(msg_id, origin, ok, reason))
        elif origin != w.NO_ORIGIN and not self._send_peer(origin, w.receipt(msg_id, origin, ok, reason)):
            log.warning("node %d: receipt for origin %d lost: link down", self.node_id, origin)

    def _count_load(self, dest: bytes) -> None:
        self._window_count += 1
        self._load[int.from_bytes(dest[:LOAD_PREFIX_BYTES], "big")] += 1

    # -- peer frames ------------------------------------------------------------------
    def _dispatch_peer(self, body: bytes, peer_id: int) -> None:
        ftype = body[0]
        if ftype == w.DATA:
            self._route(body)
        elif ftype == w.RECEIPT:
            msg_id, origin, ok, reason = w.parse_receipt(body)
            self._receipt(msg_id, origin, ok, reason)
        elif ftype == w.ONION:
            _zero, next_hop, blob = w.parse_onion(body)
            if next_hop != self.node_id:
                raise FrameError("ONION frame for another node")
            self._peel(blob)
        elif ftype == w.TABLE:
            table = RoutingTable.from_dict(w.parse_json(body))
            if table.supersedes(self.table):
                self._apply_table(table, broadcast=False)
        elif ftype == w.LOAD_REQ:
            obj = w.parse_json(body)
            self._send_peer(
                peer_id, w.json_frame(w.LOAD, {"req": obj.get("req"), "from": self.node_id,
                                               "load": {str(k): v for k, v in self._load.items()}})
            )  # fmt: skip
        elif ftype == w.LOAD:
            obj = w.parse_json(body)
            replies = self._load_replies.get(obj.get("req"))
            if replies is not None:
                replies[int(obj.get("from", peer_id))] = obj.get("load", {})
        elif ftype == w.HELLO:
            pass
        else:
            raise FrameError(f"unexpected {w.NAMES.get(ftype, ftype)} frame from backbone node {peer_id}")

    # -- table changes ----------------------------------------------------------------
    def _apply_table(self, table: RoutingTable, *, broadcast: bool) -> None:
        self.table = table
        self.stats["table_changes"] += 1
        self._load.clear()
        log.info("node %d: table v%d (X=%d, %d ranges)", self.node_id, table.version, table.x, len(table.owners))
        frame = w.json_frame(w.TABLE, table.to_dict())
        if broadcast:
            for peer in table.node_ids:
                if peer != self.node_id:
                    self._send_peer(peer, frame)
        for session in {s for s in self.local.values()}:
            session.send(frame)
        held, self._held = self._held, {}
        for dest, items in held.items():
            for deadline, body in items:
                if route_step(table, self.node_id, dest, self.local)[0] == FORWARD:
                    self._route(body)
                else:
                    self._held.setdefault(dest, []).append((deadline, body))

    async def _rebalance(self, *, force: bool = False) -> None:
        if self._rebalancing:
            return
        self._rebalancing = True
        self._last_rebalance = time.monotonic()
        try:
            self._req += 1
            req = self._req * 1000 + self.node_id
            replies: dict[int, dict] = {}
            self._load_replies[req] = replies
            peers = [p for p in self.table.node_ids if p != self.node_id and self._peer_up.get(p)]
            for p in peers:
                self._send_peer(p, w.json_frame(w.LOAD_REQ, {"req": req}))
            deadline = time.monotonic() + 1.0
            while len(replies) < len(peers) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            self._load_replies.pop(req, None)
            merged: Counter[int] = Counter(self._load)
            for load in replies.values():
                for k, v in load.items():
                    merged[int(k)] += int(v)
            new = self.table.rebalanced(merged)
            self.stats["rebalances"] += 1
            log.warning(
                "node %d: overloaded (%s); rebalanced to X=%d, table v%d", self.node_id,
                "forced" if force else f">{self.opts.load_threshold}/s", new.x, new.version,
            )  # fmt: skip
            self._apply_table(new, broadcast=True)
        finally:
            self._rebalancing = False

    async def _maintenance(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            now = time.monotonic()
            for dest, items in list(self._held.items()):
                keep = [(d, b) for d, b in items if d > now]
                for _d, body in (i for i in items if i[0] <= now):
                    msg_id, origin, _h, _dest = w.data_header(body)
                    self.stats["undeliverable"] += 1
                    self._receipt(
                        msg_id, origin, False,
                        f"not delivered within {self.opts.hold_timeout:g}s: destination key is not joined to the "
                        "backbone or its backbone node is unreachable",
                    )  # fmt: skip
                if keep:
                    self._held[dest] = keep
                else:
                    del self._held[dest]
            for msg_id, entry in list(self._inflight.items()):  # receipts that can no longer come
                if now - entry.since > INFLIGHT_TTL:
                    del self._inflight[msg_id]
                    self.stats["inflight_expired"] += 1
                    entry.session.send(w.receipt(msg_id, self.node_id, False, "no receipt from the backbone in time"))
            elapsed = now - self._window_start
            if elapsed >= self.opts.load_window:
                rate = self._window_count / elapsed
                self._window_start, self._window_count = now, 0
                if (
                    self.opts.load_threshold
                    and rate > self.opts.load_threshold
                    and now - self._last_rebalance > self.opts.rebalance_cooldown
                ):
                    self._spawn(self._rebalance())
