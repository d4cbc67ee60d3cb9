"""The day's building blocks without a chain: registry parts and the community model."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from offchain.app.day.community import Site, build_community, h0_day_shares
from offchain.app.registry import mechanisms
from offchain.kernel.mechanism import DayPart, load


def test_every_registered_day_factory_gives_a_part_named_like_its_mechanism():
    parts = [(m, load(m.day)()) for m in mechanisms() if m.day]
    assert {"spb", "grid"} <= {m.name for m, _ in parts}
    for m, part in parts:
        assert isinstance(part, DayPart) and part.name == m.name


def test_community_has_h0_loads_scaled_to_the_year_and_pv_only_in_daylight():
    community = build_community(6, seed=3)
    assert community.n_slots == 96 and len(community.households) == 6
    assert any(h.pv_kwp > 0 for h in community.households)
    shares = h0_day_shares(Site().date)
    assert len(shares) == 96 and 1 / 400 < sum(shares) < 1 / 330  # a June weekday: a bit under 1/365
    for h in community.households:
        forecast = sum(s[h.index].forecast_load_wh for s in community.slots)
        assert abs(forecast - h.annual_kwh * 1000 * sum(shares)) <= 96  # rounding per slot only
        night = [s[h.index].pv_wh for s in community.slots[:12]]  # 00:00-03:00
        assert night == [0] * 12
        if h.pv_kwp:
            assert max(s[h.index].pv_wh for s in community.slots) > 100 * h.pv_kwp
            assert h.day_ahead_import_wh > 0


def test_the_same_seed_gives_the_same_community_and_a_short_day_starts_where_asked():
    a = build_community(4, seed=9, n_slots=8, first_slot=44, site=Site(date=dt.date(2026, 6, 15)))
    b = build_community(4, seed=9, n_slots=8, first_slot=44)
    assert a.slots == b.slots and a.first_slot == 44 and a.n_slots == 8


def test_a_third_of_the_households_co_own_the_buildings_plant_and_their_pv_includes_their_share():
    community = build_community(10, seed=7)
    plant = community.shared_plant
    assert plant is not None and len(plant.owners) == 3 and plant.kwp == 3.0
    assert sum(plant.key_bp) == 10_000 and all(community.households[h].pv_kwp == 0 for h in plant.owners)
    assert max(plant.generation_wh) > 100 * plant.kwp and plant.generation_wh[:12] == (0,) * 12
    for i, row in enumerate(community.slots):
        parts = plant.split(plant.generation_wh[i])
        assert sum(parts) == plant.generation_wh[i]
        for k, h in enumerate(plant.owners):
            assert row[h].pv_wh == parts[k]  # no roof of its own: its PV is its share of the plant
    short = build_community(3, seed=11, n_slots=8, first_slot=46).shared_plant
    assert short is not None and len(short.owners) == 2 and len(short.generation_wh) == 8


def test_rooftop_pv_comes_from_the_projects_pv_model_with_cell_temperature():
    from offchain.app.day.community import pv_profile
    from offchain.common.slots import SlotClock
    from offchain.sim.pv import PvPanel, PvSite, simulate

    site = Site()
    profile = pv_profile(site)
    assert len(profile) == 96
    # the same model without the temperature coefficient gives more at noon: the cells run hot
    start = dt.datetime(2026, 6, 15, tzinfo=ZoneInfo(site.zone))
    plain = simulate(
        PvSite(site.latitude, site.longitude, site.altitude, site.zone),
        PvPanel(5.0, 0.2, site.performance_ratio, site.tilt, site.azimuth, temperature_coefficient=0.0),
        start,
        start + dt.timedelta(days=1),
        linke_turbidity=site.linke_turbidity,
        clock=SlotClock(),
    )
    assert plain[48].energy_wh > profile[48] > 0.85 * plain[48].energy_wh
    assert 150 < max(profile) < 250  # Wh per slot of 1 kWp at a June noon in Vienna, 30° south
    assert 5.5 < sum(profile) / 1000 < 8.5  # kWh per kWp on a clear June day
