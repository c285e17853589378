"""The fitted scenario runs, and reproduces the log it came from.

These tests run the fitted scenario, whose stations carry a roster
(``servers: [["00:00", 0], ["08:00", 5], ...]``), and the closed loop makes its log
with the network model on a known roster: they need the network model to accept a
roster for ``servers`` (the planner's-questions issue).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from govsim.calendar import DAY
from govsim.cli import app
from govsim.experiment import run_experiment
from govsim.fit import fit_log
from govsim.fit.synthetic import MONDAY
from govsim.model_api import START, Trace
from govsim.models.network import NetworkParams, simulate
from govsim.rng import Streams
from govsim.scenario import load_scenario
from govsim.stats import compare, summarize

from conftest import REPO

EXAMPLE = REPO / "examples" / "hall_log.csv"


@pytest.fixture(scope="module")
def fitted_example(tmp_path_factory):
    out = tmp_path_factory.mktemp("fit") / "hall.yaml"
    result = CliRunner().invoke(app, ["fit", str(EXAMPLE), "--out", str(out), "--quiet"])
    return out, result


def test_the_fitted_scenario_validates_and_runs(fitted_example):
    out, result = fitted_example
    assert result.exit_code == 0 and result.stderr == "", result.output  # no "does not run yet" warning
    scenario = load_scenario(out)
    reps = run_experiment(scenario.with_run(replications=2), jobs=1)
    assert set(reps["policy"]) == {"fitted", "busy_windows_roster"} and reps["value"].notna().any()


def test_the_roster_choice_moves_the_predicted_waits(fitted_example):
    """The busy-windows roster has fewer windows at some hours: paired by replication, its
    waits are longer and more visitors leave, both clear of noise; the report sets both
    beside the log's own."""
    out, _ = fitted_example
    scenario = load_scenario(out)
    diff = compare(run_experiment(scenario, jobs=1), "fitted").set_index(["policy", "scope", "metric"])
    for metric in ("wait_mean_min", "abandon_frac"):
        assert diff.loc[("busy_windows_roster", "all", metric), "ci_low"] > 0, metric
    table = pd.read_csv(out.with_name("hall-report") / "roster_choice.csv")
    assert set(table["source"]) == {"log", "fitted", "busy_windows_roster"}


# -- the closed loop: a log made by govsim's own network model --------------------------
ROSTER = [["00:00", 0], ["08:00", 4], ["12:00", 2], ["13:00", 4], ["17:00", 0]]
HALL = {
    "classes": {
        "a": {"arrivals": {"rate_per_hour": [0] * 8 + [14, 16, 14, 12, 8, 12, 14, 10] + [0] * 8},
              "route": ["windows"], "patience": {"dist": "exponential", "mean": 30.0}},
        "b": {"arrivals": {"rate_per_hour": [0] * 8 + [6, 8, 7, 6, 4, 6, 7, 5] + [0] * 8}, "route": ["windows"]},
    },
    "stations": {"windows": {"servers": ROSTER, "service": {
        "default": {"dist": "lognormal", "mean": 10.0, "cv": 0.6},
        "by_class": {"b": {"dist": "gamma", "mean": 14.0, "cv": 0.5}}}}},
}


def _on_duty(t: float) -> int:
    minute = t % DAY
    return [n for hm, n in ROSTER if int(hm[:2]) * 60 + int(hm[3:]) <= minute][-1]


def network_log(days: int, seed: int) -> pd.DataFrame:
    """One replication of HALL, traced, as a queue-ticket export.  The model's servers have
    no names: each start goes to a free window among those on duty (the one idle longest),
    as a hall's calling system would; the engine starts a service only when fewer than
    the windows on duty are busy, so one is always free."""
    trace = Trace()
    simulate(NetworkParams.model_validate(HALL), Streams(seed, 0), days * DAY, 0.0, trace=trace)
    ev = pd.DataFrame(trace.rows, columns=["case", "activity", "t", "transition", "resource"])
    first = ev.groupby("case")["t"].min()
    start = ev[(ev["activity"] == "serve") & (ev["transition"] == START)].set_index("case")["t"]
    end = ev[(ev["activity"] == "serve") & (ev["transition"] != START)].set_index("case")["t"]
    left = ev[ev["activity"] == "abandon"].set_index("case")["t"]
    window = {}
    idle_since = np.zeros(max(n for _, n in ROSTER))
    busy = {}
    moves = sorted([(t, 1, c) for c, t in start.items()] + [(t, 0, c) for c, t in end.items()])
    for t, kind, case in moves:  # ends first at equal times: a window freed at t can call at t
        if kind == 0:
            w = busy.pop(case)
            idle_since[w] = t
            continue
        free = [w for w in range(_on_duty(t)) if w not in busy.values()]
        w = min(free, key=lambda w: idle_since[w])
        busy[case], window[case] = w, w

    def stamp(minutes: pd.Series) -> pd.Series:
        return (MONDAY + pd.to_timedelta((minutes * 60).round(), unit="s")).dt.strftime("%Y-%m-%d %H:%M:%S")

    log = pd.DataFrame({"matter": first.index.str.split(":").str[0], "arrived": stamp(first)}, index=first.index)
    log["called"] = stamp(start).reindex(log.index).fillna("")
    log["finished"] = stamp(pd.concat([end, left])).reindex(log.index).fillna("")
    log["window"] = pd.Series(window).reindex(log.index).map(lambda w: f"W{int(w) + 1}" if w == w else "")
    return log.sort_values("arrived").reset_index(drop=True)


@pytest.mark.statistical
def test_closed_loop_the_fit_of_a_network_log_reproduces_it(tmp_path):
    """A 30-day log made by the network model on a known roster: the fitted roster is the
    true one where visitors keep coming, and the fitted scenario, run, gives waits and
    abandonment whose 95% intervals meet the log's own (the fit's parameters carry the
    log's sampling error, so the two intervals, not one, bound the difference)."""
    path = tmp_path / "network.csv"
    network_log(30, 7).to_csv(path, index=False)
    out = tmp_path / "fitted.yaml"
    result = CliRunner().invoke(app, ["fit", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    (station,) = fit_log(path).stations
    true = [_on_duty(h * 60) for h in range(24)]
    assert station.roster()[:16] == true[:16]
    table = pd.read_csv(tmp_path / "fitted-report" / "roster_choice.csv").set_index(["source", "scope", "metric"])
    for metric in ("wait_mean_min", "abandon_frac"):
        log, sim = table.loc[("log", "all", metric)], table.loc[("fitted", "all", metric)]
        assert sim["ci_low"] <= log["ci_high"] and log["ci_low"] <= sim["ci_high"], (metric, log.to_dict(), sim.to_dict())
