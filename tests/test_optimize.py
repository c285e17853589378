"""The cheapest staffing meeting every target with 95% confidence; on one M/M/c station
it is the least c Erlang C gives."""
from __future__ import annotations

import pandas as pd
import pytest

from govsim import queueing as q
from govsim.optimize import (Search, Target, Vary, erlang_c_servers, parse_cost, parse_target, parse_vary,
                             path_keys, scenario_runner, start_point)
from govsim.scenario import load_scenario

from conftest import MMC_DEMO


def test_parsing_targets_ranges_and_costs():
    assert parse_target("wait_mean_min <= 5") == Target("wait_mean_min", "<=", 5.0)
    assert parse_target("utilisation>=0.6", "station:a") == Target("utilisation", ">=", 0.6, "station:a")
    assert parse_vary("stations.window.servers=1..20") == ("stations.window.servers", 1, 20)
    assert parse_cost("stations.window.servers=120") == ("stations.window.servers", 120.0)
    assert path_keys("stations.window.servers.1.1") == ("stations", "window", "servers", 1, 1)
    for bad, fn in (("wait < 5", parse_target), ("x=5..1", parse_vary), ("x", parse_vary), ("x=-1", parse_cost)):
        with pytest.raises(ValueError):
            fn(bad)


def test_erlang_c_estimate_is_the_least_c_meeting_the_wait():
    lam, s = 4.25, 1.0
    c = erlang_c_servers(lam, s, 0.5)
    assert q.mmc(lam, 1 / s, c).Wq <= 0.5 < q.mmc(lam, 1 / s, c - 1).Wq


def _fake_search(feasible, costs=(1.0, 1.0), lows=(0, 0), highs=(10, 10)):
    """A search whose 'simulation' returns a metric that is met exactly when feasible(values)."""
    varies = [Vary(f"x{i}", (f"x{i}",), lo, hi, c) for i, (lo, hi, c) in enumerate(zip(lows, highs, costs))]
    calls = []

    def run(values):
        calls.append(values)
        m = 0.0 if feasible(values) else 10.0 - sum(values)
        return pd.DataFrame({"policy": "p", "rep": [0, 1, 2], "scope": "all", "metric": "m",
                             "value": [m, m + 1e-9, m - 1e-9]})

    return Search(varies, [Target("m", "<=", 0.5)], run, "p"), calls


def test_the_search_finds_the_cheapest_corner_and_runs_nothing_twice():
    search, calls = _fake_search(lambda v: 2 * v[0] + v[1] >= 8, costs=(3.0, 1.0))
    best = search.solve((0, 0))
    assert best.feasible and 2 * best.values[0] + best.values[1] >= 8
    assert not any(search.evaluate(tuple(x - (j == i) for j, x in enumerate(best.values))).feasible
                   for i in range(2) if best.values[i] > 0)  # no one-unit saving stays feasible
    assert len(calls) == len(set(calls))


def test_no_feasible_point_within_the_ranges_is_said():
    search, _ = _fake_search(lambda v: False, highs=(2, 2))
    assert search.solve((0, 0)) is None


def test_an_input_that_changed_no_candidates_results_is_named():
    """x1 is never read: each candidate's replications are those of its x0 alone."""
    varies = [Vary("x0", ("x0",), 0, 10), Vary("x1", ("x1",), 0, 10)]

    def run(values):
        m = 0.0 if values[0] >= 3 else 10.0 - values[0]
        return pd.DataFrame({"policy": "p", "rep": [0, 1, 2], "scope": "all", "metric": "m",
                             "value": [m, m + 1e-9, m - 1e-9]})

    search = Search(varies, [Target("m", "<=", 0.5)], run, "p")
    assert search.solve((0, 0)).values == (3, 0)
    assert any(values[1] == 1 for values in search.seen)  # x1 was tried, and made no difference
    assert search.without_effect() == [varies[1]]
    single = Search(varies, [Target("m", "<=", 0.5)], run, "p")
    single.evaluate((3, 0))
    assert single.without_effect() == []  # nothing compared: no claim


@pytest.mark.statistical
def test_on_one_mmc_station_the_answer_is_the_least_c_erlang_c_gives(write_scenario):
    """Target: mean wait <= 0.3 min at 4.25 arrivals a minute, 1-minute service.  Erlang C:
    c = 5 gives 0.87, c = 6 gives 0.20 (0.1 below the bound, several half-widths of a
    20-replication interval), so the answer is 6, with 5 shown failing."""
    sc = load_scenario(write_scenario(MMC_DEMO.replace("replications: 10", "replications: 20")))
    lam = 1 / 0.2353
    assert q.mmc(lam, 1.0, 6).Wq <= 0.3 < q.mmc(lam, 1.0, 5).Wq
    varies = [Vary("stations.window.servers", path_keys("stations.window.servers"), 1, 20)]
    targets = [Target("wait_mean_min", "<=", 0.3)]
    start = start_point(sc, "base", varies, targets)
    assert start == (6,)  # the Erlang C estimate
    search = Search(varies, targets, scenario_runner(sc, "base", varies, jobs=2), "base")
    best = search.solve(start)
    assert best.values == (6,)
    assert not search.evaluate((5,)).feasible  # the evidence: one less fails
    assert sorted(v for (v,) in search.seen) == [5, 6]  # searched no more than needed
