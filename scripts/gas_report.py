"""brownie run gas_report: measure gas per operation on fresh anvils and write gas-snapshot.json.

Same as ``gridledger gas --write gas-snapshot.json`` (``make gas``): each area measures
its operations on its own fresh anvil (London) in steady state.
"""

from pathlib import Path

from offchain.gas import GOALS, measure_all, write_snapshot

SNAPSHOT = Path(__file__).resolve().parent.parent / "gas-snapshot.json"


def main():
    snapshot = measure_all()
    for key, value in sorted(snapshot.items()):
        if not key.startswith("_"):
            goal = GOALS.get(key)
            print(f"{key:32} {value:>10,}" + (f"   goal <= {goal:,}" if goal else ""))
    write_snapshot(snapshot, SNAPSHOT)
    print(f"wrote {SNAPSHOT}")
