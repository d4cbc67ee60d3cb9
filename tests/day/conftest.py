"""One short trading day on an embedded anvil, shared by the day's tests: 3 households, 8 slots
from 11:30 (PV is up, so SPB trades happen), the real backbone processes and IPFS node.

While the chain still runs, the report is written and every household's net payment is
recomputed from raw logs here (:func:`net_from_raw_logs`: topics and ABI decoding by hand,
not the report's code), so the tests compare two independent readings."""

from __future__ import annotations

from collections import defaultdict

import pytest
from rich.console import Console

from tests.day.rawlogs import readers


def net_from_raw_logs(chain, deployed: dict, households: list[dict], parts: list[str]) -> dict[str, dict[str, int]]:
    """household name -> {mechanism: wei paid through it, "net": the sum}, from raw logs alone
    (one reader per mechanism in ``tests/day/rawlogs/``; a day part without one fails here)."""
    owner = {a.lower(): h["name"] for h in households for a in h["addresses"]}
    found = readers()
    missing = [p for p in parts if p not in found]
    assert not missing, f"no raw-log reader in tests/day/rawlogs/ for {missing}"
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name in parts:
        for household, wei in found[name].net(chain, deployed, owner).items():
            out[household][name] += wei
            out[household]["net"] += wei
    return {h: dict(d) for h, d in out.items()}


@pytest.fixture(scope="session")
def short_day(tmp_path_factory):
    from offchain.app.day.loop import DayOptions, run_day
    from offchain.app.day.report import build_results, write_report

    out = tmp_path_factory.mktemp("day-report")
    captured: dict = {}

    def on_done(run, chain):
        results = build_results(run, chain)
        captured["page"] = write_report(results, out)
        captured["results"] = results
        captured["raw_net"] = net_from_raw_logs(
            chain, results["meta"]["deployed"], results["households"], results["meta"]["mechanisms_in_day"]
        )

    run_day(DayOptions(households=3, slots=8, first_slot=46, seed=11), Console(width=110, quiet=True), on_done)
    captured["out"] = out
    return captured
