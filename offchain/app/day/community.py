"""The community of the trading day: households, load profiles, rooftop PV, a shared plant, forecasts.

* Load: the BDEW standard household profile H0 (``demandlib``) for the configured date,
  scaled to each household's annual consumption, times seeded noise (per slot, log-normal).
* PV: the project's PV model (:mod:`offchain.sim.pv`, PriWatt's, all pvlib: solar position,
  Ineichen clear sky, Hay–Davies plane-of-array irradiance for a tilted south roof, SAPM
  cell temperature with −0.4 %/K, a performance ratio), as a 1 kWp profile
  (:func:`pv_profile`) scaled to each roof's kWp, times a seeded hourly cloud factor.
* An apartment building: about a third of the households (at least 2; those without a
  roof of their own first) co-own a shared PV plant (:class:`SharedPlant`, 1 kWp per
  owner) by a seeded default key in basis points; each owner's PV includes its default
  share of the plant's output (the shared-PV mechanism's part moves portions between them).
* Forecasts: what agents act on — the H0 shape without noise, and clear sky times the
  expected cloud factor.

Everything is in Wh per 15-minute slot (integers).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import warnings
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

from ...kernel.errors import ConfigError
from ...kernel.mechanism import HouseholdInfo, HouseholdSlot, SharedPlant, split_by_key

__all__ = ["Site", "Community", "SharedPlant", "build_community", "h0_day_shares", "pv_profile"]

#: the shared plant's size per co-owner (kWp)
SHARED_KWP_PER_OWNER = 1.0


@dataclass(frozen=True)
class Site:
    """Where and when the day happens."""

    name: str = "Vienna"
    latitude: float = 48.21
    longitude: float = 16.37
    altitude: float = 190.0
    zone: str = "Europe/Vienna"
    date: dt.date = dt.date(2026, 6, 15)
    tilt: float = 30.0
    azimuth: float = 180.0
    performance_ratio: float = 0.85
    linke_turbidity: float = 3.0


@dataclass
class Community:
    site: Site
    households: list[HouseholdInfo]
    #: slots[i][h]
    slots: list[list[HouseholdSlot]] = field(default_factory=list)
    #: position of slots[0] in the day (0 = midnight; a shorter test day may start at noon)
    first_slot: int = 0
    #: the apartment building's shared PV plant (its owners' ``pv_wh`` include their default share)
    shared_plant: SharedPlant | None = None

    @property
    def n_slots(self) -> int:
        return len(self.slots)


@cache
def _h0_year(year: int) -> tuple[list[str], list[float]]:
    """The H0 profile of ``year`` (15-minute values, demandlib), as (ISO timestamps, values)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from demandlib import bdew

        slp = bdew.ElecSlp(year)
        frame = slp.get_scaled_power_profiles({"h0": 1000.0})
    column = frame["h0"]
    return [t.isoformat() for t in column.index], [float(v) for v in column.values]


def h0_day_shares(date: dt.date) -> list[float]:
    """The share of a year's H0 consumption that falls in each 15-minute slot of ``date`` (96 values)."""
    stamps, values = _h0_year(date.year)
    total = sum(values)
    if total <= 0:
        raise ConfigError("demandlib returned an empty H0 profile")
    prefix = date.isoformat()
    day = [v for t, v in zip(stamps, values, strict=True) if t.startswith(prefix)]
    if len(day) != 96:
        raise ConfigError(f"demandlib's H0 profile has {len(day)} values for {date}, expected 96")
    return [v / total for v in day]


@cache
def pv_profile(site: Site, n_slots: int = 96) -> list[float]:
    """AC energy of a 1 kWp roof per slot of ``site.date`` under clear sky, in Wh: the project's
    PV model (:func:`offchain.sim.pv.simulate`: 5 m² at 20 % yield = 1 kWp, the site's tilt,
    azimuth, performance ratio and Linke turbidity, cell temperature at 20 °C air, 1 m/s wind)."""
    from ...common.slots import SlotClock
    from ...sim.pv import PvPanel, PvSite, simulate

    where = PvSite(site.latitude, site.longitude, site.altitude, site.zone, site.name)
    panel = PvPanel(
        area_m2=5.0, efficiency=0.2, performance_ratio=site.performance_ratio, tilt=site.tilt, azimuth=site.azimuth
    )
    zone = ZoneInfo(site.zone)
    start = dt.datetime.combine(site.date, dt.time(0), zone)
    end = dt.datetime.combine(site.date + dt.timedelta(days=1), dt.time(0), zone)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        slots = simulate(where, panel, start, end, linke_turbidity=site.linke_turbidity, clock=SlotClock())
    if len(slots) != n_slots:
        raise ConfigError(f"{site.date} has {len(slots)} quarter hours in {site.zone}, expected {n_slots}")
    return [max(0.0, s.energy_wh) for s in slots]


def _shared_plant(
    infos: list[HouseholdInfo], rng: random.Random, share: float
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The building's co-owners (about ``share`` of the households, at least 2, households
    without rooftop PV first) and a seeded default key in basis points (Σ = 10,000)."""
    n = min(len(infos), max(2, round(len(infos) * share)))
    ranked = sorted(infos, key=lambda i: (i.pv_kwp > 0, i.index))
    owners = tuple(sorted(i.index for i in ranked[:n]))
    weights = [rng.uniform(1.0, 3.0) for _ in owners]
    key = [int(10_000 * w / sum(weights)) for w in weights]
    key[0] += 10_000 - sum(key)
    return owners, tuple(key)


def build_community(
    households: int = 10,
    *,
    seed: int = 7,
    site: Site | None = None,
    n_slots: int = 96,
    first_slot: int = 0,
    pv_share: float = 0.4,
    shared_share: float = 1 / 3,
) -> Community:
    """``households`` homes; about ``pv_share`` of them (at least one) with rooftop PV, about
    ``shared_share`` of them (at least 2) co-owners of the building's shared PV plant."""
    if households < 2:
        raise ConfigError("a community needs at least 2 households")
    if not n_slots >= 1 or first_slot < 0 or first_slot + n_slots > 96:
        raise ConfigError(f"slots {first_slot}..{first_slot + n_slots - 1} do not lie in a day of 96 slots")
    site = site or Site()
    rng = random.Random(seed)
    shares = h0_day_shares(site.date)
    pv1 = pv_profile(site)
    n_pv = max(1, round(households * pv_share))
    with_pv = set(rng.sample(range(households), n_pv))
    infos = []
    for h in range(households):
        annual = round(rng.uniform(2_500, 5_500), -1)
        kwp = round(rng.uniform(4.0, 9.0), 1) if h in with_pv else 0.0
        infos.append(HouseholdInfo(h, f"H{h:02d}", annual, kwp))
    # hourly cloud factors (actual) around an expected 0.9 (forecast)
    expected_cloud = 0.9
    clouds = [min(1.0, max(0.35, rng.gauss(expected_cloud, 0.15))) for _ in range(24)]
    noise = {h: [math.exp(rng.gauss(0.0, 0.25)) for _ in range(96)] for h in range(households)}
    owners, key = _shared_plant(infos, random.Random(f"{seed}/shared-pv"), shared_share)
    kwp = SHARED_KWP_PER_OWNER * len(owners)
    day = range(first_slot, first_slot + n_slots)
    plant_actual = [round(pv1[i] * kwp * clouds[i // 4]) for i in day]
    plant_forecast = [round(pv1[i] * kwp * expected_cloud) for i in day]
    position = {h: k for k, h in enumerate(owners)}
    own_forecast_net: list[list[int]] = [[] for _ in owners]
    slots: list[list[HouseholdSlot]] = []
    for j, i in enumerate(day):
        actual_parts, forecast_parts = split_by_key(plant_actual[j], key), split_by_key(plant_forecast[j], key)
        row = []
        for info in infos:
            forecast_load = shares[i] * info.annual_kwh * 1000.0
            forecast_pv = round(pv1[i] * info.pv_kwp * expected_cloud)
            load = max(1, round(forecast_load * noise[info.index][i]))
            pv = round(pv1[i] * info.pv_kwp * clouds[i // 4])
            k = position.get(info.index)
            if k is not None:
                own_forecast_net[k].append(max(1, round(forecast_load)) - forecast_pv)
                pv, forecast_pv = pv + actual_parts[k], forecast_pv + forecast_parts[k]
            row.append(
                HouseholdSlot(
                    load_wh=load,
                    pv_wh=pv,
                    forecast_load_wh=max(1, round(forecast_load)),
                    forecast_pv_wh=forecast_pv,
                )
            )
        slots.append(row)
    plant = SharedPlant(
        kwp=kwp,
        owners=owners,
        key_bp=key,
        generation_wh=tuple(plant_actual),
        forecast_wh=tuple(plant_forecast),
        owner_forecast_net_wh=tuple(tuple(v) for v in own_forecast_net),
        zone=site.zone,
        date=site.date,
        first_slot=first_slot,
    )
    forecast_import = [sum(max(s[h].forecast_net_wh, 0) for s in slots) for h in range(households)]
    infos = [
        HouseholdInfo(i.index, i.name, i.annual_kwh, i.pv_kwp, day_ahead_import_wh=forecast_import[i.index])
        for i in infos
    ]
    return Community(site, infos, slots, first_slot, plant)
