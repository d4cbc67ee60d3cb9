"""Gas snapshot: every area measures its operations on a fresh anvil (London rules).

Each area registers a ``measure(chain, accounts) -> dict[str, int]`` function in
:data:`SECTIONS` (dotted path, imported lazily). ``gridledger gas --write
gas-snapshot.json`` runs them all and writes one flat JSON object whose keys are
``<area>.<operation>`` (for example ``spb.ctp_freeze``), plus ``_hardfork``.
The file is committed, so any change of gas shows up in review.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .network import EmbeddedAnvil, anvil_keys

__all__ = ["SECTIONS", "GOALS", "ACCEPTED_MISSES", "measure_all", "write_snapshot", "load_snapshot"]

HARDFORK = "london"

#: area name → "module:function" measuring it; the function returns {operation: gas}.
SECTIONS: dict[str, str] = {
    "spb": "offchain.spb.gasreport:measure",
    "escrow_baseline": "offchain.spb.gasreport:measure_escrow",
    "grid": "offchain.grid.gasreport:measure",
    "arch": "offchain.spb.gasreport:measure_funds_layout",
}


#: gas goals from the issues (upper bounds); the table marks each figure against its goal.
GOALS: dict[str, int] = {
    "spb.ctp_plus_erc": 115_000,
    "spb.settle_single": 75_000,
    "spb.batch50_per_trade": 30_000,
    "grid.storage_event": 35_000,
    "grid.bill_anchor": 50_000,
}

#: Goals knowingly missed, with the reason (docs/spb.md, docs/grid.md). The snapshot test
#: fails on any other miss, and on a listed miss that is met again (then drop it here).
ACCEPTED_MISSES: dict[str, str] = {
    "spb.batch50_per_trade": (
        "per item ~12,000 gas of calldata and ~6,200 of ecrecover; SPB's checks (CoE, nonce window, "
        "funds, supply) need the rest (docs/spb.md)"
    ),
    "grid.bill_anchor": (
        "the digest -> purchaser record (a new slot, 22,100) lets the chain refuse a second anchoring "
        "and answer billOf(digest); kept over the cheaper log-only design (docs/grid.md)"
    ),
}


def _resolve(path: str) -> Callable[..., dict[str, int]]:
    module, _, func = path.partition(":")
    return getattr(importlib.import_module(module), func)


def measure_all(only: list[str] | None = None) -> dict[str, Any]:
    """Run every registered measurement on its own fresh anvil; returns the flat snapshot."""
    snapshot: dict[str, Any] = {"_hardfork": HARDFORK}
    for area, path in SECTIONS.items():
        if only and area not in only:
            continue
        func = _resolve(path)
        with EmbeddedAnvil(hardfork=HARDFORK) as chain:
            for op, gas in func(chain, anvil_keys()).items():
                snapshot[f"{area}.{op}"] = int(gas)
    return snapshot


def load_snapshot(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    return json.loads(p.read_text()) if p.exists() else {}


def write_snapshot(snapshot: dict[str, Any], path: str | Path) -> None:
    """Merge ``snapshot`` into the file at ``path`` (sorted keys, trailing newline).

    The figures of every area in ``snapshot`` replace that area's figures in the file: an
    operation an area no longer measures disappears from the file (areas not measured
    this time, ``--only``, keep theirs)."""
    areas = {k.split(".", 1)[0] for k in snapshot if not k.startswith("_")}
    merged = {k: v for k, v in load_snapshot(path).items() if k.split(".", 1)[0] not in areas}
    merged.update(snapshot)
    Path(path).write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
