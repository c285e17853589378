"""One-at-a-time sensitivity on common random numbers: exact answers at both ends of a
range, and a robustness verdict that names the input breaking a claim."""
from __future__ import annotations

import pandas as pd
import pytest

from govsim import queueing as q
from govsim.scenario import load_scenario
from govsim.sensitivity import robustness, run_sensitivity, sensitivity_table, swings

pytestmark = pytest.mark.statistical

# An M/M/c with an uncertain service time (whole distributions replace each other) and
# an uncertain number of servers; the claim "mean wait at most 1 min" holds with 5
# servers at the base service time (Erlang C: 0.55 min), and fails at the high end of
# the service time (2.3 min).
MMC = """\
name: mmc-sensitivity
model: network
run:
  replications: 12
  seed: 11
  horizon_min: 20000      # long enough for a tight interval of the mean wait
  warmup_min: 2000        # 10% of the horizon
params:
  classes:
    citizen:
      arrivals: {dist: exponential, mean: 0.25}   # 4 a minute
      route: [window]
  stations:
    window:
      servers: 5
      service: {dist: exponential, mean: 1.0}
policies:
  base: {}
uncertain:
  - path: stations.window.service
    low: {dist: exponential, mean: 0.9}
    high: {dist: exponential, mean: 1.15}
    reason: "test: service time +-"
  - path: stations.*.servers
    low: 5
    high: 6
    reason: "test: staffing"
baselines:
  - id: T1
    source: "test"
    policy: base
    metric: wait_mean_min
    at_most: 1.0
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    path = tmp_path_factory.mktemp("sens") / "mmc.yaml"
    path.write_text(MMC, encoding="utf-8")
    sc = load_scenario(path)
    reps = run_sensitivity(sc, ["base"], jobs=2)
    return sc, reps, sensitivity_table(sc, reps)


def _row(table, input_, level, metric="wait_mean_min", scope="station:window"):
    sel = table[(table["input"] == input_) & (table["level"] == level) & (table["metric"] == metric)
                & (table["scope"] == scope)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


@pytest.mark.parametrize("input_, level, mean_s, c", [
    ("", "base", 1.0, 5),
    ("stations.window.service", "low", 0.9, 5),
    ("stations.window.service", "high", 1.15, 5),
    ("stations.*.servers", "low", 1.0, 5),
    ("stations.*.servers", "high", 1.0, 6),
])
def test_each_level_matches_erlang_c_within_its_interval(study, input_, level, mean_s, c):
    _, _, table = study
    row = _row(table, input_, level)
    exact = q.mmc(4.0, 1 / mean_s, c).Wq
    # the 95% interval of the estimate is the tolerance; a 5% chance per check of a miss
    # by bad luck is too high for five checks, so widen to 99.9% by the t ratio
    half = (row["ci_high"] - row["ci_low"]) / 2 * (3.88 / 2.09)
    assert abs(row["mean"] - exact) <= half, (row.to_dict(), exact)


def test_the_table_says_what_value_each_level_set(study):
    _, _, table = study
    assert set(table.columns) == {"input", "level", "value", "policy", "scope", "metric", "mean", "ci_low", "ci_high"}
    assert _row(table, "stations.*.servers", "high")["value"] == "6"
    assert _row(table, "stations.window.service", "low")["value"] == '{"dist": "exponential", "mean": 0.9}'
    assert _row(table, "", "base")["value"] == ""


def test_a_baseline_row_per_setting_and_a_robustness_verdict_naming_the_breaking_input(study):
    sc, reps, table = study
    rows = table[table["scope"] == "baseline"]
    assert len(rows) == 5 and set(rows["metric"]) == {"T1"}
    exact_base = q.mmc(4.0, 1.0, 5).Wq
    high = q.mmc(4.0, 1 / 1.15, 5).Wq
    assert exact_base < 1.0 < high, (exact_base, high)  # the test's premise
    assert robustness(sc, reps) == ['no: stations.window.service={"dist": "exponential", "mean": 1.15}']


def test_common_random_numbers_make_the_base_equal_to_a_plain_run(study):
    from govsim.experiment import run_experiment

    sc, reps, _ = study
    plain = run_experiment(sc, ["base"], jobs=1)
    base = reps[reps["level"] == "base"].drop(columns=["input", "level"]).reset_index(drop=True)
    assert base.equals(plain)


def test_swings_order_inputs_by_their_effect(study):
    _, _, table = study
    w = swings(table, "base", "station:window", "wait_mean_min")
    assert list(w["input"])[0] == "stations.window.service"
    assert (w["swing"].diff().dropna() <= 0).all()


def test_a_claim_the_interval_straddles_is_undecided_not_unmet(study):
    """Too few replications to tell is not a claim missed: the robustness says so."""
    sc, _, _ = study
    b = sc.baselines[0]
    rows = [("", "base", b.policy, rep, b.scope, b.metric, value) for rep, value in enumerate([0.6, 1.3, 0.8])]
    reps = pd.DataFrame(rows, columns=["input", "level", "policy", "rep", "scope", "metric", "value"])
    assert robustness(sc, reps) == ["undecided: the base values (interval too wide)"]
    far = reps.assign(value=[3.0, 3.2, 3.1])
    assert robustness(sc, far) == ["no: not met at the base values"]


def test_a_definite_miss_anywhere_outranks_an_undecided_base(study):
    sc, _, _ = study
    b = sc.baselines[0]
    rows = [("", "base", b.policy, rep, b.scope, b.metric, value) for rep, value in enumerate([0.6, 1.3, 0.8])]
    rows += [("0", "high", b.policy, rep, b.scope, b.metric, value) for rep, value in enumerate([3.0, 3.2, 3.1])]
    reps = pd.DataFrame(rows, columns=["input", "level", "policy", "rep", "scope", "metric", "value"])
    assert robustness(sc, reps)[0].startswith("no: ")
