"""`govsim sensitivity` end to end: the files it writes and its one-line refusals."""
from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from govsim.cli import app

from conftest import MMC_DEMO

SHORT = MMC_DEMO.replace("replications: 10", "replications: 3").replace("horizon_min: 20000", "horizon_min: 3000") \
    .replace("warmup_min: 2000", "warmup_min: 300") + """\
uncertain:
  - path: stations.window.servers
    low: 5
    high: 7
    reason: "test"
baselines:
  - id: T
    source: test
    policy: base
    metric: wait_mean_min
    at_most: 3.0
  - id: T2
    source: test
    policy: base
    metric: wait_mean_min
    at_most: 0.3
"""


def test_sensitivity_writes_the_table_and_a_robustness_verdict(write_scenario, tmp_path):
    out = tmp_path / "sens"
    result = CliRunner().invoke(app, ["sensitivity", str(write_scenario(SHORT)), "--out", str(out), "--quiet", "-j", "1"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sensitivity.csv", keep_default_na=False)
    assert set(table["level"]) == {"base", "low", "high"}
    assert set(table.loc[table["level"] != "base", "input"]) == {"stations.window.servers"}
    b = pd.read_csv(out / "baselines.csv")
    # Erlang C: 0.87 min with 5 windows (the base and the low end), less with 7
    assert list(b["robust"]) == ["yes", "no: not met at the base values"]
    assert (out / "report.html").exists()
    # the base level is the plain run: replications.csv holds the base policies only
    reps = pd.read_csv(out / "replications.csv")
    assert set(reps["policy"]) == {"base", "six_windows"}


def test_a_scenario_without_uncertain_inputs_is_refused_in_one_line(write_scenario, tmp_path):
    out = tmp_path / "sens"
    result = CliRunner().invoke(app, ["sensitivity", str(write_scenario(MMC_DEMO)), "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "no inputs declared uncertain" in result.stderr
    assert not out.exists()


def test_a_bad_uncertain_entry_is_refused_before_anything_runs(write_scenario, tmp_path):
    out = tmp_path / "sens"
    bad = SHORT.replace("path: stations.window.servers", "path: stations.window.serverz")
    result = CliRunner().invoke(app, ["sensitivity", str(write_scenario(bad)), "--out", str(out), "--quiet"])
    assert result.exit_code == 2 and "uncertain[0].path: no field 'serverz'" in result.stderr
    assert not out.exists()


def test_sensitivity_of_some_policies_leaves_out_the_baselines_of_the_others(write_scenario, tmp_path):
    """-p may leave out a baseline's policy: the study ends as usual, that baseline 'not run'."""
    text = SHORT.replace("    policy: base\n    metric: wait_mean_min\n    at_most: 0.3",
                         "    policy: six_windows\n    metric: wait_mean_min\n    at_most: 0.3")
    out = tmp_path / "sens"
    result = CliRunner().invoke(app, ["sensitivity", str(write_scenario(text)), "--out", str(out), "-q", "-j", "1",
                                      "-p", "base"])
    assert result.exit_code == 0, result.output
    b = pd.read_csv(out / "baselines.csv")
    assert list(b["reproduced"])[1] == "not run" and list(b["robust"])[1] == "not checked"
    table = pd.read_csv(out / "sensitivity.csv", keep_default_na=False)
    assert set(table.loc[table["scope"] == "baseline", "metric"]) == {"T"}
    assert not list(tmp_path.glob(".sens*"))


def test_without_baselines_the_terminal_says_what_each_key_metric_depends_on(write_scenario, tmp_path):
    """A scenario without article figures still gets an answer on the terminal: per key
    metric and policy, the input that moves it most, with its means from sensitivity.csv."""
    scenario = write_scenario(SHORT.split("baselines:")[0])
    out = tmp_path / "sens"
    result = CliRunner().invoke(app, ["sensitivity", str(scenario), "--out", str(out), "-j", "1", "-p", "base"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    head = lines.index("What each key metric depends on most (its mean at the base values; at the input's low "
                       "and high, where the paired change is beyond the noise):")
    table = pd.read_csv(out / "sensitivity.csv", keep_default_na=False)
    wait = table[(table["policy"] == "base") & (table["scope"] == "all") & (table["metric"] == "wait_mean_min")]
    base, low, high = (wait.loc[wait["level"] == level, "mean"].iloc[0] for level in ("base", "low", "high"))
    assert f"  Mean wait (minutes), base: {base:.3g} at base; stations.window.servers: {low:.3g} at low, " \
           f"{high:.3g} at high" in lines[head + 1:]


def test_the_terminal_says_when_no_input_moves_a_key_metric(write_scenario, tmp_path):
    text = SHORT.split("baselines:")[0].replace("path: stations.window.servers\n    low: 5\n    high: 7",
                                                "path: stations.window.servers\n    low: 5\n    high: 5")
    assert "high: 5" in text
    result = CliRunner().invoke(app, ["sensitivity", str(write_scenario(text)), "--out", str(tmp_path / "s"), "-j", "1",
                                      "-p", "base"])
    assert result.exit_code == 0, result.output
    assert "No uncertain input moves a key metric between its low and high beyond the noise" in result.stdout


def test_a_move_is_judged_pair_by_pair(write_scenario):
    """high - low replication by replication: a steady move of 1 in values that wander by
    10 is beyond the noise; a move that changes sign from pair to pair is not."""
    from govsim.scenario import load_scenario
    from govsim.sensitivity import paired_swing

    sc = load_scenario(write_scenario(SHORT))
    rows = []
    for rep, (wander, low_to_high) in enumerate([(0.0, 1.0), (10.0, 1.0), (-7.0, 1.0)]):
        rows += [("base", rep, "all", "m", "0", "low", 50.0 + wander), ("base", rep, "all", "m", "0", "high",
                                                                         50.0 + wander + low_to_high)]
        rows += [("base", rep, "all", "n", "0", "low", 50.0 + wander),
                 ("base", rep, "all", "n", "0", "high", 50.0 + wander + (-1.0) ** rep * 3.0)]
    reps = pd.DataFrame(rows, columns=["policy", "rep", "scope", "metric", "input", "level", "value"])
    mean, lo, hi = paired_swing(sc, reps, "stations.window.servers", "base", "all", "m")
    assert (mean, lo, hi) == (1.0, 1.0, 1.0)  # the same move in every pair: no noise in it
    mean, lo, hi = paired_swing(sc, reps, "stations.window.servers", "base", "all", "n")
    assert lo < 0 < hi
