"""Confidence intervals over replications and paired comparisons between policies."""
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


def summarize(reps: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per (policy, scope, metric): mean, ci_low, ci_high, n."""
    rows = []
    for key, group in reps.groupby(KEYS, sort=False):
        mean, lo, hi, n = t_interval(group["value"].to_numpy(), confidence)
        rows.append((*key, mean, lo, hi, n))
    return pd.DataFrame(rows, columns=KEYS + ["mean", "ci_low", "ci_high", "n"])


def compare(reps: pd.DataFrame, baseline: str, confidence: float = 0.95) -> pd.DataFrame:
    """Each policy minus the baseline, paired by replication (common random numbers
    make the pairs positively correlated, so the paired interval is the tight one)."""
    base = reps[reps["policy"] == baseline].set_index(["rep", "scope", "metric"])["value"]
    rows = []
    for (policy, scope, metric), group in reps[reps["policy"] != baseline].groupby(KEYS, sort=False):
        b = base.reindex(pd.MultiIndex.from_arrays([group["rep"], [scope] * len(group), [metric] * len(group)]))
        diff = group["value"].to_numpy() - b.to_numpy()
        mean, lo, hi, n = t_interval(diff, confidence)
        b_mean = float(np.nanmean(b.to_numpy())) if np.any(~np.isnan(b.to_numpy())) else math.nan
        rel = mean / b_mean if b_mean not in (0.0,) and not math.isnan(b_mean) else math.nan
        rows.append((policy, baseline, scope, metric, mean, lo, hi, rel))
    return pd.DataFrame(rows, columns=["policy", "baseline", "scope", "metric", "diff_mean", "ci_low", "ci_high", "rel_change"])
