"""Sweeps expand into named policies on common random numbers; checked against Erlang C
at every point."""
from __future__ import annotations

import pytest

from govsim import queueing as q
from govsim.errors import ScenarioErrors
from govsim.experiment import run_experiment
from govsim.scenario import load_scenario
from govsim.stats import summarize
from govsim.sweep import from_cli, parse_values

from conftest import MMC_DEMO


def test_values_from_a_range_a_list_or_text():
    assert parse_values("4..8") == [4, 5, 6, 7, 8]
    assert parse_values("0.8,1,1.2") == [0.8, 1, 1.2]
    assert parse_values([1, {"dist": "exponential", "mean": 2}]) == [1, {"dist": "exponential", "mean": 2}]
    assert from_cli("stations.window.servers=5..6") == ("stations.window.servers", [5, 6])
    for bad in ("8..4", "1,,2", []):
        with pytest.raises(ValueError):
            parse_values(bad)
    with pytest.raises(ValueError, match="PATH=LO..HI"):
        from_cli("stations.window.servers")


def test_a_sweep_in_the_file_becomes_named_policies_on_the_baseline(write_scenario):
    text = MMC_DEMO + "sweep:\n  - {path: stations.*.servers, values: \"5..7\"}\n"
    sc = load_scenario(write_scenario(text))
    assert sc.policy_names == ["servers=5", "servers=6", "servers=7"]
    assert sc.baseline_policy == "servers=5"
    assert [sc.resolved[p].stations["window"].servers for p in sc.policy_names] == [5, 6, 7]
    assert sc.swept["servers=6"] == {"stations.*.servers": 6}


def test_two_sweeps_cross(write_scenario):
    sc = load_scenario(write_scenario(MMC_DEMO)).with_sweeps(
        [("stations.window.servers", [5, 6]), ("classes.citizen.arrivals", [{"dist": "exponential", "mean": 0.25}])])
    assert sc.policy_names == ['servers=5,arrivals={"dist": "exponential", "mean": 0.25}',
                               'servers=6,arrivals={"dist": "exponential", "mean": 0.25}']


def test_a_bad_sweep_is_one_clear_error(write_scenario):
    sc = load_scenario(write_scenario(MMC_DEMO))
    with pytest.raises(ScenarioErrors) as err:
        sc.with_sweeps([("stations.window.serverz", [5])])
    assert "--sweep: stations.window.serverz: no field 'serverz'" in err.value.errors[0].one_line()
    with pytest.raises(ScenarioErrors) as err:
        sc.with_sweeps([("stations.window.servers", [0])])
    assert "servers=0" in err.value.errors[0].one_line()


def test_a_bad_sweep_in_the_file_names_its_line(write_scenario):
    text = MMC_DEMO + "sweep:\n  - {path: stations.*.serverz, values: \"5..7\"}\n"
    with pytest.raises(ScenarioErrors) as err:
        load_scenario(write_scenario(text))
    line = err.value.errors[0].one_line()
    assert ":21: sweep[0].path: " in line and "no field 'serverz'" in line


@pytest.mark.statistical
def test_a_sweep_of_servers_against_erlang_c_at_every_point(write_scenario):
    sc = load_scenario(write_scenario(MMC_DEMO)).with_sweeps([("stations.window.servers", [5, 6, 7])])
    sc = sc.with_run(replications=20)
    summary = summarize(run_experiment(sc, jobs=2))
    lam, mu = 1 / 0.2353, 1.0
    for c in (5, 6, 7):
        row = summary[(summary["policy"] == f"servers={c}") & (summary["scope"] == "station:window")
                      & (summary["metric"] == "wait_mean_min")].iloc[0]
        exact = q.mmc(lam, mu, c).Wq
        # a 99.9% interval (five checks): the 95% half-width times t(0.9995,19)/t(0.975,19)
        half = (row["ci_high"] - row["ci_low"]) / 2 * (3.883 / 2.093)
        assert abs(row["mean"] - exact) <= half, (c, row["mean"], exact, half)
