"""``gridledger pv``: clear-sky PV output per 15-minute slot (pvlib), as the sellers' agents use it."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from ...kernel.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "pv",
        help="simulate PV output per 15-minute slot from site, time window and panel (pvlib, clear sky)",
        description="PriWatt's PV simulation with pvlib: Ineichen clear-sky irradiance for the site, "
        "Hay-Davies transposition to the panel's plane, SAPM cell temperature, times panel area, yield "
        "(module efficiency) and performance ratio. One line per slot, then the total.",
    )
    parser.add_argument("--lat", type=float, default=48.21, help="latitude, degrees north (default 48.21, Vienna)")
    parser.add_argument("--lon", type=float, default=16.37, help="longitude, degrees east (default 16.37)")
    parser.add_argument("--altitude", type=float, default=190.0, help="metres above sea level (default 190)")
    parser.add_argument("--tz", default="Europe/Vienna", help="IANA time zone of the site (default Europe/Vienna)")
    parser.add_argument("--date", default="2026-06-21", help="local date, YYYY-MM-DD (default 2026-06-21)")
    parser.add_argument("--start", default="00:00", help="local start time HH:MM (default 00:00)")
    parser.add_argument("--end", default="24:00", help="local end time HH:MM, 24:00 for midnight (default 24:00)")
    parser.add_argument("--area", type=float, default=10.0, help="panel area, m² (default 10)")
    parser.add_argument("--yield", dest="efficiency", type=float, default=0.20, help="panel yield 0-1 (default 0.20)")
    parser.add_argument("--pr", type=float, default=0.85, help="performance ratio 0-1 (default 0.85)")
    parser.add_argument("--tilt", type=float, default=30.0, help="tilt from horizontal, degrees (default 30)")
    parser.add_argument("--azimuth", type=float, default=180.0, help="azimuth, degrees from north (default 180)")
    parser.add_argument("--linke", type=float, help="Linke turbidity (default: pvlib's climatology for the site)")
    parser.add_argument("--no-temperature", action="store_true", help="ignore cell temperature")
    parser.add_argument("--json", action="store_true", help="print JSON (one object per slot)")
    parser.add_argument("--all-slots", action="store_true", help="also print slots without output")
    parser.set_defaults(func=_run)


def _when(date: str, hhmm: str, tz: str) -> dt.datetime:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {tz!r}") from exc
    try:
        day = dt.date.fromisoformat(date)
        hours, minutes = (int(x) for x in hhmm.split(":"))
    except ValueError as exc:
        raise ConfigError(f"bad date or time {date!r} {hhmm!r} (YYYY-MM-DD and HH:MM)") from exc
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise ConfigError(f"bad time {hhmm!r}")
    return dt.datetime.combine(day, dt.time(0), zone) + dt.timedelta(hours=hours, minutes=minutes)


def _run(args: argparse.Namespace) -> int:
    from ...common.slots import SlotClock
    from ...sim.pv import PvPanel, PvSite, day_energy_wh, simulate

    site = PvSite(args.lat, args.lon, args.altitude, args.tz)
    panel = PvPanel(
        args.area, args.efficiency, args.pr, args.tilt, args.azimuth, 0.0 if args.no_temperature else -0.004
    )
    slots = simulate(site, panel, _when(args.date, args.start, args.tz), _when(args.date, args.end, args.tz),
                     linke_turbidity=args.linke, clock=SlotClock())  # fmt: skip
    shown = [s for s in slots if args.all_slots or s.energy_wh > 0]
    if args.json:
        print(json.dumps([{"slot": s.slot, "start": s.start.isoformat(), "energy_wh": round(s.energy_wh, 3),
                           "mean_power_w": round(s.mean_power_w, 3), "poa_wm2": round(s.poa_wm2, 3),
                           "cell_temp_c": round(s.cell_temp_c, 2)} for s in shown], indent=1))  # fmt: skip
        return 0
    print(f"PV {panel.area_m2} m², yield {panel.efficiency}, PR {panel.performance_ratio}, tilt {panel.tilt}°, "
          f"azimuth {panel.azimuth}° at {site.latitude}, {site.longitude} ({site.timezone}), clear sky")  # fmt: skip
    for s in shown:
        print(f"slot {s.slot}  {s.start:%Y-%m-%d %H:%M}  {s.energy_wh:8.1f} Wh  {s.mean_power_w:8.1f} W  "
              f"POA {s.poa_wm2:6.1f} W/m²  cell {s.cell_temp_c:5.1f} °C")  # fmt: skip
    print(f"total {day_energy_wh(slots) / 1000:.3f} kWh in {len(slots)} slots")
    return 0
