"""Tiny deterministic networks whose outcomes are known exactly (SimPy's own style)."""
import numpy as np
import pytest

from govsim.model_api import Trace
from govsim.models.network import NetworkParams, kpis, simulate
from govsim.models.network.engine import ABANDONED, SERVED
from govsim.rng import Streams
from govsim.stats import t_interval


def det(v):
    return {"dist": "deterministic", "value": v}


def build(classes, stations):
    return NetworkParams.model_validate({"classes": classes, "stations": stations})


def metrics(params, horizon, warmup=0.0, seed=1):
    rows = kpis(simulate(params, Streams(seed, 0), horizon, warmup))
    return {(scope, metric): value for scope, metric, value in rows}


def test_no_waiting_when_arrivals_are_spaced_wider_than_service():
    p = build({"c": {"arrivals": det(2), "route": ["w"]}}, {"w": {"servers": 1, "service": det(1)}})
    m = metrics(p, 100)
    assert m["all", "arrived"] == 50  # arrivals at 2, 4, ..., 100
    assert m["all", "served"] == 49  # the one arriving at 100 is still in service
    assert m["all", "in_system_end"] == 1
    assert m["all", "wait_mean_min"] == 0
    assert m["all", "sojourn_mean_min"] == 1
    assert m["station:w", "utilisation"] == pytest.approx(0.49)


def test_waits_grow_by_one_when_service_takes_twice_the_gap():
    # customer i arrives at i and starts at 2i - 1, so waits i - 1
    p = build({"c": {"arrivals": det(1), "route": ["w"]}}, {"w": {"servers": 1, "service": det(2)}})
    m = metrics(p, 20)
    assert m["all", "served"] == 9  # completions at 3, 5, ..., 19
    assert m["all", "wait_mean_min"] == pytest.approx(np.mean(range(9)))
    assert m["station:w", "wait_p90_min"] == pytest.approx(np.percentile(range(9), 90))
    # waiting area: sum_{i<=10} (i-1) + sum_{i=11..20} (20-i) = 45 + 45
    assert m["station:w", "queue_len_mean"] == pytest.approx(90 / 20)
    assert m["station:w", "utilisation"] == pytest.approx(19 / 20)


def test_warmup_excludes_early_customers_and_early_time():
    p = build({"c": {"arrivals": det(1), "route": ["w"]}}, {"w": {"servers": 1, "service": det(2)}})
    m = metrics(p, 20, warmup=10.5)
    assert m["all", "arrived"] == 10  # arrivals at 11..20
    assert m["all", "served"] == 0  # none of them finishes by 20
    assert np.isnan(m["all", "wait_mean_min"])
    assert m["station:w", "utilisation"] == pytest.approx(1.0)


def test_non_preemptive_priority_serves_the_urgent_class_next():
    # one server, 5 min each; 'low' arrives every minute, 'high' every 4 minutes.
    # The first low customer is in service 1-6; high1 (arrived 4) goes next at 6.
    classes = {"low": {"arrivals": det(1), "route": ["w"], "priority": 1},
               "high": {"arrivals": det(4), "route": ["w"], "priority": 0}}
    for discipline, expected_high_wait in (("priority", [2.0, 3.0]), ("fifo", [])):
        p = build(classes, {"w": {"servers": 1, "service": det(5), "discipline": discipline}})
        rec = simulate(p, Streams(1, 0), 16, 0).arrays()
        high = (rec["v_class"] == 1) & (rec["v_outcome"] == SERVED)
        assert list(rec["v_start"][high] - rec["v_arr"][high]) == expected_high_wait, discipline


def test_a_full_waiting_room_blocks_arrivals():
    # max_waiting 0: with gaps of 1 and service of 1.5, every second arrival is blocked
    p = build({"c": {"arrivals": det(1), "route": ["w"]}},
              {"w": {"servers": 1, "service": det(1.5), "max_waiting": 0}})
    m = metrics(p, 10.5)
    assert m["all", "arrived"] == 10
    assert m["all", "blocked"] == 5
    assert m["all", "blocked_frac"] == 0.5
    assert m["all", "served"] == 5


def test_customers_abandon_after_their_patience():
    # service 5, arrivals every minute, patience 1.5: customers 2-4 give up,
    # customer 5 reaches the server at 6 after waiting 1
    p = build({"c": {"arrivals": det(1), "route": ["w"], "patience": det(1.5)}},
              {"w": {"servers": 1, "service": det(5)}})
    m = metrics(p, 7)
    assert m["all", "arrived"] == 7
    assert m["all", "served"] == 1
    assert m["all", "abandoned"] == 3
    assert m["all", "in_system_end"] == 3
    assert m["all", "abandon_frac"] == pytest.approx(3 / 7)
    rec = simulate(p, Streams(1, 0), 7, 0).arrays()
    gave_up = rec["v_outcome"] == ABANDONED
    assert list(rec["v_end"][gave_up] - rec["v_arr"][gave_up]) == [1.5, 1.5, 1.5]
    # the abandoners' waiting time counts in the queue length; nobody abandons twice
    assert m["station:w", "queue_len_mean"] == pytest.approx((3 * 1.5 + 1 + 1 + 0) / 7)


def test_tandem_route_sums_waits_and_sojourns_over_the_journey():
    p = build({"c": {"arrivals": det(10), "route": ["a", "b", "a"]}},
              {"a": {"servers": 1, "service": det(2)}, "b": {"servers": 1, "service": det(3)}})
    m = metrics(p, 100)
    assert m["all", "sojourn_mean_min"] == 7
    assert m["all", "visits_mean"] == 3
    assert m["station:a", "served"] == 2 * m["station:b", "served"]
    assert m["station:a", "sojourn_mean_min"] == 2


def test_probabilistic_rework_counts_every_visit():
    p = build({"c": {"arrivals": det(10), "start": "check", "transitions": {
        "check": {"fix": 0.4, "exit": 0.6}, "fix": {"check": 1.0}}}},
              {"check": {"servers": 1, "service": det(1)}, "fix": {"servers": 1, "service": det(1)}})
    rec = simulate(p, Streams(3, 0), 100_000, 0).arrays()
    done = rec["c_outcome"] == SERVED
    visits = rec["c_visits"][done]
    assert set(np.unique(visits) % 2) == {1}  # check, (fix, check)*, exit
    # visits to 'check' are geometric with mean 1/0.6: 2/0.6 - 1 visits in all, inside the
    # 99.9% interval of the sample mean
    mean, lo, hi, _ = t_interval(visits, 0.999)
    assert lo <= 2 / 0.6 - 1 <= hi, (mean, lo, hi)


def test_per_class_service_times():
    p = build({"a": {"arrivals": det(10), "route": ["w"]}, "b": {"arrivals": det(10), "route": ["w"]}},
              {"w": {"servers": 2, "service": {"default": det(1), "by_class": {"b": det(4)}}}})
    m = metrics(p, 1000)
    assert m["class:a", "sojourn_mean_min"] == 1
    assert m["class:b", "sojourn_mean_min"] == 4


def test_rate_profile_arrivals_only_in_open_hours():
    profile = [0] * 8 + [30] * 9 + [0] * 7  # 30 an hour from 08:00 to 17:00
    p = build({"c": {"arrivals": {"rate_per_hour": profile}, "route": ["w"]}},
              {"w": {"servers": 50, "service": det(1)}})
    rec = simulate(p, Streams(5, 0), 30 * 1440, 0).arrays()
    hours = (rec["c_arr"] % 1440) // 60
    assert hours.min() >= 8 and hours.max() <= 16
    # 270 a day on average: Poisson count over 30 days, 99.9% bounds
    n = len(rec["c_arr"])
    assert abs(n - 30 * 270) < 3.3 * np.sqrt(30 * 270)


def test_the_event_log_of_a_small_tandem_line_event_by_event():
    # arrivals every minute to a (2 min, one server, room for one waiting) then b (0.5 min),
    # patience 1.5 min: c:1 waits and is served, c:2 gives up, c:3 finds the room full
    p = build({"c": {"arrivals": det(1), "route": ["a", "b"], "patience": det(1.5)}},
              {"a": {"servers": 1, "service": det(2), "max_waiting": 1}, "b": {"servers": 1, "service": det(0.5)}})
    trace = Trace()
    m = {(s, k): v for s, k, v in kpis(simulate(p, Streams(1, 0), 5, 0, trace))}
    S, C = "start", "complete"
    assert trace.rows == [
        ("c:0", "arrive", 1, C, ""), ("c:0", "serve", 1, S, "a"),
        ("c:1", "arrive", 2, C, ""), ("c:1", "queue", 2, C, "a"),
        ("c:0", "serve", 3, C, "a"), ("c:1", "serve", 3, S, "a"), ("c:0", "route", 3, C, "b"),
        ("c:0", "serve", 3, S, "b"), ("c:2", "arrive", 3, C, ""), ("c:2", "queue", 3, C, "a"),
        ("c:0", "serve", 3.5, C, "b"), ("c:0", "leave", 3.5, C, ""),
        ("c:3", "arrive", 4, C, ""), ("c:3", "block", 4, C, "a"), ("c:3", "leave", 4, C, ""),
        ("c:2", "abandon", 4.5, C, "a"), ("c:2", "leave", 4.5, C, ""),
        ("c:1", "serve", 5, C, "a"), ("c:1", "route", 5, C, "b"), ("c:1", "serve", 5, S, "b"),
        ("c:4", "arrive", 5, C, ""), ("c:4", "serve", 5, S, "a"),
    ]
    assert (m["all", "arrived"], m["all", "served"], m["all", "abandoned"], m["all", "blocked"]) == (5, 1, 1, 1)
    assert (m["station:a", "served"], m["station:b", "served"]) == (2, 1)
    assert kpis(simulate(p, Streams(1, 0), 5, 0)) == kpis(simulate(p, Streams(1, 0), 5, 0, Trace()))
