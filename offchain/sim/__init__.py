"""Simulation models shared by the mechanisms and the trading day (no chain access).

- :mod:`offchain.sim.pv` — PV generation per 15-minute slot from a site, a time window and
  a panel (area, yield, performance ratio, tilt, azimuth), with pvlib: clear-sky
  irradiance (Ineichen), plane-of-array transposition (Hay-Davies), cell temperature (SAPM).

Public names load on first use (pandas and pvlib are heavy; ``gridledger --help`` must
stay fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.lazy import lazy_attributes

if TYPE_CHECKING:
    from .pv import PvConfigError, PvPanel, PvSite, PvSlot, day_energy_wh, irradiance, simulate

_WHERE = {
    name: "pv" for name in ("PvConfigError", "PvPanel", "PvSite", "PvSlot", "day_energy_wh", "irradiance", "simulate")
}

__all__ = [
    "PvConfigError",
    "PvPanel",
    "PvSite",
    "PvSlot",
    "day_energy_wh",
    "irradiance",
    "simulate",
]

__getattr__ = lazy_attributes(__name__, _WHERE)
