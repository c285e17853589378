"""`govsim compare DIR_A DIR_B`: B minus A for every common policy, metric and scope,
paired by replication where both folders ran the same replications and seeds (checked
against the paired t interval computed here), else Welch's interval (checked against
scipy); a table, a chart with no text cut, and one line with exit code 2 for bad input."""
import json
import math
import shutil

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from typer.testing import CliRunner

from govsim.cli import app
from govsim.compare import PAIRED, WELCH, chart, compare_folders
from govsim.report.figures import text_problems

from conftest import MMC_DEMO

runner = CliRunner()
SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 2000").replace("warmup_min: 2000", "warmup_min: 200")
BUSIER = SHORT.replace("mean: 0.2353", "mean: 0.2222")  # more arrivals: the same scenario, another input


def _run(folder, name, text, *extra):
    (folder / f"{name}.yaml").write_text(text)
    out = folder / name
    result = runner.invoke(app, ["run", str(folder / f"{name}.yaml"), "--out", str(out), "-j", "1", "-q", *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmp")
    return {"a": _run(root, "a", SHORT, "-r", "4"), "b": _run(root, "b", BUSIER, "-r", "4"),
            "seed": _run(root, "seed", BUSIER, "-r", "5", "--seed", "7"), "root": root}


def _values(folder, policy, metric, scope="all"):
    reps = pd.read_csv(folder / "replications.csv")
    sel = reps[(reps.policy == policy) & (reps.metric == metric) & (reps.scope == scope)].sort_values("rep")
    return sel["value"].to_numpy()


def test_same_seeds_are_paired_by_replication(folders):
    cmp = compare_folders(folders["a"], folders["b"])
    assert cmp.methods == {"base": PAIRED, "six_windows": PAIRED} and cmp.policies == ["base", "six_windows"]
    row = cmp.table.set_index(["policy", "scope", "metric"]).loc[("base", "all", "wait_mean_min")]
    d = _values(folders["b"], "base", "wait_mean_min") - _values(folders["a"], "base", "wait_mean_min")
    half = sps.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert row["diff_mean"] == pytest.approx(d.mean(), rel=1e-12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half), rel=1e-9)
    assert row["method"] == PAIRED and row["n_a"] == row["n_b"] == 4
    assert row["ci_low"] > 0, "more arrivals, a longer wait, clear with common random numbers"


def test_other_seeds_give_welchs_interval(folders):
    cmp = compare_folders(folders["a"], folders["seed"])
    assert set(cmp.methods.values()) == {WELCH}
    row = cmp.table.set_index(["policy", "scope", "metric"]).loc[("six_windows", "all", "sojourn_mean_min")]
    a, b = _values(folders["a"], "six_windows", "sojourn_mean_min"), _values(folders["seed"], "six_windows",
                                                                           "sojourn_mean_min")
    test = sps.ttest_ind(b, a, equal_var=False)
    lo, hi = test.confidence_interval(0.95)
    assert row["diff_mean"] == pytest.approx(b.mean() - a.mean(), rel=1e-12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
    assert (row["n_a"], row["n_b"]) == (4, 5) and row["method"] == WELCH


def test_shares_differences_stay_inside_minus_one_and_one(folders):
    table = compare_folders(folders["a"], folders["seed"]).table
    shares = table[table.metric.isin(["utilisation", "abandon_frac", "blocked_frac"])]
    assert len(shares) and (shares.ci_low.dropna() >= -1).all() and (shares.ci_high.dropna() <= 1).all()


def test_command_writes_a_table_and_a_chart_and_says_how_it_paired(folders, tmp_path):
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(folders["a"]), str(folders["b"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "paired by replication" in result.stdout and "Comparison written to" in result.stdout
    table = pd.read_csv(out / "compare.csv")
    assert list(table.columns) == ["policy", "scope", "metric", "a_mean", "b_mean", "diff_mean", "ci_low", "ci_high",
                                   "n_a", "n_b", "method"]
    assert {"all", "station:window", "class:citizen"} <= set(table.scope)
    assert (out / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["kind"] == "compare" and meta["methods"] == {"base": PAIRED, "six_windows": PAIRED}
    # the chart: B - A for the key metrics, each policy a row, nothing cut
    fig = chart(compare_folders(folders["a"], folders["b"]))
    try:
        assert text_problems(fig) == []
        assert "paired by replication" in fig._govsim_title
    finally:
        plt.close(fig)
    # a second comparison into the folder is refused unless forced
    again = runner.invoke(app, ["compare", str(folders["a"]), str(folders["b"]), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    forced = runner.invoke(app, ["compare", str(folders["a"]), str(folders["seed"]), "--out", str(out), "--force"])
    assert forced.exit_code == 0 and "Welch" in forced.stdout


def test_a_comparison_in_chinese_says_everything_in_chinese(folders, tmp_path):
    """The terminal's header, columns and intervals, and the chart's title (a fresh-eyes trial
    found them in English under --lang zh)."""
    from test_report import need_cjk_font

    need_cjk_font()
    result = runner.invoke(app, ["compare", str(folders["a"]), str(folders["b"]), "--out", str(tmp_path / "c"),
                                 "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("B − A，按重复运行配对（两个文件夹的重复运行与种子相同）")
    assert "政策" in result.stdout and "指标" in result.stdout and "95% 置信区间" in result.stdout
    assert " 至 " in result.stdout and " to " not in result.stdout.split("Comparison written")[0]
    from govsim.report.fonts import font_rc

    with plt.rc_context(font_rc("zh")):
        fig = chart(compare_folders(folders["a"], folders["b"]), "zh")
    try:
        assert fig._govsim_title.endswith("按重复运行配对, 95% 置信区间")
    finally:
        plt.close(fig)


def test_two_scenarios_compare_on_their_common_policies(folders, tmp_path):
    other = SHORT.replace("  six_windows: {", "  seven_windows: {stations: {window: {servers: 7}}}\n  six_windows: {")
    c = _run(tmp_path, "c", other.replace("base: {}", "base: {}\n  four_windows: {stations: {window: {servers: 4}}}"),
             "-r", "4")
    cmp = compare_folders(folders["a"], c)
    assert cmp.policies == ["base", "six_windows"]
    row = cmp.table.set_index(["policy", "scope", "metric"]).loc[("six_windows", "all", "wait_mean_min")]
    assert row["method"] == PAIRED and row["diff_mean"] == pytest.approx(0.0, abs=1e-12), \
        "the same policy, inputs and seeds: no difference at all"


def _bad(folders, tmp_path, how):
    a = folders["a"]
    if how == "missing folder":
        return [str(a), str(tmp_path / "nope")], "no such results folder"
    if how == "not a results folder":
        (tmp_path / "notes").mkdir()
        return [str(a), str(tmp_path / "notes")], "not a govsim results folder"
    if how == "the same folder twice":
        return [str(a), str(a)], "the same folder"
    if how == "another model":
        other = tmp_path / "other"
        shutil.copytree(a, other)
        meta = json.loads((other / "metadata.json").read_text())
        meta["scenario"]["model"] = "service_hall"
        (other / "metadata.json").write_text(json.dumps(meta))
        return [str(a), str(other)], "model service_hall"
    if how == "no common policy":
        other = tmp_path / "renamed"
        shutil.copytree(a, other)
        for name in ("replications.csv", "summary.csv", "comparison.csv"):
            df = pd.read_csv(other / name)
            df["policy"] = df["policy"].map({"base": "x", "six_windows": "y"})
            df.to_csv(other / name, index=False)
        meta = json.loads((other / "metadata.json").read_text())
        meta.update(policies=["x", "y"], baseline_policy="x")
        (other / "metadata.json").write_text(json.dumps(meta))
        return [str(a), str(other)], "no policy in common"
    if how == "out is a compared folder":
        return [str(a), str(folders["b"]), "--out", str(folders["b"])], "is one of the folders compared"
    if how == "bad language":
        return [str(a), str(folders["b"]), "--lang", "fr"], "--lang: must be one of en, zh"
    raise AssertionError(how)


BAD = ["missing folder", "not a results folder", "the same folder twice", "another model", "no common policy",
       "out is a compared folder", "bad language"]


@pytest.mark.parametrize("how", BAD)
def test_bad_input_gives_one_line_and_exit_2(folders, tmp_path, how):
    args, words = _bad(folders, tmp_path, how)
    before = {p: p.read_bytes() for p in folders["b"].rglob("*") if p.is_file()}
    out = tmp_path / "cmp-out"
    args = args if "--out" in args else args + ["--out", str(out)]
    result = runner.invoke(app, ["compare", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], lines
    assert "Traceback" not in result.output and not out.exists()
    assert {p: p.read_bytes() for p in folders["b"].rglob("*") if p.is_file()} == before


def test_welch_interval_matches_scipy_on_unequal_variances():
    from govsim.stats import welch_interval

    rng = np.random.default_rng(3)
    a, b = rng.normal(10, 1, 6), rng.normal(12, 4, 9)
    diff, lo, hi = welch_interval(a, b)
    ref = sps.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert diff == pytest.approx(b.mean() - a.mean()) and (lo, hi) == pytest.approx((ref.low, ref.high), rel=1e-12)
    assert math.isnan(welch_interval([1.0], [2.0, 3.0])[1]), "one value: no interval"
