"""Transfers on a multi-node devnet, measured honestly: latency, blocks to inclusion, audit.

:func:`measure` sends transfers at a steady rate through a :class:`FanoutClient` (to
every node, or only to one node to measure the client's own gossip) and records, for
each transfer, the head when it was sent, the block it landed in, who sealed that block
(in turn or not), and when its receipt was visible — on the reading node (the figure
reported as latency) and on any node. :func:`audit` checks afterwards, on every node,
that each transfer is in that node's canonical chain exactly once and that the nodes
agree on those blocks. :func:`soak` keeps transfers flowing for a long time while it
samples every node's head. The machine load is recorded beside every figure.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections import Counter
from typing import Any

import psutil

from .clique import block_signer
from .fanout import FanoutClient, ReceiptWatcher, Submitted
from .poa import PoaDevnet

#: blocks this close to the lowest node head are still settling (a Clique signer's out-of-turn
#: block at the tip is replaced by the in-turn one within a period or two): the audit compares
#: block hashes across nodes only below them; a fork deeper than this is reported
SETTLING_BLOCKS = 2

__all__ = ["client_for", "watcher_for", "measure", "audit", "soak", "load_now", "percentile", "summarise"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def load_now() -> dict[str, Any]:
    """Load average (1/5/15 min) and the number of cores, for the record."""
    one, five, fifteen = os.getloadavg()
    return {"loadavg": [round(one, 2), round(five, 2), round(fifteen, 2)], "cpus": os.cpu_count()}


class _CpuMeter:
    """Machine-wide CPU % between start and stop (psutil), plus load averages at both ends."""

    def __init__(self) -> None:
        psutil.cpu_percent(interval=None)
        self.start = load_now()

    def stop(self) -> dict[str, Any]:
        return {"cpu_percent": psutil.cpu_percent(interval=None), "load_start": self.start, "load_end": load_now()}


def client_for(devnet: PoaDevnet, **kw: Any) -> FanoutClient:
    return FanoutClient(devnet.rpc_urls, chain_id=devnet.chain_id, **kw)


def watcher_for(devnet: PoaDevnet, **kw: Any) -> ReceiptWatcher:
    return ReceiptWatcher(devnet.rpc_urls, chain_id=devnet.chain_id, **kw)


def summarise(latencies: list[float]) -> dict[str, float | None]:
    if not latencies:
        return {"median_s": None, "p95_s": None, "max_s": None}
    return {
        "median_s": round(statistics.median(latencies), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
    }


def _signer_index(devnet: PoaDevnet) -> dict[str, int]:
    return {str(node.signer).lower(): i for i, node in enumerate(devnet.nodes) if node.signer}


def measure(
    devnet: PoaDevnet,
    *,
    txs: int = 60,
    rate: float = 2.0,
    submit: str = "all",
    read_node: int = 0,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Send ``txs`` transfers at ``rate``/s; ``submit`` = ``all`` nodes, ``node0`` only, or ``rotate``.

    Latency is broadcast → receipt visible on ``read_node``; ``blocks_to_inclusion`` is
    the block a transfer landed in minus the highest head any node had when it was sent
    (1 = the next block).
    """
    if submit not in ("all", "node0", "rotate"):
        raise ValueError(f"submit must be all, node0 or rotate, not {submit!r}")
    client = client_for(devnet)
    keys = devnet.accounts()
    senders, recipient = keys[5:10], keys[1].address
    meter = _CpuMeter()
    watcher = watcher_for(devnet).start()
    first_block = client.head() + 1
    fees = client.fee_fields()
    subs: list[Submitted] = []
    t_next = time.monotonic()
    for i in range(txs):
        nodes = None if submit == "all" else [0] if submit == "node0" else [i % len(devnet.nodes)]
        subs.append(client.transfer(senders[i % len(senders)], recipient, 1, fees=fees, nodes=nodes, watcher=watcher))
        t_next += 1.0 / rate
        time.sleep(max(0.0, t_next - time.monotonic()))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(read_node not in s.seen_at_node for s in subs):
        for sub in subs:
            if read_node in sub.seen_at_node:
                continue
            if time.monotonic() - sub.sent_at > 15:
                client.poll(sub, nodes=[read_node])  # a block the watcher missed (node restarted)
            if submit == "all":
                client.maybe_resend(sub)
        time.sleep(0.1)
    watcher.stop()
    arrivals = watcher.arrivals[read_node]
    load = meter.stop()
    return _report(devnet, client, subs, arrivals, first_block, read_node, submit, rate, load)


def _report(
    devnet: PoaDevnet,
    client: FanoutClient,
    subs: list[Submitted],
    arrivals: list[tuple[int, float]],
    first_block: int,
    read_node: int,
    submit: str,
    rate: float,
    load: dict[str, Any],
) -> dict[str, Any]:
    chain = client.chain(read_node)
    assert chain is not None
    last_block = chain.w3.eth.block_number
    signer_of = _signer_index(devnet)
    blocks: dict[int, dict[str, Any]] = {}
    for n in range(first_block, last_block + 1):
        block = chain.w3.eth.get_block(n)
        signer = block_signer(block)
        blocks[n] = {
            "timestamp": int(block["timestamp"]),
            "in_turn": int(block["difficulty"]) == 2,
            "sealed_by_node": signer_of.get(str(signer).lower()),
            "txs": len(block["transactions"]),
        }
    latencies = [s.seen_at_node[read_node] - s.sent_at for s in subs if read_node in s.seen_at_node]
    any_latencies = [s.latency for s in subs if s.latency is not None]
    to_inclusion = Counter(
        int(s.receipt["blockNumber"]) - s.sent_block for s in subs if s.receipt is not None and s.sent_block >= 0
    )
    stamps = [blocks[n]["timestamp"] for n in sorted(blocks)]
    ts_intervals = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    arr = sorted(arrivals)
    arr_intervals = [b[1] - a[1] for a, b in zip(arr, arr[1:], strict=False) if b[0] == a[0] + 1]
    lat = summarise(latencies)
    return {
        "signers": devnet.signers,
        "period_s": devnet.period,
        "submit": submit,
        "read_node": read_node,
        "transactions": len(subs),
        "confirmed": len(latencies),
        "send_rate_per_s": rate,
        "latency_median_s": lat["median_s"],
        "latency_p95_s": lat["p95_s"],
        "latency_max_s": lat["max_s"],
        "latency_any_node": summarise([x for x in any_latencies if x is not None]),
        "blocks_to_inclusion": {str(k): v for k, v in sorted(to_inclusion.items())},
        "resubmissions": client.resubmissions,
        "refusals": sum(len(s.refused) for s in subs),
        "blocks": len(blocks),
        "in_turn_blocks": sum(1 for b in blocks.values() if b["in_turn"]),
        "sealed_by_node": dict(Counter(str(b["sealed_by_node"]) for b in blocks.values())),
        "txs_by_sealer": dict(
            Counter(
                str(blocks[int(s.receipt["blockNumber"])]["sealed_by_node"])
                for s in subs
                if s.receipt is not None and int(s.receipt["blockNumber"]) in blocks
            )
        ),
        "block_interval_timestamp_mean_s": round(statistics.mean(ts_intervals), 3) if ts_intervals else None,
        "block_interval_timestamp_max_s": max(ts_intervals) if ts_intervals else None,
        "block_interval_arrival_median_s": round(statistics.median(arr_intervals), 3) if arr_intervals else None,
        "block_interval_arrival_p95_s": round(percentile(arr_intervals, 0.95), 3) if arr_intervals else None,
        "load": load,
        "audit": audit(devnet, subs),
        "latencies_s": [round(x, 3) for x in latencies],
        "per_transfer": [
            {
                "sender": s.sender,
                "nonce": s.nonce,
                "sent_block": s.sent_block,
                "block": int(s.receipt["blockNumber"]) if s.receipt is not None else None,
                "sealed_by_node": blocks.get(int(s.receipt["blockNumber"]), {}).get("sealed_by_node")
                if s.receipt is not None
                else None,
                "latency_s": round(s.seen_at_node[read_node] - s.sent_at, 3) if read_node in s.seen_at_node else None,
            }
            for s in subs
        ],
    }


def audit(devnet: PoaDevnet, subs: list[Submitted], *, nodes: list[int] | None = None) -> dict[str, Any]:
    """On every (running) node: each transfer is in the canonical chain exactly once.

    Scans every node's canonical blocks from the lowest to the highest block any receipt
    named (plus a margin), counting each (sender, nonce) and each transaction hash.
    """
    client = client_for(devnet)
    wanted = {s.tx_hash.lower(): s for s in subs}
    by_sender_nonce = {(s.sender.lower(), s.nonce) for s in subs}
    landed = [int(s.receipt["blockNumber"]) for s in subs if s.receipt is not None]
    report: dict[str, Any] = {"transfers": len(subs), "nodes": {}}
    if not landed:
        report["ok"] = False
        return report
    lo = max(min(landed) - 3, 1)
    hashes_at: dict[int, set[str]] = {}
    ok = True
    for i in nodes if nodes is not None else range(len(devnet.nodes)):
        chain = client.chain(i)
        if chain is None:
            report["nodes"][str(i)] = "no answer"
            ok = False
            continue
        hi = int(chain.w3.eth.block_number)
        hash_count: Counter[str] = Counter()
        nonce_count: Counter[tuple[str, int]] = Counter()
        for n in range(lo, hi + 1):
            block = chain.w3.eth.get_block(n, full_transactions=True)
            hashes_at.setdefault(n, set()).add(bytes(block["hash"]).hex())
            for tx in block["transactions"]:
                h = "0x" + bytes(tx["hash"]).hex()
                key = (str(tx["from"]).lower(), int(tx["nonce"]))
                if h in wanted or key in by_sender_nonce:
                    hash_count[h] += 1
                    nonce_count[key] += 1
        missing = [h for h in wanted if hash_count[h] == 0]
        twice = [h for h, c in hash_count.items() if c > 1]
        foreign = [h for h in hash_count if h not in wanted]  # same sender+nonce, other tx: a double spend
        node_ok = not missing and not twice and not foreign and all(c == 1 for c in nonce_count.values())
        ok = ok and node_ok
        report["nodes"][str(i)] = {
            "head": hi,
            "confirmed_once": sum(1 for h in wanted if hash_count[h] == 1),
            "missing": missing[:5],
            "missing_count": len(missing),
            "confirmed_twice": twice[:5],
            "other_tx_same_nonce": foreign[:5],
        }
    # nodes are read one after another while blocks keep coming: the newest blocks may still be
    # reorganised (seen: block 10 differed with the lowest head at 10, after a SIGKILL drill)
    common = min((int(r["head"]) for r in report["nodes"].values() if isinstance(r, dict)), default=0)
    common -= SETTLING_BLOCKS
    forks = [n for n, hs in hashes_at.items() if n <= common and len(hs) > 1]
    report["blocks_compared"] = [lo, common]
    report["blocks_differing"] = forks[:5]
    report["ok"] = ok and not forks
    return report


def _heads(client: FanoutClient) -> list[tuple[int, str] | None]:
    out: list[tuple[int, str] | None] = []
    for i in range(len(client.urls)):
        try:
            block = client._call(i, lambda c: c.w3.eth.get_block("latest"))
            out.append((int(block["number"]), bytes(block["hash"]).hex()))
        except Exception:  # noqa: BLE001 - recorded as a node without answer
            out.append(None)
    return out


def head_sample(devnet: PoaDevnet, client: FanoutClient, settle: float = 1.0) -> dict[str, Any]:
    """Every node's head now; if they differ, look again for up to ``settle`` seconds.

    ``one_head``: all nodes report the same head hash at once. ``settled``: they did so
    within ``settle`` seconds (a block in flight between nodes). ``split``: two nodes
    disagree about a block both have (a fork), which never counts as settled.
    """
    first = _heads(client)
    heads = first
    t0 = time.monotonic()
    while True:
        if all(h is not None for h in heads) and len({h[1] for h in heads if h}) == 1:
            break
        if time.monotonic() - t0 >= settle:
            break
        time.sleep(0.1)
        heads = _heads(client)
    one_now = all(h is not None for h in first) and len({h[1] for h in first if h}) == 1
    settled = all(h is not None for h in heads) and len({h[1] for h in heads if h}) == 1
    split = False
    if not settled and all(h is not None for h in heads):
        common = min(h[0] for h in heads if h)
        hashes = set()
        for i in range(len(heads)):
            try:
                hashes.add(bytes(client._call(i, lambda c: c.w3.eth.get_block(common)["hash"])).hex())
            except Exception:  # noqa: BLE001, S112 - node went away meanwhile
                continue
        split = len(hashes) > 1
    peers = []
    for i in range(len(client.urls)):
        try:
            peers.append(int(client._call(i, lambda c: c.w3.net.peer_count)))
        except Exception:  # noqa: BLE001 - down
            peers.append(-1)
    return {
        "t": round(time.monotonic(), 2),
        "heights": [h[0] if h else None for h in heads],
        "one_head_instant": one_now,
        "one_head": settled,
        "split": split,
        "peers": peers,
    }


def soak(devnet: PoaDevnet, seconds: float, *, rate: float = 1.0, sample_every: float = 5.0) -> dict[str, Any]:
    """Transfers at ``rate``/s from five accounts for ``seconds``, every node's head sampled.

    Ends with :func:`audit`: every transfer confirmed exactly once on every node.
    """
    client = client_for(devnet)
    keys = devnet.accounts()
    senders, recipient = keys[5:10], keys[1].address
    meter = _CpuMeter()
    subs: list[Submitted] = []
    errors: list[str] = []
    samples: list[dict[str, Any]] = []
    stop = threading.Event()
    lock = threading.Lock()
    t0 = time.monotonic()
    h0 = client.head()

    def sample() -> None:
        while not stop.wait(sample_every):
            row = head_sample(devnet, client)
            row["t"] = round(time.monotonic() - t0, 1)
            row["load1"] = round(os.getloadavg()[0], 2)
            samples.append(row)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    watcher = watcher_for(devnet).start()
    fees = client.fee_fields()
    i = 0
    t_next = time.monotonic()
    while time.monotonic() - t0 < seconds:
        try:
            sub = client.transfer(senders[i % len(senders)], recipient, 1, fees=fees, watcher=watcher)
            with lock:
                subs.append(sub)
        except Exception as exc:  # noqa: BLE001 - reported
            errors.append(f"t={time.monotonic() - t0:.0f}s {type(exc).__name__}: {str(exc)[:160]}")
        i += 1
        if i % 60 == 0:
            fees = client.fee_fields()
        t_next += 1.0 / rate
        for s in subs[-60:]:
            client.maybe_resend(s)  # only acts on a transfer without receipt for resend_after s
        time.sleep(max(0.0, t_next - time.monotonic()))
    missing = client.wait(subs, timeout=120)
    watcher.stop()
    stop.set()
    sampler.join(30)
    h1 = client.head()
    chain = client.chain(0)
    assert chain is not None
    diffs = [int(chain.w3.eth.get_block(n)["difficulty"]) for n in range(h0 + 1, h1 + 1)]
    latencies = [s.latency for s in subs if s.latency is not None]
    return {
        "seconds": seconds,
        "transfers": len(subs),
        "confirmed": len(subs) - len(missing),
        "latency_any_node": summarise([x for x in latencies if x is not None]),
        "resubmissions": client.resubmissions,
        "blocks": h1 - h0,
        "in_turn_blocks": diffs.count(2),
        "out_of_turn_blocks": diffs.count(1),
        "samples": len(samples),
        "samples_one_head": sum(1 for s in samples if s["one_head"]),
        "samples_one_head_instant": sum(1 for s in samples if s["one_head_instant"]),
        "samples_split": sum(1 for s in samples if s["split"]),
        "samples_min_peers": min((min(s["peers"]) for s in samples), default=None),
        "not_one_head": [s for s in samples if not s["one_head"]][:10],
        "errors": errors[:8],
        "error_count": len(errors),
        "load": meter.stop(),
        "audit": audit(devnet, subs),
    }
