"""What one campaign leaves behind for the KPIs: the seekers (with what became of
them), the trips, the recruiters' busy minutes; and the end-of-campaign account of
whoever is still listed."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Optional

import numpy as np

from .population import WAITING, Seeker

# what became of a seeker
CONFIRMED, DELIVERED, NO_SHOW, GAVE_UP, STILL_WAITING = "confirmed", "delivered", "no_show", "gave_up", "still_waiting"
# the event-log activity of each way of being struck off or left over
END_ACTIVITY = {NO_SHOW: "no_show", GAVE_UP: "abandon", STILL_WAITING: "still_waiting"}
# why a vehicle was sent
FULL, MIN_LOAD, MAX_WAIT, TIMETABLE, SWEEP = "full", "min_load", "max_wait", "timetable", "sweep"
REASONS = (FULL, MIN_LOAD, MAX_WAIT, TIMETABLE, SWEEP)


@dataclass
class Trip:
    tid: int
    group: str
    reason: str
    t_call: float
    seats: int
    vehicle: int = 0  # which of the fleet (1-based), once one was free
    t_granted: float = math.nan  # a vehicle was free
    t_depot: float = math.nan  # left the depot
    t_first_board: float = math.nan
    t_park: float = math.nan
    t_free: float = math.nan
    riders: int = 0
    km: float = 0.0
    stops: list[str] = field(default_factory=list)  # pickup points where someone boarded
    by_stop: dict[str, int] = field(default_factory=dict)

    @property
    def case(self) -> str:
        """The trip's case id in the event log."""
        return f"trip:{self.tid}"


@dataclass
class CampaignRecords:
    days: int
    service_days: int
    seekers: list[Seeker] = field(default_factory=list)
    trips: list[Trip] = field(default_factory=list)
    employer_group: list[str] = field(default_factory=list)  # employer index -> its group
    employer_busy: Optional[np.ndarray] = None  # recruiter minutes per employer
    park_open_minutes: float = 0.0


def called_status(s: Seeker, now: float) -> str:
    """What a seeker says when phoned at ``now``: not coming, gave up, or coming."""
    if not s.shows:
        return NO_SHOW
    if now - s.t_signup > s.patience:
        return GAVE_UP
    return CONFIRMED


def settle(confirmed: Iterable[Seeker], listed: Iterable[Seeker], seekers: Iterable[Seeker], service_end: float,
           trace=None) -> None:
    """The end of service: the confirmed and not yet carried are still waiting; the
    listed are counted as they would have answered a call then; seekers still on
    their own way to the gathering point are still waiting."""
    for s in confirmed:
        s.status = STILL_WAITING
    for s in listed:
        s.status = called_status(s, service_end)
        if s.status == CONFIRMED:
            s.status = STILL_WAITING
    for s in seekers:
        if s.status == WAITING:
            s.status = STILL_WAITING
    if trace is not None:
        for s in seekers:
            if s.status in END_ACTIVITY and math.isnan(s.t_resolved):
                trace.add(s.case, END_ACTIVITY[s.status], service_end)
