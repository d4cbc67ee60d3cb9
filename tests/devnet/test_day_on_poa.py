"""A short trading day on the 1-signer Clique PoA devnet (the 3-signer full day is in `make bench`)."""

from __future__ import annotations

import pytest
from rich.console import Console

pytestmark = pytest.mark.timeout(900)


def test_a_short_day_runs_on_the_single_signer_poa_devnet_and_reconciles(tmp_path):
    from offchain.app.day import DayOptions, run_and_report

    options = DayOptions(network="poa", signers=1, period=1, households=3, slots=4, first_slot=48, seed=5)
    results, page = run_and_report(options, out=tmp_path, console=Console(width=110, quiet=True))
    assert page.exists() and (tmp_path / "results.json").exists()
    assert results["meta"]["network"] == "poa-1signer"
    assert all(r["match"] for r in results["reconciliation"])
    assert all(b["verified"] for b in results["bills"])
    assert results["latency"]["transactions"] > 0 and results["latency"]["mean_s"] > 0
