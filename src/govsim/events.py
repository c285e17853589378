"""The event log of a run (``govsim run --trace``) as one table, in the column names
process-mining tools read (pm4py, ProM, Disco): ``events.csv``.

Each replication's ``Trace`` rows become rows with the case made unique over the file
(``<policy>/<rep>/<case>``), a date-time (the model's ``clock(params)`` where it has a
calendar, else ``model_api.nominal_clock``) beside the minutes, and the policy and
replication.  Rows are in policy order, then replication, then time; events at the same
time keep the order the model recorded them in.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .model_api import NOMINAL_START, TRACE_COLUMNS

EVENT_COLUMNS = (*TRACE_COLUMNS, "policy", "rep")


def events_frame(model, params_by_policy: Mapping[str, Any], raw: Mapping[tuple[str, int], list]) -> pd.DataFrame:
    """One table of every (policy, rep)'s trace rows.  ``params_by_policy``: the resolved
    params of the policies run, in their order (it sets the order of the rows and each
    policy's clock); ``raw``: ``{(policy, rep): Trace.rows}``."""
    order = {p: i for i, p in enumerate(params_by_policy)}
    frames = []
    for policy, rep in sorted(raw, key=lambda task: (order[task[0]], task[1])):
        rows = raw[(policy, rep)]
        case, activity, minutes, transition, resource = zip(*rows) if rows else ((),) * 5
        minutes = np.array(minutes, dtype=float)
        by_time = np.argsort(minutes, kind="stable")

        def column(values):
            return np.array(values, dtype=object)[by_time]

        frames.append(pd.DataFrame({
            TRACE_COLUMNS[0]: f"{policy}/{rep}/" + column(case),
            TRACE_COLUMNS[1]: column(activity),
            TRACE_COLUMNS[2]: _timestamps(model.clock(params_by_policy[policy]), minutes[by_time]),
            TRACE_COLUMNS[3]: minutes[by_time],
            TRACE_COLUMNS[4]: column(transition),
            TRACE_COLUMNS[5]: column(resource),
            "policy": policy,
            "rep": np.full(len(rows), rep, dtype=np.int64),
        }, columns=list(EVENT_COLUMNS)))
    if not frames:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _timestamps(clock, minutes: np.ndarray) -> np.ndarray:
    """ISO date-times (to the microsecond) of ``minutes`` from the run's start."""
    if clock is None:  # model_api.nominal_clock, vectorised
        stamps = np.datetime64(NOMINAL_START, "us") + np.rint(minutes * 60e6).astype("timedelta64[us]")
    else:  # the model's calendar, once per distinct time
        distinct, back = np.unique(minutes, return_inverse=True)
        stamps = np.array([np.datetime64(clock(float(m)), "us") for m in distinct], dtype="datetime64[us]")[back]
    return np.datetime_as_string(stamps, unit="us").astype(object)
