"""The issue's relative gas goals on the committed snapshot (`make gas`; tests/gas checks that the
snapshot is current): a 16-slot range costs at most 1.5 × one slot, a 96-slot day at most 2 ×."""

from __future__ import annotations

import json
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[3] / "gas-snapshot.json"


def test_ranges_cost_at_most_the_issues_multiples_of_one_slot():
    """(The absolute 35,000 for one slot is a listed miss in mechanism.py, docs/shared-pv.md.)"""
    gas = json.loads(SNAPSHOT.read_text())
    one = gas["shares.transfer_one_slot"]
    assert gas["shares.transfer_16_slots"] <= 1.5 * one
    assert gas["shares.transfer_96_slots"] <= 2 * one


def test_the_worst_case_of_a_fragmented_row_is_measured_and_bounded():
    gas = json.loads(SNAPSHOT.read_text())
    # 128 runs in the sender's row: 11 storage words read and rewritten, far below a block;
    # the bound the contract tests hold every row to (tests/shared_pv/contracts/test_rows.py)
    assert gas["shares.transfer_one_slot_fragmented"] < 250_000
    assert gas["shares.transfer_16_slots_fragmented"] < 250_000
