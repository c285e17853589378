"""Confidence intervals over replications and paired comparisons between policies.

Shares (metrics between 0 and 1, passed as ``fractions``) keep their intervals inside
[0, 1] and their differences inside [-1, 1]: the Student-t interval is clipped to the
range the true value lies in.  Clipping removes only values the true mean cannot take,
so the interval covers the true value exactly as often as the t interval does (near 0 or
1, where replications pile up at the bound, that coverage is approximate with few
replications, as for any skewed metric).  Their relative change is left empty: a share
changes in percentage points.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student t quantile: what scipy.stats.t.ppf calls, without
# importing scipy.stats (half a second at every start)

KEYS = ["policy", "scope", "metric"]


def t_interval(values, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and two-sided Student-t interval of the non-missing values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan, 1
    half = float(stdtrit(n - 1, 0.5 + confidence / 2) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


SHARE_METHOD = ("Student-t interval over replications, clipped to [0, 1] for shares (to [-1, 1] for "
                "their differences) and at 0 for counts, times and costs: the true value lies in that "
                "range, so clipping keeps the coverage")


def clip(lo: float, hi: float, low: float, high: float) -> tuple[float, float]:
    """An interval cut to [low, high] (NaN stays NaN)."""
    return (lo if math.isnan(lo) else min(max(lo, low), high), hi if math.isnan(hi) else min(max(hi, low), high))


def welch_interval(a, b, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``b`` minus mean of ``a`` and its two-sided Welch interval (unequal
    variances, Welch-Satterthwaite degrees of freedom): for independent samples."""
    x, y = (np.asarray(v, dtype=float) for v in (a, b))
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if len(x) == 0 or len(y) == 0:
        return math.nan, math.nan, math.nan
    diff = float(y.mean() - x.mean())
    if len(x) < 2 or len(y) < 2:
        return diff, math.nan, math.nan
    va, vb = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se2 = va + vb
    if se2 == 0:
        return diff, diff, diff
    df = se2 ** 2 / (va ** 2 / (len(x) - 1) + vb ** 2 / (len(y) - 1))
    half = float(stdtrit(df, 0.5 + confidence / 2) * math.sqrt(se2))
    return diff, diff - half, diff + half


def nonnegative_metrics(model) -> frozenset[str]:
    """The metrics of ``model`` that are never below zero (all but its ``signed_metrics``)."""
    return frozenset(model.metrics) - frozenset(model.signed_metrics)


def interval_bounds(model) -> dict[str, frozenset[str]]:
    """``summarize``'s bounds for ``model``'s metrics: its shares (``fractions``, by their
    unit) and those never below zero (``nonnegative``); ``compare`` takes the first."""
    from .labels import vocabulary

    return {"fractions": frozenset(vocabulary(model).fractions(model.metrics)),
            "nonnegative": nonnegative_metrics(model)}


def summarize(reps: pd.DataFrame, confidence: float = 0.95, fractions=frozenset(),
              nonnegative=frozenset()) -> pd.DataFrame:
    """One row per (policy, scope, metric): mean, ci_low, ci_high, n.  Intervals of the
    metrics in ``fractions`` (shares) are kept inside [0, 1], those in ``nonnegative``
    (counts, times, costs) above 0."""
    columns = KEYS + ["mean", "ci_low", "ci_high", "n"]
    groups = _Groups(reps)
    if groups.count == 0:
        return pd.DataFrame([], columns=columns)
    mean, lo, hi, n = groups.t_intervals(reps["value"].to_numpy(dtype=float), confidence)
    shares = groups.is_share(fractions)
    lo, hi = _clip_where(shares, lo, hi, 0.0, 1.0)
    lo, hi = _clip_where(groups.is_share(nonnegative) & ~shares, lo, hi, 0.0, math.inf)
    return pd.DataFrame({**groups.keys, "mean": mean, "ci_low": lo, "ci_high": hi, "n": n},
                        columns=columns)


def compare(reps: pd.DataFrame, baseline: str, confidence: float = 0.95, fractions=frozenset()) -> pd.DataFrame:
    """Each policy minus the baseline, paired by replication (common random numbers
    make the pairs positively correlated, so the paired interval is the tight one).
    ``rel_change`` is the mean difference over the baseline's mean, left empty where the
    baseline's own interval includes zero (a near-zero base) and for the metrics in
    ``fractions``, whose intervals stay inside [-1, 1] (a share changes in percentage points)."""
    columns = ["policy", "baseline", "scope", "metric", "diff_mean", "ci_low", "ci_high", "rel_change"]
    base = reps[reps["policy"] == baseline].set_index(["rep", "scope", "metric"])["value"]
    others = reps[reps["policy"] != baseline]
    groups = _Groups(others)
    if groups.count == 0:
        return pd.DataFrame([], columns=columns)
    # each other row's baseline value in the same replication (NaN where there is none)
    b = base.reindex(pd.MultiIndex.from_arrays([others["rep"], others["scope"], others["metric"]])).to_numpy(dtype=float)
    mean, lo, hi, _ = groups.t_intervals(others["value"].to_numpy(dtype=float) - b, confidence)
    b_mean, b_lo, b_hi, _ = groups.t_intervals(b, confidence)
    # a change relative to a base not clearly away from zero says nothing: left empty
    no_base = np.isnan(b_mean) | (b_mean == 0) | ((b_lo <= 0) & (0 <= b_hi))
    rel = np.full(len(mean), math.nan)
    np.divide(mean, b_mean, out=rel, where=~no_base)
    shares = groups.is_share(fractions)
    lo, hi = _clip_where(shares, lo, hi, -1.0, 1.0)
    rel[shares] = math.nan
    keys = groups.keys
    return pd.DataFrame({"policy": keys["policy"], "baseline": [baseline] * len(mean), "scope": keys["scope"],
                         "metric": keys["metric"], "diff_mean": mean, "ci_low": lo, "ci_high": hi, "rel_change": rel},
                        columns=columns)


class _Groups:
    """The rows of a replications table grouped by (policy, scope, metric), groups in the
    order they first appear and rows in table order within a group: what
    ``groupby(KEYS, sort=False)`` gives, for computing every group's interval at once."""

    def __init__(self, reps: pd.DataFrame):
        ids = reps.groupby(KEYS, sort=False).ngroup().to_numpy(dtype=float)
        kept = ~np.isnan(ids)  # rows with a missing key belong to no group, as in groupby
        self.rows = np.flatnonzero(kept)
        self.ids = ids[kept].astype(np.int64)
        self.count = int(self.ids.max()) + 1 if len(self.ids) else 0
        first = self.rows[np.unique(self.ids, return_index=True)[1]]
        # policy, scope and metric of each group, as lists: the frame gets the types a
        # frame built from rows has
        self.keys = {k: reps[k].to_numpy()[first].tolist() for k in KEYS}

    def is_share(self, metrics) -> np.ndarray:
        """Whether each group's metric is among ``metrics`` (the shares, say)."""
        return np.array([m in metrics for m in self.keys["metric"]], dtype=bool)

    def t_intervals(self, values: np.ndarray, confidence: float):
        """``t_interval`` of each group's values (in the table's row order, missing values
        left out): arrays of mean, low, high and n, one entry per group.  The sums run in
        the same order as numpy's over one group's array, so every number is the same to
        the last bit as ``t_interval`` gives."""
        values = values[self.rows]
        present = ~np.isnan(values)
        order = np.argsort(self.ids[present], kind="stable")
        packed = values[present][order]  # each group's values, together, in row order
        n = np.bincount(self.ids[present], minlength=self.count)
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])
        mean, lo, hi = (np.full(self.count, math.nan) for _ in range(3))
        for size in np.unique(n[n > 0]):
            which = np.flatnonzero(n == size)
            x = packed[starts[which, None] + np.arange(size)]
            m = x.sum(axis=1) / size
            mean[which] = m
            if size > 1:
                d = x - (x.sum(axis=1, keepdims=True) / size)
                sd = np.sqrt((d * d).sum(axis=1) / (size - 1))
                half = stdtrit(size - 1, 0.5 + confidence / 2) * sd / math.sqrt(size)
                lo[which], hi[which] = m - half, m + half
        return mean, lo, hi, n


def _clip_where(rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, low: float, high: float):
    """``clip`` applied to the intervals of ``rows`` (a mask), exactly as it works on one."""
    def cut(v):
        v = np.where(low > v, low, v)  # max(v, low): v unless low is larger (NaN stays)
        return np.where(high < v, high, v)  # min(v, high)
    return np.where(rows, cut(lo), lo), np.where(rows, cut(hi), hi)
