"""Sweeps expand into named policies on common random numbers; checked against Erlang C
at every point."""
from __future__ import annotations

import pandas as pd
import pytest

from govsim import queueing as q
from govsim.errors import ScenarioErrors
from govsim.experiment import run_experiment
from govsim.scenario import load_scenario
from govsim.stats import summarize
from govsim.sweep import Sweep, from_cli, parse_values, short_labels, without_effect

from conftest import MMC_DEMO, SCENARIOS


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


def test_crossed_sweeps_are_named_by_the_shortest_end_that_tells_their_paths_apart():
    assert short_labels(["stations.civil_desk.servers", "stations.tax_desk.servers"]) == [
        "civil_desk.servers", "tax_desk.servers"]
    assert short_labels(["stations.window.servers", "classes.citizen.arrivals"]) == ["servers", "arrivals"]  # as before
    assert short_labels(["a.x.servers", "b.x.servers", "c.servers"]) == ["a.x.servers", "b.x.servers", "c.servers"]
    sc = load_scenario(SCENARIOS / "pooling_demo.yaml").with_sweeps(
        [("stations.civil_desk.servers", [2, 3]), ("stations.tax_desk.servers", [2, 3])])
    assert sc.policy_names == ["civil_desk.servers=2,tax_desk.servers=2", "civil_desk.servers=2,tax_desk.servers=3",
                               "civil_desk.servers=3,tax_desk.servers=2", "civil_desk.servers=3,tax_desk.servers=3"]
    assert sc.resolved["civil_desk.servers=2,tax_desk.servers=3"].stations["tax_desk"].servers == 3
    assert sc.swept_on == "separate"


def test_an_input_swept_twice_is_refused(write_scenario):
    sc = load_scenario(write_scenario(MMC_DEMO))
    for specs, words in (
            ([("stations.window.servers", [5, 8]), ("stations.window.servers", [6, 7])],
             "--sweep: stations.window.servers: swept twice; give all its values in one sweep"),
            ([("stations.*.servers", [5]), ("stations.window.servers", [6])],
             "--sweep: stations.window.servers: sets params.stations.window.servers, which stations.*.servers "
             "sweeps already; sweep each input once")):
        with pytest.raises(ScenarioErrors) as err:
            sc.with_sweeps(specs)
        assert len(err.value.errors) == 1 and words in err.value.errors[0].one_line()
    text = MMC_DEMO + "sweep:\n  - {path: stations.window.servers, values: \"5..6\"}\n" \
                      "  - {path: stations.window.servers, values: \"7..8\"}\n"
    with pytest.raises(ScenarioErrors) as err:
        load_scenario(write_scenario(text))
    assert ":22: sweep[1].path: stations.window.servers: swept twice" in err.value.errors[0].one_line()


def _replications(values: dict) -> pd.DataFrame:
    """policy -> its replications' values of one metric, as run_experiment's table."""
    return pd.DataFrame([(p, r, 1, "all", "wait_mean_min", v) for p, vs in values.items() for r, v in enumerate(vs)],
                        columns=["policy", "rep", "seed", "scope", "metric", "value"])


def test_a_swept_input_whose_every_value_gave_identical_results_is_found():
    read = Sweep("stations.window.servers", (("stations", "window", "servers"),), (5, 6))
    unread = Sweep("stations.annex.servers", (("stations", "annex", "servers"),), (1, 2))
    swept = {f"servers={x},annex={y}": {read.path: x, unread.path: y} for x in (5, 6) for y in (1, 2)}
    reps = _replications({p: [10.0 - v[read.path], float("nan")] for p, v in swept.items()})  # NaN alike is alike
    assert without_effect([read, unread], swept, reps) == [unread]
    reps.loc[(reps["policy"] == "servers=5,annex=2") & (reps["rep"] == 0), "value"] += 1e-12  # any difference counts
    assert without_effect([read, unread], swept, reps) == []
    # nothing to compare (one value, or one of the policies run): no claim either way
    assert without_effect([read], {"servers=5": {read.path: 5}}, _replications({"servers=5": [1.0]})) == []
    assert without_effect([read], {"servers=5": {read.path: 5}, "servers=6": {read.path: 6}},
                          _replications({"servers=5": [1.0]})) == []


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
