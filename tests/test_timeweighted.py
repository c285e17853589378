"""govsim.timeweighted.SlotArea: level x minutes per slot of the day, counted only
inside [t_counted, t_end), exact."""
from __future__ import annotations

import numpy as np

from govsim.calendar import DAY
from govsim.timeweighted import SlotArea


def areas(s: SlotArea) -> dict[int, float]:
    return {i: float(a) for i, a in enumerate(s.area) if a}


def test_areas_of_hourly_slots():
    s = SlotArea(60)
    s.change(30, +2)   # two waiting from 00:30
    s.change(90, -1)   # one from 01:30
    s.advance(150)     # the end of the run at 02:30
    assert len(s.area) == 24
    assert areas(s) == {0: 2 * 30, 1: 2 * 30 + 1 * 30, 2: 1 * 30}
    assert s.level == 1


def test_only_the_counted_window_counts():
    s = SlotArea(60, t_counted=45, t_end=100)
    s.change(30, +2)
    s.change(90, -1)
    s.advance(150)
    assert areas(s) == {0: 2 * 15, 1: 2 * 30 + 1 * 10}


def test_midnight_wraps_and_days_add_up_in_the_same_slot():
    s = SlotArea(30)
    s.change(DAY - 20, +1)
    s.advance(DAY + 40)
    assert areas(s) == {47: 20, 0: 30, 1: 10}
    flat = SlotArea(60)
    flat.change(0, 3)
    flat.advance(2 * DAY)
    assert np.array_equal(flat.area, np.full(24, 3 * 60 * 2.0))


def test_total_area_is_the_integral_of_the_level():
    s = SlotArea(15)
    level, area, last = 0, 0.0, 0.0
    for now, delta in [(3.5, 1), (17.25, 2), (17.25, -1), (400.0, 4), (1439.0, -6), (1500.0, 2)]:
        area += level * (now - last)
        s.change(now, delta)
        level, last = level + delta, now
    s.advance(2000.0)
    area += level * (2000.0 - last)
    assert s.area.sum() == area
