"""Warm-up detection: MSER-5 on an output series.

MSER (White 1997; MSER-5 after Franklin and White 2008): average the series in batches
of 5, and for each truncation point d (in batches) compute
``sum_{i>d} (Z_i - mean_d)^2 / (n - d)^2``, the squared standard error of the mean of
what is kept, up to a constant.  Its minimum balances dropping biased early values
against keeping enough data.  Only the first half of the series is searched (the
statistic is erratic over the last few batches): a minimum at its edge means the run is
too short to tell (reported, not hidden).

For a steady-state study the series is the pooled (across replications) output over
time, e.g. the number waiting in each time bin; for day-based models it is one value a
day (``carry-over``: work brought in from earlier days, such as return trips).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model_api import COMPLETE

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
    # centred: the squared deviations below are a difference of sums, which on a series far
    # from 0 (a count around 1e6) would cancel to noise; a shift changes no deviation
    z = z - z.mean()
    # suffix sums give every truncation's mean and squared deviations in one pass
    tail_n = np.arange(n_batches, 0, -1, dtype=float)
    tail_sum = np.cumsum(z[::-1])[::-1]
    tail_sq = np.cumsum((z * z)[::-1])[::-1]
    sq_dev = tail_sq - tail_sum ** 2 / tail_n
    stat = sq_dev / tail_n ** 2
    half = n_batches // 2
    best = int(np.argmin(stat[: half + 1]))
    # the statistic is erratic over the last few batches, so only the first half is
    # searched; a best cut at its edge means the series had not settled by mid-run
    return Truncation(best * batch, stat, best >= half)


def open_cases(events: list, edges: np.ndarray, final: tuple = ("leave",), after_service: tuple = ()) -> np.ndarray:
    """Mean number of cases open in each bin of ``edges`` (minutes), from one replication's
    event log: a case is open from its first event to its last, or to the end of the run
    when its last event is not one of ``final`` completed (it has not left; an approval
    begun is not one done).  Events in ``after_service`` (logged after the case left the
    service) are not counted.  Any model with an event log gives this series."""
    first: dict = {}
    last: dict = {}
    for case, activity, t, transition, _resource in events:
        if activity in after_service:
            continue
        if case not in first:
            first[case] = t
        last[case] = (t, activity in final and transition == COMPLETE)
    start = np.fromiter(first.values(), dtype=float, count=len(first))
    end = np.fromiter((t if ended else edges[-1] for t, ended in (last[c] for c in first)),
                      dtype=float, count=len(first))
    area = np.zeros(len(edges) - 1)
    for lo_i in range(len(edges) - 1):  # bins are few (hundreds): a loop over bins, vectorised over cases
        lo, hi = edges[lo_i], edges[lo_i + 1]
        area[lo_i] = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0, None).sum()
    return area / np.diff(edges)


@dataclass(frozen=True)
class Suggestion:
    series: np.ndarray  # pooled over replications, one value per bin
    edges: np.ndarray  # bin edges in the run's units: minutes from its start, or working days
    cut: Truncation
    value: float  # the suggested warm-up in ``unit``: edges[cut.index]
    unit: str  # "min" or "days"
    batch: int  # observations per batch: MSER-5 on time bins, MSER-1 on days
    halves: tuple[float, ...] = ()  # the suggestion from each half of the replications (none with one)

    @property
    def method(self) -> str:
        return f"MSER-{self.batch}"


BINS = 200  # for steady-state runs: enough points for MSER-5 (40 batches)


def suggest(scenario, policy: str, jobs=None, scheduler=None, on_done=None) -> Suggestion:
    """Run ``policy`` from empty (no warm-up) and suggest a warm-up by MSER on the pooled
    number of open cases: MSER-5 over time bins for a run in minutes, MSER-1 over days for
    a day-based model (the carry-over of cases from day to day: return trips, backlogs)."""
    from .experiment import run_experiment

    run, model = scenario.run, scenario.model
    if run.days is not None:
        sc = scenario.with_run(warmup_days=0)
        edges = np.arange(0.0, run.days + 1)
        log_edges = model.day_starts(scenario.resolved[policy], run.days)  # the event log's time of each day
        unit = "days"
    else:
        sc = scenario.with_run(warmup_min=0.0)
        edges = log_edges = np.linspace(0.0, run.horizon, BINS + 1)
        unit = "min"
    _, events = run_experiment(sc, [policy], jobs, trace=True, scheduler=scheduler, on_done=on_done)
    per_rep = np.array([open_cases(rows, log_edges, model.final_activities, model.after_service_activities)
                        for rows in events.values()])
    series = per_rep.mean(axis=0)
    batch = 1 if unit == "days" else BATCH  # a day is already a batch of a day's events
    cut = mser(series, batch=batch)
    # the same rule on each half of the replications: two independent answers show how
    # much the cut moves with the noise (on a flat plateau it can land anywhere on it)
    halves = tuple(float(edges[mser(per_rep[k::2].mean(axis=0), batch=batch).index]) for k in (0, 1)) \
        if len(per_rep) >= 2 else ()
    return Suggestion(series, edges, cut, float(edges[cut.index]), unit, batch, halves)


def too_short(scenario) -> str:
    """Why ``scenario``'s run is too short for a suggestion ("" when it is not): MSER needs
    at least four batches, here days (a day-based model) or time bins."""
    days = scenario.run.days
    if days is not None and days < 4:
        return f"run.days is {days}: MSER needs at least 4 days to tell a warm-up from the rest"
    return ""
