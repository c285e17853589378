"""Servers that come and go on a daily timetable (windows at lunch, part-time helpers).

A simpy PriorityResource keeps its full capacity; when fewer servers are on duty,
"blocker" requests hold the missing ones.  A blocker with a high priority (a
negative number) takes the next free server before any waiting visitor: staff
finish the visitor in front of them, then go to lunch.  A blocker with a low
priority queues behind the visitors already waiting: staff serve everyone inside
before going home.
"""
from __future__ import annotations

from dataclasses import dataclass

import simpy

from .calendar import DAY  # noqa: F401  (re-exported for the models)

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
