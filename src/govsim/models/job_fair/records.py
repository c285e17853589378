"""What a campaign records: one entry per attendance (a person at a fair) and one per
booth approach, recruiter minutes per booth and the queue through the fair day."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...calendar import DAY

SLOT = 30.0  # minutes per slot of the queue-through-the-day profile
TALK, BALK, RENEGE = 0, 1, 2  # how a booth approach ended


@dataclass
class FairRecords:
    days: int
    schedule: list  # (day, township, n)
    booth_group: list  # booth index -> its kind
    booth_names: list  # booth index -> <kind>#<j>
    recruiters: np.ndarray  # per booth
    open_minutes: float
    pool: dict  # township -> pool size
    # one entry per attendance
    a_fair: list = field(default_factory=list)
    a_township: list = field(default_factory=list)
    a_person: list = field(default_factory=list)
    a_mobilised: list = field(default_factory=list)
    a_talks: list = field(default_factory=list)
    a_intention: list = field(default_factory=list)
    # one entry per booth approach
    b_booth: list = field(default_factory=list)
    b_outcome: list = field(default_factory=list)
    b_wait: list = field(default_factory=list)
    b_intention: list = field(default_factory=list)  # a talk that ended in a hiring intention
    busy: np.ndarray = None  # recruiter minutes per booth, summed over fairs
    queue_area: np.ndarray = None  # waiting-visitor minutes per slot of the day, summed over fairs
    with_intention: dict = field(default_factory=dict)  # township -> pool members with an intention at the end

    def __post_init__(self):
        self.busy = np.zeros(len(self.booth_names))
        self.queue_area = np.zeros(int(DAY // SLOT))

    def attendance(self, k: int, township: str, person: int, mobilised: bool) -> int:
        """A person comes to fair ``k``; returns the attendance's index."""
        self.a_fair.append(k), self.a_township.append(township), self.a_person.append(person)
        self.a_mobilised.append(mobilised), self.a_talks.append(0), self.a_intention.append(False)
        return len(self.a_fair) - 1

    def approach(self, booth: int, outcome: int, wait: float, intention: bool = False) -> None:
        self.b_booth.append(booth), self.b_outcome.append(outcome), self.b_wait.append(wait)
        self.b_intention.append(intention)

    def talk(self, booth: int, minutes: float) -> None:
        self.busy[booth] += minutes

    def round_done(self, idx: int, talks: int, intention: bool) -> None:
        self.a_talks[idx], self.a_intention[idx] = talks, intention
