"""How many replications are enough: the sequential relative-precision procedure.

Law (Simulation Modeling and Analysis, 5th ed., section 9.4.1): run ``n0`` replications,
then one more at a time until, for every watched metric, the half-width of the
95% Student-t interval is at most ``gamma'`` times the absolute mean, where
``gamma' = gamma / (1 + gamma)`` corrects for judging the error against the estimate
rather than the unknown true mean.  Stopped so, the interval's relative error is at
most ``gamma`` with probability close to 95%.  A first batch of at least 10
replications keeps the early-stopping bias small (Law's advice); the stop is also
bounded by ``max_replications`` and says when it hit that bound instead.

A share (a metric between 0 and 1) is judged against the larger of itself and its complement,
``max(p, 1 - p)``: a rare event's share and the share of its common complement are the same
fact and need the same replications; judged against ``p`` alone, blocking in one customer in
50,000 would need hundreds of replications to pin down to 5% of itself, which no planner
asks of it (and a share that is 0 in every replication but one could never stop).

govsim runs replications in rounds (the first batch, then ``ROUND`` at a time, so worker
processes stay busy) and checks the rule after every round; a round may overshoot the
stopping point by a few replications, which only tightens the intervals.  The rounds do
not depend on the number of workers, so the replications run, and the tables, are the
same whatever ``--jobs`` is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .stats import t_interval

FIRST = 10  # replications before the rule is first checked
ROUND = 4  # replications added between checks


def adjusted(gamma: float) -> float:
    """The target for half-width / |mean| that keeps the true relative error within gamma."""
    return gamma / (1.0 + gamma)


def relative_half_width(values: Iterable[float], share: bool = False) -> float:
    """Half-width of the 95% interval over |mean| (a ``share``: over max(mean, 1 - mean));
    inf when it cannot be judged yet (fewer than two values), 0 for a metric that never varies."""
    x = np.asarray(list(values), dtype=float)
    mean, lo, hi, n = t_interval(x)
    if n < 2 or math.isnan(lo):
        return math.inf
    half = (hi - lo) / 2
    if half == 0:
        return 0.0
    scale = max(abs(mean), 1.0 - abs(mean)) if share else abs(mean)
    return math.inf if scale == 0 else half / scale


@dataclass(frozen=True)
class Verdict:
    enough: bool
    worst_metric: str  # the metric furthest from the target
    worst: float  # its relative half-width
    target: float  # gamma'


def judge(per_metric: dict[str, list[float]], gamma: float, shares: frozenset = frozenset()) -> Verdict:
    """Whether every metric's relative half-width is within the adjusted target (those
    named in ``shares`` judged as shares)."""
    target = adjusted(gamma)
    widths = {m: relative_half_width(v, m in shares) for m, v in per_metric.items()}
    worst_metric = max(widths, key=lambda m: widths[m]) if widths else ""
    worst = widths.get(worst_metric, 0.0)
    return Verdict(worst <= target, worst_metric, worst, target)


def next_round(done: int, max_replications: int) -> int:
    """How many more replications to run: the first batch, then a round."""
    want = FIRST - done if done < FIRST else ROUND
    return max(0, min(want, max_replications - done))


def per_metric(reps, metrics: list[str]) -> dict[str, list[float]]:
    """The per-replication values of each (policy, metric) at scope ``all``, the rule's input."""
    sel = reps[(reps["scope"] == "all") & reps["metric"].isin(metrics)]
    return {f"{p}: {m}": list(g.sort_values("rep")["value"]) for (p, m), g in sel.groupby(["policy", "metric"])}


def run_until_precise(scenario, policies: list[str], gamma: float, max_replications: int, jobs=None, on_done=None,
                      scheduler=None, checkpoint=None, on_round=None):
    """Replications in rounds until every key metric (scope ``all``, every policy) is within
    ``gamma`` relative precision, or ``max_replications``.  Returns the table and the
    ``Verdict`` with the number of replications run.  ``on_round(n)``: a round that takes
    the study to n replications is about to run."""
    import pandas as pd

    from .experiment import run_experiment

    from .labels import vocabulary

    done, parts = 0, []
    metrics = list(scenario.model.key_metrics)
    fractions = vocabulary(scenario.model).fractions(metrics)
    shares = frozenset(f"{p}: {m}" for p in policies for m in fractions)  # per_metric's keys
    while True:
        more = next_round(done, max_replications)
        if more == 0:
            break
        if on_round is not None:
            on_round(done + more)
        batch = scenario.with_run(replications=done + more)
        parts.append(run_experiment(batch, policies, jobs, on_done=on_done, scheduler=scheduler,
                                    checkpoint=checkpoint, first_rep=done))
        done += more
        verdict = judge(per_metric(pd.concat(parts, ignore_index=True), metrics), gamma, shares)
        if verdict.enough:
            break
    reps = pd.concat(parts, ignore_index=True)
    order = {p: i for i, p in enumerate(policies)}
    reps = reps.sort_values(["policy", "rep"], key=lambda c: c.map(order) if c.name == "policy" else c,
                            kind="stable").reset_index(drop=True)
    return reps, judge(per_metric(reps, metrics), gamma, shares), done
