"""Bookkeeping of one licence replication: each application's state and times, staff
minutes in the counted days, and the event log.

Nothing here draws a random number or runs a process: the population
(``population.py``) draws, the engine (``engine.py``) runs, this keeps the books the
KPIs (``kpis.py``) are computed from.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

from ...calendar import OfficeClock
from ...model_api import COMPLETE, Trace
from .population import Drawn

INTAKE = "intake"
HANDOVER = "handover"
WAIT, WORK, DELAY = 0, 1, 2  # columns of Application.times


class Application:
    """One application as it goes through the office: its draws (``drawn``), the values
    this policy makes of them, and what happened to it."""

    __slots__ = ("aid", "case", "drawn", "online", "proxied", "t_cal", "t_need", "t_start", "major", "minor", "gaps",
                 "visits", "supplements", "pledged", "t_accept", "t_issue", "t_end", "t_end_cal", "times", "counted",
                 "later_used")

    def __init__(self, drawn: Drawn, stages: int):
        self.aid = 0  # order of arrival in this run (set when it arrives)
        self.case = "app:" + drawn.key  # stable across policies: the event log's case id
        self.drawn = drawn
        self.later_used: dict[str, int] = {}  # draws of each later kind used so far
        self.visits = 0
        self.supplements = 0
        self.pledged = False
        self.t_accept = self.t_issue = self.t_end = self.t_end_cal = math.nan
        self.times = [[0.0, 0.0, 0.0] for _ in range(stages)]

    @property
    def later(self) -> dict[str, tuple]:
        """The draws made at arrival for what may happen later (returns, checks, walks,
        re-work), as uniforms: the same for this application under every policy."""
        return self.drawn.later()


@dataclass
class Records:
    """What one replication leaves behind for the KPIs."""

    clock: OfficeClock
    days: int
    warmup_days: int
    stages: list[str]  # intake, the enabled steps in order, handover
    apps: list[Application] = field(default_factory=list)
    busy: dict[str, float] = field(default_factory=dict)  # department -> staff minutes in the counted days
    step_busy: dict[str, float] = field(default_factory=dict)
    helper_busy: float = 0.0
    stopped_at: float = 0.0

    def __post_init__(self):
        self.t_counted = self.warmup_days * self.clock.L  # office time of the first counted day
        self.t_end = self.days * self.clock.L  # and of the end of the run's days

    def counted_overlap(self, t0: float, t1: float) -> float:
        """Minutes of [t0, t1] (office time) inside the counted days."""
        return max(0.0, min(t1, self.t_end) - max(t0, self.t_counted))

    def staff_worked(self, dept: str, step: Optional[str], t0: float, t1: float) -> None:
        busy = self.counted_overlap(t0, t1)
        self.busy[dept] += busy
        if step is not None:
            self.step_busy[step] += busy

    def helper_worked(self, t0: float, t1: float) -> None:
        self.helper_busy += self.counted_overlap(t0, t1)


class EventLog:
    """Writes events to a :class:`govsim.model_api.Trace` in calendar minutes since
    midnight of the calendar's start date (the engine runs on office time)."""

    __slots__ = ("trace", "clock")

    def __init__(self, trace: Trace, clock: OfficeClock):
        self.trace = trace
        self.clock = clock

    def add(self, a: Application, activity: str, t_office: float, transition: str = COMPLETE,
            resource: str = "") -> None:
        self.trace.add(a.case, activity, self.clock.to_calendar(t_office), transition, resource)

    def add_calendar(self, a: Application, activity: str, t_cal: float, resource: str = "") -> None:
        self.trace.add(a.case, activity, t_cal, COMPLETE, resource)
