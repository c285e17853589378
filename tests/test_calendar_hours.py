"""govsim.calendar.open_overlap / after_open_minutes: opening-hours arithmetic over a
day with a lunch break, exact, within a day and across days."""
from __future__ import annotations

import pytest

from govsim.calendar import DAY, after_open_minutes, open_overlap

HALL = [(8 * 60 + 30, 11 * 60 + 30), (14 * 60 + 30, 17 * 60 + 30)]  # 08:30-11:30, 14:30-17:30: 360 minutes a day
MORNING_END, AFTERNOON_START, CLOSE = 690, 870, 1050


@pytest.mark.parametrize("t0,t1,minutes", [
    (600, 660, 60),                          # inside the morning
    (600, 900, 90 + 30),                     # across lunch: lunch does not count
    (700, 860, 0),                           # inside lunch
    (0, DAY, 360),                           # a whole day
    (1000, DAY + 600, 50 + 90),              # evening and night to the next morning
    (0, 3 * DAY, 3 * 360),                   # three days
    (DAY + 510, DAY + 510, 0),               # an empty interval
    (2 * DAY + 1040, 2 * DAY + 1060, 10),    # the third day's closing
])
def test_open_overlap(t0, t1, minutes):
    assert open_overlap(HALL, t0, t1) == minutes


@pytest.mark.parametrize("t,minutes,when", [
    (600, 60, 660),                                  # within the morning
    (600, 90, MORNING_END),                          # to the minute the morning ends, not after lunch
    (600, 120, AFTERNOON_START + 30),                # the rest of the morning, then the afternoon
    (700, 10, AFTERNOON_START + 10),                 # asked during lunch: counts from the afternoon
    (1100, 30, DAY + 510 + 30),                      # asked after closing: counts from next morning
    (300, 0, 510),                                   # nothing to count before opening: the opening
    (510, 2 * 360, DAY + CLOSE),                     # two full days of opening hours
    (DAY + 1000, 100, 2 * DAY + 510 + 50),           # 50 today, 50 the next morning
])
def test_after_open_minutes(t, minutes, when):
    assert after_open_minutes(HALL, t, minutes) == when


def test_after_open_minutes_inverts_open_overlap():
    for t in range(0, 2 * int(DAY), 37):
        for minutes in (1, 45, 180, 181, 359, 360, 1000):
            end = after_open_minutes(HALL, t, minutes)
            assert end >= t and open_overlap(HALL, t, end) == pytest.approx(minutes, abs=1e-9), (t, minutes)
