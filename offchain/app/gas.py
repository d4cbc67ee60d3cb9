"""Gas snapshot: every mechanism's gas areas measured on a fresh anvil (London rules).

Each mechanism declares ``gas_sections`` (area → ``"module:function"`` with
``function(chain, accounts) -> dict[str, int]``) and ``gas_goals`` in its registry
entry. ``gridledger gas --write gas-snapshot.json`` runs them all and writes one flat
JSON object whose keys are ``<area>.<operation>`` (for example ``spb.ctp_freeze``),
plus ``_hardfork``. The file is committed, so any change of gas shows up in review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..kernel.anvil import ANVIL_HARDFORK, EmbeddedAnvil, anvil_keys
from ..kernel.errors import ConfigError
from ..kernel.fs import atomic_write
from ..kernel.mechanism import load
from .registry import gas_goals, gas_misses, gas_sections

__all__ = ["GOALS", "ACCEPTED_MISSES", "measure_all", "write_snapshot", "load_snapshot"]

#: gas goals of every mechanism (upper bounds); the table marks each figure against its goal.
GOALS: dict[str, int] = gas_goals()
#: goals knowingly missed, with the reason (each mechanism's ``gas_misses``); the snapshot
#: test fails on any other miss, and on a listed miss that is met again.
ACCEPTED_MISSES: dict[str, str] = gas_misses()


def measure_all(only: list[str] | None = None) -> dict[str, Any]:
    """Run every registered measurement on its own fresh anvil; returns the flat snapshot."""
    snapshot: dict[str, Any] = {"_hardfork": ANVIL_HARDFORK}
    for area, path in gas_sections().items():
        if only and area not in only:
            continue
        with EmbeddedAnvil() as chain:
            for op, gas in load(path)(chain, anvil_keys()).items():
                snapshot[f"{area}.{op}"] = int(gas)
    return snapshot


def load_snapshot(path: str | Path) -> dict[str, Any]:
    """The snapshot at ``path`` ({} if absent); :class:`ConfigError` if it is not a JSON object."""
    p = Path(path)
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{p} is not a gas snapshot (JSON): {' '.join(str(exc).split())[:120]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p} is not a gas snapshot (a JSON object)")
    return data


def write_snapshot(snapshot: dict[str, Any], path: str | Path) -> None:
    """Merge ``snapshot`` into the file at ``path`` (sorted keys, trailing newline).

    The figures of every area in ``snapshot`` replace that area's figures in the file: an
    operation an area no longer measures disappears from the file (areas not measured
    this time, ``--only``, keep theirs)."""
    areas = {k.split(".", 1)[0] for k in snapshot if not k.startswith("_")}
    merged = {k: v for k, v in load_snapshot(path).items() if k.split(".", 1)[0] not in areas}
    merged.update(snapshot)
    atomic_write(path, json.dumps(dict(sorted(merged.items())), indent=2) + "\n", mode=0o644)
