"""Opening hours within a day: when windows take visitors.

Times in a scenario are written "HH:MM"; inside the engine a day is 1440 minutes
and time is minutes since the start of the first simulated day.
"""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

DAY = 1440.0


def _clock(value) -> int:
    """'08:30' -> 510 minutes after midnight."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML reads an unquoted 08:30 as a sexagesimal integer (510): accept it as such
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"([01]?\d|2[0-4]):([0-5]\d)", value.strip())
        if m:
            minutes = int(m.group(1)) * 60 + int(m.group(2))
            if minutes <= 1440:
                return minutes
    raise ValueError(f"a time of day as 'HH:MM' (got {value!r})")


Clock = Annotated[int, BeforeValidator(_clock)]


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
