"""``gridledger bench devnet``: latency, block interval and gas on the Clique PoA devnet.

Prints and writes ``reports/devnet-latency.json`` and ``reports/devnet-latency.md``:

* confirmation latency (broadcast → receipt visible on node 0) over ``--txs`` transfers
  sent at a steady rate from several accounts — median, p95 and max, per run over
  ``--runs`` runs on fresh devnets — beside PriWatt's reported 5.3 s median
  block/transaction propagation, with the block each transfer landed in relative to the
  head when it was sent, who sealed it, and the machine load (``traffic.measure``);
  transfers go to every node (``--submit all``, :mod:`.fanout`) or to node 0 only;
* block interval (header timestamps and observed arrival) against the Clique period;
* gas used by the same operations (project deployment, transfers) on anvil and on the
  PoA devnet, side by side;
* a fault drill: with one signer its node is SIGKILLed and restarted while transfers are
  in flight; with several, each signer's node is SIGKILLed in turn while transfers flow
  (:mod:`.sigkill`), and every transfer must be confirmed exactly once on every node;
* with ``--soak S``, S seconds of transfers (``--soak-rate``/s) while every node's head
  is sampled, ending with the same audit (``traffic.soak``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..kernel.anvil import EmbeddedAnvil, anvil_keys
from ..kernel.chain import Chain
from ..kernel.commandline import OneLineParser, finite_float, int_range
from ..kernel.fs import PROJECT_ROOT
from . import traffic
from .drill import run_drill
from .poa import PoaDevnet
from .sigkill import run_signer_kill_drill
from .workload import DeployFn, gas_by_operation, transfer

__all__ = ["main", "measure_latency", "measure_gas"]

PRIWATT_MEDIAN_PROPAGATION_S = 5.3


def measure_latency(devnet: PoaDevnet, txs: int, rate: float, submit: str = "all") -> dict[str, Any]:
    """Send ``txs`` transfers at ``rate`` per second; latency = broadcast → receipt seen on node 0."""
    report = traffic.measure(devnet, txs=txs, rate=rate, submit=submit)
    report["priwatt_median_propagation_s"] = PRIWATT_MEDIAN_PROPAGATION_S
    return report


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


def soak(devnet: PoaDevnet, seconds: float, rate: float = 1.0) -> dict[str, Any]:
    """Transfers at ``rate``/s for ``seconds`` while every node's head is sampled; then the audit."""
    return traffic.soak(devnet, seconds, rate=rate)


def _latency_rows(runs: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| run | submit | confirmed | median | p95 | max | blocks to inclusion (1 = next block) | load 1-min start→end, CPU % |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i, lat in enumerate(runs, 1):
        load = lat.get("load", {})
        load_text = (
            f"{load.get('load_start', {}).get('loadavg', ['?'])[0]}→{load.get('load_end', {}).get('loadavg', ['?'])[0]}"
            f", {load.get('cpu_percent', '?')} %"
        )
        dist = ", ".join(f"{k}: {v}" for k, v in lat.get("blocks_to_inclusion", {}).items())
        lines.append(
            f"| {i} | {lat.get('submit', 'node0')} | {lat['confirmed']}/{lat['transactions']} | {lat['latency_median_s']} s "
            f"| {lat['latency_p95_s']} s | {lat['latency_max_s']} s | {dist} | {load_text} |"
        )
    return lines


def _markdown(report: dict[str, Any]) -> str:
    runs = report["latency_runs"]
    lat = runs[0]
    all_lat = report["latency_all_runs"]
    lines = [
        "# Devnet measurements (Clique PoA, EthereumJS 0.9.0 + project patches)",
        "",
        f"Signers: {lat['signers']}, period {lat['period_s']} s, {lat['transactions']} transfers per run "
        f"at {lat['send_rate_per_s']}/s, {len(runs)} run(s), each on a fresh devnet. Latency: broadcast → "
        f"receipt visible on node {lat.get('read_node', 0)}.",
        "",
        *_latency_rows(runs),
        "",
        "| metric | value |",
        "|---|---|",
        f"| latency over all runs, median / p95 / max | {all_lat['median_s']} / {all_lat['p95_s']} / "
        f"{all_lat['max_s']} s |",
        f"| PriWatt median propagation (paper) | {PRIWATT_MEDIAN_PROPAGATION_S} s |",
        f"| block interval (header timestamps, mean) | {lat['block_interval_timestamp_mean_s']} s |",
        f"| block interval (arrival, median / p95) | {lat['block_interval_arrival_median_s']} / "
        f"{lat['block_interval_arrival_p95_s']} s |",
        f"| blocks sealed in turn (run 1) | {lat.get('in_turn_blocks')}/{lat.get('blocks')} |",
        f"| every transfer once on every node (audit, all runs) | {all(r.get('audit', {}).get('ok') for r in runs)} |",
        "",
    ]
    if report.get("gas"):
        lines += [
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
        lines += ["## Soak", "", "```", json.dumps(report["soak"], indent=2), "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None, *, deploy: DeployFn) -> int:
    """``gridledger bench devnet`` (the application passes its ``deploy_all`` as ``deploy``)."""
    parser = OneLineParser(prog="gridledger bench devnet", description=__doc__.split("\n\n")[0])
    parser.add_argument("--signers", type=int_range(1, 16), default=1, help="Clique signers (1)")
    parser.add_argument("--period", type=int_range(1, 3600), default=2, help="Clique period in seconds (2)")
    parser.add_argument(
        "--txs", type=int_range(50, 10**6), default=60, help="transfers per latency run (60, at least 50)"
    )
    parser.add_argument(
        "--rate", type=finite_float(above=0, hi=10**4), default=2.0, help="transfers sent per second (2)"
    )
    parser.add_argument("--runs", type=int_range(1, 100), default=1, help="latency runs, each on a fresh devnet (1)")
    parser.add_argument(
        "--submit",
        choices=["all", "node0", "rotate"],
        default="all",
        help="send each transfer to every node (all, default), to node 0 only, or to one node in turn",
    )
    parser.add_argument(
        "--soak",
        type=finite_float(lo=0, hi=7 * 86400),
        default=0.0,
        help="seconds of soak with transfers flowing (0: none)",
    )
    parser.add_argument(
        "--soak-rate",
        type=finite_float(above=0, hi=10**4),
        default=1.0,
        help="transfers per second during the soak (1)",
    )
    parser.add_argument("--no-gas", action="store_true", help="skip the anvil-vs-devnet gas comparison")
    parser.add_argument("--no-drill", action="store_true", help="skip the fault drill")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "devnet-latency"), help="report path stem")
    args = parser.parse_args(argv)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"latency_runs": []}
    for run in range(max(args.runs, 1)):
        last = run == max(args.runs, 1) - 1
        with PoaDevnet("bench-poa", signers=args.signers, period=args.period) as devnet:
            lat = measure_latency(devnet, args.txs, args.rate, submit=args.submit)
            report["latency_runs"].append(lat)
            brief = {k: v for k, v in lat.items() if k not in ("audit", "latencies_s", "per_transfer")}
            print(json.dumps(brief | {"audit_ok": lat["audit"]["ok"]}, indent=2))
            if not last:
                continue
            report["latency"] = lat
            all_latencies = [x for r in report["latency_runs"] for x in r["latencies_s"]]
            report["latency_all_runs"] = traffic.summarise(all_latencies)
            if not args.no_gas:
                report["gas"] = measure_gas(devnet, deploy)
                print(json.dumps(report["gas"], indent=2))
            if args.soak:
                report["soak"] = soak(devnet, args.soak, rate=args.soak_rate)
                print(json.dumps(report["soak"], indent=2))
            if not args.no_drill:
                if args.signers == 1:
                    # one signer: SIGKILL the only node with transfers in flight, restart it
                    keys = devnet.accounts()
                    drill = run_drill(devnet, keys[3], keys[4].address, count=6, node=0, via=0, hard=True)
                    report["drill"] = {**drill.to_json(), "stopped_node": 0, "sigkill": True, "sent_via_node": 0}
                    time.sleep(3 * args.period)
                    report["drill"]["in_sync_after"] = devnet.sync_report()
                else:
                    # several: SIGKILL each signer's node in turn while transfers flow to every node
                    report["drill"] = run_signer_kill_drill(devnet)
                print(json.dumps(report["drill"], indent=2))
        out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text(_markdown(report))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}")
    return 0
