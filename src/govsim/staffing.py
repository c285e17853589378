"""Servers that come and go on a daily timetable (windows at lunch, part-time helpers).

A simpy PriorityResource keeps its full capacity; when fewer servers are on duty,
"blocker" requests hold the missing ones.  A blocker with a high priority (a
negative number) takes the next free server before any waiting visitor: staff
finish the visitor in front of them, then go to lunch.  A blocker with a low
priority queues behind the visitors already waiting: staff serve everyone inside
before going home.

Also here: rosters as a scenario writes them (``Roster``: a number, a daily timetable
of ``["HH:MM", count]`` pairs, or one per weekday), their checks and their steps in time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Optional, Union

import simpy
from pydantic import Discriminator, Field, Tag

from .calendar import DAY  # noqa: F401  (re-exported for the models)
from .calendar import WEEKDAYS, Clock
from .model_api import Count, PositiveCount, StrictParams

BEFORE_VISITORS = -100  # served before anyone waiting
AFTER_VISITORS = 10**9  # served after everyone waiting


@dataclass(frozen=True)
class Change:
    minute: float  # minute of the day
    on_duty: int
    priority: int = BEFORE_VISITORS  # of the blockers this change adds


class Staffed:
    def __init__(self, env: simpy.Environment, capacity: int, timetable: list[Change], days: int):
        self.env = env
        self.capacity = capacity
        self.resource = simpy.PriorityResource(env, capacity=max(capacity, 1))
        self.blockers: list = []
        self.on_duty = capacity
        self._set(0, timetable[0].priority if timetable else BEFORE_VISITORS)  # closed until the first change
        if capacity == 0:
            return
        env.process(self._follow(sorted(timetable, key=lambda c: c.minute), days))

    def _follow(self, timetable: list[Change], days: int):
        for day in range(days):
            for change in timetable:
                t = day * DAY + change.minute
                if t > self.env.now:
                    yield self.env.timeout(t - self.env.now)
                self._set(change.on_duty, change.priority)

    def _set(self, on_duty: int, priority: int) -> None:
        want_blocked = self.resource.capacity - min(on_duty, self.capacity)
        while len(self.blockers) < want_blocked:
            self.blockers.append(self.resource.request(priority=priority))
        while len(self.blockers) > want_blocked:
            req = self.blockers.pop()  # the latest first: it is the likeliest still queued
            if req.triggered:
                self.resource.release(req)
            else:
                req.cancel()
        self.on_duty = on_duty


def hall_timetable(periods: list[tuple[int, int]], servers: int, close_priority: int) -> list[Change]:
    """All servers on duty in each open period; breaks drain before visitors, the
    end of the day after them or before them as ``close_priority`` says."""
    changes = []
    for i, (start, end) in enumerate(periods):
        changes.append(Change(start, servers))
        last = i == len(periods) - 1
        changes.append(Change(end, 0, close_priority if last else BEFORE_VISITORS))
    return changes


# -- rosters as a scenario writes them --------------------------------------------------
#
# A number of servers, or a daily timetable ``[["00:00", 0], ["08:00", 6], ["12:00", 3], ...]``
# (each count holds until the next time; the first entry at "00:00"), or one of those per
# weekday.  Shared by the models whose stations or banks may keep a roster.

Timetable = Annotated[list[tuple[Clock, Count]], Field(
    min_length=1, description='[["HH:MM", servers], ...]: servers on duty from each time on, the first at "00:00"')]


def _roster_kind(value) -> str:
    if isinstance(value, (list, tuple)):
        return "timetable"
    if isinstance(value, (dict, WeeklyRoster)):
        return "by weekday"
    return "number"


DayRoster = Annotated[Union[Annotated[Count, Tag("number")], Annotated[Timetable, Tag("timetable")]],
                      Discriminator(_roster_kind)]
GROUPS = {"weekdays": WEEKDAYS[:5], "weekend": WEEKDAYS[5:]}


class WeeklyRoster(StrictParams):
    """A roster per weekday: a day named on its own overrides its group (weekdays: Monday
    to Friday; weekend: Saturday and Sunday); every day must be covered."""

    mon: Optional[DayRoster] = None
    tue: Optional[DayRoster] = None
    wed: Optional[DayRoster] = None
    thu: Optional[DayRoster] = None
    fri: Optional[DayRoster] = None
    sat: Optional[DayRoster] = None
    sun: Optional[DayRoster] = None
    weekdays: Optional[DayRoster] = Field(default=None, description="Monday to Friday, unless named on their own")
    weekend: Optional[DayRoster] = Field(default=None, description="Saturday and Sunday, unless named on their own")

    def day(self, weekday: int):
        """The roster of weekday ``weekday`` (0 = Monday), or None where none covers it."""
        name = WEEKDAYS[weekday]
        own = getattr(self, name)
        if own is not None:
            return own
        return self.weekdays if weekday < 5 else self.weekend


Roster = Annotated[Union[Annotated[PositiveCount, Tag("number")], Annotated[Timetable, Tag("timetable")],
                         Annotated[WeeklyRoster, Tag("by weekday")]], Discriminator(_roster_kind)]


def _timetable_problems(table: list) -> list[tuple[tuple, str]]:
    out = []
    if table[0][0] != 0:
        out.append(((0, 0), f'the first entry must be at "00:00" (got "{_clock_text(table[0][0])}")'))
    for i in range(1, len(table)):
        if table[i][0] <= table[i - 1][0]:
            out.append(((i, 0), f'times must be in order: "{_clock_text(table[i][0])}" comes after '
                                f'"{_clock_text(table[i - 1][0])}"'))
    if table[-1][0] >= DAY:
        out.append(((len(table) - 1, 0), 'a day ends at "24:00": the last time must be before it'))
    return out


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def roster_problems(roster) -> list[tuple[tuple, str]]:
    """What validation of single fields cannot see: (path under the roster, message)."""
    out: list[tuple[tuple, str]] = []
    if isinstance(roster, list):
        out = _timetable_problems(roster)
    elif isinstance(roster, WeeklyRoster):
        for key in (*WEEKDAYS, *GROUPS):
            value = getattr(roster, key)
            if isinstance(value, list):
                out += [((key,) + sub, msg) for sub, msg in _timetable_problems(value)]
        missing = [d for i, d in enumerate(WEEKDAYS) if roster.day(i) is None]
        if missing:
            out.append(((), f"no roster for {', '.join(missing)}: name every day (mon ... sun, or weekdays and weekend)"))
    if not out and isinstance(roster, (list, WeeklyRoster)) and \
            not any(n for day in range(7) for _, n in day_timetable(roster, day)):
        out.append(((), "no server is ever on duty"))
    return out


def day_timetable(roster, weekday: int) -> list[tuple[int, int]]:
    """(minute of the day, servers) from midnight of a day that is weekday ``weekday``."""
    if isinstance(roster, WeeklyRoster):
        roster = roster.day(weekday)
    if isinstance(roster, list):
        return [(int(m), int(n)) for m, n in roster]
    return [(0, int(roster))]


def roster_steps(roster, first_weekday: int, horizon: float) -> list[tuple[float, int]]:
    """The servers on duty as steps from time 0 to ``horizon``: ``[(t, servers), ...]``, the
    first at 0, then one per change (a roster that keeps one count gives one step)."""
    if not isinstance(roster, (list, WeeklyRoster)):
        return [(0.0, int(roster))]
    steps: list[tuple[float, int]] = []
    day = 0
    while day * DAY <= horizon:
        for minute, n in day_timetable(roster, (first_weekday + day) % 7):
            t = day * DAY + minute
            if t > horizon:
                break
            if not steps or steps[-1][1] != n:
                steps.append((float(t), n))
        day += 1
    return steps
