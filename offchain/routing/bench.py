"""``gridledger bench routing``: packets per message (ARB vs flooding) and TCP throughput.

    gridledger bench routing --json
    gridledger bench routing --sizes 100,1000 --messages 2000 --backbones 8

Prints one JSON object (``--json``) or a table:

- ``packets_per_message``: for each N, data packets per negotiation message under ARB
  (``arb``; ``arb_with_receipts`` adds the delivery receipts) and under flooding to
  every node (``flooding``), from real negotiations run on the in-process transport
  with the same routing table and decision code as the TCP backbone.
- ``messages_per_second``: signed negotiation messages, encrypted end to end under a
  session key (one authenticated handshake, then AES-256-GCM per message; ``--no-sessions``:
  one ECIES envelope and signature per message, the format before session keys), sent over
  loopback TCP through two backbone node processes (sender -> B0 -> B1 -> receiver),
  decrypted, replay-checked and signature-checked by the receiver (its own process).
- ``throughput``: details, CPU microseconds per message in each process, and the frames
  per write on each link (batching).
- ``path_profile_us``: CPU microseconds of each step of one message's path, measured in
  this process for both formats (``legacy_ecies`` and ``session``).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection

from ..kernel.commandline import OneLineParser, int_range
from ..kernel.crypto import new_private_key, public_key
from ..negotiation import ConcessionStrategy, Offer, Party, negotiate
from . import _wire as w
from .cluster import BackboneCluster
from .envelope import open_envelope, seal
from .node import RegularNode
from .session import SessionManager
from .simulate import SimulatedNetwork, SimulatedTransport
from .table import RoutingTable

__all__ = ["main", "packets_per_message", "throughput", "path_profile"]


# -- packets --------------------------------------------------------------------------
async def _negotiations(net: SimulatedNetwork, mode: str, count: int, seed: int) -> int:
    transport = SimulatedTransport(net, mode)
    done = 0
    for i, (b, s) in enumerate(net.pairs(count)):
        buyer = Party(net.privates[b], ConcessionStrategy.buyer(80 + i % 7, 120 + i % 11))
        seller = Party(net.privates[s], ConcessionStrategy.seller(160 - i % 5, 100 + i % 13))
        await negotiate(buyer, seller, transport, amount=1000 + i, offer_limit=12)
        done += 1
    return done


def packets_per_message(sizes: list[int], backbones: int = 8, negotiations: int = 40, seed: int = 1) -> dict:
    """``{N: {"arb", "arb_with_receipts", "flooding", "flooding_over_arb"}}`` (averages per message)."""
    out: dict[str, dict] = {}
    for n in sizes:
        net = SimulatedNetwork(n, backbones, seed=seed)
        count = min(negotiations, n // 2)
        asyncio.run(_negotiations(net, "arb", count, seed))
        asyncio.run(_negotiations(net, "flood", count, seed))
        arb = net.packets["arb"] / net.messages["arb"]
        flood = net.packets["flood"] / net.messages["flood"]
        out[str(n)] = {
            "arb": round(arb, 3),
            "arb_with_receipts": round((net.packets["arb"] + net.packets["arb_receipts"]) / net.messages["arb"], 3),
            "flooding": round(flood, 3),
            "flooding_over_arb": round(flood / arb, 1),
            "messages": net.messages["arb"],
            "backbone_nodes": backbones,
        }
    return out


# -- throughput -----------------------------------------------------------------------
def _key_for(table: RoutingTable, owner: int) -> bytes:
    while True:
        key = new_private_key()
        if table.owner_of(public_key(key)) == owner:
            return key


def _receiver(table: dict, key: bytes, expected: int, conn: Connection, sessions: bool = True) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the parent's to handle: it stops this process

    async def run() -> None:  # runs in its own process
        pk = public_key(key)
        node = await RegularNode([key], RoutingTable.from_dict(table), sessions=sessions).start()
        t0 = os.times()
        conn.send("ready")
        first = last = 0.0
        for i in range(expected):
            msg = await node.receive(pk, timeout=60)
            Offer.decode(msg.payload).verify()  # the negotiation signature, checked
            if i == 0:
                first = time.time()
        last = time.time()
        t1 = os.times()
        cpu = t1.user + t1.system - t0.user - t0.system
        conn.send({"received": expected, "first": first, "last": last, "cpu": cpu, "refused": node.stats["refused"]})
        await node.close()

    asyncio.run(run())


def _cpu_of(pid: int) -> float:
    import psutil

    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def throughput(messages: int = 5000, window: int = 1000, *, sessions: bool = True) -> dict:
    """Messages per second through two backbone hops with authentication and encryption
    (end-to-end session keys; ``sessions=False``: one ECIES envelope and signature per message)."""
    ctx = mp.get_context("spawn")
    with BackboneCluster(2) as cluster:
        table = cluster.table
        send_key, recv_key = _key_for(table, 0), _key_for(table, 1)
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_receiver, args=(table.to_dict(), recv_key, messages, child, sessions), daemon=True)
        proc.start()
        try:
            if not parent.poll(30) or parent.recv() != "ready":
                raise RuntimeError("receiver process did not start")
            bb_cpu0 = {i: _cpu_of(p.pid) for i, p in cluster.procs.items()}
            cpu0 = os.times()
            t0 = time.time()
            sender_stats = asyncio.run(_send_all(table, send_key, public_key(recv_key), messages, window, sessions))
            sent_at = time.time()
            cpu1 = os.times()
            if not parent.poll(120):
                raise RuntimeError("receiver did not report")
            report = parent.recv()
            bb_cpu = {i: _cpu_of(p.pid) - bb_cpu0[i] for i, p in cluster.procs.items()}
        finally:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
    elapsed = report["last"] - t0
    per_msg = 1e6 / messages
    seal_step = "session seal (AES-256-GCM)" if sessions else "sign envelope + ECIES encrypt"
    open_step = "session open (replay window + AES-256-GCM)" if sessions else "ECIES decrypt + envelope verify"
    cpu = {
        f"sender (sign offer + {seal_step} + send)": round(
            (cpu1.user + cpu1.system - cpu0.user - cpu0.system) * per_msg, 1
        ),
        "backbone node 0 (origin: parse, route, receipt)": round(bb_cpu[0] * per_msg, 1),
        "backbone node 1 (deliver, receipt)": round(bb_cpu[1] * per_msg, 1),
        f"receiver ({open_step} + offer signature check)": round(report["cpu"] * per_msg, 1),
    }
    total = sum(cpu.values())
    return {
        "messages": messages,
        "format": "session keys" if sessions else "ECIES envelope per message",
        "seconds": round(elapsed, 3),
        "messages_per_second": round(messages / elapsed, 1),
        "sender_seconds": round(sent_at - t0, 3),
        "backbone_hops": 2,
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu_us_per_message": cpu,
        "cpu_us_per_message_total": round(total, 1),
        "ceiling_messages_per_second": round((os.cpu_count() or 1) * 1e6 / total, 1),
        "handshakes": sender_stats["handshakes"],
        "refused": report["refused"],
        "sender_frames_per_write": sender_stats["frames_per_write"],
        "crypto_us_per_message": _crypto_costs(sessions),
    }


async def _send_all(
    table: RoutingTable, key: bytes, dest: bytes, messages: int, window: int, sessions: bool = True
) -> dict:
    node = await RegularNode([key], table, sessions=sessions).start()
    pk = public_key(key)
    negotiation_id = os.urandom(32)
    pending: deque[asyncio.Future] = deque()
    try:
        for i in range(messages):
            offer = Offer(negotiation_id, pk, 10**15 + i, 5000, 0, i % 65535 + 1).signed(key)
            pending.append(node.send_nowait(pk, dest, offer.encode()))
            if len(pending) >= window:
                await pending.popleft()
            if i % 64 == 0:
                await asyncio.sleep(0)
        await asyncio.gather(*pending)
        links = list(node._links.values())
        writes = sum(link.out.writes for link in links)
        frames = sum(link.out.frames for link in links)
        return {"handshakes": node.stats["handshakes"], "frames_per_write": round(frames / max(1, writes), 1)}
    finally:
        await node.close()


def _timed(fn: Callable[[], object], n: int) -> float:
    """CPU microseconds per call (process time: what the step costs, not how long the machine
    made it wait)."""
    t = time.process_time()
    for _ in range(n):
        fn()
    return round((time.process_time() - t) / n * 1e6, 1)


def _crypto_costs(sessions: bool = True, n: int = 300) -> dict:
    profile = path_profile(n)
    return profile["session" if sessions else "legacy_ecies"]


def path_profile(n: int = 2000) -> dict:
    """CPU microseconds of each step of one message's path, for both formats, in this process.

    The backbone's part (parse the header, route, forward, receipt) is the same for both
    and is measured per process by :func:`throughput`."""
    key, other = new_private_key(), new_private_key()
    pk, dest = public_key(key), public_key(other)
    offer = Offer(os.urandom(32), pk, 10**15, 5000, 0, 1)
    payload = offer.signed(key).encode()
    ct = seal(key, dest, payload)
    msg_id = os.urandom(16)
    legacy = {
        "offer sign + encode": _timed(lambda: offer.signed(key).encode(), n),
        "envelope sign + ECIES encrypt": _timed(lambda: seal(key, dest, payload), max(50, n // 10)),
        "DATA frame": _timed(lambda: w.pack(w.Data(msg_id, w.NO_ORIGIN, 0, 0, 0, dest, ct).body()), n),
        "ECIES decrypt + envelope verify": _timed(lambda: open_envelope(other, ct, dest), max(50, n // 10)),
        "offer decode + verify": _timed(lambda: Offer.decode(payload).verify(), n),
    }
    a = SessionManager({pk: key})
    b = SessionManager({dest: other})
    init = a.start(pk, dest)
    _s, resp, _hops = b.on_init(dest, init)
    a.on_resp(pk, resp)
    sa = a.current[(pk, dest)]
    frames = [sa.seal(payload) for _ in range(n)]
    it = iter(frames)

    def handshake() -> None:
        x, y = SessionManager({pk: key}), SessionManager({dest: other})
        x.on_resp(pk, y.on_init(dest, x.start(pk, dest))[1])

    sc = SessionManager({pk: key}).start(pk, dest)  # a fresh INIT ciphertext for sizing
    session = {
        "offer sign + encode": legacy["offer sign + encode"],
        "session seal (AES-256-GCM)": _timed(lambda: sa.seal(payload), n),
        "DATA frame": _timed(lambda: w.pack(w.Data(msg_id, w.NO_ORIGIN, 0, 0, 0, dest, frames[0]).body()), n),
        "session open (replay window + AES-256-GCM)": _timed(lambda: b.open(dest, next(it)), n),
        "offer decode + verify": legacy["offer decode + verify"],
        "handshake, once per pair of keys (both sides)": _timed(handshake, 20),
    }
    return {
        "legacy_ecies": legacy,
        "session": session,
        "bytes_on_the_wire": {"legacy_ecies": len(ct), "session": len(frames[0]), "session_init": len(sc)},
    }


# -- entry point ----------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="gridledger bench routing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sizes", default="100,1000,10000", help="regular-node counts N (comma-separated, 2..10^6)")
    parser.add_argument(
        "--backbones", type=int_range(1, 256), default=8, help="backbone nodes in the packet simulation"
    )
    parser.add_argument(
        "--negotiations", type=int_range(1, 10**6), default=40, help="negotiations per N in the packet simulation"
    )
    parser.add_argument(
        "--messages", type=int_range(0, 10**7), default=5000, help="messages in the throughput run (0 skips it)"
    )
    parser.add_argument("--window", type=int_range(1, 10**6), default=1000, help="unacknowledged messages in flight")
    parser.add_argument(
        "--no-sessions", action="store_true", help="the format before session keys: ECIES + signature per message"
    )
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"argument --sizes: must be integers, got {args.sizes!r}")
    if not sizes or any(not 2 <= n <= 10**6 for n in sizes):
        parser.error(f"argument --sizes: every N must be between 2 and 1000000, got {args.sizes!r}")
    packets = packets_per_message(sizes, args.backbones, args.negotiations)
    result: dict = {"packets_per_message": packets}
    if args.messages:
        tp = throughput(args.messages, args.window, sessions=not args.no_sessions)
        result["messages_per_second"] = tp["messages_per_second"]
        result["throughput"] = tp
    if args.json:
        print(json.dumps(result))
        return 0
    print("packets per negotiation message (ARB vs flooding to every node)")
    for n, row in packets.items():
        print(f"  N={n:>6}: ARB {row['arb']:.2f} (+receipts {row['arb_with_receipts']:.2f})  "
              f"flooding {row['flooding']:.0f}  ->  {row['flooding_over_arb']:.0f}x fewer")  # fmt: skip
    if args.messages:
        tp = result["throughput"]
        print(f"throughput over 2 backbone hops (signed + encrypted): {tp['messages_per_second']:.0f} msg/s "
              f"({tp['messages']} messages in {tp['seconds']:.2f}s on {tp['cores']} cores)")  # fmt: skip
        for k, v in {**tp["cpu_us_per_message"], **tp["crypto_us_per_message"]}.items():
            print(f"  {v:8.1f} us/msg  {k}")
    return 0
