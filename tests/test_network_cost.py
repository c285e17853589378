"""Staff cost and service levels of the network model: exact arithmetic from the run's
own records, and the wait-within share against Erlang C."""
from __future__ import annotations

import math

import pytest

from govsim import queueing as q
from govsim.models.network import NetworkModel, NetworkParams
from govsim.rng import Streams
from govsim.scenario import RunSettings
from govsim.stats import t_interval

SPEC = {"classes": {"c": {"arrivals": {"dist": "exponential", "mean": 0.25}, "route": ["w"]}},
        "stations": {"w": {"servers": 5, "service": {"dist": "exponential", "mean": 1.0},
                           "cost_per_server_hour_yuan": 60}},
        "service_level_wait_min": [0, 2, 1e9]}
RUN = RunSettings(replications=1, horizon_min=3000, warmup_min=300)


def _rows(spec, rep=0):
    return {(s, m): v for s, m, v in NetworkModel().run(NetworkParams.model_validate(spec), Streams(5, rep), RUN)}


def test_staff_cost_is_staffed_hours_times_the_rate_and_per_customer_per_day():
    r = _rows(SPEC)
    assert r[("station:w", "staffed_hours_per_day")] == pytest.approx(5 * 24)
    assert r[("all", "staff_cost_yuan_per_day")] == pytest.approx(5 * 24 * 60)
    served_per_day = r[("all", "served")] / ((3000 - 300) / 1440)
    assert r[("all", "cost_per_customer_yuan")] == pytest.approx(5 * 24 * 60 / served_per_day)


def test_no_cost_given_no_cost_rows_and_a_huge_threshold_is_everyone_served():
    spec = {**SPEC, "stations": {"w": {"servers": 5, "service": {"dist": "exponential", "mean": 1.0}}}}
    r = _rows(spec)
    assert ("all", "staff_cost_yuan_per_day") not in r
    assert r[("wait_within:1e+09min", "wait_within_share")] == pytest.approx(1.0)
    assert r[("wait_within:0min", "wait_within_share")] < r[("wait_within:2min", "wait_within_share")] < 1


@pytest.mark.statistical
def test_the_share_served_without_waiting_is_one_minus_erlang_c():
    values = [_rows(SPEC, rep)[("wait_within:0min", "wait_within_share")] for rep in range(20)]
    mean, lo, hi, _ = t_interval(values, 0.99)
    exact = 1 - q.erlang_c(5, 4.0)
    assert lo <= exact <= hi, (mean, lo, hi, exact)
    assert not math.isnan(mean)
