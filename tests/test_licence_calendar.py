"""The working-day calendar (govsim.calendar.WorkingCalendar / OfficeClock) that the
licence model runs on: hand-computed cases on the 2022 State Council holiday
schedule (国办发明电〔2021〕11号), then properties."""
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from govsim.calendar import DAY, WorkingCalendar

HOURS = {"open": "08:30", "close": "17:30", "breaks": [["12:00", "14:30"]]}  # 390 office minutes
CHINA_2022 = {
    "start": date(2022, 1, 4),  # a Tuesday
    "holidays": [[date(2022, 1, 1), date(2022, 1, 3)], [date(2022, 1, 31), date(2022, 2, 6)],
                 [date(2022, 4, 3), date(2022, 4, 5)], [date(2022, 4, 30), date(2022, 5, 4)],
                 [date(2022, 6, 3), date(2022, 6, 5)], [date(2022, 9, 10), date(2022, 9, 12)],
                 [date(2022, 10, 1), date(2022, 10, 7)]],
    "workdays": [date(2022, 1, 29), date(2022, 1, 30), date(2022, 4, 2), date(2022, 4, 24), date(2022, 5, 7),
                 date(2022, 10, 8), date(2022, 10, 9)],
    "hours": HOURS,
}


@pytest.fixture(scope="module")
def cal():
    return WorkingCalendar.model_validate(CHINA_2022)


@pytest.mark.parametrize("day,working", [
    (date(2022, 1, 7), True),    # Friday
    (date(2022, 1, 8), False),   # Saturday
    (date(2022, 1, 29), True),   # Saturday, make-up working day before the Spring Festival
    (date(2022, 2, 1), False),   # Spring Festival (a Tuesday)
    (date(2022, 4, 5), False),   # Qingming (a Tuesday)
    (date(2022, 10, 9), True),   # Sunday, make-up working day after National Day
])
def test_working_days(cal, day, working):
    assert cal.is_working_day(day) is working


@pytest.mark.parametrize("start,n,expected", [
    (date(2022, 1, 7), 1, date(2022, 1, 10)),    # Friday + 1 = Monday
    (date(2022, 1, 4), 5, date(2022, 1, 11)),    # a plain week
    (date(2022, 1, 28), 1, date(2022, 1, 29)),   # Friday + 1 = the make-up Saturday
    (date(2022, 1, 30), 1, date(2022, 2, 7)),    # over the Spring Festival week
    (date(2022, 1, 28), 4, date(2022, 2, 8)),    # 29, 30 Jan, 7, 8 Feb
    (date(2022, 9, 30), 1, date(2022, 10, 8)),   # over National Day to the make-up Saturday
    (date(2022, 4, 1), 2, date(2022, 4, 6)),     # 2 Apr (make-up Saturday), then Qingming until 5 Apr
    (date(2022, 1, 8), 0, date(2022, 1, 10)),    # 0 from a Saturday: the next working day
    (date(2022, 1, 7), 0, date(2022, 1, 7)),     # 0 from a working day: itself
])
def test_add_working_days(cal, start, n, expected):
    assert cal.add_working_days(start, n) == expected


@pytest.mark.parametrize("d0,d1,expected", [
    (date(2022, 1, 4), date(2022, 1, 4), 0),     # issued the day it was received
    (date(2022, 1, 7), date(2022, 1, 10), 1),    # Friday to Monday
    (date(2022, 1, 4), date(2022, 1, 11), 5),
    (date(2022, 1, 28), date(2022, 2, 8), 4),    # two make-up days, the festival, two working days
    (date(2022, 9, 30), date(2022, 10, 10), 3),  # 8, 9 (make-up), 10 October
    (date(2022, 1, 10), date(2022, 1, 7), -1),
    (date(2022, 1, 7), date(2022, 1, 9), 0),     # delivered on Sunday: no working day counted
])
def test_working_days_between(cal, d0, d1, expected):
    assert cal.working_days_between(d0, d1) == expected


@pytest.mark.parametrize("handed_in,received", [
    (datetime(2022, 1, 7, 18, 0), datetime(2022, 1, 10, 8, 30)),   # Friday after hours: Monday's opening
    (datetime(2022, 1, 8, 11, 0), datetime(2022, 1, 10, 8, 30)),   # Saturday
    (datetime(2022, 1, 7, 7, 45), datetime(2022, 1, 7, 8, 30)),    # before opening
    (datetime(2022, 1, 7, 12, 30), datetime(2022, 1, 7, 14, 30)),  # lunch break
    (datetime(2022, 1, 7, 10, 15), datetime(2022, 1, 7, 10, 15)),  # in office hours
    (datetime(2022, 1, 28, 20, 0), datetime(2022, 1, 29, 8, 30)),  # to the make-up Saturday
    (datetime(2022, 1, 30, 18, 0), datetime(2022, 2, 7, 8, 30)),   # over the Spring Festival
])
def test_receipt(cal, handed_in, received):
    assert cal.receipt(handed_in) == received


def minute(cal, when: datetime) -> float:
    """Calendar minutes since midnight of the start date."""
    return (when - datetime.combine(cal.start, datetime.min.time())).total_seconds() / 60


def test_office_clock_days_and_minutes(cal):
    clock = cal.clock(30)
    assert clock.L == 390
    assert clock.dates[:5] == [date(2022, 1, 4), date(2022, 1, 5), date(2022, 1, 6), date(2022, 1, 7),
                               date(2022, 1, 10)]
    assert clock.offset(8 * 60 + 30) == 0 and clock.offset(12 * 60) == 210 and clock.offset(13 * 60) == 210
    assert clock.offset(16 * 60) == 210 + 90 and clock.offset(18 * 60) == 390
    assert clock.clock_minute(215) == 14 * 60 + 35
    # Friday 18:00 is received at Monday's opening: office day 4, minute 0
    assert clock.to_office(minute(cal, datetime(2022, 1, 7, 18, 0))) == 4 * 390
    assert clock.date(clock.day(4 * 390)) == date(2022, 1, 10)
    # and back: office day 4 at 10:15 is Monday 10:15
    assert clock.to_calendar(4 * 390 + 105) == minute(cal, datetime(2022, 1, 10, 10, 15))
    # the end of Friday's office hours is Monday's opening
    assert clock.to_calendar(4 * 390) == minute(cal, datetime(2022, 1, 10, 8, 30))
    # a delivery on Sunday counts up to Friday
    assert clock.dates[clock.last_day_by(minute(cal, datetime(2022, 1, 9, 11, 0)))] == date(2022, 1, 7)


def test_office_clock_extends_itself(cal):
    clock = cal.clock(2)
    t = 300 * 390 + 60.0  # far beyond the two days it was built for
    assert clock.day(t) == 300
    assert clock.to_office(clock.to_calendar(t)) == pytest.approx(t)
    assert cal.is_working_day(clock.date(300))


@pytest.mark.parametrize("change,field,words", [
    ({"workdays": [date(2022, 1, 4)]}, "workdays", "not a weekend day"),
    ({"workdays": [date(2022, 2, 5)]}, "workdays", "both as a holiday and as a make-up"),
    ({"holidays": [[date(2022, 2, 6), date(2022, 1, 31)]]}, "holidays", "last day is before the first"),
    ({"weekend": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}, "weekend", "at least one weekday"),
    ({"weekend": ["saturday"]}, "weekend", "sat"),
    ({"start": "2022-13-01"}, "start", "date"),
])
def test_bad_calendars_name_their_field(change, field, words):
    with pytest.raises(ValidationError) as exc:
        WorkingCalendar.model_validate({**CHINA_2022, **change})
    err = exc.value.errors()[0]
    assert err["loc"][0] == field and words in str(exc.value)


DAYS_2022 = st.integers(0, 364).map(lambda k: date(2022, 1, 1) + timedelta(days=k))


@settings(max_examples=200, deadline=None)
@given(DAYS_2022, st.integers(0, 60))
def test_adding_then_counting_working_days_round_trips(d, n):
    cal = WorkingCalendar.model_validate(CHINA_2022)
    later = cal.add_working_days(d, n)
    assert cal.is_working_day(later)
    if n >= 1:
        assert cal.working_days_between(d, later) == n
    else:  # the day itself when it is a working day, else the next one
        assert later == d if cal.is_working_day(d) else cal.working_days_between(d, later) == 1


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 200 * DAY, allow_nan=False))
def test_receipt_is_never_earlier_and_office_time_maps_back(t_cal):
    cal = WorkingCalendar.model_validate(CHINA_2022)
    clock = cal.clock(10)
    t_off = clock.to_office(t_cal)
    back = clock.to_calendar(t_off)
    assert back >= t_cal - 1e-6
    when = datetime.combine(cal.start, datetime.min.time()) + timedelta(minutes=t_cal)
    assert back == pytest.approx(minute(cal, cal.receipt(when)), abs=1e-6)
    # vectorised and scalar conversions agree
    assert clock.to_office(np.array([t_cal]))[0] == pytest.approx(t_off)
