"""The log's own waits and abandonment, with 95% intervals over days.

Each is a ratio over days (waiting minutes / served; left unserved / tickets), so its
interval comes from the day totals (the ratio estimator's standard error, Student t
with days - 1 degrees of freedom): a hall that empties every night makes days
independent, tickets within a day are not.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def ratio_interval(top: np.ndarray, bottom: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """sum(top)/sum(bottom) over days, and its interval."""
    keep = bottom > 0
    top, bottom = top[keep], bottom[keep]
    n = len(bottom)
    if n == 0:
        return math.nan, math.nan, math.nan
    r = top.sum() / bottom.sum()
    if n < 2:
        return r, math.nan, math.nan
    se = math.sqrt(np.sum((top - r * bottom) ** 2) / (n * (n - 1))) / bottom.mean()
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
    return r, r - half, r + half


def observed(rows: pd.DataFrame, day: np.ndarray, cls: np.ndarray, classes: list[str]) -> pd.DataFrame:
    """scope (all, class:<name>), metric (wait_mean_min, abandon_frac), mean, ci_low, ci_high, days."""
    served = rows["served"].to_numpy()
    wait = ((rows["called"] - rows["arrived"]).dt.total_seconds() / 60).fillna(0).to_numpy()
    days = int(day.max()) + 1
    out = []
    for scope, mask in [("all", np.ones(len(rows), bool))] + [(f"class:{c}", cls == k) for k, c in enumerate(classes)]:
        d = day[mask]
        n = np.bincount(d, minlength=days)
        n_served = np.bincount(d, weights=served[mask], minlength=days)
        waits = np.bincount(d, weights=wait[mask] * served[mask], minlength=days)
        for metric, top, bottom in (("wait_mean_min", waits, n_served), ("abandon_frac", n - n_served, n)):
            mean, lo, hi = ratio_interval(np.asarray(top, float), np.asarray(bottom, float))
            lo, hi = max(lo, 0.0), (min(hi, 1.0) if metric == "abandon_frac" else hi)  # nan stays nan
            out.append((scope, metric, mean, lo, hi, int((bottom > 0).sum())))
    return pd.DataFrame(out, columns=["scope", "metric", "mean", "ci_low", "ci_high", "days"])
