"""Patience: how long a visitor waits before leaving unserved.

Censored maximum likelihood over the four families (ranked by AIC): a visitor who left
unserved shows its patience (finished - arrived); a served visitor's wait (called -
arrived) says only that its patience was longer (right-censored); so does the wait of
a visitor sent home when the hall closed (unserved tickets closed together, at one
time stamp after the day's last call: no one chose to leave then).  With times to the
minute each of these is known only to within its minute (``mle.RoundedCensored``), as
service times are.  The report sets the fit beside the Kaplan–Meier estimate.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from .mle import Censored, Fit, RoundedCensored, choose, rank, weighted

MIN_FOR_SHAPE = 30  # abandons needed before two-parameter families are tried; fewer: exponential only
MAX_REL_SE = 0.5  # a family whose mean the waits cannot pin down (tail beyond them) is passed over
BATCH = 3  # unserved tickets closed at the same time stamp: the hall closing


@dataclass
class PatienceFit:
    fits: list[Fit]
    chosen: Fit
    data: Censored
    counts: tuple[int, int, int]  # left unserved (exact), served (right-censored), sent home in a batch (right-censored)


def batch_closed(rows: pd.DataFrame) -> np.ndarray:
    """Unserved tickets closed together (at least BATCH at one time stamp) after the day's
    last call: the hall closing, not visitors choosing to leave."""
    left = ~rows["served"].to_numpy()
    finished = rows.loc[left, "finished"]
    shared = finished.map(finished.value_counts())
    calls = rows.loc[~left, "called"]
    last_call = calls.groupby(calls.dt.normalize()).max()
    after = finished.dt.normalize().map(last_call)
    out = np.zeros(len(rows), dtype=bool)
    out[np.flatnonzero(left)] = ((shared >= BATCH) & ~(finished < after)).to_numpy()
    return out


def patience_data(rows: pd.DataFrame, batch: np.ndarray, resolution_s: int) -> Censored:
    served = rows["served"].to_numpy()
    to_finish = (rows["finished"] - rows["arrived"]).dt.total_seconds().to_numpy() / 60
    wait = (rows["called"] - rows["arrived"]).dt.total_seconds().to_numpy() / 60
    right = np.concatenate([wait[served], to_finish[batch]])
    right = weighted(right[right > 0])  # a zero wait is mostly a visitor called on arrival: it says nothing
    if resolution_s >= 60:  # as the service fit: times cut to the minute, a zero abandon read kept
        return RoundedCensored(weighted(to_finish[~served & ~batch]), right, int(batch.sum()), resolution_s / 60)
    exact = np.maximum(to_finish[~served & ~batch], resolution_s / 120)  # a zero read: half a tick
    return Censored(weighted(exact), right, int(batch.sum()))


def fit_patience(data: Censored) -> Optional[PatienceFit]:
    """None when nobody left unserved: the maximum-likelihood patience is then endless."""
    if data.n == 0:
        return None
    fits = rank(data) if data.n >= MIN_FOR_SHAPE else rank(data, ("exponential",))
    counts = (int(data.exact[1].sum()), int(data.right[1].sum()) - data.batch, data.batch)
    return PatienceFit(fits, choose(fits, MAX_REL_SE), data, counts)
