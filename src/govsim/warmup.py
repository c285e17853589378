"""Warm-up detection: MSER-5 on an output series.

MSER (White 1997; MSER-5 after Franklin and White 2008): average the series in batches
of 5, and for each truncation point d (in batches) compute
``sum_{i>d} (Z_i - mean_d)^2 / (n - d)^2``, the squared standard error of the mean of
what is kept, up to a constant.  Its minimum balances dropping biased early values
against keeping enough data.  Only the first half of the series is searched: a
minimum past it means the run is too short to tell (reported, not hidden).

For a steady-state study the series is the pooled (across replications) output over
time, e.g. the number waiting in each time bin; for day-based models it is one value a
day (``carry-over``: work brought in from earlier days, such as return trips).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BATCH = 5


@dataclass(frozen=True)
class Truncation:
    index: int  # first observation kept (a multiple of BATCH)
    statistic: np.ndarray  # MSER value per candidate truncation (in batches)
    too_short: bool  # the minimum lies past the first half: run longer


def mser(series, batch: int = BATCH) -> Truncation:
    """The truncation point that minimises MSER over the first half of ``series``."""
    x = np.asarray(series, dtype=float)
    n_batches = len(x) // batch
    if n_batches < 4:
        raise ValueError(f"too few observations for MSER-{batch}: {len(x)} (need at least {4 * batch})")
    z = x[: n_batches * batch].reshape(n_batches, batch).mean(axis=1)
    # suffix sums give every truncation's mean and squared deviations in one pass
    tail_n = np.arange(n_batches, 0, -1, dtype=float)
    tail_sum = np.cumsum(z[::-1])[::-1]
    tail_sq = np.cumsum((z * z)[::-1])[::-1]
    sq_dev = tail_sq - tail_sum ** 2 / tail_n
    stat = sq_dev / tail_n ** 2
    half = n_batches // 2
    full_best = int(np.argmin(stat[: n_batches - 1]))
    best = int(np.argmin(stat[: half + 1]))
    return Truncation(best * batch, stat, full_best > half)
