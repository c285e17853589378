"""What a replication of the hall leaves behind for the KPIs: visitors, window visits,
trips, and the time-weighted and busy-time bookkeeping of the counted days."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import numpy as np

from ...calendar import DAY, open_overlap
from ...timeweighted import SlotArea

SLOT = 30.0  # minutes per slot of the through-the-day queue profile

# how a visit to a window ended
ACCEPTED, STEP_DONE, REJECTED, BALKED, ABANDONED, SENT_HOME = (
    "accepted", "step_done", "rejected", "balked", "abandoned", "sent_home")
SERVED = (ACCEPTED, STEP_DONE, REJECTED)


@dataclass
class WindowVisit:
    """One attempt at a window bank."""

    vid: int
    bank: str
    t_arr: float
    t_start: float
    t_end: float
    outcome: str
    by_helper: bool = False  # a proxy helper queueing on the visitor's behalf


@dataclass
class Bank:
    name: str
    windows: int
    slowdown: float  # factor on window minutes (generalists at comprehensive windows)
    bundles: bool  # one visit covers every remaining department of a matter
    staffed: object  # govsim.staffing.Staffed
    waiting: int = 0
    busy: float = 0.0  # service minutes within opening hours, on counted days
    overtime: float = 0.0  # service minutes outside them (serving those still waiting at closing)


@dataclass
class BackOffice:
    """Staff approving accepted matters after the visitor has left (前台综合受理、后台分类审批),
    one queue in order of acceptance, and the bookkeeping of their work."""

    staff: int
    slowdown: float  # factor on approval minutes here
    staffed: object  # govsim.staffing.Staffed
    queued_min: float = 0.0  # approval minutes waiting for a staff member, now
    minutes_in: float = 0.0  # approval minutes sent here on counted days
    busy: float = 0.0  # approval minutes begun on counted days, within opening hours
    overtime: float = 0.0  # and outside them (finishing the approval in hand at closing)
    backlog: list[float] = field(default_factory=list)  # queued_min when the counted days begin and end
    approvals: list[tuple[int, float, float, float]] = field(default_factory=list)  # (vid, sent, begun, done)


@dataclass
class HallRecords:
    days: int
    warmup_days: int
    periods: list[tuple[int, int]]
    visitors: list = field(default_factory=list)  # hall.Visitor, in order of first arrival
    window_visits: list[WindowVisit] = field(default_factory=list)
    trips: list[tuple[int, float, float]] = field(default_factory=list)  # (vid, arrive, leave)
    banks: dict[str, Bank] = field(default_factory=dict)
    back_office: Optional[BackOffice] = None
    helper_busy: float = 0.0
    helper_waits: list[tuple[int, float]] = field(default_factory=list)  # (vid, minutes before a helper was free)
    helper_cases: dict[str, int] = field(default_factory=lambda: {"precheck": 0, "full_process": 0, "home_visit": 0})
    queue: SlotArea = None  # waiting visitors through the day, counted days

    def __post_init__(self):
        self.t_counted, self.t_end = self.warmup_days * DAY, self.days * DAY
        self.open_minutes = sum(b - a for a, b in self.periods)
        self.queue = SlotArea(SLOT, self.t_counted, self.t_end)

    @property
    def queue_area(self) -> np.ndarray:
        """Waiting-visitor minutes per slot of the day, counted days."""
        return self.queue.area

    def counted(self, t: float) -> bool:
        return self.t_counted <= t < self.t_end

    def service(self, bank: Union[Bank, BackOffice], t_start: float, t_end: float) -> None:
        """A window's (or the back office's) service minutes, split into opening hours and overtime."""
        if self.counted(t_start):
            in_hours = open_overlap(self.periods, t_start, t_end)
            bank.busy += in_hours
            bank.overtime += t_end - t_start - in_hours

    def to_approve(self, back_office: BackOffice, t: float, minutes: float) -> None:
        """Approval minutes sent to the back office at ``t``."""
        back_office.queued_min += minutes
        if self.counted(t):
            back_office.minutes_in += minutes

    def helper_work(self, kind: str, t_start: float, minutes: float) -> None:
        if self.counted(t_start):
            self.helper_busy += minutes
            self.helper_cases[kind] += 1

    def helper_at_window(self, t_start: float, t_end: float) -> None:
        """A helper queueing and being served at a window for a full-process case."""
        if self.counted(t_start):
            self.helper_busy += open_overlap(self.periods, t_start, t_end)
