"""How many replications are enough: the sequential relative-precision procedure.

Law (Simulation Modeling and Analysis, 5th ed., section 9.4.1): run ``n0`` replications,
then one more at a time until, for every watched metric, the half-width of the
95% Student-t interval is at most ``gamma'`` times the absolute mean, where
``gamma' = gamma / (1 + gamma)`` corrects for judging the error against the estimate
rather than the unknown true mean.  Stopped so, the interval's relative error is at
most ``gamma`` with probability close to 95%.  A first batch of at least 10
replications keeps the early-stopping bias small (Law's advice); the stop is also
bounded by ``max_replications`` and says when it hit that bound instead.

govsim runs replications in rounds (as many as the worker processes can take), so the
rule is checked after every round; a round may overshoot the stopping point by a few
replications, which only tightens the intervals.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .stats import t_interval

FIRST = 10  # replications before the rule is first checked


def adjusted(gamma: float) -> float:
    """The target for half-width / |mean| that keeps the true relative error within gamma."""
    return gamma / (1.0 + gamma)


def relative_half_width(values: Iterable[float]) -> float:
    """Half-width of the 95% interval over |mean|; inf when it cannot be judged yet
    (fewer than two values), 0 for a metric that never varies."""
    x = np.asarray(list(values), dtype=float)
    mean, lo, hi, n = t_interval(x)
    if n < 2 or math.isnan(lo):
        return math.inf
    half = (hi - lo) / 2
    if half == 0:
        return 0.0
    return math.inf if mean == 0 else half / abs(mean)


@dataclass(frozen=True)
class Verdict:
    enough: bool
    worst_metric: str  # the metric furthest from the target
    worst: float  # its relative half-width
    target: float  # gamma'


def judge(per_metric: dict[str, list[float]], gamma: float) -> Verdict:
    """Whether every metric's relative half-width is within the adjusted target."""
    target = adjusted(gamma)
    widths = {m: relative_half_width(v) for m, v in per_metric.items()}
    worst_metric = max(widths, key=lambda m: widths[m]) if widths else ""
    worst = widths.get(worst_metric, 0.0)
    return Verdict(worst <= target, worst_metric, worst, target)


def next_round(done: int, jobs: int, max_replications: int) -> int:
    """How many more replications to run: the first batch, then a round of ``jobs``."""
    want = FIRST - done if done < FIRST else max(1, jobs)
    return max(0, min(want, max_replications - done))
