"""The committed gas snapshot is current: regenerate it with `make gas` when gas changes.

The measurements are deterministic (fixed keys, salts and timestamps), so any
difference is a real change in the contracts' gas, and it shows up in review as a
change of `gas-snapshot.json`.
"""

import json
from pathlib import Path

from offchain.app.gas import GOALS, measure_all

SNAPSHOT = Path(__file__).resolve().parent.parent / "gas-snapshot.json"


def test_committed_gas_snapshot_matches_the_contracts():
    committed = json.loads(SNAPSHOT.read_text())
    measured = measure_all()
    changed = {k: (committed.get(k), v) for k, v in measured.items() if committed.get(k) != v}
    assert not changed, f"gas changed (committed, measured): {changed} — run `make gas` and commit the snapshot"


def test_every_gas_goal_has_a_measured_figure():
    committed = json.loads(SNAPSHOT.read_text())
    assert set(GOALS) <= set(committed)
    assert committed["_hardfork"] == "london"
