"""The trading day (issue 16): a community over 96 slots, every mechanism's day part, a report.

:func:`run_and_report` is what ``make demo`` / ``gridledger demo`` runs; the parts plug in
through the registry (``Mechanism.day``, protocol :class:`offchain.kernel.mechanism.DayPart`).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from .loop import DayOptions, DayRun, run_day

__all__ = ["DayOptions", "DayRun", "run_day", "run_and_report", "summary_lines"]


def run_and_report(
    options: DayOptions | None = None, *, out: Path | None = None, console: Console | None = None
) -> tuple[dict[str, Any], Path]:
    """Run the day and write ``reports/<timestamp>/`` (or ``out``); returns (results, index.html)."""
    from .report import build_results, reports_dir, write_report

    console = console or Console(width=110)
    holder: dict[str, Any] = {}

    def on_done(run: DayRun, chain: Any) -> None:
        started = time.monotonic()
        results = build_results(run, chain)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = out or reports_dir() / stamp
        results["meta"]["phase_seconds"]["report"] = 0.0
        page = write_report(results, target)
        results["meta"]["phase_seconds"]["report"] = round(time.monotonic() - started, 2)
        (target / "results.json").write_text(__import__("json").dumps(results, indent=1) + "\n")
        holder["results"], holder["page"] = results, page

    run_day(options, console, on_done)
    results, page = holder["results"], holder["page"]
    for line in summary_lines(results, page):
        console.print(line)
    return results, page


def summary_lines(results: dict[str, Any], page: Path) -> list[str]:
    h, m, g = results["headline"], results["meta"], results["gas"]
    recon = "all households match" if all(r["match"] for r in results["reconciliation"]) else "MISMATCH"
    lines = [
        f"[bold green]trading day done[/] in {h['elapsed_s']} s on {m['network']} (chain id {m['chain_id']}): "
        f"{h['households']} households, {h['slots']} slots",
        f"  energy: load {h['load_kwh']} kWh, PV {h['pv_kwh']} kWh, traded locally {h['local_kwh']} kWh, "
        f"from grid {h['import_kwh']} kWh, to grid {h['export_kwh']} kWh",
        f"  community self-sufficiency {h['self_sufficiency_pct']} %, self-consumption {h['self_consumption_pct']} %; "
        f"bill {h['community_bill_eur']:.2f} € vs grid-only {h['baseline_bill_eur']:.2f} €",
        f"  gas: {g['day_gas']:,} for the day ({h['transactions']} transactions incl. deployment), "
        f"{g['per_household_day']:,} per household = {g['cost_per_household_day']['20']['eur']:.2f} € at 20 gwei",
        *(f"  {name}: {s}" for name, s in m["summaries"].items()),
        f"  not in this day: {', '.join(m['mechanisms_not_in_day']) or 'none'}; reconciliation with chain events: {recon}",
        f"  report: [bold]{page}[/]",
    ]
    return lines
