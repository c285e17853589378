"""The records of one replication (one row per station visit and one per customer) and the
codes both event loops use."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ARRIVAL, DEPARTURE, ABANDON, SHIFT = 0, 1, 2, 3

# outcome codes, for visits and for customers
SERVED, ABANDONED, BLOCKED, WAITING_AT_END, IN_SERVICE_AT_END = 0, 1, 2, 3, 4

WAITING, IN_SERVICE, GONE = 0, 1, 2  # a customer's state at its current station

VISIT_COLUMNS = ("v_station", "v_class", "v_t0", "v_arr", "v_start", "v_end", "v_outcome")
CUSTOMER_COLUMNS = ("c_class", "c_arr", "c_end", "c_wait", "c_visits", "c_outcome")
INT_COLUMNS = frozenset({"v_station", "v_class", "v_outcome", "c_class", "c_visits", "c_outcome"})


@dataclass
class Records:
    """Columnar output of one replication: numpy arrays, one entry per visit (``v_``) and
    per customer (``c_``), in the order the run recorded them."""

    station_names: list[str]
    class_names: list[str]
    rosters: list[list[tuple[float, int]]]  # per station: servers on duty as steps [(t, servers), ...] from 0
    horizon: float
    warmup: float
    used: list[bool]  # stations some class can visit; idle ones stay out of overall utilisation
    # per station: servers still finishing a customer past the roster, as steps [(t, servers), ...] from 0
    overrun: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)

    def __getattr__(self, name):
        columns = self.__dict__.get("columns", {})
        if name in columns:
            return columns[name]
        raise AttributeError(name)

    def arrays(self) -> dict[str, np.ndarray]:
        return dict(self.columns)
