"""Each household's net on-chain payment, recomputed from chain events alone.

Every mechanism in the day answers for its own money: the module of its ``day`` factory
(``offchain/<m>/day.py``) defines

    def payments_from_events(chain, deployed, owner_of, *, from_block) -> dict[int, int]

returning household → net wei paid through that mechanism (> 0 paid, < 0 received), read
from the mechanism's events only (e.g. SPB ``Settled`` and ``AccountOpened``, grid
``TransferRecorded``). ``owner_of`` maps a lower-case address to its household: that map is
the one thing taken from the report (what an observer cannot know); every amount comes from
the logs. A mechanism that moves no money on chain returns ``{}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...kernel.chain import Chain
from ...kernel.errors import ConfigError
from ...kernel.mechanism import load
from ..registry import mechanisms

__all__ = ["net_payments_from_events", "EVENTS_HOOK"]

#: the function each day module defines (see the module doc)
EVENTS_HOOK = "payments_from_events"


def net_payments_from_events(
    chain: Chain,
    deployed: Mapping[str, str],
    addresses: Mapping[int, Sequence[str]],
    parts: Sequence[str],
    *,
    from_block: int = 0,
) -> dict[int, dict[str, int]]:
    """household → {"<mechanism>": net wei for each of ``parts``, "net": their sum} (> 0: paid)."""
    owner_of = {a.lower(): h for h, addrs in addresses.items() for a in addrs}
    result: dict[int, dict[str, int]] = {h: {} for h in addresses}
    by_name = {m.name: m for m in mechanisms()}
    for name in parts:
        entry = by_name.get(name)
        if entry is None or not entry.day:
            raise ConfigError(f"mechanism {name!r} has no day part to reconcile")
        hook = load(f"{entry.day.partition(':')[0]}:{EVENTS_HOOK}")
        paid = hook(chain, deployed, owner_of, from_block=from_block)
        for h in result:
            result[h][name] = int(paid.get(h, 0))
    for row in result.values():
        row["net"] = sum(row[name] for name in parts)
    return result
