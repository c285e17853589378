"""Time-weighted bookkeeping: how many were waiting, on average, in each slot of the day.

A model tells a ``SlotArea`` every change of a level (people waiting, say); ``area``
gives level x minutes in each slot of the day, counting only the window
[t_counted, t_end) (warm-up and drain left out) up to the last ``advance``.  Divide by
the slot's counted minutes for the mean level through the day.

A change only notes (time, level); the areas are worked out once, with numpy, when
read: the hall changes its queue some ten thousand times a replication.
"""
from __future__ import annotations

import math

import numpy as np

from .calendar import DAY


class SlotArea:
    def __init__(self, slot_min: float, t_counted: float = 0.0, t_end: float = math.inf):
        self.slot = float(slot_min)
        self.t_counted, self.t_end = float(t_counted), float(t_end)
        self.level = 0
        self._times: list[float] = [0.0]  # the level is _levels[i] from _times[i] on
        self._levels: list[int] = [0]
        self._last = 0.0  # the record runs to here

    def change(self, now: float, delta: int) -> None:
        """The level moves by ``delta`` at ``now`` (times never go back)."""
        self.level += delta
        self._times.append(now)
        self._levels.append(self.level)
        self._last = now

    def advance(self, now: float) -> None:
        """The level has stayed as it is until ``now`` (call once more at the end of a run)."""
        self._last = max(self._last, now)

    @property
    def area(self) -> np.ndarray:
        """Level x minutes per slot of the day, over the counted window up to the last advance."""
        out = np.zeros(int(DAY // self.slot))
        lo, hi = self.t_counted, min(self._last, self.t_end)
        if hi <= lo:
            return out
        times, levels = np.asarray(self._times), np.asarray(self._levels, dtype=float)
        below = np.concatenate([[0.0], np.cumsum(levels[:-1] * np.diff(times))])  # level-minutes to times[i]

        def integral(x: np.ndarray) -> np.ndarray:
            i = np.searchsorted(times, x, side="right") - 1
            return below[i] + levels[i] * (x - times[i])

        first = math.floor(lo / self.slot)
        edges = np.arange(first, math.ceil(hi / self.slot) + 1) * self.slot
        edges = np.clip(edges, lo, hi)
        pieces = np.diff(integral(edges))
        slots = ((edges[:-1] % DAY) // self.slot).astype(np.int64)
        np.add.at(out, slots, pieces)
        return out
