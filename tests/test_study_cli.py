"""`govsim optimize` and `govsim warmup` end to end: answers, evidence and one-line refusals."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from govsim.cli import app

from conftest import MMC_DEMO, SCENARIOS

SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 4000").replace("warmup_min: 2000", "warmup_min: 400") \
    .replace("replications: 10", "replications: 6")


def test_optimize_prints_the_answer_and_the_evidence(write_scenario, tmp_path):
    out = tmp_path / "opt"
    result = CliRunner().invoke(app, ["optimize", str(write_scenario(SHORT)), "--target", "wait_mean_min <= 0.3",
                                      "--vary", "stations.window.servers=1..20", "--out", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "stations.window.servers = 6" in result.stdout  # Erlang C: 0.87 min with 5, 0.20 with 6
    assert "with stations.window.servers = 5" in result.stdout and "missed" in result.stdout
    assert "total" not in result.stdout  # one input and no --cost: its value is the answer
    table = pd.read_csv(out / "optimize.csv")
    assert set(table["stations.window.servers"]) == {5, 6}
    assert (out / "optimize.png").exists()
    assert "identical" not in result.stderr  # the windows make a difference: no warning


def test_optimize_warns_when_no_value_of_the_varied_input_made_a_difference(write_scenario, tmp_path):
    """The annex's waiting room, which policy base sends nobody to: the search runs down to its
    lowest value, and the answer must not read as if that mattered."""
    text = SHORT.replace("policies:\n", "    annex:\n      servers: 6\n      max_waiting: 5\n"
                                       "      service: {dist: exponential, mean: 1.0}\npolicies:\n")
    out = tmp_path / "opt"
    result = CliRunner().invoke(app, ["optimize", str(write_scenario(text)), "--target", "wait_mean_min <= 3",
                                      "--vary", "stations.annex.max_waiting=0..9", "-r", "2", "-q", "-j", "1",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        "--vary stations.annex.max_waiting: every value tried gave identical results for policy 'base': it does not "
        "read this input, or these values change nothing (did you mean another policy, -p ...?)")
    assert result.stdout.startswith(
        "stations.annex.max_waiting = 0   (every value tried gave identical results: see the warning)\n")
    assert json.loads((out / "metadata.json").read_text())["without_effect"] == ["stations.annex.max_waiting"]


@pytest.mark.parametrize("args, words", [
    (["--target", "wait < 3", "--vary", "stations.window.servers=1..9"], "write METRIC <= X"),
    (["--target", "waiting <= 3", "--vary", "stations.window.servers=1..9"], "has no metric 'waiting'"),
    (["--target", "wait_mean_min <= 3", "--vary", "stations.window.servers=9..1"], "LO..HI"),
    (["--target", "wait_mean_min <= 3", "--vary", "stations.windows.servers=1..9"], "--vary stations.windows.servers"),
    (["--target", "wait_mean_min <= 3", "--vary", "stations.window.servers=1..9", "--cost", "stations.x=3"],
     "not among the --vary paths"),
    (["--target", "wait_mean_min <= 3", "--vary", "stations.window.servers=1..9", "-r", "1"],
     "--replications: optimize needs at least 2 per candidate, for a 95% interval (got 1)"),
    (["--target", "wait_mean_min <= 3", "--vary", "stations.window.servers=1..9", "--scope", "station:windw", "-j", "1"],
     "--scope station:windw: policy 'base' reports no wait_mean_min there (did you mean 'station:window'?)"),
])
def test_bad_optimize_input_is_one_line_and_exit_2(write_scenario, tmp_path, args, words):
    out = tmp_path / "opt"
    result = CliRunner().invoke(app, ["optimize", str(write_scenario(SHORT)), *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
    assert not out.exists() and not (tmp_path / ".opt.resume").exists()  # nothing to resume: a mistake


def test_warmup_suggests_and_draws_the_chart(write_scenario, tmp_path):
    out = tmp_path / "wu"
    result = CliRunner().invoke(app, ["warmup", str(write_scenario(SHORT)), "--out", str(out), "-j", "1", "-r", "3"])
    assert result.exit_code in (0, 1), result.output
    assert result.stdout.startswith("warmup_min: ") and (out / "warmup.png").exists()


def test_warmup_names_its_rule_the_scenarios_value_and_how_far_the_cut_moves(tmp_path):
    """A day-based model's rule is MSER-1 (a day is a batch), not MSER-5; the line beside the
    suggestion gives the scenario's own warm-up and each half of the replications' cut, so a
    planner sees whether the suggestion is firm before pasting it."""
    out = tmp_path / "wu"
    result = CliRunner().invoke(app, ["warmup", str(SCENARIOS / "hongjiang_hall.yaml"), "--out", str(out), "-j", "1",
                                      "-r", "2", "-q"])
    assert result.exit_code in (0, 1), result.output
    first, second = result.stdout.splitlines()[:2]
    assert first.startswith("warmup_days: ") and "# MSER-1 on the open cases, 2 replications" in first
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["method"] == "MSER-1" and len(meta["halves"]) == 2
    halves = " and ".join(f"{h:g}" for h in meta["halves"])
    assert second.startswith(f"  the scenario has warmup_days: 10; each half of the replications alone suggests {halves}")


def test_warmup_of_a_run_too_short_to_tell_is_one_line(tmp_path):
    result = CliRunner().invoke(app, ["warmup", str(SCENARIOS / "anren_secretaries_visit.yaml"), "-o",
                                      str(tmp_path / "wu"), "-j", "1", "-r", "2", "-q"])
    assert result.exit_code == 2 and result.stderr.strip() == (
        f"{SCENARIOS / 'anren_secretaries_visit.yaml'}: run.days is 1: MSER needs at least 4 days to tell a "
        "warm-up from the rest; nothing to suggest")
    assert not (tmp_path / "wu").exists()


OPTIMIZE = ["optimize", "--target", "wait_mean_min <= 0.3", "--vary", "stations.window.servers=1..20", "-j", "1"]
WARMUP = ["warmup", "-j", "1", "-r", "3"]


# the short queue has not settled by mid-run: warmup says so with exit 1, its files written
@pytest.mark.parametrize("command, files, code", [(OPTIMIZE, {"optimize.csv", "optimize.png"}, 0),
                                                  (WARMUP, {"warmup.png"}, 1)])
def test_a_study_keeps_earlier_results_unless_forced(write_scenario, tmp_path, command, files, code):
    """As `govsim run`: the files arrive together with metadata.json, a rerun into the same
    folder is refused in one line (exit 2) and changes nothing, --force replaces them."""
    scenario, out = str(write_scenario(SHORT)), tmp_path / "study"
    first = CliRunner().invoke(app, [command[0], scenario, *command[1:], "--out", str(out)])
    assert first.exit_code == code, first.output
    assert {p.name for p in out.iterdir()} == files | {"metadata.json"}
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["kind"] == command[0] and meta["govsim_version"]
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = CliRunner().invoke(app, [command[0], scenario, *command[1:], "--out", str(out)])
    assert again.exit_code == 2 and len(again.stderr.strip().splitlines()) == 1, again.output
    assert "holds earlier results" in again.stderr and "--force" in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    forced = CliRunner().invoke(app, [command[0], scenario, *command[1:], "--out", str(out), "--force"])
    assert forced.exit_code == code, forced.output
    assert {p.name for p in out.iterdir()} == files | {"metadata.json"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging or resume folder left


@pytest.mark.parametrize("command", [OPTIMIZE, WARMUP])
def test_a_study_never_writes_into_a_folder_it_did_not_make(write_scenario, tmp_path, command):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "optimize.csv").write_text("my notes\n")
    result = CliRunner().invoke(app, [command[0], str(write_scenario(SHORT)), *command[1:], "--out", str(out),
                                      "--force"])
    assert result.exit_code == 2 and "not a govsim results folder" in result.stderr, result.output
    assert [p.name for p in out.iterdir()] == ["optimize.csv"] and (out / "optimize.csv").read_text() == "my notes\n"


@pytest.mark.parametrize("command", [
    ["run", "-q"], ["sensitivity", "-q"], ["warmup"],
    ["optimize", "--target", "wait_mean_min <= 0.3", "--vary", "stations.window.servers=1..20"]])
def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path, command):
    """Every study command: no traceback when --scheduler's address answers no scheduler.
    (A process of its own: a Client that failed to connect leaves Dask's config unusable
    for another in the same process.)"""
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    demo = Path(__file__).resolve().parents[1] / "scenarios" / "mmc_demo.yaml"  # it declares uncertain inputs
    result = subprocess.run([sys.executable, "-m", "govsim.cli", command[0], str(demo), *command[1:],
                             "--out", str(out), "--scheduler", "tcp://127.0.0.1:1"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach the Dask scheduler 'tcp://127.0.0.1:1'" in lines[0], lines
    assert not [p for p in out.rglob("*") if p.suffix in (".csv", ".html", ".png")] if out.exists() else True
    assert not (tmp_path / ".out.resume").exists()  # nothing saved, so nothing to resume


@pytest.mark.parametrize("command", [
    ["run", "-q"], ["sensitivity", "-q"], ["warmup"],
    ["optimize", "--target", "wait_mean_min <= 0.3", "--vary", "stations.window.servers=1..20"]])
@pytest.mark.parametrize("address", ["lcoal", "tcp://host-without-port"])
def test_a_scheduler_that_is_no_address_is_one_line_before_anything_runs(write_scenario, tmp_path, command, address):
    result = CliRunner().invoke(app, [command[0], str(write_scenario(SHORT)), *command[1:], "--out",
                                      str(tmp_path / "out"), "--scheduler", address])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"--scheduler: '{address}' is neither 'local' nor a scheduler's address")
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.yaml"]  # no results, staging or resume folder


def test_optimize_names_the_scope_of_its_targets(write_scenario, tmp_path):
    result = CliRunner().invoke(app, ["optimize", str(write_scenario(SHORT)), "--target", "wait_mean_min <= 0.3",
                                      "--vary", "stations.window.servers=1..20", "--scope", "station:window",
                                      "--out", str(tmp_path / "opt"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "  wait_mean_min [station:window] <= 0.3: " in result.stdout  # not eaten as console markup


@pytest.mark.parametrize("command, words", [
    (["sensitivity"], "--replications: must be at least 1 (got 0)"),
    (WARMUP[:1], "--replications: must be at least 1 (got 0)"),
    (OPTIMIZE[:5], "--replications: optimize needs at least 2 per candidate, for a 95% interval (got 0)")])
def test_zero_replications_blame_the_option_not_the_file(write_scenario, tmp_path, command, words):
    result = CliRunner().invoke(app, [command[0], str(write_scenario(SHORT)), *command[1:], "-r", "0",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and result.stderr.strip() == words


@pytest.mark.parametrize("command", [["run", "-q"], ["sensitivity", "-q"], WARMUP[:1], OPTIMIZE[:5]])
@pytest.mark.parametrize("where", ["here", "under a file"])
def test_an_output_folder_that_cannot_take_results_is_one_line_before_anything_runs(
        write_scenario, tmp_path, monkeypatch, command, where):
    """--out . would be replaced whole; --out under a file cannot be made: both are told
    before a replication runs, and nothing is left behind (no resume folder in the way)."""
    demo = Path(__file__).resolve().parents[1] / "scenarios" / "mmc_demo.yaml"  # it declares uncertain inputs
    scenario = write_scenario(demo.read_text(encoding="utf-8"))
    (tmp_path / "work").mkdir()
    (tmp_path / "a_file").write_text("x")
    monkeypatch.chdir(tmp_path / "work")
    out, words = {"here": (".", ".: the folder you are in (or one around it) cannot take the results"),
                  "under a file": (str(tmp_path / "a_file" / "sub"), "cannot be made, ")}[where]
    result = CliRunner().invoke(app, [command[0], str(scenario), *command[1:], "--out", out, "-j", "1"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.output
    assert words in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a_file", "scenario.yaml", "work"]



@pytest.mark.parametrize("command", [WARMUP[:1], OPTIMIZE[:5]])
def test_no_workers_is_one_line(write_scenario, tmp_path, command):
    result = CliRunner().invoke(app, [command[0], str(write_scenario(SHORT)), *command[1:], "-j", "0",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and result.stderr.strip() == "--jobs: must be at least 1 (got 0)"


def test_report_on_a_folder_of_another_command_says_whose_it_is(write_scenario, tmp_path):
    out = tmp_path / "opt"
    assert CliRunner().invoke(app, [*OPTIMIZE[:1], str(write_scenario(SHORT)), *OPTIMIZE[1:], "--out",
                                    str(out)]).exit_code == 0
    result = CliRunner().invoke(app, ["report", str(out)])
    assert result.exit_code == 2 and result.stderr.strip() == (
        f"{out}: holds what `govsim optimize` wrote, not a run's results; give the folder of a `govsim run`")
