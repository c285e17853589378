"""Parameters of township job fairs (``model: job_fair``).

Each township has a pool of people who may look for a local job; fairs held in
the township draw walk-ins from it and people whom township and village cadres
contact (mobilisation, 发动乡村干部联系有就业意愿的劳动力).  At a fair, employers'
booths each have a few recruiters; visitors queue, give up at long queues, try
several booths, and each talk ends in a hiring intention with a chance that
depends on how well the visitor fits the employers' needs.
"""
from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field
from scipy.special import betaincinv

from ...calendar import Clock
from ...distributions import Distribution
from ...model_api import Count, Name, NonNeg, Positive, PositiveCount, Prob, StrictParams


class Township(StrictParams):
    pool: Count = Field(
        description="people in the township who may look for a local job over the campaign")


class Fairs(StrictParams):
    count: PositiveCount = Field(description="fairs over the campaign (run.days), spread over the days and townships")
    allocation: Literal["by_pool", "even"] = Field(
        "by_pool", description="fairs per township: one each, the rest in proportion to the pools (by_pool) or "
        "round the townships in turn (even)")
    opens: Clock = Field(description="the fair opens, 'HH:MM'")
    closes: Clock = Field(description="no one joins a queue after this, 'HH:MM'; those queueing are still heard")
    arrivals_by_hour: dict[Clock, NonNeg] = Field(
        description="relative arrival rate through the fair: {'08:00': 2, '09:00': 1.5, ...}; each entry "
        "covers the hour it starts, within opening hours")

    def segments(self) -> list[tuple[float, float, float]]:
        """(start, end, share of the fair's arrivals) for each part of an hour the fair is open."""
        raw = []
        for start, w in sorted(self.arrivals_by_hour.items()):
            lo, hi = max(start, self.opens), min(start + 60, self.closes)
            if hi > lo and w > 0:
                raw.append((float(lo), float(hi), w * (hi - lo)))
        total = sum(x[2] for x in raw)
        return [(lo, hi, w / total) for lo, hi, w in raw] if total else []


class BoothGroup(StrictParams):
    count: PositiveCount = Field(description="booths of this kind at every fair")
    recruiters: PositiveCount = Field(description="recruiters talking to visitors at once at each booth")
    attractiveness: Positive = Field(1.0, description="relative chance a visitor puts such a booth on their list")
    fit_factor: Positive = Field(1.0, description="multiplies a visitor's chance of an intention in a talk here "
                                 "(jobs that suit more people, a firm that hires on the spot)")


class Mobilisation(StrictParams):
    contacts: Count = Field(
        description="pool members the cadres contact before each fair (0: no mobilisation)")
    comes: Prob = Field(description="chance a contacted person comes")
    targeting: NonNeg = Field(
        description="how much the cadres pick people who fit employers' needs: the chance of being contacted "
        "goes with fit ** targeting (0: anyone; 1: in proportion to fit)")


class Attendance(StrictParams):
    walk_in: Prob = Field(description="chance a pool member still without an intention comes to a fair in "
                          "their township unasked (posters, WeChat groups)")
    mobilisation: Mobilisation


class Fit(StrictParams):
    """A visitor's chance that one talk ends in a hiring intention: Beta distributed
    over the pool, with this mean and concentration (a + b)."""

    mean: Annotated[float, Field(gt=0, lt=1)]
    concentration: Positive = Field(description="a + b of the Beta distribution: lower, more unequal")

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Fits from uniforms (inverse transform): a policy that changes the mean or the
        concentration keeps every person's rank in the pool (a higher mean raises every fit)."""
        return betaincinv(self.mean * self.concentration, (1 - self.mean) * self.concentration, u)


class Visitors(StrictParams):
    fit: Fit
    booths: Distribution = Field(description="booths a visitor means to try (rounded, at least 1)")
    talk_min: Distribution = Field(description="minutes of one talk with a recruiter")
    balk_over: Distribution = Field(description="a visitor passes a booth by when more than this many are waiting")
    patience_min: Distribution = Field(description="minutes a visitor queues at a booth before giving up on it")
    after_intention: Literal["leave", "continue"] = Field(
        "leave", description="with an intention in hand, leave the fair, or go on with the booths planned")


class JobFairParams(StrictParams):
    townships: Annotated[dict[Name, Township], Field(min_length=1)]
    fairs: Fairs
    booths: Annotated[dict[Name, BoothGroup], Field(min_length=1)]
    attendance: Attendance
    visitors: Visitors

    def cross_check(self) -> list[tuple[tuple, str]]:
        issues: list[tuple[tuple, str]] = []
        if not self.fairs.opens < self.fairs.closes:
            issues.append((("fairs", "closes"), "the fair must close after it opens"))
        elif not self.fairs.segments():
            issues.append((("fairs", "arrivals_by_hour"), "no arrivals while the fair is open"))
        if sum(t.pool for t in self.townships.values()) == 0:
            issues.append((("townships",), "every pool is empty"))
        return issues

    def allocate(self) -> dict[str, int]:
        """Fairs per township.  With at least as many fairs as townships every township
        gets one; the rest go by largest remainder in proportion to the pools (by_pool)
        or in turn (even)."""
        names = list(self.townships)
        n, k = self.fairs.count, len(names)
        out = {t: 0 for t in names}
        if n >= k:
            for t in names:
                out[t] = 1
            rest = n - k
        else:
            rest = n
        if self.fairs.allocation == "even" or sum(t.pool for t in self.townships.values()) == 0:
            weights = {t: 1.0 for t in names}
        else:
            weights = {t: float(self.townships[t].pool) for t in names}
        total = sum(weights.values())
        quotas = {t: rest * weights[t] / total for t in names}
        for t in names:
            out[t] += math.floor(quotas[t])
        left = n - sum(out.values())
        by_remainder = sorted(names, key=lambda t: (-(quotas[t] - math.floor(quotas[t])), names.index(t)))
        for t in by_remainder[:left]:
            out[t] += 1
        return out

    def schedule(self, days: int) -> list[tuple[int, str, int]]:
        """(day, township, the township's fair number) for every fair, in order: each
        township's fairs spread evenly through the campaign, the fairs one after another."""
        alloc = self.allocate()
        names = list(self.townships)
        items = [((j + 0.5) / m, names.index(t), t, j) for t, m in alloc.items() for j in range(m)]
        items.sort()
        total = len(items)
        return [(int(i * days // total), t, j) for i, (_, _, t, j) in enumerate(items)]
