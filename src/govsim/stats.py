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
from scipy import stats as sps

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
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


SHARE_METHOD = ("Student-t interval over replications, clipped to [0, 1] for shares (to [-1, 1] for "
                "their differences): the true value lies in that range, so clipping keeps the coverage")


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
    half = float(sps.t.ppf(0.5 + confidence / 2, df) * math.sqrt(se2))
    return diff, diff - half, diff + half


def summarize(reps: pd.DataFrame, confidence: float = 0.95, fractions=frozenset()) -> pd.DataFrame:
    """One row per (policy, scope, metric): mean, ci_low, ci_high, n.  Intervals of the
    metrics in ``fractions`` (shares) are kept inside [0, 1]."""
    rows = []
    for key, group in reps.groupby(KEYS, sort=False):
        mean, lo, hi, n = t_interval(group["value"].to_numpy(), confidence)
        if key[2] in fractions:
            lo, hi = clip(lo, hi, 0.0, 1.0)
        rows.append((*key, mean, lo, hi, n))
    return pd.DataFrame(rows, columns=KEYS + ["mean", "ci_low", "ci_high", "n"])


def compare(reps: pd.DataFrame, baseline: str, confidence: float = 0.95, fractions=frozenset()) -> pd.DataFrame:
    """Each policy minus the baseline, paired by replication (common random numbers
    make the pairs positively correlated, so the paired interval is the tight one).
    ``rel_change`` is the mean difference over the baseline's mean, left empty where the
    baseline's own interval includes zero (a near-zero base) and for the metrics in
    ``fractions``, whose intervals stay inside [-1, 1] (a share changes in percentage points)."""
    base = reps[reps["policy"] == baseline].set_index(["rep", "scope", "metric"])["value"]
    rows = []
    for (policy, scope, metric), group in reps[reps["policy"] != baseline].groupby(KEYS, sort=False):
        b = base.reindex(pd.MultiIndex.from_arrays([group["rep"], [scope] * len(group), [metric] * len(group)]))
        diff = group["value"].to_numpy() - b.to_numpy()
        mean, lo, hi, n = t_interval(diff, confidence)
        b_mean, b_lo, b_hi, _ = t_interval(b.to_numpy(), confidence)
        # a change relative to a base not clearly away from zero says nothing: left empty
        rel = mean / b_mean if not (math.isnan(b_mean) or b_mean == 0 or b_lo <= 0 <= b_hi) else math.nan
        if metric in fractions:
            lo, hi = clip(lo, hi, -1.0, 1.0)
            rel = math.nan
        rows.append((policy, baseline, scope, metric, mean, lo, hi, rel))
    return pd.DataFrame(rows, columns=["policy", "baseline", "scope", "metric", "diff_mean", "ci_low", "ci_high", "rel_change"])
