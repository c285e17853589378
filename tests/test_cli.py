"""`govsim run` end to end into a temporary folder, and the other commands."""
import json
import shutil
import re
import textwrap

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from govsim.cli import app

from conftest import MMC_DEMO

runner = CliRunner()
SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 3000").replace("warmup_min: 2000", "warmup_min: 300")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    scenario = folder / "mmc.yaml"
    scenario.write_text(SHORT)
    out = folder / "out"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--replications", "4", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return out, result


def test_writes_every_table_with_its_columns(results):
    out, _ = results
    reps = pd.read_csv(out / "replications.csv")
    assert list(reps.columns) == ["policy", "rep", "seed", "scope", "metric", "value"]
    assert set(reps["policy"]) == {"base", "six_windows"} and set(reps["rep"]) == {0, 1, 2, 3}
    assert {"all", "station:window", "class:citizen"} <= set(reps["scope"])
    needed = {"wait_mean_min", "wait_p90_min", "sojourn_mean_min", "served", "abandon_frac", "blocked_frac",
              "queue_len_mean", "utilisation"}
    for scope in ("all", "station:window", "class:citizen"):
        have = set(reps.loc[reps["scope"] == scope, "metric"])
        assert needed - {"utilisation"} <= have, scope
    assert "utilisation" in set(reps.loc[reps["scope"] == "station:window", "metric"])

    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["policy", "scope", "metric", "mean", "ci_low", "ci_high", "n"]
    assert (summary["n"] == 4).all()
    comparison = pd.read_csv(out / "comparison.csv")
    assert list(comparison.columns) == ["policy", "baseline", "scope", "metric", "diff_mean", "ci_low", "ci_high",
                                        "rel_change"]
    assert set(comparison["policy"]) == {"six_windows"} and set(comparison["baseline"]) == {"base"}


def test_summary_is_the_mean_of_the_replications(results):
    out, _ = results
    reps = pd.read_csv(out / "replications.csv")
    summary = pd.read_csv(out / "summary.csv").set_index(["policy", "scope", "metric"])
    mean = reps.groupby(["policy", "scope", "metric"])["value"].mean()
    row = ("six_windows", "all", "wait_mean_min")
    assert summary.loc[row, "mean"] == pytest.approx(mean.loc[row])
    assert summary.loc[row, "ci_low"] < summary.loc[row, "mean"] < summary.loc[row, "ci_high"]


def test_comparison_is_paired_by_replication(results):
    out, _ = results
    reps = pd.read_csv(out / "replications.csv")
    w = reps[(reps.scope == "all") & (reps.metric == "wait_mean_min")].pivot(index="rep", columns="policy", values="value")
    comparison = pd.read_csv(out / "comparison.csv").set_index(["scope", "metric"])
    row = comparison.loc[("all", "wait_mean_min")]
    assert row["diff_mean"] == pytest.approx((w["six_windows"] - w["base"]).mean())
    assert row["rel_change"] == pytest.approx(row["diff_mean"] / w["base"].mean())
    assert row["ci_high"] < 0  # a sixth window clearly cuts the wait


def test_resolved_scenario_and_metadata(results):
    out, _ = results
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["policies"]["six_windows"]["stations"]["window"]["servers"] == 6
    assert resolved["policies"]["base"]["stations"]["window"]["servers"] == 5
    assert resolved["run"]["replications"] == 4
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["govsim_version"] and meta["libraries"]["numpy"] and meta["libraries"]["simpy"]
    assert meta["seed"] == 1 and meta["replications"] == 4 and meta["jobs"] == 1
    assert "--replications 4" in meta["command"]
    assert meta["run_time_s"] >= 0


def test_figures_for_key_metrics(results):
    out, _ = results
    names = {p.name for p in (out / "figures").glob("*.png")}
    assert {"wait_mean_min.png", "wait_p90_min.png", "sojourn_mean_min.png", "utilisation.png", "utilisation_by_station.png",
            "comparison.png"} <= names
    assert all((out / "figures" / n).stat().st_size > 5000 for n in names)


def test_prints_a_table_of_key_results(results):
    out, result = results
    summary = pd.read_csv(out / "summary.csv").set_index(["policy", "scope", "metric"])
    mean_wait = summary.loc[("six_windows", "all", "wait_mean_min"), "mean"]
    assert "six_windows" in result.stdout and "base (baseline)" in result.stdout
    assert f"{mean_wait:.3g}" in result.stdout  # the table shows the summary's numbers
    assert "Results written to" in result.stdout


def test_default_output_folder_is_results_slash_name(tmp_path, monkeypatch):
    (tmp_path / "s.yaml").write_text(SHORT)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "s.yaml", "-r", "2", "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "results" / "mmc-demo" / "summary.csv").exists()
    assert result.stdout == ""
    # a second run with --force replaces its own earlier results, leaving no temporary folders
    result = runner.invoke(app, ["run", "s.yaml", "-r", "2", "-j", "1", "-q", "--force"])
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["mmc-demo"]


def _tree(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_second_run_into_a_results_folder_is_refused_unless_forced(results, tmp_path):
    """A quick rerun must not wipe a study: one line, a non-zero exit, the folder untouched."""
    out, _ = results
    before = _tree(out)
    scenario = out.parent / "mmc.yaml"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "-r", "2", "-j", "1"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"{out}: holds earlier results, left as they are; use --force to replace them, "
                     f"or choose another --out"]
    assert result.stdout == "" and "Traceback" not in result.output
    assert _tree(out) == before, "not a byte changed"
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".")) == []
    # --force reruns, into a copy here (the module's folder serves the other tests)
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(out, copy)
    result = runner.invoke(app, ["run", str(scenario), "--out", str(copy), "-r", "2", "-j", "1", "-q", "--force"])
    assert result.exit_code == 0, result.output
    assert json.loads((copy / "metadata.json").read_text())["replications"] == 2
    assert "--force" in json.loads((copy / "metadata.json").read_text())["command"]
    assert set(pd.read_csv(copy / "replications.csv")["rep"]) == {0, 1}


def _summary_at(width, monkeypatch, tmp_path, text=SHORT, extra=()):
    from govsim import cli

    monkeypatch.setattr(cli.out_console, "width", width)
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / f"o{width}"
    result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "--out", str(out), "-r", "3", "-j", "1", *extra])
    assert result.exit_code == 0, result.output
    return out, result.stdout


@pytest.mark.parametrize("width", [80, 60])
def test_summary_fits_a_narrow_terminal_with_whole_words_and_every_interval(width, monkeypatch, tmp_path):
    """On an 80-column (or narrower) terminal: no line longer, every header word whole,
    every policy's mean and 95% interval shown for every key metric."""
    from govsim.labels import vocabulary
    from govsim.models import MODELS

    long_policies = SHORT.replace("  six_windows: {", "  six_windows_staffed_from_the_back_office_pool: {")
    out, stdout = _summary_at(width, monkeypatch, tmp_path, long_policies)
    lines = [ln for ln in stdout.splitlines() if not ln.startswith("Results written to")]  # a path is what it is
    assert max(len(ln) for ln in lines) <= width
    summary = pd.read_csv(out / "summary.csv")
    voc = vocabulary(MODELS["network"])
    table = "\n".join(ln for ln in lines if ln.startswith(("┃", "│")))
    cells = re.findall(r"[^\s│┃]+", table)  # every word as printed, between the borders
    for metric in MODELS["network"].key_metrics:
        for word in voc.metric_label(metric).split():
            assert word in cells, f"header word {word!r} of {metric} is broken or missing"
    rows = summary[summary["scope"] == "all"]
    for _, r in rows[rows["metric"].isin(MODELS["network"].key_metrics)].iterrows():
        fmt = lambda v: f"{v:.3g}"  # noqa: E731
        assert fmt(r["mean"]) in cells, (r["policy"], r["metric"])
        assert f"{fmt(r['ci_low'])}–{fmt(r['ci_high'])}" in cells, (r["policy"], r["metric"])
    # a long policy name breaks after an underscore, never inside a word
    name_cells = "".join(re.findall(r"^[│┃] (\S+)", table, re.M))
    assert "six_windows_staffed_from_the_back_office_pool" in name_cells


def test_terminal_shows_the_scenarios_display_names(monkeypatch, tmp_path):
    text = SHORT + "labels:\n  policy:\n    six_windows: {en: Six windows, zh: 六个窗口}\n"
    _, stdout = _summary_at(100, monkeypatch, tmp_path, text)
    assert "Six windows" in stdout and "six_windows" not in stdout



def test_policy_option_runs_that_policy_and_the_baseline(tmp_path):
    (tmp_path / "s.yaml").write_text(SHORT.replace("six_windows: {", "four_windows: {stations: {window: {servers: 4}}}\n  six_windows: {"))
    out = tmp_path / "o"
    result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "-p", "six_windows", "-r", "2", "-j", "1", "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out / "replications.csv")["policy"]) == {"base", "six_windows"}


def test_models_and_schema():
    models = runner.invoke(app, ["models"])
    assert models.exit_code == 0 and "network" in models.stdout
    schema = runner.invoke(app, ["schema", "network"])
    assert schema.exit_code == 0
    doc = json.loads(schema.stdout)
    assert "params" in doc["properties"] and "run" in doc["properties"]
    assert "servers" in json.dumps(doc)
    every = json.loads(runner.invoke(app, ["schema"]).stdout)
    assert "network" in json.dumps(every)
    unknown = runner.invoke(app, ["schema", "nope"])
    assert unknown.exit_code == 2


def test_run_on_a_local_dask_cluster_writes_the_same_tables(tmp_path):
    (tmp_path / "s.yaml").write_text(SHORT)
    outs = []
    for name, extra in (("pool", []), ("dask", ["--scheduler", "local"])):
        out = tmp_path / name
        result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "-r", "2", "-j", "2", "-q", "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        outs.append((out / "replications.csv").read_bytes())
    assert outs[0] == outs[1]


def test_the_terminal_speaks_the_runs_language(tmp_path):
    """--lang zh: the baselines' verdicts, numbers and the closing line in Chinese, as the
    report is; English stays the default."""
    text = SHORT + textwrap.dedent("""\
        baselines:
          - id: B1
            source: a test figure
            policy: six_windows
            compare_to: base
            metric: wait_mean_min
            at_most: -0.5
        """)
    (tmp_path / "s.yaml").write_text(text)
    said = {}
    for lang in ("en", "zh"):
        result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "-r", "2", "-j", "1", "--lang", lang,
                                     "--out", str(tmp_path / lang)])
        assert result.exit_code == 0, result.output
        said[lang] = result.stdout
    assert "Results written to" in said["en"] and "expected <= -0.5; simulated" in said["en"]
    assert "relative change vs" in said["en"]
    for english in ("Results written to", "Article baselines", "expected", "simulated", "relative change"):
        assert english not in said["zh"], english
    assert "结果已写入" in said["zh"] and "报道 <= -0.5；模拟" in said["zh"] and "相对" in said["zh"]


@pytest.mark.parametrize("width", [4, 6, 9, 12])
def test_chinese_headers_break_between_characters_never_inside_a_number(width):
    from rich.cells import cell_len

    from govsim.cli import _wrap_cjk

    text = "95%事项的受理时间（可承诺）（小时）第90百分位"
    lines = _wrap_cjk(text, width).split("\n")
    assert "".join(lines) == text
    assert all(cell_len(line) <= width for line in lines if len(line) > 1)
    assert not any(line.startswith(("）", "%", "5", "0")) for line in lines)
    assert not any(line.endswith("（") for line in lines)


@pytest.mark.parametrize("lang, title, subtitle", [
    ("en", "mmc-demo: the values of 1 replication (no 95% CI: that needs 2 or more)", "1 replication per policy"),
    ("zh", "mmc-demo：1 次重复运行的值（无置信区间：至少需要 2 次重复运行）", "每个政策 1 次重复运行")])
def test_one_replication_is_shown_as_values_without_intervals(tmp_path, lang, title, subtitle):
    scenario = tmp_path / "mmc.yaml"
    scenario.write_text(SHORT)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "-r", "1", "-j", "1", "--lang", lang])
    assert result.exit_code == 0, result.output
    assert title in result.stdout and "95% CI over" not in result.stdout and "置信区间，" not in result.stdout
    assert subtitle in (out / "report.html").read_text(encoding="utf-8")


def test_a_baseline_whose_policy_is_left_out_is_listed_as_not_run(tmp_path):
    """--policy may leave out the policy a baseline names: the run ends as usual, the
    baseline is 'not run' in the terminal and baselines.csv, and the report rebuilds."""
    text = SHORT + textwrap.dedent("""\
        baselines:
          - id: B1
            source: a test figure
            policy: six_windows
            metric: wait_mean_min
            at_most: 1
        """)
    (tmp_path / "s.yaml").write_text(text)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "-r", "2", "-j", "1", "-p", "base", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "B1  not run  six_windows" in result.stdout
    assert "expected <= 1; not simulated: its policy was not among those run" in result.stdout
    table = pd.read_csv(out / "baselines.csv")
    assert table[["policy", "reproduced"]].values.tolist() == [["six_windows", "not run"]]
    assert not list(tmp_path.glob(".out*"))  # no resume or staging folder left
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0


def test_force_and_report_never_delete_a_readers_file_among_the_figures(tmp_path):
    """figures/ is replaced whole by --force and by `govsim report`: a chart annotated for a
    council, put beside the others, stops both in one line rather than go with them."""
    scenario = tmp_path / "mmc.yaml"
    scenario.write_text(SHORT)
    out = tmp_path / "out"
    args = ["run", str(scenario), "--out", str(out), "-r", "2", "-j", "1", "-q"]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, ["report", str(out), "--lang", "zh"]).exit_code == 0  # figures/zh: govsim's own
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    (out / "figures" / "comparison_for_council.png").write_bytes((out / "figures" / "comparison.png").read_bytes())
    before = _tree(out)
    refused = runner.invoke(app, [*args, "--force"])
    assert refused.exit_code == 2 and refused.stderr.strip() == (
        f"{out}: holds 'figures/comparison_for_council.png', which govsim did not write; --force replaces only "
        "govsim's results: move it out or choose another --out")
    refused = runner.invoke(app, ["report", str(out)])
    assert refused.exit_code == 2 and refused.stderr.strip() == (
        f"{out}: holds 'figures/comparison_for_council.png', which govsim did not write; the report replaces "
        "figures/ whole: move it out first")
    assert _tree(out) == before
    (out / "figures" / "comparison_for_council.png").unlink()
    assert runner.invoke(app, ["report", str(out), "--lang", "zh"]).exit_code == 0
    (out / "figures" / "zh" / "mine").mkdir()  # a reader's folder inside a report's figures
    refused = runner.invoke(app, ["report", str(out), "--lang", "zh"])
    assert refused.exit_code == 2 and "holds 'figures/zh/mine', which govsim did not write" in refused.stderr
    (out / "figures" / "zh" / "mine").rmdir()
    assert runner.invoke(app, ["report", str(out), "--lang", "zh"]).exit_code == 0
    # a reader's copy of the Chinese charts carries govsim's list with it: still a reader's
    shutil.copytree(out / "figures" / "zh", out / "figures" / "zh-annotated")
    refused = runner.invoke(app, ["report", str(out)])
    assert refused.exit_code == 2 and "holds 'figures/zh-annotated', which govsim did not write" in refused.stderr
    shutil.rmtree(out / "figures" / "zh-annotated")
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_force_replaces_govsims_results_but_never_a_readers_files_beside_them(tmp_path):
    scenario = tmp_path / "mmc.yaml"
    scenario.write_text(SHORT)
    out = tmp_path / "out"
    args = ["run", str(scenario), "--out", str(out), "-r", "2", "-j", "1", "-q"]
    assert runner.invoke(app, args).exit_code == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert set(meta["files"]) == {p.name for p in out.iterdir()}  # what govsim wrote, listed
    # a report rebuilt in another language and a file browser's own file are no reader's notes
    assert runner.invoke(app, ["report", str(out), "--lang", "zh"]).exit_code == 0
    (out / ".DS_Store").write_bytes(b"\0")
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    meta = json.loads((out / "metadata.json").read_text())
    (out / "notes.txt").write_text("my notes\n")
    before = _tree(out)
    refused = runner.invoke(app, [*args, "--force"])
    assert refused.exit_code == 2 and refused.stderr.strip() == (
        f"{out}: holds 'notes.txt', which govsim did not write; --force replaces only govsim's results: "
        "move it out or choose another --out")
    assert _tree(out) == before
    (out / "notes.txt").unlink()
    # a folder written before metadata.json listed its files: the names govsim writes are its own
    del meta["files"]
    (out / "metadata.json").write_text(json.dumps(meta))
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_an_interruption_after_the_results_are_written_says_they_are_complete(tmp_path, monkeypatch):
    """Ctrl-C while the terminal summary prints: the folder is whole, and the message says so
    rather than "no results written"."""
    from govsim import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_print_summary", interrupted)
    scenario = tmp_path / "mmc.yaml"
    scenario.write_text(SHORT)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "-r", "2", "-j", "1"])
    assert result.exit_code == 130 and result.stderr.strip().splitlines()[-1] == (  # after the progress bar
        f"Interrupted after the results were written to {out} (they are complete)."), result.output
    assert (out / "replications.csv").exists() and (out / "report.html").exists()
