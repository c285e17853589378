"""Arrivals per hour, per class: the network model's ``rate_per_hour``.

The maximum-likelihood rate of a Poisson process in an hour of the day is the tickets
taken in that hour over the days the log covers (standard error: sqrt(count)/days).
When the log covers every weekday and the weekdays differ (a likelihood-ratio test
against one daily profile, p < 0.01), each weekday gets its own 24 hours: 168 entries
from Monday 00:00, the weekday govsim's runs start on.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

WEEKDAY_TEST_P = 0.01
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class ArrivalFit:
    classes: list[str]
    counts: np.ndarray  # class x weekday x hour: tickets taken
    days_by_weekday: np.ndarray  # days of each weekday the log covers
    first_day: pd.Timestamp
    days: int
    weekly: bool
    test: tuple[float, int, float]  # G statistic, degrees of freedom, p-value (nan: log shorter than a week)
    dispersion: np.ndarray  # per hour: variance / mean of the daily ticket counts (1 for Poisson)
    open_days: int  # days with at least one ticket

    def rates(self, k: int) -> np.ndarray:
        """Class k's arrivals per hour: 24 entries, or 168 from Monday 00:00."""
        if self.weekly:
            return (self.counts[k] / np.maximum(self.days_by_weekday, 1)[:, None]).ravel()
        return self.counts[k].sum(axis=0) / self.days

    def standard_errors(self, k: int) -> np.ndarray:
        if self.weekly:
            return (np.sqrt(self.counts[k]) / np.maximum(self.days_by_weekday, 1)[:, None]).ravel()
        return np.sqrt(self.counts[k].sum(axis=0)) / self.days


def fit_arrivals(arrived: pd.Series, cls: np.ndarray, classes: list[str]) -> ArrivalFit:
    """``arrived``: ticket times; ``cls``: each ticket's class index into ``classes``."""
    first = arrived.min().normalize()
    day = ((arrived - first) // pd.Timedelta(days=1)).to_numpy()
    days = int(day.max()) + 1
    weekday = arrived.dt.day_of_week.to_numpy()
    hour = arrived.dt.hour.to_numpy()
    counts = np.bincount((cls * 7 + weekday) * 24 + hour, minlength=len(classes) * 168).reshape(len(classes), 7, 24)
    by_weekday = np.bincount((first.day_of_week + np.arange(days)) % 7, minlength=7)
    total = counts.sum(axis=0)
    test = _weekday_test(total, by_weekday) if days >= 7 else (np.nan, 0, np.nan)
    weekly = bool(days >= 7 and test[2] < WEEKDAY_TEST_P)
    daily = np.bincount(day * 24 + hour, minlength=days * 24).reshape(days, 24)
    day_weekday = (first.day_of_week + np.arange(days)) % 7
    dispersion = _dispersion(daily, day_weekday if weekly else np.zeros(days, np.int64))
    return ArrivalFit(classes, counts, by_weekday, first, days, weekly, test, dispersion, len(np.unique(day)))


def _dispersion(daily: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per hour: the variance of the daily counts over their mean, over the open days (a
    day with a ticket) and within each group of days that share a profile (the weekday,
    when weekdays get their own): a closed Sunday or a busy Monday is no chance variation."""
    open_day = daily.sum(axis=1) > 0
    squares, freedom, total, n = np.zeros(24), 0, np.zeros(24), 0
    for g in np.unique(group[open_day]):
        x = daily[open_day & (group == g)]
        total, n = total + x.sum(axis=0), n + len(x)
        if len(x) > 1:
            squares += ((x - x.mean(axis=0)) ** 2).sum(axis=0)
            freedom += len(x) - 1
    if not freedom:
        return np.full(24, np.nan)
    mean = total / n
    return np.divide(squares / freedom, mean, out=np.full(24, np.nan), where=mean > 0)


def _weekday_test(total: np.ndarray, by_weekday: np.ndarray) -> tuple[float, int, float]:
    """Poisson likelihood ratio: one rate per weekday-hour against one per hour."""
    rate = total.sum(axis=0) / by_weekday.sum()
    expected = rate[None, :] * by_weekday[:, None]
    seen = total > 0
    g = 2.0 * float(np.sum(total[seen] * np.log(total[seen] / expected[seen])))
    df = int((rate > 0).sum()) * (int((by_weekday > 0).sum()) - 1)
    return g, df, float(stats.chi2.sf(g, df)) if df else 1.0
