"""Helpers shared by the shared-PV contract tests (import as `from tests.shared_pv.contracts.helpers import ...`)."""

from __future__ import annotations

import datetime as dt
import re

import brownie

from offchain.common import SlotClock, SlotConfig

ZONE = "Europe/Vienna"
ROW = 128
FULL = 10_000
KEY = (2_000, 2_000, 6_000)  # the paper's example: A 20 %, B 20 %, C 60 %
SPRING_DAY = dt.date(2026, 3, 29)  # 92 slots in Europe/Vienna
AUTUMN_DAY = dt.date(2026, 10, 25)  # 100 slots


def fmt(value) -> str:
    """Format a value like brownie's decoded custom-error message does."""
    if isinstance(value, bytes | bytearray):
        return str(bytes(value))
    if isinstance(value, str):
        return value.lower()
    return str(value)


ANY = object()  #: matches any value of one error argument


def reverts(error: str, *args):
    """``brownie.reverts`` for a custom error with exactly these arguments (``ANY`` matches one)."""
    parts = [".*" if a is ANY else re.escape(fmt(a)) for a in args]
    pattern = f"{re.escape(error)}: {', '.join(parts)}" if args else f"{re.escape(error)}: ?"
    return brownie.reverts(revert_pattern=pattern)


def clock_starting(chain, day: dt.date, slot_seconds: int = 900) -> SlotConfig:
    """A slot clock whose market time starts at local midnight of ``day`` at the latest block's time."""
    return SlotConfig.compressed(ZONE, chain[-1].timestamp, day, slot_seconds)


def portions(plant, owner, first: int, last: int) -> list[int]:
    return [int(v) for v in plant.portionsOf(owner, first, last)]


def current(plant) -> int:
    return int(plant.currentSlot())


def advance_to(chain, clock: SlotConfig, slot: int) -> None:
    """Mine a block inside ``slot`` (chain time moves forward only)."""
    target = SlotClock(clock).slot_start(slot) + 1
    now = chain[-1].timestamp
    if target > now:
        chain.sleep(target - now)
    chain.mine()


def runs(plant, owner, slot: int) -> list[tuple[int, int]]:
    """(first slot, basis points) of each run of ``owner``'s row holding ``slot``."""
    live, _valid, _cached, first, starts, values = plant.rowOf(owner, slot)
    return [(int(first) + int(s), int(v)) for s, v in zip(starts, values, strict=True)]


def member(plant, account) -> tuple[bool, int]:
    """``memberOf`` as plain Python values."""
    is_member, default_bp = plant.memberOf(account)
    return bool(is_member), int(default_bp)
