"""Servers that come and go on a daily timetable (windows at lunch, part-time helpers).

``Staffed`` is a priority queue of requests in front of ``capacity`` servers, on a
``govsim.eventloop.EventLoop``: requests are served by priority, then in order of
arrival, as simpy's PriorityResource does.  When fewer servers are on duty, "blocker"
requests hold the missing ones.  A blocker with a high priority (a negative number)
takes the next free server before any waiting visitor: staff finish the visitor in
front of them, then go to lunch.  A blocker with a low priority queues behind the
visitors already waiting: staff serve everyone inside before going home.

Also here: rosters as a scenario writes them (``Roster``: a number, a daily timetable
of ``["HH:MM", count]`` pairs, or one per weekday), their checks and their steps in time.
"""
from __future__ import annotations

from dataclasses import dataclass
from heapq import heappop, heappush
from typing import Annotated, Any, Callable, Iterator, Optional, Union

from pydantic import Discriminator, Field, Tag

from .calendar import DAY  # noqa: F401  (re-exported for the models)
from .calendar import WEEKDAYS, Clock
from .eventloop import EventLoop
from .model_api import Count, PositiveCount, StrictParams

BEFORE_VISITORS = -100  # served before anyone waiting
AFTER_VISITORS = 10**9  # served after everyone waiting


@dataclass(frozen=True)
class Change:
    minute: float  # minute of the day
    on_duty: int
    priority: int = BEFORE_VISITORS  # of the blockers this change adds


class Ticket:
    """A request for a server: ``granted`` once it has one; ``cancelled`` if withdrawn
    while waiting.  (It holds no reference to its requester, so a requester holding its
    ticket makes no reference cycle: a replication's objects go when it ends.)"""

    __slots__ = ("granted", "cancelled", "released")

    def __init__(self) -> None:
        self.granted = self.cancelled = self.released = False


class Staffed:
    def __init__(self, loop: EventLoop, capacity: int, timetable: list[Change], days: int):
        self.loop = loop
        self.capacity = capacity
        self.slots = max(capacity, 1)  # servers in the queue's front (blockers hold the off-duty ones)
        self.users = 0  # slots held, by visitors and blockers
        self._queue: list = []  # (priority, time, order, ticket, on_grant, arg); withdrawn tickets are skipped
        self._order = 0
        self.blockers: list[Ticket] = []
        self.on_duty = capacity
        self._timetable = sorted(timetable, key=lambda c: c.minute)
        # closed until the first change; the blockers that close it take the first change's priority
        self.first_priority = timetable[0].priority if timetable else BEFORE_VISITORS
        self._set(0, self.first_priority)
        if capacity == 0:
            return
        self._changes = self._timeline(self._timetable, days)
        self._next_change()

    # -- requests -----------------------------------------------------------------------
    def request(self, priority: int, on_grant: Optional[Callable[[Any], None]] = None, arg: Any = None) -> Ticket:
        """A request, granted at once if a server is free; else ``on_grant(arg)`` is called
        when one comes to it."""
        ticket = Ticket()
        if self.users < self.slots:  # then nobody is waiting: every free slot has been given out
            self.users += 1
            ticket.granted = True
        else:
            self._order += 1
            heappush(self._queue, (priority, self.loop.now, self._order, ticket, on_grant, arg))
        return ticket

    def release(self, ticket: Ticket) -> None:
        """The server ``ticket`` held is free: it goes to the first one waiting."""
        if ticket.released or not ticket.granted:
            raise RuntimeError("a server released twice, or one never granted: a model bug")
        ticket.released = True
        self.users -= 1
        self._serve_next()

    @staticmethod
    def cancel(ticket: Ticket) -> None:
        """Withdraw a waiting request (it is skipped when its turn comes)."""
        ticket.cancelled = True

    def _serve_next(self) -> None:
        queue = self._queue
        while self.users < self.slots and queue:
            _, _, _, ticket, on_grant, arg = heappop(queue)
            if ticket.cancelled:
                continue
            self.users += 1
            ticket.granted = True
            if on_grant is not None:
                on_grant(arg)

    # -- the timetable --------------------------------------------------------------------
    def changes(self, days: int) -> list[tuple[float, Change]]:
        """Every change of staff over ``days`` days, in the order this queue applies them
        (the compiled hall loop takes them as they are)."""
        return list(self._timeline(self._timetable, days))

    def _timeline(self, timetable: list[Change], days: int) -> Iterator[tuple[float, Change]]:
        for day in range(days):
            for change in timetable:
                yield day * DAY + change.minute, change

    def _next_change(self, change: Optional[Change] = None) -> None:
        """Apply ``change`` (the one due now), then those already due; schedule the next."""
        if change is not None:
            self._set(change.on_duty, change.priority)
        for t, change in self._changes:
            if t > self.loop.now:
                self.loop.at(t, self._next_change, change)
                return
            self._set(change.on_duty, change.priority)

    def _set(self, on_duty: int, priority: int) -> None:
        want_blocked = self.slots - min(on_duty, self.capacity)
        while len(self.blockers) < want_blocked:
            self.blockers.append(self.request(priority))
        while len(self.blockers) > want_blocked:
            ticket = self.blockers.pop()  # the latest first: it is the likeliest still queued
            if ticket.granted:
                self.release(ticket)
            else:
                self.cancel(ticket)
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
