"""The committed gas snapshot is current: regenerate it with `make gas` when gas changes.

The measurements are deterministic (fixed keys, salts, timestamps and expiries), so any
difference is a real change in the contracts' gas, and it shows up in review as a
change of `gas-snapshot.json`.
"""

import json
from pathlib import Path

import pytest

from offchain.app.gas import ACCEPTED_MISSES, GOALS, measure_all, write_snapshot
from offchain.kernel.anvil import EmbeddedAnvil, anvil_keys
from offchain.spb.gasreport import measure_escrow

SNAPSHOT = Path(__file__).resolve().parents[2] / "gas-snapshot.json"


@pytest.fixture(scope="module")
def measured():
    return measure_all()


def figures(snapshot: dict) -> dict:
    return {k: v for k, v in snapshot.items() if not k.startswith("_")}


def test_committed_gas_snapshot_matches_the_contracts(measured):
    committed = json.loads(SNAPSHOT.read_text())
    assert committed["_hardfork"] == measured["_hardfork"] == "london"
    committed, now = figures(committed), figures(measured)
    stale = sorted(set(committed) - set(now))
    new = sorted(set(now) - set(committed))
    changed = {k: (committed[k], now[k]) for k in sorted(set(now) & set(committed)) if committed[k] != now[k]}
    assert not (stale or new or changed), (
        f"gas snapshot out of date — no longer measured: {stale}; not in the snapshot: {new}; "
        f"changed (committed, measured): {changed} — run `make gas` and commit the snapshot"
    )


# chain clocks (in the future, 2027) whose "+ 1 hour" has 4, 2 and 1 non-zero bytes: an expiry
# taken from the clock would change the calldata's gas (16 per non-zero byte, 4 per zero byte)
@pytest.mark.parametrize("clock", [0x6C01_0203 - 3600, 0x6C01_0000 - 3600, 0x6C00_0000 - 3600])
def test_the_escrow_figures_do_not_depend_on_the_chain_clock(clock, measured):
    with EmbeddedAnvil() as chain:
        assert "error" not in chain.w3.provider.make_request("evm_setNextBlockTimestamp", [clock])
        chain.w3.provider.make_request("evm_mine", [])
        assert chain.w3.eth.get_block("latest")["timestamp"] == clock
        figures = measure_escrow(chain, anvil_keys())
    area = "escrow_baseline."
    assert figures == {k.removeprefix(area): v for k, v in measured.items() if k.startswith(area)}


def test_every_gas_goal_is_met_or_a_listed_miss(capsys):
    committed = figures(json.loads(SNAPSHOT.read_text()))
    assert set(GOALS) <= set(committed), f"goals without a figure: {sorted(set(GOALS) - set(committed))}"
    missed = {k: (committed[k], goal) for k, goal in GOALS.items() if committed[k] > goal}
    with capsys.disabled():
        for key, (gas, goal) in sorted(missed.items()):
            print(f"\ngas goal missed: {key} = {gas:,} > {goal:,} (by {gas - goal:,}): {ACCEPTED_MISSES.get(key)}")
    unexplained = sorted(set(missed) - set(ACCEPTED_MISSES))
    assert not unexplained, f"gas goals missed: {[(k, *missed[k]) for k in unexplained]}"
    met_again = sorted(set(ACCEPTED_MISSES) - set(missed))
    assert not met_again, f"listed as missed but met (remove from ACCEPTED_MISSES): {met_again}"
    assert set(ACCEPTED_MISSES) <= set(GOALS)


def test_writing_a_snapshot_drops_operations_no_longer_measured(tmp_path):
    path = tmp_path / "gas.json"
    path.write_text(json.dumps({"_hardfork": "london", "spb.gone": 1, "spb.kept": 2, "grid.other": 3}))
    write_snapshot({"_hardfork": "london", "spb.kept": 4}, path)
    assert json.loads(path.read_text()) == {"_hardfork": "london", "grid.other": 3, "spb.kept": 4}
