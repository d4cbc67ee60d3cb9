"""PV generation per 15-minute slot (PriWatt §4, SPEC §3), with pvlib.

PriWatt's simulation took latitude and longitude, a time window, the panel area, the
panel yield and a performance ratio, found the sun with PySolar and estimated the direct
irradiance on tilted panels. Here every physical step is pvlib's, none is hand-written:

1. solar position (``Location.get_solarposition``, NREL SPA);
2. clear-sky irradiance GHI / DNI / DHI (``Location.get_clearsky``, Ineichen–Perez with
   the Linke turbidity climatology pvlib ships, or a given turbidity);
3. plane-of-array irradiance for the panel's tilt and azimuth
   (``irradiance.get_total_irradiance``, Hay–Davies sky diffuse, ground albedo 0.25);
4. cell temperature (``temperature.sapm_cell``, open-rack glass/glass) and a power
   temperature coefficient (−0.4 %/K by default; off with ``temperature_coefficient=0``);
5. power = POA × area × yield (module efficiency) × performance ratio × temperature factor.

Samples are taken every minute at the minute's middle and averaged per slot; a slot's
energy is its mean power × 0.25 h. Slots are numbered by the project's slot clock
(:class:`offchain.common.slots.SlotClock`, passed in by the caller: on real time slot
``s`` starts at unix time ``900 s``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from ..kernel.errors import ConfigError

__all__ = ["PvConfigError", "PvSite", "PvPanel", "PvSlot", "SlotNumbering", "irradiance", "simulate", "day_energy_wh"]

#: a slot is a quarter hour (the project's slot clock, ``offchain.common.slots``)
SLOT_SECONDS = 900
#: the longest window one call simulates (31 days of minute samples stay well under a second per day)
MAX_WINDOW = dt.timedelta(days=31)


class PvConfigError(ConfigError):
    """PV simulation parameters out of range."""


class SlotNumbering(Protocol):
    """What the simulation needs of :class:`offchain.common.slots.SlotClock` (this package
    sits beside ``offchain.common`` in the layers and receives the clock from its caller)."""

    def slot_at(self, timestamp: int) -> int: ...

    def slot_start(self, slot: int) -> int: ...


@dataclass(frozen=True)
class PvSite:
    """Where the panels are: degrees north / east, metres above sea level, IANA time zone."""

    latitude: float
    longitude: float
    altitude: float = 0.0
    timezone: str = "UTC"
    name: str = ""

    def __post_init__(self) -> None:
        if not -90 <= self.latitude <= 90 or not -180 <= self.longitude <= 180:
            raise PvConfigError(f"latitude {self.latitude} / longitude {self.longitude} out of range")
        if not -500 <= self.altitude <= 9_000:
            raise PvConfigError(f"altitude {self.altitude} m out of range")


@dataclass(frozen=True)
class PvPanel:
    """The array: area (m²), yield (module efficiency, 0–1), performance ratio (0–1, the
    system's other losses: inverter, wiring, soiling), tilt (° from horizontal) and azimuth
    (° clockwise from north; 180 faces south)."""

    area_m2: float
    efficiency: float
    performance_ratio: float = 0.85
    tilt: float = 30.0
    azimuth: float = 180.0
    #: relative power change per kelvin of cell temperature above 25 °C (0 disables the model)
    temperature_coefficient: float = -0.004

    def __post_init__(self) -> None:
        if self.area_m2 <= 0:
            raise PvConfigError(f"panel area must be positive, got {self.area_m2} m²")
        if not 0 < self.efficiency <= 1 or not 0 < self.performance_ratio <= 1:
            raise PvConfigError(
                f"yield {self.efficiency} and performance ratio {self.performance_ratio} must lie in (0, 1]"
            )
        if not 0 <= self.tilt <= 90 or not 0 <= self.azimuth <= 360:
            raise PvConfigError(f"tilt {self.tilt}° must lie in 0–90 and azimuth {self.azimuth}° in 0–360")
        if not -0.02 <= self.temperature_coefficient <= 0:
            raise PvConfigError(f"temperature coefficient {self.temperature_coefficient}/K out of range")

    @property
    def peak_w(self) -> float:
        """Nameplate power at 1,000 W/m² (STC), before the performance ratio."""
        return 1000 * self.area_m2 * self.efficiency


@dataclass(frozen=True)
class PvSlot:
    """One 15-minute slot of output."""

    slot: int
    #: the slot's start, in the site's time zone
    start: dt.datetime
    energy_wh: float
    mean_power_w: float
    #: mean plane-of-array irradiance, W/m²
    poa_wm2: float
    #: mean cell temperature while the sun is up, °C (the air temperature at night)
    cell_temp_c: float


def _times(site: PvSite, start: dt.datetime, end: dt.datetime) -> Any:
    import pandas as pd

    if start.tzinfo is None or end.tzinfo is None:
        raise PvConfigError("start and end must be timezone-aware datetimes")
    if end <= start:
        raise PvConfigError(f"the window must end after it starts ({start} .. {end})")
    if end - start > MAX_WINDOW:
        raise PvConfigError(f"the window is longer than {MAX_WINDOW.days} days")
    first = int(start.timestamp()) // SLOT_SECONDS * SLOT_SECONDS
    last = -(-int(end.timestamp()) // SLOT_SECONDS) * SLOT_SECONDS
    minutes = pd.date_range(
        pd.Timestamp(first, unit="s", tz="UTC") + pd.Timedelta(seconds=30),
        pd.Timestamp(last, unit="s", tz="UTC"),
        freq="60s",
        inclusive="left",
    )
    return minutes.tz_convert(site.timezone)


def irradiance(
    site: PvSite,
    panel: PvPanel,
    times: Any,
    *,
    linke_turbidity: float | None = None,
    temp_air: float = 20.0,
    wind_speed: float = 1.0,
) -> Any:
    """Per instant of ``times`` (a tz-aware ``pandas.DatetimeIndex``): ``ghi``, ``dni``,
    ``dhi``, ``poa_global`` (W/m²), ``cell_temp`` (°C) and ``power_w`` (a ``DataFrame``)."""
    import pandas as pd
    from pvlib import irradiance as pv_irradiance
    from pvlib import temperature
    from pvlib.location import Location

    location = Location(site.latitude, site.longitude, site.timezone, site.altitude, site.name or None)
    solpos = location.get_solarposition(times)
    kwargs = {} if linke_turbidity is None else {"linke_turbidity": linke_turbidity}
    clear = location.get_clearsky(times, model="ineichen", solar_position=solpos, **kwargs)
    poa = pv_irradiance.get_total_irradiance(
        panel.tilt,
        panel.azimuth,
        solpos["apparent_zenith"],
        solpos["azimuth"],
        clear["dni"],
        clear["ghi"],
        clear["dhi"],
        dni_extra=pv_irradiance.get_extra_radiation(times),
        model="haydavies",
        albedo=0.25,
    )
    poa_global = poa["poa_global"].fillna(0.0).clip(lower=0.0)
    params = temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"]
    cell = temperature.sapm_cell(poa_global, temp_air, wind_speed, **params)
    factor = (1 + panel.temperature_coefficient * (cell - 25.0)).clip(lower=0.0)
    power = poa_global * panel.area_m2 * panel.efficiency * panel.performance_ratio * factor
    return pd.DataFrame(
        {
            "ghi": clear["ghi"],
            "dni": clear["dni"],
            "dhi": clear["dhi"],
            "poa_global": poa_global,
            "cell_temp": cell,
            "power_w": power,
        },
        index=times,
    )


def simulate(
    site: PvSite,
    panel: PvPanel,
    start: dt.datetime,
    end: dt.datetime,
    *,
    linke_turbidity: float | None = None,
    temp_air: float = 20.0,
    wind_speed: float = 1.0,
    clock: SlotNumbering,
) -> list[PvSlot]:
    """Clear-sky output of ``panel`` at ``site`` for every 15-minute slot that overlaps
    ``start .. end`` (both timezone-aware), in slot order, numbered by ``clock`` (an
    :class:`offchain.common.slots.SlotClock` on real time)."""
    times = _times(site, start, end)
    frame = irradiance(site, panel, times, linke_turbidity=linke_turbidity, temp_air=temp_air, wind_speed=wind_speed)
    unix = times.tz_convert("UTC").as_unit("s").asi8.tolist()
    frame["slot"] = [clock.slot_at(t) for t in unix]
    out = []
    for slot, group in frame.groupby("slot", sort=True):
        sun = group["poa_global"] > 0
        mean_power = float(group["power_w"].mean())
        out.append(
            PvSlot(
                slot=int(slot),
                start=dt.datetime.fromtimestamp(clock.slot_start(int(slot)), tz=times.tz),
                energy_wh=mean_power * SLOT_SECONDS / 3600,
                mean_power_w=mean_power,
                poa_wm2=float(group["poa_global"].mean()),
                cell_temp_c=float(group.loc[sun, "cell_temp"].mean()) if sun.any() else temp_air,
            )
        )
    return out


def day_energy_wh(slots: list[PvSlot]) -> float:
    """The energy of a run of slots, Wh."""
    return sum(s.energy_wh for s in slots)
