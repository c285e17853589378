"""Time-weighted bookkeeping: how many were waiting, on average, in each slot of the day.

A model tells a ``SlotArea`` every change of a level (people waiting, say); it adds
level x minutes to the slots of the day the interval covers, counting only the window
[t_counted, t_end) (warm-up and drain left out).  Divide by the slot's counted minutes
for the mean level through the day.
"""
from __future__ import annotations

import math

import numpy as np

from .calendar import DAY


class SlotArea:
    def __init__(self, slot_min: float, t_counted: float = 0.0, t_end: float = math.inf):
        self.slot = float(slot_min)
        self.t_counted, self.t_end = float(t_counted), float(t_end)
        self.area = np.zeros(int(DAY // self.slot))  # level x minutes per slot of the day
        self.level = 0
        self._last = 0.0

    def change(self, now: float, delta: int) -> None:
        """The level moves by ``delta`` at ``now`` (times never go back)."""
        self.advance(now)
        self.level += delta

    def advance(self, now: float) -> None:
        """Add the area since the last change (call once more at the end of a run)."""
        t, n = self._last, self.level
        self._last = now
        lo, hi = max(t, self.t_counted), min(now, self.t_end)
        while n and lo < hi:
            step = min(hi, (math.floor(lo / self.slot) + 1) * self.slot) - lo
            self.area[int((lo % DAY) // self.slot)] += n * step
            lo += step
