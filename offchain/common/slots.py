"""The 15-minute slot clock, off chain: the twin of ``contracts/common/SlotClock.sol``.

Slot ``s`` is the quarter hour starting at market time ``s * 900`` s after 1970-01-01 UTC, so
slot numbers never repeat or skip across daylight-saving changes. Market time runs
``900 / slot_seconds`` times as fast as chain time from chain time ``genesis`` (market time
``epoch``): real time is ``genesis = epoch = 0, slot_seconds = 900``; a devnet demo compresses
a day by choosing a small ``slot_seconds``. Local days of the configured time zone are ranges
of slots — 96, and 92 / 100 on the spring / autumn change days — computed here with
:mod:`zoneinfo` and on chain with the EU rule; tests check the two agree.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..kernel.errors import ConfigError

__all__ = ["DstRule", "SlotClock", "SlotConfig", "SLOT_SECONDS"]

#: Length of a market slot in market time.
SLOT_SECONDS = 900
_EPOCH_DATE = dt.date(1970, 1, 1)


class DstRule(enum.IntEnum):
    """``DstRule`` of ``SlotTypes.sol``."""

    NONE = 0
    EU = 1


def _last_sunday_0100_utc(year: int, month: int) -> dt.datetime:
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    last -= dt.timedelta(days=(last.weekday() + 1) % 7)
    return dt.datetime(last.year, last.month, last.day, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SlotConfig:
    """Constructor argument ``SlotConfig`` of the slot-clocked markets, plus the zone name."""

    zone: str = "Europe/Vienna"
    genesis: int = 0
    epoch: int = 0
    slot_seconds: int = SLOT_SECONDS

    def __post_init__(self) -> None:
        if self.slot_seconds <= 0:
            raise ConfigError(f"slot_seconds must be positive, got {self.slot_seconds}")
        if self.epoch % SLOT_SECONDS:
            raise ConfigError(f"epoch must lie on a quarter hour (a multiple of 900 s), got {self.epoch}")
        if self.genesis < 0 or self.epoch < 0:
            raise ConfigError("genesis and epoch are unix times and cannot be negative")
        self.rule()  # validates the zone

    @classmethod
    def compressed(cls, zone: str, genesis: int, day: dt.date, slot_seconds: int) -> SlotConfig:
        """A clock whose market time starts at local midnight of ``day`` at chain time
        ``genesis`` and runs one 15-minute slot per ``slot_seconds`` of chain time."""
        start = dt.datetime.combine(day, dt.time(0), ZoneInfo(zone)).timestamp()
        return cls(zone=zone, genesis=genesis, epoch=int(start), slot_seconds=slot_seconds)

    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"unknown time zone {self.zone!r}") from exc

    def rule(self) -> tuple[int, DstRule]:
        """``(utcOffsetMinutes, dst)`` of the on-chain clock for this zone.

        The chain knows two rules: none, and the EU rule (summer time from 01:00 UTC on the
        last Sunday of March to 01:00 UTC on the last Sunday of October, standard offsets
        0 to +3 h). A zone following another rule is refused with :class:`ConfigError`."""
        tz = self.tz()
        year = dt.date.today().year
        winter = dt.datetime(year, 1, 15, 12, tzinfo=tz)
        summer = dt.datetime(year, 7, 15, 12, tzinfo=tz)
        std = winter.utcoffset()
        assert std is not None
        minutes = int(std.total_seconds() // 60)
        if minutes % 15:
            raise ConfigError(f"time zone {self.zone} is not offset from UTC by whole quarter hours")
        if summer.utcoffset() == std:
            return minutes, DstRule.NONE
        for y in (year - 1, year, year + 1):
            for month, expect in ((3, std + dt.timedelta(hours=1)), (10, std)):
                at = _last_sunday_0100_utc(y, month)
                before, after = (at - dt.timedelta(seconds=1)).astimezone(tz), at.astimezone(tz)
                if after.utcoffset() != expect or before.utcoffset() == expect:
                    raise ConfigError(
                        f"time zone {self.zone} does not follow the EU daylight-saving rule; "
                        "the on-chain slot clock supports only the EU rule or no DST"
                    )
        if not 0 <= minutes <= 180:
            raise ConfigError(f"the EU rule is supported for standard offsets 0..+3 h, not {minutes} min")
        return minutes, DstRule.EU

    def as_args(self) -> tuple[int, int, int, int, int]:
        """The ``SlotConfig`` struct for a contract constructor."""
        minutes, rule = self.rule()
        return (self.genesis, self.epoch, self.slot_seconds, minutes, int(rule))


class SlotClock:
    """Slot arithmetic for one :class:`SlotConfig` (no chain access needed)."""

    def __init__(self, config: SlotConfig | None = None) -> None:
        self.config = config or SlotConfig()
        self._tz = self.config.tz()

    # -- chain time <-> slots --------------------------------------------------------
    def slot_at(self, timestamp: int) -> int:
        """The slot chain time ``timestamp`` lies in."""
        c = self.config
        if timestamp < c.genesis:
            raise ConfigError(f"timestamp {timestamp} lies before the clock's genesis {c.genesis}")
        return c.epoch // SLOT_SECONDS + (timestamp - c.genesis) // c.slot_seconds

    def slot_start(self, slot: int) -> int:
        """Chain time at which ``slot`` begins."""
        c = self.config
        first = c.epoch // SLOT_SECONDS
        if slot < first:
            raise ConfigError(f"slot {slot} lies before the clock's epoch (slot {first})")
        return c.genesis + (slot - first) * c.slot_seconds

    # -- local days ------------------------------------------------------------------
    def day_number(self, day: dt.date) -> int:
        """Days since 1970-01-01 of a local date (the on-chain day number)."""
        return (day - _EPOCH_DATE).days

    def date_of_day(self, day: int) -> dt.date:
        return _EPOCH_DATE + dt.timedelta(days=day)

    def day_slots(self, day: int | dt.date) -> range:
        """The slots of local ``day``: 96, or 92 / 100 on the DST change days."""
        date = day if isinstance(day, dt.date) else self.date_of_day(day)
        start = dt.datetime.combine(date, dt.time(0), self._tz).timestamp()
        end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), self._tz).timestamp()
        return range(int(start) // SLOT_SECONDS, int(end) // SLOT_SECONDS)

    def day_of(self, slot: int) -> tuple[int, int]:
        """(local day number, position of ``slot`` in that day)."""
        local = dt.datetime.fromtimestamp(slot * SLOT_SECONDS, self._tz).date()
        day = self.day_number(local)
        return day, slot - self.day_slots(local).start

    def local_time(self, slot: int) -> dt.datetime:
        """Local wall-clock start of ``slot`` (aware datetime; ``fold`` tells the repeated hour)."""
        return dt.datetime.fromtimestamp(slot * SLOT_SECONDS, self._tz)
