"""Bad input: one line on stderr naming file, line, dotted field and the problem;
exit code 2; no traceback; no output folder."""
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from govsim.cli import app

from conftest import MMC_DEMO, SCENARIOS, assert_bad_scenario

runner = CliRunner()

# (what is wrong, how to break the example, expected line, expected field, words of the message)
CASES = [
    ("unknown key", ("      servers: 5", "      servers: 5\n      windows: 2"), 16, "params.stations.window.windows", "unknown key"),
    ("misspelt key", ("      servers: 5", "      server: 5"), 15, "params.stations.window.server", "did you mean 'servers'"),
    ("misspelt key in a policy", ("{window: {servers: 6}}", "{window: {serverz: 6}}"), 19,
     "policies.six_windows.stations.window.serverz", "did you mean 'servers'"),
    ("wrong type", ("servers: 5", "servers: five"), 15, "params.stations.window.servers", "valid integer"),
    ("negative mean", ("mean: 1.0}", "mean: -1.0}"), 16, "params.stations.window.service.mean", "greater than 0"),
    ("unknown distribution", ("dist: exponential, mean: 1.0", "dist: exponentiel, mean: 1.0"), 16,
     "params.stations.window.service.dist", "unknown dist 'exponentiel'"),
    ("route to a missing station", ("route: [window]", "route: [windows]"), 12, "params.classes.citizen.route[0]",
     "no station named 'windows'"),
    ("probabilities not summing to 1", ("route: [window]", "start: window\n      transitions: {window: {window: 0.3, exit: 0.6}}"),
     13, "params.classes.citizen.transitions.window", "sum to 0.9"),
    ("unknown model", ("model: network", "model: netwerk"), 2, "model", "unknown model 'netwerk'"),
    ("missing required key", ("model: network\n", ""), 1, "model", "required"),
    ("no run length", ("  horizon_min: 20000      # simulated minutes per replication\n", ""), 3, "run",
     "either horizon_min or days"),
    ("warm-up past the horizon", ("warmup_min: 2000", "warmup_min: 30000"), 3, "run", "warmup_min must be less than"),
    ("broken YAML", ("{dist: exponential, mean: 1.0}", "{dist: exponential, mean: 1.0"), 17, None, "not valid YAML"),
    ("duplicate key", ("  seed: 1\n", "  seed: 1\n  seed: 2\n"), 6, "run.seed", "given twice"),
    ("unsafe tag", ("name: mmc-demo", "name: !!python/object/apply:os.system ['true']"), 1, None, "unsupported YAML"),
    ("name escaping the results folder", ("name: mmc-demo", "name: ../../etc"), 1, "name", "should match pattern"),
    ("unknown baseline policy", ("policies:", "baseline_policy: best\npolicies:"), 17, "baseline_policy", "no policy named 'best'"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_scenario_gives_one_clear_line_and_exit_2(case, write_scenario, tmp_path):
    _, (old, new), line, field, words = case
    assert old in MMC_DEMO
    path = write_scenario(MMC_DEMO.replace(old, new, 1))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    where = f"{path}:{line}: "
    assert lines[0].startswith(where + (f"{field}: " if field else "")), lines[0]
    assert words in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_file(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope.yaml'}: no such file"
    assert not (tmp_path / "out").exists()


def test_validate_prints_ok_or_errors(write_scenario):
    good = write_scenario(MMC_DEMO, "good.yaml")
    bad = write_scenario(MMC_DEMO.replace("servers: 5", "servers: 0"), "bad.yaml")
    ok = runner.invoke(app, ["validate", str(good)])
    assert ok.exit_code == 0 and ok.stdout.strip() == f"{good}: ok"
    both = runner.invoke(app, ["validate", str(good), str(bad)])
    assert both.exit_code == 2
    assert both.stderr.strip().startswith(f"{bad}:15: params.stations.window.servers:")


def test_unknown_policy_on_the_command_line(write_scenario, tmp_path):
    path = write_scenario(MMC_DEMO)
    result = runner.invoke(app, ["run", str(path), "--policy", "seven", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "no policy named 'seven'" in result.stderr
    assert not (tmp_path / "o").exists()


def test_bad_override_on_the_command_line(write_scenario, tmp_path):
    result = runner.invoke(app, ["run", str(write_scenario(MMC_DEMO)), "-r", "0", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "replications" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_refuses_to_replace_a_folder_govsim_did_not_write(write_scenario, tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    result = runner.invoke(app, ["run", str(write_scenario(MMC_DEMO)), "--out", str(precious), "-q"])
    assert result.exit_code == 2
    assert "not a govsim results folder" in result.stderr
    assert (precious / "chapter1.tex").read_text() == "years of work"


def test_real_process_exit_code_and_stderr(write_scenario, tmp_path):
    """The installed entry point, not the test runner: exit 2 and no traceback."""
    path = write_scenario(MMC_DEMO.replace("servers: 5", "servers: -5"))
    proc = subprocess.run([sys.executable, "-m", "govsim", "run", str(path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"{path}:15: params.stations.window.servers: input should be greater than or equal to 1 (got -5)"]
    assert not (tmp_path / "o").exists()


def test_zero_gaps_between_arrivals_are_refused(write_scenario, tmp_path):
    """A run with every arrival at t = 0 would never end."""
    path = write_scenario(MMC_DEMO.replace("{dist: exponential, mean: 0.2353}", "{dist: deterministic, value: 0}"))
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path}:11: params.classes.citizen.arrivals: the mean gap between arrivals must be above 0"


HALL_CASES = [
    # (what is wrong, (text, replacement), text on the line the error must name, field, words)
    ("unknown department", ("      departments: [health]\n", "      departments: [helth]\n"), "[helth]",
     "params.matters.health_licence.departments[0]", "no department named 'helth'"),
    ("shares not summing to 1", ("      share: 0.04\n", "      share: 0.14\n"), "  matters:",
     "params.matters", "sum to 1.1"),
    ("bad time of day", ('    open: "08:30"', '    open: "8h30"'), "8h30", "params.hours.open", "'HH:MM' (got '8h30')"),
    ("hour as a bare number", ('    open: "08:30"', '    open: 8'), "open: 8", "params.hours.open",
     "in quotes, e.g. '08:30' (got the number 8)"),
    ("unknown closing rule", ("closing_rule: serve_waiting", "closing_rule: lock_doors"), "lock_doors",
     "params.hours.closing_rule", "input should be"),
    ("policy typo", ("layout: {kind: integrated, back_office: true}\n    documents: {notice: one_time, pledge: true}\n  integrated_proxy:",
                     "layout: {kind: integrated, back_ofice: true}\n    documents: {notice: one_time, pledge: true}\n  integrated_proxy:"),
     "back_ofice", "policies.integrated.layout.back_ofice", "did you mean 'back_office'"),
]


@pytest.mark.parametrize("case", HALL_CASES, ids=[c[0] for c in HALL_CASES])
def test_bad_hall_scenario(case, tmp_path):
    _, (old, new), marker, field, words = case
    assert_bad_scenario(SCENARIOS / "hongjiang_hall.yaml", old, new, marker, field, words, tmp_path)
