"""The day's building blocks without a chain: registry parts and the community model."""

from __future__ import annotations

import datetime as dt

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
