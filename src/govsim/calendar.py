"""Opening hours within a day, and a working-day calendar of dates.

Times in a scenario are written "HH:MM"; inside the engine a day is 1440 minutes
and time is minutes since the start of the first simulated day.  Dates are written
YYYY-MM-DD.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, PrivateAttr, WithJsonSchema,
                      field_validator, model_validator)

DAY = 1440.0


def _clock(value) -> int:
    """'08:30' -> 510 minutes after midnight."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"write a time of day as 'HH:MM' in quotes, e.g. '08:30' (got the number {value})")
    if isinstance(value, str):
        m = re.fullmatch(r"([01]?\d|2[0-4]):([0-5]\d)", value.strip())
        if m:
            minutes = int(m.group(1)) * 60 + int(m.group(2))
            if minutes <= 1440:
                return minutes
    raise ValueError(f"a time of day as 'HH:MM' (got {value!r})")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# inside: minutes after midnight; in the file and in the JSON Schema: text "HH:MM"
Clock = Annotated[int, BeforeValidator(_clock), PlainSerializer(_hhmm, return_type=str, when_used="json"),
                  WithJsonSchema({"type": "string", "pattern": r"^([01]?\d|2[0-4]):[0-5]\d$",
                                  "description": "a time of day, 'HH:MM'"})]


class OpeningHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    open: Clock = Field(description="opening time, 'HH:MM'")
    close: Clock = Field(description="closing time, 'HH:MM'")
    breaks: list[tuple[Clock, Clock]] = Field(default_factory=list, description="[['12:00', '14:00']]: windows closed")

    @model_validator(mode="after")
    def _ordered(self):
        if not self.open < self.close:
            raise ValueError("open must be before close")
        last = self.open
        for start, end in sorted(self.breaks):
            if not (last <= start < end <= self.close):
                raise ValueError("breaks must lie between open and close, in order, without overlapping")
            last = end
        return self

    def periods(self) -> list[tuple[int, int]]:
        """Open periods of a day, minutes after midnight."""
        out, start = [], self.open
        for b0, b1 in sorted(self.breaks):
            out.append((start, b0))
            start = b1
        out.append((start, self.close))
        return [(a, b) for a, b in out if b > a]

    def open_minutes(self) -> int:
        return sum(b - a for a, b in self.periods())

    def is_open(self, t: float) -> bool:
        m = t % DAY
        return any(a <= m < b for a, b in self.periods())

    def next_open(self, t: float) -> float:
        """The first moment at or after ``t`` when windows are open."""
        day, m = divmod(t, DAY)
        for a, b in self.periods():
            if m < b:
                return day * DAY + max(m, a)
        return (day + 1) * DAY + self.periods()[0][0]


def open_overlap(periods: list[tuple[int, int]], t0: float, t1: float) -> float:
    """Minutes of [t0, t1] inside the day's open ``periods`` (repeated every DAY)."""
    day = math.floor(t0 / DAY) * DAY
    total = 0.0
    while day < t1:
        total += sum(max(0.0, min(t1, day + b) - max(t0, day + a)) for a, b in periods)
        day += DAY
    return total


def after_open_minutes(periods: list[tuple[int, int]], t: float, minutes: float) -> float:
    """The moment when ``minutes`` of opening hours have passed since ``t``."""
    day = math.floor(t / DAY)
    left = minutes
    per_day = sum(b - a for a, b in periods)
    while True:
        for a, b in periods:
            lo = max(t, day * DAY + a)
            hi = day * DAY + b
            if hi > lo:
                if hi - lo >= left:
                    return lo + left
                left -= hi - lo
        day += 1
        if left > 2 * per_day > 0:  # skip whole days at once (a patience of 1e9 minutes must not loop)
            whole = math.floor(left / per_day) - 1
            day += whole
            left -= whole * per_day


# -- working days ---------------------------------------------------------------
#
# Multi-day models (``licence``) run on a calendar of dates: weekends and listed
# holidays off, make-up working days (调休) on, office hours on working days.
# Their engine runs on *office time*: minutes of office hours counted from the
# opening of the first working day, so nights, breaks, weekends and holidays simply
# do not exist for staff, and an application handed in on Friday evening is
# received at Monday's opening.  ``OfficeClock`` converts between office time and
# calendar time (minutes since midnight of the start date).

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _days_off(holidays) -> set:
    off = set()
    for h in holidays:
        if isinstance(h, tuple):
            off.update(h[0] + timedelta(days=i) for i in range((h[1] - h[0]).days + 1))
        else:
            off.add(h)
    return off


def _date_or_range(value):
    """A holiday: a date, or [first, last] (both included)."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError("a holiday range is [first, last]")
    return value


class WorkingCalendar(BaseModel):
    """Dates, weekends, listed holidays and office hours."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: date = Field(description="first simulated date, YYYY-MM-DD")
    weekend: list[Weekday] = Field(default_factory=lambda: ["sat", "sun"],
                                   description="weekdays off: [sat, sun]")
    holidays: list[Annotated[Union[date, tuple[date, date]], BeforeValidator(_date_or_range)]] = Field(
        default_factory=list, description="days off besides the weekend: dates, or [first, last] ranges")
    workdays: list[date] = Field(default_factory=list,
                                 description="make-up working days that fall on a weekend (调休)")
    hours: OpeningHours = Field(description="office hours of a working day")
    _off: frozenset = PrivateAttr(default=frozenset())
    _on: frozenset = PrivateAttr(default=frozenset())
    _weekend: frozenset = PrivateAttr(default=frozenset())

    @field_validator("weekend")
    @classmethod
    def _some_working_weekday(cls, value):
        if len(set(value)) >= 7:
            raise ValueError("at least one weekday must be a working day")
        return value

    @field_validator("holidays")
    @classmethod
    def _ranges_in_order(cls, value):
        for h in value:
            if isinstance(h, tuple) and h[1] < h[0]:
                raise ValueError(f"holiday range {h[0]}..{h[1]}: the last day is before the first")
        return value

    @field_validator("workdays")
    @classmethod
    def _on_days_off(cls, value, info):
        weekend = info.data.get("weekend", [])
        off = _days_off(info.data.get("holidays", []))
        for d in value:
            if d in off:
                raise ValueError(f"{d} is listed both as a holiday and as a make-up working day")
            if WEEKDAYS[d.weekday()] not in weekend:
                raise ValueError(f"make-up working day {d} is a {WEEKDAYS[d.weekday()]}, not a weekend day")
        return value

    def model_post_init(self, __context) -> None:
        self._off = frozenset(_days_off(self.holidays))
        self._on = frozenset(self.workdays)
        self._weekend = frozenset(WEEKDAYS.index(w) for w in self.weekend)

    # -- dates -------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        if d in self._on:
            return True
        return d not in self._off and d.weekday() not in self._weekend

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (Friday + 1 is Monday); ``n = 0`` gives
        ``d`` itself when it is a working day, else the next working day."""
        if n < 0:
            raise ValueError("n must be at least 0")
        if n == 0:
            while not self.is_working_day(d):
                d += timedelta(days=1)
            return d
        while n:
            d += timedelta(days=1)
            n -= self.is_working_day(d)
        return d

    def working_days_between(self, d0: date, d1: date) -> int:
        """Working days in (d0, d1]: how administrations count a time limit (the day
        of receipt is not counted, the day of issue is); negative when d1 < d0."""
        if d1 < d0:
            return -self.working_days_between(d1, d0)
        return sum(self.is_working_day(d0 + timedelta(days=i)) for i in range(1, (d1 - d0).days + 1))

    def receipt(self, when: datetime) -> datetime:
        """When an application handed in at ``when`` is received: at once during office
        hours of a working day, else at the next opening (Friday evening → Monday)."""
        d, minute = when.date(), when.hour * 60 + when.minute + when.second / 60
        if self.is_working_day(d):
            for a, b in self.hours.periods():
                if minute < b:
                    return when if minute >= a else _at(d, a)
        return _at(self.add_working_days(d, 1), self.hours.periods()[0][0])

    def clock(self, days: int) -> "OfficeClock":
        return OfficeClock(self, days)


def _at(d: date, minute: float) -> datetime:
    return datetime(d.year, d.month, d.day) + timedelta(minutes=minute)


class OfficeClock:
    """Office time for one run: ``t`` office minutes from the opening of the first
    working day on or after ``calendar.start``.  Working day ``k`` is
    ``[k L, (k + 1) L)``, ``L`` the office minutes of a day (breaks excluded).
    Calendar time is minutes since midnight of ``calendar.start``.  The clock
    extends itself when asked about later days."""

    def __init__(self, calendar: WorkingCalendar, days: int):
        self.calendar = calendar
        self.periods = calendar.hours.periods()
        self.L = float(calendar.hours.open_minutes())
        self._cum = np.cumsum([0] + [b - a for a, b in self.periods]).astype(float)  # office offset at each period start
        self.dates: list[date] = []
        self.day_start = np.zeros(0)  # calendar minute of each working day's midnight
        self._extend(max(1, days))

    def _extend(self, days: int) -> None:
        d = self.dates[-1] + timedelta(days=1) if self.dates else self.calendar.start
        while len(self.dates) < days:
            d = self.calendar.add_working_days(d, 0)
            self.dates.append(d)
            d += timedelta(days=1)
        start = self.calendar.start
        self.day_start = np.array([(x - start).days * DAY for x in self.dates], dtype=float)

    def _cover(self, day: int) -> None:
        if day >= len(self.dates):
            self._extend(max(day + 1, 2 * len(self.dates)))

    def _cover_minute(self, t_cal: float) -> None:
        while self.day_start[-1] < t_cal:
            self._extend(2 * len(self.dates))

    # -- within a day ----------------------------------------------------------
    def offset(self, minute: float) -> float:
        """Office minutes of a day before clock time ``minute`` (a time in a break or
        before opening counts as the next opening; after closing gives ``L``)."""
        for (a, b), c in zip(self.periods, self._cum):
            if minute < b:
                return c + max(0.0, minute - a)
        return self.L

    def clock_minute(self, offset: float) -> float:
        """Clock time (minutes after midnight) of an office offset in [0, L)."""
        for (a, b), c in zip(self.periods, self._cum):
            if offset < c + (b - a):
                return a + offset - c
        return float(self.periods[-1][1])

    # -- office time <-> dates and calendar time -------------------------------
    def day(self, t: float) -> int:
        """Working-day index of office time ``t``."""
        return int(math.floor(t / self.L + 1e-12))

    def date(self, day: int) -> date:
        self._cover(day)
        return self.dates[day]

    def at(self, day: int, minute: float) -> float:
        """Office time of clock time ``minute`` on working day ``day``."""
        return day * self.L + self.offset(minute)

    def next_at(self, offset: float, t: float) -> float:
        """The first office time at or after ``t`` that is ``offset`` office minutes into
        a working day (a daily hand-over, a daily sign-off)."""
        ts = self.day(t) * self.L + offset
        return ts if ts >= t - 1e-9 else ts + self.L

    def to_calendar(self, t) -> np.ndarray | float:
        """Calendar minute of office time ``t`` (scalar or array); an instant at the
        end of a working day is the next working day's opening."""
        t = np.asarray(t, dtype=float)
        day = np.floor(t / self.L + 1e-12).astype(np.int64)
        if t.size:
            self._cover(int(day.max()))
        off = t - day * self.L
        minute = np.interp(off, np.column_stack([self._cum[:-1], self._cum[1:]]).ravel(),
                           np.array(self.periods, dtype=float).ravel())
        out = self.day_start[day] + minute
        return float(out) if out.ndim == 0 else out

    def to_office(self, t_cal) -> np.ndarray | float:
        """Office time at which something happening at calendar minute ``t_cal`` is
        received: itself in office hours, else the next opening."""
        t_cal = np.asarray(t_cal, dtype=float)
        if t_cal.size:
            self._cover_minute(float(t_cal.max()) + DAY)
        midnight = np.floor(t_cal / DAY) * DAY
        k = np.searchsorted(self.day_start, midnight, side="left")  # first working day on or after that date
        same = self.day_start[np.minimum(k, len(self.day_start) - 1)] == midnight
        xp = np.array(self.periods, dtype=float).ravel()
        fp = np.column_stack([self._cum[:-1], self._cum[1:]]).ravel()
        off = np.where(same, np.interp(t_cal - midnight, xp, fp), 0.0)
        out = k * self.L + off
        return float(out) if out.ndim == 0 else out

    def last_day_by(self, t_cal) -> np.ndarray | int:
        """Index of the last working day on or before the date of calendar minute ``t_cal``."""
        t_cal = np.asarray(t_cal, dtype=float)
        if t_cal.size:
            self._cover_minute(float(t_cal.max()) + DAY)
        out = np.searchsorted(self.day_start, np.floor(t_cal / DAY) * DAY, side="right") - 1
        return int(out) if out.ndim == 0 else out
