"""``gridledger bench devnet``: latency, block interval and gas on the Clique PoA devnet.

Prints and writes ``reports/devnet-latency.json`` and ``reports/devnet-latency.md``:

* confirmation latency (broadcast → receipt visible) over ``--txs`` transfers sent at a
  steady rate from several accounts, median and p95, beside PriWatt's reported 5.3 s
  median block/transaction propagation;
* block interval (header timestamps and observed arrival) against the Clique period;
* gas used by the same operations (project deployment, transfers) on anvil and on the
  PoA devnet, side by side;
* a fault drill (the node of signer 0 killed and restarted while transfers are in
  flight), and with ``--signers 3`` a soak of ``--soak`` seconds reporting whether all
  nodes stayed on one chain.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from ..kernel.anvil import EmbeddedAnvil, anvil_keys
from ..kernel.chain import Chain, settled
from ..kernel.fs import PROJECT_ROOT
from .drill import run_drill
from .poa import PoaDevnet
from .workload import DeployFn, gas_by_operation, transfer

__all__ = ["main", "measure_latency", "measure_gas"]

PRIWATT_MEDIAN_PROPAGATION_S = 5.3


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def measure_latency(devnet: PoaDevnet, txs: int, rate: float) -> dict[str, Any]:
    """Send ``txs`` transfers at ``rate`` per second; latency = broadcast → receipt seen."""
    chain = devnet.chain()
    senders = devnet.accounts()[5:10]
    nonces = {a.address: int(chain.w3.eth.get_transaction_count(a.address, "latest")) for a in senders}
    recipient = devnet.accounts()[1].address
    sent: dict[bytes, float] = {}
    seen: dict[bytes, float] = {}
    arrivals: list[tuple[int, float]] = []
    stop = threading.Event()

    def watch_blocks() -> None:
        w3 = devnet.chain().w3
        last = w3.eth.block_number
        while not stop.is_set():
            try:
                n = w3.eth.block_number
            except Exception:  # noqa: BLE001 - a node restarting: try again
                time.sleep(0.2)
                continue
            if n > last:
                arrivals.extend((b, time.monotonic()) for b in range(last + 1, n + 1))
                last = n
            time.sleep(0.02)

    watcher = threading.Thread(target=watch_blocks, daemon=True)
    watcher.start()
    first_block = chain.w3.eth.block_number + 1
    fees = chain.fee_fields()
    for i in range(txs):
        sender = senders[i % len(senders)]
        tx = {"to": recipient, "value": 1, "gas": 21_000, "nonce": nonces[sender.address], "type": 2}
        tx.update(chainId=chain.chain_id, **fees)
        nonces[sender.address] += 1
        raw = sender.sign_transaction(tx).raw_transaction
        h = bytes(settled(lambda raw=raw: chain.w3.eth.send_raw_transaction(raw)))
        sent[h] = time.monotonic()
        _poll_receipts(chain, sent, seen)
        time.sleep(1.0 / rate)
    deadline = time.monotonic() + 120
    while len(seen) < len(sent) and time.monotonic() < deadline:
        _poll_receipts(chain, sent, seen)
        time.sleep(0.02)
    stop.set()
    watcher.join(5)
    last_block = chain.w3.eth.block_number
    latencies = [seen[h] - sent[h] for h in seen]
    stamps = [int(chain.w3.eth.get_block(n)["timestamp"]) for n in range(first_block, last_block + 1)]
    ts_intervals = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    arr = sorted(arrivals)
    arr_intervals = [b[1] - a[1] for a, b in zip(arr, arr[1:], strict=False) if b[0] == a[0] + 1]
    return {
        "signers": devnet.signers,
        "period_s": devnet.period,
        "transactions": len(sent),
        "confirmed": len(seen),
        "send_rate_per_s": rate,
        "latency_median_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(_pct(latencies, 0.95), 3) if latencies else None,
        "latency_max_s": round(max(latencies), 3) if latencies else None,
        "priwatt_median_propagation_s": PRIWATT_MEDIAN_PROPAGATION_S,
        "blocks": last_block - first_block + 1,
        "block_interval_timestamp_mean_s": round(statistics.mean(ts_intervals), 3) if ts_intervals else None,
        "block_interval_timestamp_max_s": max(ts_intervals) if ts_intervals else None,
        "block_interval_arrival_median_s": round(statistics.median(arr_intervals), 3) if arr_intervals else None,
        "block_interval_arrival_p95_s": round(_pct(arr_intervals, 0.95), 3) if arr_intervals else None,
    }


def _poll_receipts(chain: Chain, sent: dict[bytes, float], seen: dict[bytes, float]) -> None:
    for h in [h for h in sent if h not in seen]:
        try:
            if chain.w3.eth.get_transaction_receipt(h):
                seen[h] = time.monotonic()
        except Exception:  # noqa: BLE001, S112 - not mined yet (TransactionNotFound) or transient
            continue


def _workload(chain: Chain, network: str, deploy: DeployFn) -> list[dict[str, Any]]:
    keys = anvil_keys(3)
    start = chain.w3.eth.block_number + 1
    deploy(chain, keys[0], network=network)
    for _ in range(2):
        transfer(chain, keys[0], keys[2].address, 10**15)
    return gas_by_operation(chain, keys[0].address, start)


def measure_gas(devnet: PoaDevnet, deploy: DeployFn) -> dict[str, Any]:
    """The same deployment (``deploy``, the project's deploy function) and transfers on anvil
    and on ``devnet``; gas per operation."""
    with EmbeddedAnvil() as anvil:
        on_anvil = _workload(anvil, "bench-anvil", deploy)
    on_poa = _workload(devnet.chain(), f"bench-{devnet.name}", deploy)
    rows = []
    for a, p in zip(on_anvil, on_poa, strict=False):
        rows.append({"op": a["op"], "selector": a["selector"], "anvil": a["gas_used"], "poa": p["gas_used"]})
    return {
        "operations": rows,
        "all_equal": len(on_anvil) == len(on_poa) and all(r["anvil"] == r["poa"] for r in rows),
        "count_anvil": len(on_anvil),
        "count_poa": len(on_poa),
    }


def soak(devnet: PoaDevnet, seconds: float) -> dict[str, Any]:
    """Keep ``devnet`` busy with a transfer every second; sample whether nodes agree."""
    chain = devnet.chain()
    keys = devnet.accounts()
    samples, t_end = [], time.monotonic() + seconds
    out_of_sync = 0
    errors: list[str] = []
    first_out_of_sync: float | None = None
    t0 = time.monotonic()
    h0 = chain.w3.eth.block_number
    i = 0
    while time.monotonic() < t_end:
        try:
            transfer(devnet.chain(i % devnet.signers), keys[2], keys[1].address, 1, timeout=60)
        except Exception as exc:  # noqa: BLE001 - reported
            errors.append(f"t={time.monotonic() - t0:.0f}s {type(exc).__name__}: {str(exc)[:160]}")
        report = devnet.sync_report()
        if not (report["in_sync"] and report["peered"]):
            out_of_sync += 1
            if first_out_of_sync is None:
                first_out_of_sync = round(time.monotonic() - t0, 1)
                errors.append(f"t={first_out_of_sync}s first unhealthy sample: {report}")
        samples.append(report)
        i += 1
    h1 = chain.w3.eth.block_number
    diffs = [chain.w3.eth.get_block(n)["difficulty"] for n in range(h0 + 1, h1 + 1)]
    return {
        "seconds": seconds,
        "transfers": i,
        "blocks": h1 - h0,
        "in_turn_blocks": diffs.count(2),
        "out_of_turn_blocks": diffs.count(1),
        "samples_unhealthy": out_of_sync,
        "first_unhealthy_after_s": first_out_of_sync,
        "errors": errors[:8],
        "samples": len(samples),
        "final": devnet.sync_report(),
    }


def _markdown(report: dict[str, Any]) -> str:
    lat = report["latency"]
    lines = [
        "# Devnet measurements (Clique PoA, EthereumJS 0.9.0 + project patches)",
        "",
        f"Signers: {lat['signers']}, period {lat['period_s']} s, {lat['transactions']} transfers "
        f"at {lat['send_rate_per_s']}/s, {lat['confirmed']} confirmed.",
        "",
        "| metric | value |",
        "|---|---|",
        f"| confirmation latency median | {lat['latency_median_s']} s |",
        f"| confirmation latency p95 | {lat['latency_p95_s']} s |",
        f"| PriWatt median propagation (paper) | {lat['priwatt_median_propagation_s']} s |",
        f"| block interval (header timestamps, mean) | {lat['block_interval_timestamp_mean_s']} s |",
        f"| block interval (arrival, median / p95) | {lat['block_interval_arrival_median_s']} / "
        f"{lat['block_interval_arrival_p95_s']} s |",
        "",
        "## Gas: anvil vs PoA devnet (same operations, London rules on both)",
        "",
        "| # | operation | anvil | PoA |",
        "|---|---|---|---|",
    ]
    for i, row in enumerate(report["gas"]["operations"]):
        op = row["op"] + (f" 0x{row['selector']}" if row["selector"] else "")
        lines.append(f"| {i} | {op} | {row['anvil']:,} | {row['poa']:,} |")
    lines += ["", f"All equal: {report['gas']['all_equal']}", ""]
    if report.get("drill"):
        lines += ["## Fault drill", "", "```", json.dumps(report["drill"], indent=2), "```", ""]
    if report.get("soak"):
        soak_report = {k: v for k, v in report["soak"].items()}
        lines += ["## Soak", "", "```", json.dumps(soak_report, indent=2), "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None, *, deploy: DeployFn) -> int:
    """``gridledger bench devnet`` (the application passes its ``deploy_all`` as ``deploy``)."""
    parser = argparse.ArgumentParser(prog="gridledger bench devnet", description=__doc__.split("\n\n")[0])
    parser.add_argument("--signers", type=int, default=1, help="Clique signers (1)")
    parser.add_argument("--period", type=int, default=2, help="Clique period in seconds (2)")
    parser.add_argument("--txs", type=int, default=60, help="transfers for the latency figure (60, at least 50)")
    parser.add_argument("--rate", type=float, default=2.0, help="transfers sent per second (2)")
    parser.add_argument("--soak", type=float, default=0.0, help="seconds of soak with the sync check (0: none)")
    parser.add_argument("--no-drill", action="store_true", help="skip the fault drill")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "devnet-latency"), help="report path stem")
    args = parser.parse_args(argv)

    report: dict[str, Any] = {}
    with PoaDevnet("bench-poa", signers=args.signers, period=args.period) as devnet:
        report["latency"] = measure_latency(devnet, args.txs, args.rate)
        print(json.dumps(report["latency"], indent=2))
        report["gas"] = measure_gas(devnet, deploy)
        print(json.dumps(report["gas"], indent=2))
        if args.soak:
            report["soak"] = soak(devnet, args.soak)
            print(json.dumps(report["soak"], indent=2))
        if not args.no_drill:
            keys = devnet.accounts()
            # one signer: SIGKILL the only node; several: stop the last signer's node cleanly
            # while sending through node 0, then restart it
            victim, hard = (0, True) if args.signers == 1 else (args.signers - 1, False)
            drill = run_drill(devnet, keys[3], keys[4].address, count=6, node=victim, via=0, hard=hard)
            report["drill"] = {**drill.to_json(), "stopped_node": victim, "sigkill": hard, "sent_via_node": 0}
            time.sleep(3 * args.period)
            report["drill"]["in_sync_after"] = devnet.sync_report()
            print(json.dumps(report["drill"], indent=2))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text(_markdown(report))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}")
    return 0
