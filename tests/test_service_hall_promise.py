"""Time limits as promises: the acceptance time the hall could promise at a service
level (95%, 90%) and the share accepted within a promised limit, on the working-day
clock from the first trip, checked on a tiny hall whose acceptance times are known by
hand."""
import math

import numpy as np
import pytest

from govsim.calendar import DAY
from govsim.models.service_hall import HallParams, kpis, simulate
from govsim.models.service_hall.kpis import promised
from govsim.models.service_hall.population import Population
from govsim.rng import Streams

from conftest import params_with

HALF_HOUR = {"dist": "deterministic", "value": 30}
ZERO = {"dist": "deterministic", "value": 0}
# one hour of arrivals, windows enough that nobody ever queues, every minute known:
# a complete file is accepted in 30 minutes; a file with its one document missing is
# handed back after 5 minutes, and the visitor returns the next working day
TINY = {
    "hours": {"open": "09:00", "close": "17:00"},
    "demand": {"visitors_per_day": 12, "by_hour": {"09:00": 1}},
    "groups": {"citizen": {"share": 1.0}},
    "departments": {"a": {"windows": 60}},
    "matters": {
        "ready": {"departments": ["a"], "share": 0.7, "accept": HALF_HOUR, "approve": ZERO, "documents": 1,
                  "p_missing": 0.0},
        "gappy": {"departments": ["a"], "share": 0.3, "accept": HALF_HOUR, "approve": ZERO, "documents": 1,
                  "p_missing": 1.0},
    },
    "layout": {"kind": "separate"},
    "documents": {"notice": "one_time", "check": {"dist": "deterministic", "value": 5},
                  "return_days": {"dist": "deterministic", "value": 1}},
    "promise": {"limit_h": 12},
}
DAYS = 5


def by_hand(params, seed):
    """Each visitor's acceptance time in hours, from its draws alone."""
    population = Population(params, Streams(seed, 0), DAYS)
    times = {}
    for who in population.people:
        if who.matter == "ready":
            times[who.vid] = 0.5
        else:  # handed back at t + 5 min, back the next day at its time of day, 30 min at the window
            back = (math.floor(who.t_arrive / DAY) + 1) * DAY + population.later(who, 0).time_of_day
            times[who.vid] = (back + 30 - who.t_arrive) / 60
    return population.people, times


def kept_for(hours, level):
    """The shortest time within which at least ``level`` of the matters were accepted."""
    ordered = sorted(hours)
    return next(t for t in ordered if sum(h <= t for h in ordered) >= level * len(ordered))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_promise_metrics_of_a_hall_known_by_hand(seed):
    params = params_with(HallParams, TINY)
    people, expected = by_hand(params, seed)
    rec = simulate(params, Streams(seed, 0), DAYS, 0)
    assert {v.vid: (v.t_accepted - v.t_first) / 60 for v in rec.visitors} == pytest.approx(expected)
    m = {(s, k): v for s, k, v in kpis(rec, params)}
    for scope, chosen in (("all", people), ("matter:gappy", [p for p in people if p.matter == "gappy"])):
        hours = [expected[p.vid] for p in chosen]
        assert 20 < len(hours) if scope == "all" else 5 < len(hours)
        assert m[scope, "acceptance_time_p95_h"] == pytest.approx(kept_for(hours, 0.95))
        assert m[scope, "acceptance_time_p90_h"] == pytest.approx(kept_for(hours, 0.90))
        assert m[scope, "accepted_within_limit_share"] == pytest.approx(np.mean(np.array(hours) <= 12))
        assert m[scope, "acceptance_time_mean_h"] == pytest.approx(np.mean(hours))
    ready = sum(p.matter == "ready" for p in people)
    assert m["all", "accepted_within_limit_share"] == pytest.approx(ready / len(people))  # a return costs a night
    assert m["matter:ready", "acceptance_time_p95_h"] == pytest.approx(0.5)
    assert m["matter:ready", "accepted_within_limit_share"] == 1
    assert 23 < m["matter:gappy", "acceptance_time_p95_h"] < 25.5  # the next day, within an hour either side


def test_the_promise_is_an_observed_time_kept_for_the_level():
    hours = np.arange(1.0, 21.0)  # 1, 2, ..., 20 hours
    assert promised(hours, 0.95) == 19.0  # 19 of 20 within 19 h
    assert promised(hours, 0.90) == 18.0
    assert promised(hours[:19], 0.95) == 19.0  # 18 of 19 is below 95%: the promise must cover the 19th
    assert promised(np.array([3.0]), 0.95) == 3.0 and math.isnan(promised(np.array([]), 0.95))


def test_a_matter_still_open_is_outside_every_promise():
    hours = np.append(np.arange(1.0, 20.0), np.nan)  # 19 accepted, one still open
    assert promised(hours, 0.95) == 19.0  # the open one is the 5% the promise may miss
    assert math.isnan(promised(np.append(hours, np.nan), 0.95))  # 2 of 21 open: no time keeps 95%


def test_without_a_promised_limit_there_is_no_share_within_it():
    spec = {k: v for k, v in TINY.items() if k != "promise"}
    params = params_with(HallParams, spec)
    m = {(s, k) for s, k, _ in kpis(simulate(params, Streams(1, 0), 2, 0), params)}
    assert ("all", "acceptance_time_p95_h") in m and ("all", "accepted_within_limit_share") not in m
