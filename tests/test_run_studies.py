"""`govsim run` with -r auto, --sweep, --resume and a decompose: block, end to end."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from govsim.cli import app

from conftest import MMC_DEMO

SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 3000").replace("warmup_min: 2000", "warmup_min: 300") \
    .replace("replications: 10", "replications: 4")


def _run(args):
    return CliRunner().invoke(app, ["run", *args])


def test_auto_replications_say_how_many_and_why(write_scenario, tmp_path):
    out = tmp_path / "auto"
    result = _run([str(write_scenario(SHORT)), "-r", "auto", "--precision", "0.2", "--out", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "metadata.json").read_text())
    info = meta["replications_auto"]
    assert info["replications"] == meta["replications"] >= 10 and info["reached"]
    why = (f"{info['replications']} replications, chosen by --replications auto: every key metric's 95% interval "
           "is within 20% of its mean, a share's of the larger of it and its complement (the last to get there: ")
    assert why in result.stdout
    assert why.replace("'", "&#x27;") in (out / "report.html").read_text()  # the report says it too
    reps = pd.read_csv(out / "replications.csv")
    assert reps["rep"].nunique() == info["replications"]


def test_auto_replications_that_hit_the_cap_warn_even_when_quiet(write_scenario, tmp_path):
    out = tmp_path / "capped"
    result = _run([str(write_scenario(SHORT)), "-r", "auto", "--precision", "0.001", "--max-replications", "3",
                   "--out", str(out), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("3 replications, the most --max-replications allows: ")
    assert "the widest interval is ±" in result.stderr and "wider than asked" in result.stderr
    assert result.stdout == ""
    assert "the most --max-replications allows" in (out / "report.html").read_text()


@pytest.mark.parametrize("args, words", [
    (["-r", "auto", "--max-replications", "0"], "--max-replications: at least 2, for a 95% interval (got 0)"),
    (["-r", "auto", "--precision", "0"], "--precision: a relative half-width between 0 and 1 (got 0.0)"),
    (["--precision", "0.1"], "--precision goes with --replications auto (got -r from the file)"),
    (["-r", "5", "--max-replications", "9"], "--max-replications goes with --replications auto (got -r 5)")])
def test_auto_replication_options_are_checked_before_anything_runs(write_scenario, tmp_path, args, words):
    out = tmp_path / "bad"
    result = _run([str(write_scenario(SHORT)), *args, "--out", str(out)])
    assert result.exit_code == 2 and result.stderr.strip() == words, result.output
    assert not list(tmp_path.glob("*bad*")) and not list(tmp_path.glob(".bad*"))


def test_a_sweep_from_the_command_line_writes_its_chart(write_scenario, tmp_path):
    out = tmp_path / "sweep"
    result = _run([str(write_scenario(SHORT)), "--sweep", "stations.window.servers=5..6", "--out", str(out), "-q",
                   "-j", "1"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out / "summary.csv")["policy"]) == {"servers=5", "servers=6"}
    assert (out / "figures" / "sweep_wait_mean_min.png").exists()
    assert "--sweep stations.window.servers=5..6" in json.loads((out / "metadata.json").read_text())["command"]


def test_a_bad_sweep_is_one_line(write_scenario, tmp_path):
    result = _run([str(write_scenario(SHORT)), "--sweep", "stations.window.serverz=5..6", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--sweep: stations.window.serverz" in result.stderr
    assert "(did you mean 'servers'?)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # a typo one step earlier, in a station's name, is blamed there, not on the field after it
    typo = _run([str(write_scenario(SHORT)), "--sweep", "stations.windw.servers=5..6", "--out", str(tmp_path / "y")])
    assert typo.exit_code == 2 and "no 'windw' at params.stations (did you mean 'window'?)" in typo.stderr


# a second bank of windows that only policy to_annex sends anyone to: base never reads its inputs
ANNEX = SHORT.replace("policies:\n", "    annex:\n      servers: 6\n      service: {dist: exponential, mean: 1.0}\n"
                                    "policies:\n") + "  to_annex: {classes: {citizen: {route: [annex]}}}\n"
UNREAD = ("every value gave identical results for policy 'base': it does not read this input, or these values "
          "change nothing (did you mean another policy, -p ...?)")


@pytest.mark.parametrize("extra, text, warning", [
    (["-p", "base", "--sweep", "stations.annex.service.mean=1,2"], ANNEX, "--sweep stations.annex.service.mean: " + UNREAD),
    (["-p", "to_annex", "--sweep", "stations.annex.service.mean=1,1.2"], ANNEX, ""),  # read: no warning (loads 0.71, 0.85)
    ([], ANNEX + "sweep:\n  - {path: stations.annex.service.mean, values: \"1,2\"}\n",
     "sweep stations.annex.service.mean: " + UNREAD),
])
def test_a_sweep_of_an_input_the_policy_does_not_read_warns_even_when_quiet(write_scenario, tmp_path, extra, text,
                                                                            warning):
    result = _run([str(write_scenario(text)), *extra, "-r", "2", "--out", str(tmp_path / "s"), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == warning and result.stdout == ""


def test_crossed_sweeps_of_two_stations_say_which_is_which(write_scenario, tmp_path):
    out = tmp_path / "two"
    result = _run([str(write_scenario(ANNEX)), "-p", "to_annex", "--sweep", "stations.window.servers=5",
                   "--sweep", "stations.annex.servers=6,7", "-r", "2", "--out", str(out), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out / "summary.csv")["policy"]) == {"window.servers=5,annex.servers=6",
                                                              "window.servers=5,annex.servers=7"}
    assert result.stderr == ""  # one value of the window's: nothing compared, no claim


@pytest.mark.parametrize("args, words", [
    (["--sweep", "stations.window.servers=5..8", "--sweep", "stations.window.servers=6..7"],
     "--sweep: stations.window.servers: swept twice; give all its values in one sweep"),
    (["-p", "base", "-p", "to_annex", "--sweep", "stations.window.servers=5..6"],
     "--sweep is built on one policy (the baseline, or the one --policy): got -p base -p to_annex; "
     "run one sweep per policy"),
])
def test_a_sweep_that_would_silently_drop_something_is_refused(write_scenario, tmp_path, args, words):
    out = tmp_path / "bad"
    result = _run([str(write_scenario(ANNEX)), *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
    assert not out.exists()


DECOMPOSE = SHORT.replace("  six_windows: {stations: {window: {servers: 6}}}\n", """\
  reform: {stations: {window: {servers: 6, service: {dist: exponential, mean: 0.9}}}}
decompose:
  from: base
  to: reform
  parts:
    staff: {stations: {window: {servers: 6}}}
    speed: {stations: {window: {service: {dist: exponential, mean: 0.9}}}}
""")


def test_a_decompose_block_writes_its_table_and_waterfall(write_scenario, tmp_path):
    out = tmp_path / "dec"
    result = _run([str(write_scenario(DECOMPOSE)), "--out", str(out), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "decomposition.csv")
    w = table[(table["scope"] == "all") & (table["metric"] == "wait_mean_min")].set_index("part")
    assert abs(w.drop("total")["shapley"].sum() - w.loc["total", "shapley"]) < 1e-9
    assert (out / "figures" / "waterfall_wait_mean_min.png").exists()
    assert "Which part of the reform buys what" in (out / "report.html").read_text()


def test_a_run_killed_part_way_and_resumed_gives_the_same_files(write_scenario, tmp_path):
    """SIGKILL mid-run (no chance to clean up), then --resume: the tables and figures are
    those of an uninterrupted run (metadata.json and report.html carry the run's clock)."""
    path = write_scenario(SHORT.replace("replications: 4", "replications: 12"))
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    cmd = [sys.executable, "-m", "govsim", "run", str(path), "-q", "-j", "1"]
    subprocess.run(cmd + ["--out", str(whole)], check=True, capture_output=True)
    proc = subprocess.Popen(cmd + ["--out", str(resumed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    saved = tmp_path / ".resumed.resume"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(saved.glob("*.json"))) < 6:  # manifest + 5 finished tasks
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not resumed.exists() and len(list(saved.glob("*.json"))) >= 6
    # a rerun that forgets --resume is refused rather than throwing the saved work away
    kept = sorted(p.name for p in saved.glob("*.json"))
    plain = subprocess.run(cmd + ["--out", str(resumed)], capture_output=True, text=True)
    assert plain.returncode == 2 and len(plain.stderr.strip().splitlines()) == 1, plain.stderr
    assert f"a run that did not finish saved {len(kept) - 1} finished tasks (a policy's replication each)" in plain.stderr
    assert "--resume continues it, --force starts afresh" in plain.stderr
    assert sorted(p.name for p in saved.glob("*.json")) == kept and not resumed.exists()
    again = subprocess.run(cmd + ["--out", str(resumed), "--resume"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert not saved.exists()  # the saved tasks go once the results are written
    meta = json.loads((resumed / "metadata.json").read_text())
    # the tasks this run took from the earlier one: every one saved, as -r is the same
    assert meta["command"].endswith(" --resume") and meta["resumed"]["tasks_reused"] == len(kept) - 1
    assert f"{len(kept) - 1} finished tasks, each a policy&#x27;s replication, were reused from an earlier" in (
        resumed / "report.html").read_text()
    for name in ("replications.csv", "summary.csv", "comparison.csv", "scenario.resolved.yaml", "scenario.yaml"):
        assert (whole / name).read_bytes() == (resumed / name).read_bytes(), name
    for png in sorted((whole / "figures").glob("*.png")):
        assert png.read_bytes() == (resumed / "figures" / png.name).read_bytes(), png.name


def test_resuming_a_changed_scenario_is_refused(write_scenario, tmp_path):
    path = write_scenario(SHORT)
    out = tmp_path / "r"
    (tmp_path / ".r.resume").mkdir()
    (tmp_path / ".r.resume" / "manifest.json").write_text('{"study": "something else"}')
    result = _run([str(path), "--out", str(out), "--resume", "-q"])
    assert result.exit_code == 2 and "belong to another version of this study" in result.stderr
    assert result.stderr.strip().endswith("--force starts afresh")  # the way out, not a loop back to --resume
    assert not out.exists()


def test_resume_leaves_a_finished_study_alone(write_scenario, tmp_path):
    """--resume continues an interrupted run; over a finished study, with nothing to
    continue, it refuses as a plain run does (a quick `-r 2 --resume` never wipes a study)."""
    path = write_scenario(SHORT)
    out = tmp_path / "study"
    assert _run([str(path), "--out", str(out), "-q"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    again = _run([str(path), "--out", str(out), "-r", "2", "--resume", "-q"])
    assert again.exit_code == 2
    assert "holds finished results and no interrupted run to continue (--resume)" in again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    forced = _run([str(path), "--out", str(out), "-r", "2", "--resume", "--force", "-q"])
    assert forced.exit_code == 0 and pd.read_csv(out / "replications.csv")["rep"].max() == 1


def test_a_decimal_range_in_a_sweep_says_how_to_list_values(write_scenario, tmp_path):
    result = _run([str(write_scenario(SHORT)), "--sweep", "stations.window.service.mean=0.8..1.0",
                   "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and result.stderr.strip() == (
        "--sweep stations.window.service.mean=0.8..1.0: the range '0.8..1.0': LO..HI takes whole numbers; "
        "list other values as a,b,c (say 0.8,0.9,1.0)")
