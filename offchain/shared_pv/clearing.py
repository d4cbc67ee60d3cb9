"""The clearing server: bills each co-owner of a shared PV plant per 15-minute slot.

Portions come from the plant's events only (:meth:`PlantClient.history`): the default key
of the constructor's ``OwnerAdmitted`` events, then every ``PortionsTransferred`` and
``OwnerRevoked`` in log order — no privileged view, so any party can recompute a bill.
Metered consumption per owner and the plant's generation per slot come from CSV files or
any series (a mapping slot → Wh, a sequence by position in the day, or a callable
``slot -> Wh``; a PV model plugs in as such a callable).

Per slot and owner, with ``portion`` in basis points::

    allocated = generation × portion / 10,000          (Wh, exact decimal)
    grid      = max(0, consumption − allocated)        bought from the grid at the tariff
    surplus   = max(0, allocated − consumption)        fed in, credited at the feed-in price
    net       = grid × grid price − surplus × feed-in price

Amounts are exact :class:`~decimal.Decimal` values; totals per owner and day are sums of
the exact per-slot amounts, rounded once (to the tariff's ``money_places``) when shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..common.slots import SlotClock
from .client import FULL_BP, OwnerAdmitted, OwnerRevoked, PlantClient, PlantEvent, PortionsTransferred
from .errors import ClearingError, ClearingInputError

__all__ = [
    "BillLine",
    "ClearingServer",
    "DayBill",
    "OwnerTotals",
    "Period",
    "Series",
    "Tariff",
    "bill_day",
    "portions_from_events",
    "read_consumption_csv",
    "read_generation_csv",
    "series_value",
]

#: a metered series: slot → Wh, values by position in the billed day, or a function of the slot
Series = Mapping[int, Any] | Sequence[Any] | Callable[[int], Any]
_KWH = Decimal(1000)


def _decimal(value: Any, what: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ClearingInputError(f"{what}: {value!r} is not a number") from exc
    if not d.is_finite() or d < 0:
        raise ClearingInputError(f"{what}: {value!r} must be a finite number >= 0")
    return d


@dataclass(frozen=True)
class Period:
    """A time-of-use price: local wall-clock ``start`` (inclusive) to ``end`` (exclusive)."""

    start: dt.time
    end: dt.time
    grid_price_per_kwh: Decimal

    def covers(self, t: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end  # over midnight


@dataclass(frozen=True)
class Tariff:
    """Prices per kWh: bought from the grid (optionally by local time of day) and fed in."""

    grid_price_per_kwh: Decimal
    feed_in_price_per_kwh: Decimal
    currency: str = "EUR"
    periods: tuple[Period, ...] = ()
    money_places: int = 4

    def grid_price(self, local: dt.datetime) -> Decimal:
        t = local.time()
        for p in self.periods:
            if p.covers(t):
                return p.grid_price_per_kwh
        return self.grid_price_per_kwh

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Tariff:
        try:
            periods = tuple(
                Period(
                    dt.time.fromisoformat(p["start"]),
                    dt.time.fromisoformat(p["end"]),
                    _decimal(p["grid_price_per_kwh"], "tariff period price"),
                )
                for p in data.get("periods", ())
            )
            return cls(
                grid_price_per_kwh=_decimal(data["grid_price_per_kwh"], "grid_price_per_kwh"),
                feed_in_price_per_kwh=_decimal(data["feed_in_price_per_kwh"], "feed_in_price_per_kwh"),
                currency=str(data.get("currency", "EUR")),
                periods=periods,
                money_places=int(data.get("money_places", 4)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ClearingInputError(f"malformed tariff: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path) -> Tariff:
        """A tariff from a JSON file: ``{"grid_price_per_kwh": "0.30", "feed_in_price_per_kwh": "0.08",
        "currency": "EUR", "periods": [{"start": "17:00", "end": "20:00", "grid_price_per_kwh": "0.40"}]}``."""
        p = Path(path)
        try:
            data = json.loads(p.read_text())
        except FileNotFoundError as exc:
            raise ClearingInputError(f"no such tariff file: {p}") from exc
        except IsADirectoryError as exc:
            raise ClearingInputError(f"tariff {p} is a folder, not a file") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ClearingInputError(f"tariff {p} is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ClearingInputError(f"tariff {p} must be a JSON object")
        return cls.from_mapping(data)


@dataclass(frozen=True)
class BillLine:
    """One owner in one slot."""

    slot: int
    position: int
    local_time: dt.datetime
    owner: str
    portion_bp: int
    consumption_wh: Decimal
    generation_wh: Decimal
    allocated_wh: Decimal
    grid_wh: Decimal
    surplus_wh: Decimal
    grid_price_per_kwh: Decimal
    grid_cost: Decimal
    feed_in_credit: Decimal

    @property
    def net(self) -> Decimal:
        return self.grid_cost - self.feed_in_credit


@dataclass(frozen=True)
class OwnerTotals:
    """An owner's sums over the billed day (exact)."""

    owner: str
    consumption_wh: Decimal
    allocated_wh: Decimal
    grid_wh: Decimal
    surplus_wh: Decimal
    grid_cost: Decimal
    feed_in_credit: Decimal

    @property
    def net(self) -> Decimal:
        return self.grid_cost - self.feed_in_credit


@dataclass(frozen=True)
class DayBill:
    """Every owner's bill for one local day: per-slot lines and totals."""

    day: dt.date
    slots: range
    owners: tuple[str, ...]
    tariff: Tariff
    lines: tuple[BillLine, ...]
    totals: Mapping[str, OwnerTotals] = field(default_factory=dict)

    def money(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-self.tariff.money_places))

    def to_csv(self) -> str:
        """One row per (slot, owner), then one ``TOTAL`` row per owner."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(
            [
                "day",
                "slot",
                "position",
                "local_time",
                "owner",
                "portion_bp",
                "consumption_wh",
                "generation_wh",
                "allocated_wh",
                "grid_wh",
                "surplus_wh",
                f"grid_price_{self.tariff.currency}_per_kwh",
                f"grid_cost_{self.tariff.currency}",
                f"feed_in_credit_{self.tariff.currency}",
                f"net_{self.tariff.currency}",
            ]
        )
        for x in self.lines:
            w.writerow(
                [
                    self.day.isoformat(),
                    x.slot,
                    x.position,
                    x.local_time.isoformat(),
                    x.owner,
                    x.portion_bp,
                    x.consumption_wh,
                    x.generation_wh,
                    x.allocated_wh,
                    x.grid_wh,
                    x.surplus_wh,
                    x.grid_price_per_kwh,
                    x.grid_cost,
                    x.feed_in_credit,
                    x.net,
                ]
            )
        for owner in self.owners:
            t = self.totals[owner]
            w.writerow(
                [
                    self.day.isoformat(),
                    "TOTAL",
                    "",
                    "",
                    owner,
                    "",
                    t.consumption_wh,
                    "",
                    t.allocated_wh,
                    t.grid_wh,
                    t.surplus_wh,
                    "",
                    self.money(t.grid_cost),
                    self.money(t.feed_in_credit),
                    self.money(t.net),
                ]
            )
        return out.getvalue()

    def write_csv(self, path: str | Path) -> None:
        Path(path).write_text(self.to_csv())

    def table(self, *, per_slot: bool = False) -> Any:
        """A :class:`rich.table.Table` of the totals (and of every line with ``per_slot``)."""
        from rich.table import Table

        cur = self.tariff.currency
        table = Table(title=f"shared PV bill {self.day.isoformat()} ({len(self.slots)} slots)")
        cols = ["owner", "consumption Wh", "own PV Wh", "grid Wh", "fed in Wh", f"grid {cur}", f"feed-in {cur}"]
        if per_slot:
            cols = ["slot", "local time", "portion bp", *cols]
        for c in [*cols, f"net {cur}"]:
            table.add_column(c, justify="left" if c in ("owner", "local time") else "right")
        if per_slot:
            for x in self.lines:
                table.add_row(
                    str(x.slot),
                    x.local_time.strftime("%H:%M%z"),
                    str(x.portion_bp),
                    _short(x.owner),
                    f"{x.consumption_wh}",
                    f"{x.allocated_wh}",
                    f"{x.grid_wh}",
                    f"{x.surplus_wh}",
                    f"{x.grid_cost}",
                    f"{x.feed_in_credit}",
                    f"{x.net}",
                )
        for owner in self.owners:
            t = self.totals[owner]
            lead = ["TOTAL", "", ""] if per_slot else []
            table.add_row(
                *lead,
                _short(owner),
                f"{t.consumption_wh}",
                f"{t.allocated_wh}",
                f"{t.grid_wh}",
                f"{t.surplus_wh}",
                f"{self.money(t.grid_cost)}",
                f"{self.money(t.feed_in_credit)}",
                f"{self.money(t.net)}",
            )
        return table


def _short(address: str) -> str:
    return address[:10] + "…" if address.startswith("0x") and len(address) == 42 else address


# -- portions from events ----------------------------------------------------------------


def portions_from_events(events: Iterable[PlantEvent], slots: range) -> dict[int, dict[str, int]]:
    """Every owner's basis points in each of ``slots``, rebuilt from the plant's events in log order.

    Raises :class:`ClearingError` if the history breaks a rule the contract keeps (a slot not
    summing to 10,000, a negative portion, a transfer by a non-member) — a wrong address,
    a truncated log or a different contract."""
    holdings: dict[int, dict[str, int]] | None = None
    initial: dict[str, int] = {}
    members: set[str] = set()
    for event in events:
        if isinstance(event, OwnerAdmitted):
            members.add(event.owner)
            if event.default_bp:
                if holdings is not None:
                    raise ClearingError(f"owner {event.owner} admitted with a default share after the plant started")
                initial[event.owner] = initial.get(event.owner, 0) + event.default_bp
            continue
        if holdings is None:
            holdings = {s: dict(initial) for s in slots}
        if isinstance(event, PortionsTransferred):
            if event.sender not in members or event.recipient not in members:
                raise ClearingError(f"transfer between non-members in tx {event.tx_hash}")
            for s in range(max(event.first_slot, slots.start), min(event.last_slot, slots.stop - 1) + 1):
                row = holdings[s]
                row[event.sender] = row.get(event.sender, 0) - event.amount_bp
                row[event.recipient] = row.get(event.recipient, 0) + event.amount_bp
                if row[event.sender] < 0:
                    raise ClearingError(
                        f"{event.sender} would hold a negative portion in slot {s} (tx {event.tx_hash})"
                    )
        elif isinstance(event, OwnerRevoked):
            members.discard(event.owner)
            for s in range(max(event.effective_slot, slots.start), slots.stop):
                row = holdings[s]
                row[event.successor] = row.get(event.successor, 0) + row.pop(event.owner, 0)
    if holdings is None:
        holdings = {s: dict(initial) for s in slots}
    for s, row in holdings.items():
        total = sum(row.values())
        if total != FULL_BP:
            raise ClearingError(f"portions of slot {s} sum to {total} basis points, not {FULL_BP}")
    return holdings


# -- series --------------------------------------------------------------------------------


def series_value(series: Series, slot: int, position: int, what: str) -> Decimal:
    """The value of ``series`` for ``slot`` (``position`` in the billed day), in Wh."""
    try:
        if callable(series):
            value = series(slot)
        elif isinstance(series, Mapping):
            value = series[slot]
        else:
            value = series[position]
    except (KeyError, IndexError) as exc:
        raise ClearingInputError(f"{what}: no value for slot {slot} (position {position} of the day)") from exc
    return _decimal(value, f"{what}, slot {slot}")


def _read_csv(path: str | Path) -> tuple[list[str], list[list[str]]]:
    p = Path(path)
    try:
        text = p.read_text()
    except FileNotFoundError as exc:
        raise ClearingInputError(f"no such file: {p}") from exc
    except IsADirectoryError as exc:
        raise ClearingInputError(f"{p} is a folder, not a CSV file") from exc
    except UnicodeDecodeError as exc:
        raise ClearingInputError(f"{p} is not a text (CSV) file: {exc}") from exc
    rows = [r for r in csv.reader(io.StringIO(text)) if r and not r[0].startswith("#")]
    if len(rows) < 2:
        raise ClearingInputError(f"{p}: a header row and at least one data row are needed")
    header = [h.strip() for h in rows[0]]
    if header[0] not in ("slot", "position"):
        raise ClearingInputError(f"{p}: the first column must be `slot` (absolute) or `position` (in the day)")
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise ClearingInputError(f"{p} line {i}: {len(r)} fields, the header has {len(header)}")
    return header, rows[1:]


def _keyed(header: list[str], rows: list[list[str]], column: int, path: str | Path) -> dict[int, str]:
    out: dict[int, str] = {}
    for r in rows:
        try:
            key = int(r[0])
        except ValueError as exc:
            raise ClearingInputError(f"{path}: {header[0]} {r[0]!r} is not an integer") from exc
        if key in out:
            raise ClearingInputError(f"{path}: {header[0]} {key} appears twice")
        out[key] = r[column]
    return out


def _as_series(header0: str, keyed: dict[int, str]) -> Series:
    if header0 == "slot":
        return keyed
    return _PositionSeries(keyed)


class _PositionSeries(Sequence[str]):
    """Values by position in the day, from a ``position`` column (gaps raise IndexError)."""

    def __init__(self, values: dict[int, str]) -> None:
        self._values = values

    def __getitem__(self, i: Any) -> Any:
        try:
            return self._values[i]
        except KeyError as exc:
            raise IndexError(i) from exc

    def __len__(self) -> int:
        return len(self._values)


def read_generation_csv(path: str | Path) -> Series:
    """Generation per slot from a CSV ``slot,generation_wh`` (or ``position,generation_wh``)."""
    header, rows = _read_csv(path)
    if len(header) != 2:
        raise ClearingInputError(f"{path}: expected two columns ({header[0]}, generation_wh), got {header}")
    return _as_series(header[0], _keyed(header, rows, 1, path))


def read_consumption_csv(path: str | Path) -> dict[str, Series]:
    """Consumption per owner from a CSV ``slot,<owner address>,<owner address>,...`` (Wh)."""
    header, rows = _read_csv(path)
    if len(header) < 2:
        raise ClearingInputError(f"{path}: expected one column per owner after `{header[0]}`")
    return {owner: _as_series(header[0], _keyed(header, rows, i, path)) for i, owner in enumerate(header) if i}


# -- billing -------------------------------------------------------------------------------


def bill_day(
    events: Iterable[PlantEvent],
    clock: SlotClock,
    day: dt.date,
    consumption: Mapping[str, Series],
    generation: Series,
    tariff: Tariff,
    *,
    slots: range | None = None,
) -> DayBill:
    """Bill local ``day`` (92, 96 or 100 slots) from the plant's ``events`` and the metered series.

    Every owner holding a portion in some slot of the day, and every owner with a
    consumption series, gets a bill; an owner holding portions without a consumption
    series is refused (:class:`ClearingInputError`) — its allocation cannot be settled.
    ``slots``: only these consecutive slots of the day (default: all of them; series
    given by position are then indexed from the range's first slot)."""
    whole = clock.day_slots(day)
    if slots is None:
        slots = whole
    elif not slots or slots.step != 1 or slots.start < whole.start or slots.stop > whole.stop:
        raise ClearingInputError(f"slots {slots!r} are not a non-empty run of the slots of {day} ({whole!r})")
    portions = portions_from_events(events, slots)
    canonical = {_canon(k): k for k in consumption}
    holders = {o for row in portions.values() for o, bp in row.items() if bp}
    missing = sorted(o for o in holders if _canon(o) not in canonical)
    if missing:
        raise ClearingInputError(f"no consumption series for owner(s) holding portions on {day}: {', '.join(missing)}")
    owners = tuple(sorted({*holders, *(_find(holders, k) for k in consumption)}, key=str.lower))
    lines: list[BillLine] = []
    for position, slot in enumerate(slots):
        gen = series_value(generation, slot, position, "generation")
        local = clock.local_time(slot)
        price = tariff.grid_price(local)
        for owner in owners:
            bp = portions[slot].get(owner, 0)
            cons = series_value(consumption[canonical[_canon(owner)]], slot, position, f"consumption of {owner}")
            allocated = gen * bp / FULL_BP
            grid = max(Decimal(0), cons - allocated)
            surplus = max(Decimal(0), allocated - cons)
            lines.append(
                BillLine(
                    slot=slot,
                    position=position,
                    local_time=local,
                    owner=owner,
                    portion_bp=bp,
                    consumption_wh=cons,
                    generation_wh=gen,
                    allocated_wh=allocated,
                    grid_wh=grid,
                    surplus_wh=surplus,
                    grid_price_per_kwh=price,
                    grid_cost=grid * price / _KWH,
                    feed_in_credit=surplus * tariff.feed_in_price_per_kwh / _KWH,
                )
            )
    totals = {}
    for owner in owners:
        mine = [x for x in lines if x.owner == owner]
        totals[owner] = OwnerTotals(
            owner=owner,
            consumption_wh=sum((x.consumption_wh for x in mine), Decimal(0)),
            allocated_wh=sum((x.allocated_wh for x in mine), Decimal(0)),
            grid_wh=sum((x.grid_wh for x in mine), Decimal(0)),
            surplus_wh=sum((x.surplus_wh for x in mine), Decimal(0)),
            grid_cost=sum((x.grid_cost for x in mine), Decimal(0)),
            feed_in_credit=sum((x.feed_in_credit for x in mine), Decimal(0)),
        )
    return DayBill(day=day, slots=slots, owners=owners, tariff=tariff, lines=tuple(lines), totals=totals)


def _canon(owner: str) -> str:
    return owner.lower()


def _find(holders: set[str], key: str) -> str:
    for h in holders:
        if _canon(h) == _canon(key):
            return h
    return key


class ClearingServer:
    """Bills a plant's owners from its events (read through :meth:`PlantClient.history`)."""

    def __init__(self, plant: PlantClient, tariff: Tariff) -> None:
        self.plant = plant
        self.tariff = tariff

    def bill(
        self,
        day: dt.date,
        consumption: Mapping[str, Series],
        generation: Series,
        *,
        slots: range | None = None,
        from_block: int = 0,
    ) -> DayBill:
        """Bill local ``day`` (or only ``slots`` of it); only slots that are already past can be
        billed (their portions are final). ``from_block``: the plant's first block (its history
        is read from there)."""
        billed = slots if slots is not None else self.plant.clock.day_slots(day)
        current = self.plant.current_slot()
        if billed and billed.stop - 1 >= current:
            raise ClearingError(
                f"{day} is not over yet (its last slot {billed.stop - 1}, current slot {current}): "
                "portions of future or current slots may still change"
            )
        events = self.plant.history(from_block)
        return bill_day(events, self.plant.clock, day, consumption, generation, self.tariff, slots=slots)
