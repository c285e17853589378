"""The compiled event loop (numba) gives the Python loop's records and tables, float for
float: on random networks with every feature (rosters, priorities, patience, waiting rooms,
rework, demand factors), and on the shipped scenarios through the experiment runner."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from govsim.calendar import DAY
from govsim.distributions import Distribution
from govsim.experiment import run_experiment
from govsim.model_api import Trace
from govsim.models.network import NetworkParams, compiled, kpis, population, simulate
from govsim.rng import Streams
from govsim.scenario import load_scenario

from conftest import SCENARIOS
from test_network_properties import networks


def both(params, seed, horizon, warmup):
    return (simulate(params, Streams(seed, 0), horizon, warmup, engine="python"),
            simulate(params, Streams(seed, 0), horizon, warmup, engine="compiled"))


def assert_same_records(a, b):
    assert a.columns.keys() == b.columns.keys()
    for name in a.columns:
        x, y = a.columns[name], b.columns[name]
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), name
    assert a.overrun == b.overrun
    assert _same_rows(kpis(a), kpis(b))


def _same_rows(a, b):
    return len(a) == len(b) and all((s, m) == (t, n) and (v == w or (np.isnan(v) and np.isnan(w)))
                                    for (s, m, v), (t, n, w) in zip(a, b))


def test_numba_compiles_the_loop():
    """The fast path is there (numba comes with the bench extra, as `make` installs it)."""
    assert compiled.available()


@pytest.mark.parametrize("dist", [{"dist": "exponential", "mean": 0.7}, {"dist": "exponential", "mean": 123.4},
                                  {"dist": "uniform", "low": 0.3, "high": 7.9}, {"dist": "deterministic", "value": 2.5}])
def test_service_times_drawn_a_block_at_a_time_are_the_quantile_functions_own(dist):
    """The population computes whole arrays where that is exact (numba's log1p is libm's, as
    Python's math module's): float for float what the distribution's quantile_fn gives."""
    d = TypeAdapter(Distribution).validate_python(dist)
    u = np.random.default_rng(3).random(200_000)
    u[:3] = [0.0, 0.5, 1 - 2**-53]
    fn = d.quantile_fn()
    assert np.array_equal(population._quantiles(d, fn, u), np.array([fn(x) for x in u.tolist()]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=networks(), seed=st.integers(0, 2**31), warmup=st.floats(0, 100),
       horizon=st.sampled_from([300.0, 2000.0]))
def test_the_compiled_loop_records_what_the_python_loop_records(params, seed, warmup, horizon):
    assert_same_records(*both(params, seed, horizon, warmup))


@pytest.mark.parametrize("factors", [{"weekday": {"mon": 1.4, "tue": 0.3, "sat": 0}}, {"month": {"jan": 2.5}}])
def test_the_same_under_demand_factors_and_weekly_rosters(factors):
    spec = {"classes": {"walk_in": {"arrivals": {"dist": "gamma", "mean": 3.0, "cv": 1.4}, "route": ["desk", "pay"],
                                    "patience": {"dist": "exponential", "mean": 25.0}, "priority": 1},
                        "booked": {"arrivals": {"rate_per_hour": [0] * 8 + [20] * 9 + [0] * 7}, "start": "desk",
                                   "transitions": {"desk": {"desk": 0.3, "pay": 0.4, "exit": 0.3},
                                                   "pay": {"exit": 1.0}}}},
            "stations": {"desk": {"servers": {"weekdays": [["00:00", 0], ["08:00", 3], ["12:00", 1], ["13:00", 3],
                                                           ["17:00", 0]], "sat": [["00:00", 0], ["09:00", 2],
                                                                                  ["12:00", 0]], "sun": 0},
                                  "service": {"dist": "lognormal", "mean": 4.0, "cv": 0.8}, "discipline": "priority"},
                         "pay": {"servers": 1, "service": {"dist": "erlang", "mean": 1.5, "k": 2}, "max_waiting": 5}},
            "demand_factors": factors}
    params = NetworkParams.model_validate(spec)
    assert not params.cross_check()
    for seed in (1, 2):
        assert_same_records(*both(params, seed, 7 * DAY, DAY))


def test_a_trace_needs_the_python_loop():
    params = NetworkParams.model_validate({"classes": {"c": {"arrivals": {"dist": "exponential", "mean": 1.0},
                                                             "route": ["w"]}},
                                           "stations": {"w": {"servers": 1, "service": {"dist": "exponential",
                                                                                        "mean": 0.5}}}})
    with pytest.raises(ValueError, match="trace"):
        simulate(params, Streams(1, 0), 10.0, 0.0, trace=Trace(), engine="compiled")
    traced = simulate(params, Streams(1, 0), 100.0, 0.0, trace=Trace())  # auto: the Python loop
    assert_same_records(traced, simulate(params, Streams(1, 0), 100.0, 0.0, engine="compiled"))


@pytest.mark.parametrize("name", ["mmc_demo.yaml", "pooling_demo.yaml"])
def test_the_shipped_scenarios_tables_are_the_same_either_way(name, monkeypatch):
    scenario = load_scenario(SCENARIOS / name).with_run(replications=2)
    fast = run_experiment(scenario, jobs=1)
    monkeypatch.setenv("GOVSIM_ENGINE", "python")
    slow = run_experiment(scenario, jobs=1)
    assert fast.equals(slow)
