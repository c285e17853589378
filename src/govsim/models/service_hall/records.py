"""What a replication of the hall leaves behind for the KPIs: visitors (each matter's
journey, ``Visitor``), window visits, trips, and the time-weighted and busy-time
bookkeeping of the counted days."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Optional, Union

import numpy as np

from ... import documents
from ...calendar import DAY, open_overlap
from ...timeweighted import SlotArea

if TYPE_CHECKING:
    from ...staffing import Ticket
    from .population import Person

SLOT = 30.0  # minutes per slot of the through-the-day queue profile
# days the hall keeps its hours after the run's days (no new arrivals), until every matter is through
DRAIN_DAYS = 60

# how a visit to a window ended
ACCEPTED, STEP_DONE, REJECTED, BALKED, ABANDONED, SENT_HOME = (
    "accepted", "step_done", "rejected", "balked", "abandoned", "sent_home")
SERVED = (ACCEPTED, STEP_DONE, REJECTED)


class WindowVisit(NamedTuple):
    """One attempt at a window bank (a tuple: light to keep by the thousand, and the KPIs
    take its columns apart with one ``zip``)."""

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
    busy: float = 0.0  # service minutes in staffed time, of services begun on counted days
    overtime: float = 0.0  # and beyond it (finishing a visitor after going off duty, or after closing)
    staffed_min: float = 0.0  # window-minutes on duty (roster within opening hours), counted days
    services: list = field(default_factory=list)  # start, end, start, end, ... of every service (flat: no tuple each)


@dataclass(slots=True)
class Visitor:
    """One matter's journey: who brings it (``who``) and what has happened so far."""

    who: Person
    major: list[int]  # gaps still to fill, per step
    minor: list[int]
    step: int = 0  # steps before this one are accepted
    t_first: float = 0.0
    trips: int = 0
    returns: int = 0  # later trips begun
    rejections: int = 0
    proxied: bool = False
    pledged: bool = False
    t_accepted: float = math.nan
    approvals: int = 0  # approvals sent to the back office and not yet done
    t_approved: float = 0.0  # when the last of them was done
    t_done: float = math.nan  # other province: handled by the home region
    booked: bool = False  # on a trip it booked: called ahead of walk-ins
    online: bool = False  # its documents were reviewed online before the first trip
    kept_slot: bool = False  # came at its booked slot (within the grace minutes)
    # where it is now, for the next step of its state machine
    t_arr: float = 0.0  # this trip began
    by_helper: bool = False  # a helper queues at the windows for it (full process)
    bank: Optional[Bank] = None  # the window bank it queues at or is served by
    ticket: Optional[Ticket] = None  # its request there
    t_wait: float = 0.0  # it joined that bank's queue
    t_start: float = 0.0  # its service there began
    outcome: str = ""  # how that service ends
    to_approve: Optional[float] = None  # approval minutes that service sends to the back office
    helper: Optional[Ticket] = None  # its request for a proxy helper
    helper_kind: str = ""  # the helper's work in hand: precheck, full_process, home_visit
    t_window: float = 0.0  # the helper began queueing at the windows for it

    @classmethod
    def of(cls, who: Person) -> "Visitor":
        return cls(who, list(who.major), list(who.minor))

    @property
    def case(self) -> str:
        """Its id in the event log."""
        return f"v{self.who.vid}"

    # who it is, as the KPIs and tests read it
    vid, matter, group, other_province, accept_min = (
        property(lambda self, name=name: getattr(self.who, name))
        for name in ("vid", "matter", "group", "other_province", "accept_min"))

    def gaps(self) -> int:
        return documents.gaps(self.major, self.minor, range(len(self.who.steps)))

    @property
    def t_completed(self) -> float:
        """Accepted and every approval done (the back office's, if any): the matter is through."""
        return math.nan if self.approvals else max(self.t_accepted, self.t_approved)


@dataclass
class BackOffice:
    """Staff approving accepted matters after the visitor has left (前台综合受理、后台分类审批),
    one queue in order of acceptance, and the bookkeeping of their work."""

    staff: int
    slowdown: float  # factor on approval minutes here
    staffed: object  # govsim.staffing.Staffed
    queued_min: float = 0.0  # approval minutes waiting for a staff member, now
    queued: int = 0  # approvals waiting for a staff member, now (none: queued_min is exactly 0)
    minutes_in: float = 0.0  # approval minutes sent here on counted days
    busy: float = 0.0  # approval minutes begun on counted days, in staffed time
    overtime: float = 0.0  # and outside it (finishing the approval in hand at closing)
    staffed_min: float = 0.0  # staff-minutes on duty, counted days
    services: list = field(default_factory=list)  # start, end, ... of every approval, as a bank's
    backlog: list[float] = field(default_factory=list)  # queued_min when the counted days begin and end
    approvals: list[tuple[int, float, float, float]] = field(default_factory=list)  # (vid, sent, begun, done)


OBJECT_RECORDS = ("visitors", "window_visits", "trips")


@dataclass
class HallRecords:
    days: int
    warmup_days: int
    periods: list[tuple[int, int]]
    visitors: list = field(default_factory=list)  # Visitor, in order of first arrival
    window_visits: list[WindowVisit] = field(default_factory=list)
    trips: list[tuple[int, float, float]] = field(default_factory=list)  # (vid, arrive, leave)
    banks: dict[str, Bank] = field(default_factory=dict)
    back_office: Optional[BackOffice] = None
    helper_busy: float = 0.0
    helper_waits: list[tuple[int, float]] = field(default_factory=list)  # (vid, minutes before a helper was free)
    helper_cases: dict[str, int] = field(default_factory=lambda: {"precheck": 0, "full_process": 0, "home_visit": 0})
    queue: SlotArea = None  # waiting visitors through the day, counted days
    online_min: float = 0.0  # the online review team's minutes, for matters first coming on counted days
    online_reviews: int = 0
    online_caught: int = 0  # missing documents the reviews caught
    # the compiled loop's records as columns (kpis.columns' names), instead of visitors, window
    # visits and trips as objects; None from the Python loop
    columns: Optional[dict] = None

    def __post_init__(self):
        self.t_counted, self.t_end = self.warmup_days * DAY, self.days * DAY
        self.open_minutes = sum(b - a for a, b in self.periods)
        self.queue = SlotArea(SLOT, self.t_counted, self.t_end)

    def __getattr__(self, name: str):
        """The compiled loop leaves ``visitors``, ``window_visits`` and ``trips`` unset (the
        KPIs read ``columns``): they are made, as the Python loop's objects, when first read."""
        make = self.__dict__.get("_make_objects")
        if make is not None and name in OBJECT_RECORDS:
            self.__dict__.pop("_make_objects")
            make(self)
            return self.__dict__[name]
        raise AttributeError(name)

    @property
    def queue_area(self) -> np.ndarray:
        """Waiting-visitor minutes per slot of the day, counted days."""
        return self.queue.area

    def counted(self, t: float) -> bool:
        return self.t_counted <= t < self.t_end

    def service(self, bank: Union[Bank, BackOffice], t_start: float, t_end: float) -> None:
        """A window's (or the back office's) service, split into staffed time and overtime by ``finish``."""
        bank.services += (t_start, t_end)

    def finish(self) -> None:
        """Busy minutes in staffed time and overtime, and staffed minutes, of every bank."""
        for bank in [*self.banks.values(), *([self.back_office] if self.back_office else [])]:
            staffed_time(bank, self.t_counted, self.t_end)

    def to_approve(self, back_office: BackOffice, t: float, minutes: float) -> None:
        """Approval minutes sent to the back office at ``t``."""
        back_office.queued_min += minutes
        back_office.queued += 1
        if self.counted(t):
            back_office.minutes_in += minutes

    def online_review(self, t: float, minutes: float, caught: int) -> None:
        """An online review before a first trip at ``t``: the team's minutes, the gaps caught."""
        if self.counted(t):
            self.online_min += minutes
            self.online_reviews += 1
            self.online_caught += caught

    def helper_work(self, kind: str, t_start: float, minutes: float) -> None:
        if self.counted(t_start):
            self.helper_busy += minutes
            self.helper_cases[kind] += 1

    def helper_at_window(self, t_start: float, t_end: float) -> None:
        """A helper queueing and being served at a window for a full-process case."""
        if self.counted(t_start):
            self.helper_busy += open_overlap(self.periods, t_start, t_end)


def staffed_time(bank: Union[Bank, BackOffice], t0: float, t1: float) -> None:
    """Split the minutes of the services begun in [t0, t1) into staffed time and overtime.
    At any moment b windows are busy and s on duty: min(b, s) of them work in staffed
    time, the rest (finishing a visitor after going off duty, or after closing) overtime;
    each service takes its share min(b, s) / b of each moment.  Also the minutes on
    duty in [t0, t1)."""
    step_t = np.array([t for t, _ in bank.staffed.steps], dtype=float)
    step_n = np.array([n for _, n in bank.staffed.steps], dtype=float)
    edges = np.concatenate([step_t[(step_t > t0) & (step_t < t1)], [t0, t1]])
    edges.sort()
    on = step_n[np.searchsorted(step_t, edges[:-1], side="right") - 1]
    bank.staffed_min = float(np.sum(on * np.diff(edges)))
    if not bank.services:
        return
    se = np.array(bank.services, dtype=float).reshape(-1, 2)
    starts, ends = np.sort(se[:, 0]), np.sort(se[:, 1])
    x = np.unique(np.concatenate([se.ravel(), step_t]))
    busy = (np.searchsorted(starts, x[:-1], side="right") - np.searchsorted(ends, x[:-1], side="right"))
    duty = step_n[np.searchsorted(step_t, x[:-1], side="right") - 1]
    share = np.where(busy > 0, np.minimum(busy, duty) / np.maximum(busy, 1), 0.0)
    cum = np.concatenate([[0.0], np.cumsum(share * np.diff(x))])
    counted = (se[:, 0] >= t0) & (se[:, 0] < t1)
    a, b = se[counted, 0], se[counted, 1]
    in_staffed = cum[np.searchsorted(x, b)] - cum[np.searchsorted(x, a)]
    bank.busy = float(np.sum(in_staffed))
    bank.overtime = float(np.sum(b - a) - bank.busy)
