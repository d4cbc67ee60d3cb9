"""The community of the trading day: households, load profiles, rooftop PV, forecasts.

* Load: the BDEW standard household profile H0 (``demandlib``) for the configured date,
  scaled to each household's annual consumption, times seeded noise (per slot, log-normal).
* PV: a deliberately minimal clear-sky model (``pvlib``: Ineichen clear sky with a fixed
  Linke turbidity, plane-of-array irradiance for a tilted south-facing roof, a performance
  ratio) scaled to each roof's kWp, times a seeded hourly cloud factor. It is kept small so
  that the PriWatt mechanism's PV model (``offchain/sim/pv.py`` on its branch) can replace
  :func:`pv_profile` later.
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

from ...kernel.errors import ConfigError
from ...kernel.mechanism import HouseholdInfo, HouseholdSlot

__all__ = ["Site", "Community", "build_community", "h0_day_shares", "pv_profile"]


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


def pv_profile(site: Site, n_slots: int = 96) -> list[float]:
    """Clear-sky AC energy of a 1 kWp roof per slot of ``site.date``, in Wh (minimal model, see module doc)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pandas as pd
        import pvlib

        start = pd.Timestamp(site.date.isoformat(), tz=site.zone)
        times = pd.date_range(start + pd.Timedelta(minutes=7.5), periods=n_slots, freq="15min")
        location = pvlib.location.Location(site.latitude, site.longitude, site.zone, site.altitude)
        clear = location.get_clearsky(times, model="ineichen", linke_turbidity=site.linke_turbidity)
        sun = location.get_solarposition(times)
        poa = pvlib.irradiance.get_total_irradiance(
            site.tilt, site.azimuth, sun["apparent_zenith"], sun["azimuth"], clear["dni"], clear["ghi"], clear["dhi"]
        )["poa_global"].fillna(0.0)
    # kW per kWp = POA / 1000 W/m² × performance ratio; Wh per slot = kW × 0.25 h × 1000
    return [max(0.0, float(g)) / 1000.0 * site.performance_ratio * 250.0 for g in poa.values]


def build_community(
    households: int = 10,
    *,
    seed: int = 7,
    site: Site | None = None,
    n_slots: int = 96,
    first_slot: int = 0,
    pv_share: float = 0.4,
) -> Community:
    """``households`` homes; about ``pv_share`` of them (at least one) with rooftop PV."""
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
    slots: list[list[HouseholdSlot]] = []
    for i in range(first_slot, first_slot + n_slots):
        row = []
        for info in infos:
            forecast_load = shares[i] * info.annual_kwh * 1000.0
            forecast_pv = pv1[i] * info.pv_kwp * expected_cloud
            row.append(
                HouseholdSlot(
                    load_wh=max(1, round(forecast_load * noise[info.index][i])),
                    pv_wh=round(pv1[i] * info.pv_kwp * clouds[i // 4]),
                    forecast_load_wh=max(1, round(forecast_load)),
                    forecast_pv_wh=round(forecast_pv),
                )
            )
        slots.append(row)
    forecast_import = [sum(max(s[h].forecast_net_wh, 0) for s in slots) for h in range(households)]
    infos = [
        HouseholdInfo(i.index, i.name, i.annual_kwh, i.pv_kwp, day_ahead_import_wh=forecast_import[i.index])
        for i in infos
    ]
    return Community(site, infos, slots, first_slot)
