"""report.html and the charts: written by `govsim run`, rebuilt identically by
`govsim report` from the saved tables, self-contained, in STRESS-DES order, in English
or Chinese; the charts plot exactly the numbers of the saved tables; a missing or
broken results folder gives one clear line and exit code 2."""
import base64
import io
import json
import math
import os
import re
import shutil
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer, ErrorbarContainer
from typer.testing import CliRunner

from govsim.cli import app
from govsim.labels import vocabulary
from govsim.model_api import Model
from govsim.models import MODELS
from govsim.report import fonts
from govsim.report.answer import answer, fmt
from govsim.report.assumptions import scenario_notes
from govsim.report.figures import (MAX_HEIGHT_IN, MAX_WIDTH_IN, Breakdown, Profile, Stacked, breakdown_figure,
                                   build_figures, comparison_figure, distribution_figure, key_figure, policy_colours,
                                   profile_figure, stacked_figure, text_problems)
from govsim.report.html import render
from govsim.results import SavedResults, read_results

from conftest import MMC_DEMO, short_hall

runner = CliRunner()
SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 3000").replace("warmup_min: 2000", "warmup_min: 300")
SECTIONS = ["answer", "baselines", "charts", "model", "experiment"]
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_cjk_font():
    """Chinese charts need a CJK font: CI installs one (.ci/run), so there it must be found."""
    if fonts.cjk_font() is None:
        if IN_CI:
            pytest.fail(fonts.missing_message())
        pytest.skip(fonts.missing_message())


def run(args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def mmc(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mmc")
    scenario = folder / "mmc.yaml"
    scenario.write_text(SHORT)
    out = folder / "out"
    run(["run", scenario, "--out", out, "-r", 4, "-j", 1, "-q"])
    return out


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """The Hongjiang study, shortened: 3 working days, 3 replications, 3 policies."""
    scenario = short_hall(tmp_path_factory.mktemp("hall"))
    policies = yaml.safe_load(scenario.read_text(encoding="utf-8"))["policies"]
    chosen = [p for p in ("integrated", "pooled_windows_only") if p in policies]
    out = scenario.parent / "out"
    run(["run", scenario, "--out", out, "-r", 3, "-j", 2, "-q"] + [x for p in chosen for x in ("-p", p)])
    return out


@pytest.fixture(scope="module")
def hall_all(tmp_path_factory):
    """The shipped Hongjiang study with all its policies, shortened: 3 working days, 3 replications."""
    scenario = short_hall(tmp_path_factory.mktemp("hall_all"))
    out = scenario.parent / "out"
    run(["run", scenario, "--out", out, "-r", 3, "-j", 2, "-q"])
    return out


def html_of(folder: Path, name: str = "report.html") -> str:
    """The page, without the line-break hints (<wbr>) inside identifiers."""
    return (folder / name).read_text(encoding="utf-8").replace("<wbr>", "")


def embedded_images(page: str) -> dict[str, bytes]:
    """figure name -> the PNG bytes embedded in the page."""
    found = re.findall(r'<figure id="fig-([^"]+)"[^>]*><img src="data:image/png;base64,([^"]+)"', page)
    return {name: base64.b64decode(data) for name, data in found}


def text_of(fragment: str) -> str:
    """The text a reader sees: cells and items apart, inline markup gone."""
    spaced = re.sub(r"</(dt|dd|td|th|p|li|h\d)>|<br>", " ", fragment)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", spaced)).strip()


# ---------------------------------------------------------------- the page


def test_run_writes_a_self_contained_report(mmc):
    page = html_of(mmc)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    # nothing to fetch: no scripts, stylesheets, fonts or remote addresses
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r'(src|href)="(?!data:|#)', page), "only embedded data and in-page links"
    assert "http://" not in page and "https://" not in page
    images = re.findall(r'<img src="([^"]{0,30})', page)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    # every PNG in figures/ is in the page, byte for byte
    pngs = {p.stem: p.read_bytes() for p in (mmc / "figures").glob("*.png")}
    assert embedded_images(page) == pngs
    assert {"comparison", "wait_mean_min", "distributions", "utilisation_by_station"} <= set(pngs)


def test_sections_follow_stress_des_order(mmc):
    page = html_of(mmc)
    assert re.findall(r'<section id="([^"]+)"', page) == SECTIONS
    headings = [text_of(h) for h in re.findall(r"<h2>(.*?)</h2>", page)]
    assert headings == ["1. Question and answer", "2. Article baselines", "3. Charts",
                        "4. Model logic and assumptions", "5. Experiment"]
    charts = page[page.index('<section id="charts"'):page.index('<section id="model"')]
    groups = re.findall(r'<h3 id="charts-([a-z]+)"', charts)
    assert groups[:3] == ["forest", "key", "dist"] and "util" in groups


def test_answer_sentence_per_key_metric_with_interval_and_verdict(mmc):
    page = html_of(mmc)
    summary = pd.read_csv(mmc / "summary.csv")
    comparison = pd.read_csv(mmc / "comparison.csv")
    base = summary[(summary.policy == "base") & (summary.scope == "all")].set_index("metric")["mean"]
    c = comparison[(comparison.scope == "all")].set_index("metric")
    item = re.search(r'<li data-metric="wait_mean_min" data-verdict="(\w+)" data-badge="(\w*)">(.*?)</li>', page)
    assert item, "a sentence for the mean wait"
    verdict, badge, sentence = item.group(1), item.group(2), text_of(item.group(3))
    w = c.loc["wait_mean_min"]
    pct = -100 * w["diff_mean"] / base["wait_mean_min"]
    lo, hi = -100 * w["ci_high"] / base["wait_mean_min"], -100 * w["ci_low"] / base["wait_mean_min"]
    assert w["ci_high"] < 0 and verdict == "clear"
    assert sentence.startswith(f"With six_windows, mean wait falls {pct:.0f}% (95% CI {lo:.0f}–{hi:.0f}%) against base")
    assert badge == "better" and sentence.endswith("better"), "a shorter wait is better"
    # one sentence per key metric for the one policy besides the baseline
    metrics = re.findall(r'<li data-metric="([^"]+)"', page)
    assert metrics == ["wait_mean_min", "wait_p90_min", "sojourn_mean_min", "abandon_frac", "blocked_frac",
                       "utilisation"]
    # a share that no policy moves is said to be the same, with no badge
    assert re.search(r'data-metric="blocked_frac" data-verdict="same" data-badge=""', page)
    # utilisation, a share, moves in percentage points
    util = text_of(re.search(r'<li data-metric="utilisation"[^>]*>(.*?)</li>', page).group(1))
    u = c.loc["utilisation"]
    assert f"falls {-100 * u['diff_mean']:.0f} percentage points" in util
    assert util.endswith("changed"), "utilisation is neither better nor worse in itself"


def test_sentences_say_when_a_difference_is_noise():
    voc = vocabulary(MODELS["network"])
    s = answer(pd.DataFrame({"policy": ["a", "b"], "scope": "all", "metric": "wait_mean_min", "mean": [10.0, 10.2],
                             "ci_low": [9.0, 9.1], "ci_high": [11.0, 11.3], "n": 5}),
               pd.DataFrame({"policy": ["b"], "baseline": "a", "scope": "all", "metric": "wait_mean_min",
                             "diff_mean": [0.2], "ci_low": [-0.3], "ci_high": [0.7], "rel_change": [0.02]}),
               ["wait_mean_min"], ["a", "b"], "a", voc=voc)["b"][0]
    assert s.verdict == "noise"
    assert text_of(s.text) == "With b, mean wait changes by +2.0% (95% CI −3.0% to +7.0%) against a, from 10 to 10.2 minutes."
    assert s.badge == "no_clear" and s.note == "no clear change"
    zh = answer(pd.DataFrame({"policy": ["a", "b"], "scope": "all", "metric": "wait_mean_min", "mean": [10.0, 5.0],
                              "ci_low": [9.0, 4.0], "ci_high": [11.0, 6.0], "n": 5}),
                pd.DataFrame({"policy": ["b"], "baseline": "a", "scope": "all", "metric": "wait_mean_min",
                              "diff_mean": [-5.0], "ci_low": [-6.0], "ci_high": [-4.0], "rel_change": [-0.5]}),
                ["wait_mean_min"], ["a", "b"], "a", lang="zh", voc=voc)["b"][0]
    assert text_of(zh.text) == "采用 b 时，平均等候时间比 a 下降 50%（95% 置信区间 40–60%），从 10 到 5 分钟。"
    assert zh.verdict == "clear" and zh.badge == "better" and zh.note == "更好"


def test_model_section_has_resolved_params_and_the_scenario_comments(mmc):
    page = html_of(mmc)
    model = page[page.index('<section id="model"'):page.index('<section id="experiment"')]
    assert "a generic open queueing network" in model  # the model's own docstring
    diff = re.search(r'<table class="params-diff[^"]*">(.*?)</table>', model, re.S).group(1)
    row = re.search(r"<tr><td><code>stations\.window\.servers</code></td>(.*?)</tr>", diff).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row) == ["5", "6"]
    assert 'class="diff">6<' in row
    assert "params-all" in model  # every resolved parameter, folded
    # every comment of the scenario file, beside its setting
    _, notes = scenario_notes((mmc / "scenario.yaml").read_text())
    assert len(notes) == 3
    for note in notes:
        assert text_of(note.comment) in text_of(model)
    row = re.search(r"<tr><td class=\"num\">\d+</td><td><code>params\.classes\.citizen\.arrivals</code></td>(.*?)</tr>",
                    model).group(1)
    assert "minutes between arrivals" in row


def test_experiment_section_from_metadata(mmc):
    page = html_of(mmc)
    meta = json.loads((mmc / "metadata.json").read_text())
    exp = text_of(page[page.index('<section id="experiment"'):])
    for fact in (f"Replications per policy {meta['replications']}", f"Base seed {meta['seed']}",
                 f"Started (UTC) {meta['started_utc']}", "Run length 3,000 minutes", "Warm-up 300 minutes",
                 "Student-t", f"numpy {meta['libraries']['numpy']}", meta["command"]):
        assert fact in exp, fact


def test_scenario_file_is_saved_with_the_results(mmc):
    assert (mmc / "scenario.yaml").read_text() == SHORT
    assert json.loads((mmc / "metadata.json").read_text())["lang"] == "en"


def test_hall_report_has_baselines_profiles_and_utilisation(hall):
    page = html_of(hall)
    assert re.findall(r'<section id="([^"]+)"', page) == SECTIONS
    baselines = page[page.index('<section id="baselines"'):page.index('<section id="charts"')]
    checked = pd.read_csv(hall / "baselines.csv")
    assert len(checked) >= 1
    for _, row in checked.iterrows():
        assert f"<td>{row['baseline']}</td>" in baselines
        assert f">{row['reproduced']}<" in baselines
    names = set(embedded_images(page))
    assert {"queue_through_the_day", "utilisation_by_bank", "comparison", "distributions"} <= names
    assert '<h3 id="charts-profile">' in page and '<h3 id="charts-util">' in page
    assert "county government service hall" in page  # the model's docstring
    assert "Hongjiang District government service hall" in page  # the scenario file's header comment


# ---------------------------------------------------------------- rebuilt from the saved tables


def test_report_is_rebuilt_identically_from_saved_tables(mmc, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(mmc, copy)
    before = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    result = run(["report", copy])
    assert "report.html" in result.stdout
    after = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()  # no stray temporary files
    changed = [str(k) for k in before if before[k] != after[k]]
    assert changed == [], f"rebuild differs in {changed}"


def test_report_in_chinese_goes_beside_the_english_one(mmc, tmp_path):
    need_cjk_font()
    copy = tmp_path / "copy"
    shutil.copytree(mmc, copy)
    before = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    result = run(["report", copy, "--lang", "zh"])
    assert "report.zh.html" in result.stdout
    after = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert {k: after[k] for k in before} == before, "the English report, its figures and metadata.json untouched"
    added = sorted(str(k) for k in after.keys() - before.keys())
    assert added == sorted(["report.zh.html", "figures/zh/.govsim-files"]  # the list of what govsim wrote there
                           + [f"figures/zh/{p.name}" for p in (copy / "figures").glob("*.png")])
    page = html_of(copy, "report.zh.html")
    assert '<html lang="zh-CN">' in page
    assert [text_of(h) for h in re.findall(r"<h2>(.*?)</h2>", page)] == [
        "1. 问题与结论", "2. 报道数据基准", "3. 图表", "4. 模型逻辑与假设", "5. 实验设置"]
    assert "平均等候时间" in page and "更好" in page and "figures/zh/wait_mean_min.png" in page
    assert embedded_images(page) == {p.stem: p.read_bytes() for p in (copy / "figures" / "zh").glob("*.png")}
    assert embedded_images(page)["wait_mean_min"] != before[Path("figures/wait_mean_min.png")]
    # rebuilding either leaves the other alone; the run's language stays the default
    run(["report", copy])
    run(["report", copy, "--lang", "zh"])
    assert {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()} == after


def test_scenario_lang_sets_the_default_and_the_option_overrides_it(tmp_path):
    need_cjk_font()
    scenario = tmp_path / "zh.yaml"
    scenario.write_text("lang: zh\n" + SHORT)
    run(["run", scenario, "--out", tmp_path / "zh", "-r", 2, "-j", 1, "-q"])
    assert '<html lang="zh-CN">' in html_of(tmp_path / "zh")
    assert json.loads((tmp_path / "zh" / "metadata.json").read_text())["lang"] == "zh"
    run(["run", scenario, "--out", tmp_path / "en", "-r", 2, "-j", 1, "-q", "--lang", "en"])
    assert '<html lang="en">' in html_of(tmp_path / "en")


def test_open_flag_opens_the_report_in_a_browser(mmc, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    copy = tmp_path / "copy"
    shutil.copytree(mmc, copy)
    assert "no web browser" not in run(["report", copy, "--open"]).stderr
    assert opened == [(copy / "report.html").resolve().as_uri()]
    # a machine without a browser (a server): said, not silently nothing
    monkeypatch.setattr("webbrowser.open", lambda url: False)
    said = run(["report", copy, "--open"]).stderr
    assert said.strip() == f"--open: no web browser found here; open {copy / 'report.html'} yourself"


# ---------------------------------------------------------------- bad input


def _break(folder: Path, how: str) -> Path:
    target = folder / "broken"
    if how == "missing folder":
        return target
    shutil.copytree(folder, target)
    meta = target / "metadata.json"
    if how == "not a results folder":
        shutil.rmtree(target)
        target.mkdir()
        (target / "notes.txt").write_text("hello")
    elif how == "metadata not JSON":
        meta.write_text("{not json")
    elif how == "metadata from elsewhere":
        meta.write_text(json.dumps({"policies": ["base"]}))
    elif how == "unknown model":
        m = json.loads(meta.read_text())
        m["scenario"]["model"] = "teleporter"
        meta.write_text(json.dumps(m))
    elif how == "summary missing":
        (target / "summary.csv").unlink()
    elif how == "summary empty":
        (target / "summary.csv").write_text("")
    elif how == "summary column missing":
        df = pd.read_csv(target / "summary.csv")
        df.drop(columns=["ci_high"]).to_csv(target / "summary.csv", index=False)
    elif how == "summary not a number":
        text = (target / "summary.csv").read_text().splitlines()
        parts = text[1].split(",")
        parts[3] = "lots"
        text[1] = ",".join(parts)
        (target / "summary.csv").write_text("\n".join(text) + "\n")
    elif how == "comparison ragged":
        (target / "comparison.csv").write_text("policy,baseline,scope\n\"unclosed,quote\n")
    elif how == "replications of another run":
        df = pd.read_csv(target / "replications.csv")
        df.loc[0, "policy"] = "stranger"
        df.to_csv(target / "replications.csv", index=False)
    elif how == "resolved scenario broken":
        (target / "scenario.resolved.yaml").write_text("policies: [unclosed\n")
    return target


BROKEN = [
    ("missing folder", "no such results folder"),
    ("not a results folder", "not a govsim results folder"),
    ("metadata not JSON", "metadata.json: not valid JSON"),
    ("metadata from elsewhere", "metadata.json: not written by govsim"),
    ("unknown model", "unknown model 'teleporter'"),
    ("summary missing", "summary.csv: missing"),
    ("summary empty", "summary.csv: empty file"),
    ("summary column missing", "summary.csv: missing column ci_high"),
    ("summary not a number", "summary.csv:2: column 'mean' is not a number"),
    ("comparison ragged", "comparison.csv: "),
    ("replications of another run", "replications.csv: policy 'stranger'"),
    ("resolved scenario broken", "scenario.resolved.yaml: not valid YAML"),
]


@pytest.mark.parametrize("how,words", BROKEN, ids=[b[0] for b in BROKEN])
def test_missing_or_broken_results_folder_gives_one_clear_line(mmc, tmp_path, how, words):
    target = _break(_copy(mmc, tmp_path), how)
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} if target.exists() else {}
    result = runner.invoke(app, ["report", str(target)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert words in lines[0] and "Traceback" not in result.output
    assert lines[0].startswith(str(target)), lines[0]
    after = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} if target.exists() else {}
    assert after == before, "nothing written into a broken folder"


def _copy(folder: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "src"
    shutil.copytree(folder, dest)
    return dest


def test_unknown_language_is_refused(mmc, tmp_path):
    result = runner.invoke(app, ["report", str(mmc), "--lang", "fr"])
    assert result.exit_code == 2 and result.stderr.strip() == "--lang: must be one of en, zh (got 'fr')"
    scenario = tmp_path / "s.yaml"
    scenario.write_text("lang: fr\n" + SHORT)
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"{scenario}:1: lang: ") and "'en' or 'zh'" in result.stderr


def test_chinese_without_a_cjk_font_says_which_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SHORT)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--lang", "zh", "-q"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "no CJK font" in line and "apt-get install fonts-noto-cjk" in line
    assert not out.exists(), "refused before running"


# ---------------------------------------------------------------- the charts plot the tables


def _bars(ax) -> dict[str, list[float]]:
    """Horizontal bars: policy -> the bars' lengths."""
    return {c.get_label(): [r.get_width() for r in c.patches] for c in ax.containers if isinstance(c, BarContainer)}


def _bar_intervals(ax) -> list[tuple[float, float]]:
    """The horizontal error bars' ends, in drawing order."""
    out = []
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer):
            for seg in c.lines[2][0].get_segments():
                out.append((min(seg[:, 0]), max(seg[:, 0])))
    return out


_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"


def unwrapped(text: str) -> str:
    """A label as one line again: wrapped lines joined by a space, or by nothing after an
    underscore or between Chinese characters."""
    out = ""
    for line in text.split("\n"):
        if out and not (re.search(f"[_/{_CJK}]$", out) and (out[-1] in "_/" or re.match(f"[{_CJK}]", line))):
            out += " "
        out += line
    return out


def _ticks(labels) -> list[str]:
    return [unwrapped(t.get_text()) for t in labels]


def _check_labelled(fig, policies, colours, legend: bool = True):
    """Title, axis labels (with units where a metric is drawn), the policies in their
    colours (a legend, or their names on the axis), text large enough to read at the size
    the report shows it, a width that fits an A4 page, and no text cut or overlapping."""
    assert fig.get_suptitle()
    if legend:
        legends = fig.legends
        assert len(legends) == 1
        names = [unwrapped(t.get_text()) for t in legends[0].get_texts()]
        assert names and set(names) <= set(policies)
        for handle, name in zip(legends[0].legend_handles, names):
            assert plt.matplotlib.colors.to_hex(handle.get_facecolor()) == colours[name]
    else:
        assert not fig.legends, "the policies are named on the axis"
    for ax in fig.axes:
        if ax.axison:
            assert ax.get_xlabel() or ax.get_ylabel()
    sizes = [t.get_fontsize() for t in fig.findobj(plt.Text) if t.get_text()]
    assert min(sizes) >= 8
    assert fig.get_figwidth() <= MAX_WIDTH_IN and fig.get_figheight() <= MAX_HEIGHT_IN
    assert text_problems(fig) == []


def test_key_metric_bars_equal_the_summary(mmc):
    res = read_results(mmc)
    voc = vocabulary(res.model)
    colours = policy_colours(res.policies)
    for metric in ("wait_mean_min", "utilisation"):
        fig = key_figure(res.summary, metric, res.policies, colours, voc=voc)
        try:
            _check_labelled(fig, res.policies, colours, legend=False)
            ax = fig.axes[0]
            assert unwrapped(ax.get_xlabel()) == voc.metric_label(metric)  # with its unit
            assert _ticks(ax.get_yticklabels()) == res.policies  # top to bottom, in the scenario's order
            table = res.summary[(res.summary.scope == "all") & (res.summary.metric == metric)].set_index("policy")
            assert _bars(ax) == {p: [pytest.approx(table.loc[p, "mean"], rel=1e-12)] for p in res.policies}
            assert _bar_intervals(ax) == [pytest.approx((table.loc[p, "ci_low"], table.loc[p, "ci_high"]), rel=1e-12)
                                          for p in res.policies]
            for c in ax.containers:
                if isinstance(c, BarContainer):
                    assert plt.matplotlib.colors.to_hex(c.patches[0].get_facecolor()) == colours[c.get_label()]
        finally:
            plt.close(fig)


def test_forest_plot_equals_the_comparison(hall):
    res = read_results(hall)
    colours = policy_colours(res.policies)
    metrics = list(res.model.key_metrics)
    voc = vocabulary(res.model)
    fig = comparison_figure(res.comparison, metrics, res.baseline, res.policies, colours, voc=voc)
    try:
        _check_labelled(fig, res.policies, colours, legend=False)
        comp = res.comparison[res.comparison.scope == "all"].set_index(["policy", "metric"])
        panels = [ax for ax in fig.axes if ax.axison]
        assert len(panels) >= 3
        shares = 0
        for ax in panels:
            metric = next(m for m in metrics if voc.metric_label(m, with_unit=False) == unwrapped(ax.get_title()))
            # a share's difference is in percentage points, any other in the metric's unit
            scale = 100 if voc.is_fraction(metric) else 1
            shares += scale == 100
            assert ("percentage points" if scale == 100 else voc.metric_unit(metric)) in unwrapped(ax.get_xlabel())
            bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
            assert [c.get_label() for c in bars] == [p for p in res.policies if p != res.baseline]
            for c in bars:
                row = comp.loc[(c.get_label(), metric)]
                x, _ = c.lines[0].get_data()
                assert x[0] == pytest.approx(row["diff_mean"] * scale, rel=1e-12)
                seg = c.lines[2][0].get_segments()[0]
                assert (seg[0][0], seg[1][0]) == pytest.approx((row["ci_low"] * scale, row["ci_high"] * scale), rel=1e-9)
        assert shares >= 1
    finally:
        plt.close(fig)


def test_distributions_show_every_replication_and_the_summary_mean(mmc):
    res = read_results(mmc)
    colours = policy_colours(res.policies)
    metrics = list(res.model.key_metrics)
    fig = distribution_figure(res.replications, res.summary, metrics, res.policies, colours,
                              voc=vocabulary(res.model))
    try:
        _check_labelled(fig, res.policies, colours)
        reps = res.replications[res.replications.scope == "all"]
        summ = res.summary[res.summary.scope == "all"].set_index(["policy", "metric"])
        panel = next(ax for ax in fig.axes if ax.get_title() == "Mean wait")
        dots = {c.get_label(): c.get_offsets()[:, 1].tolist() for c in panel.collections if isinstance(c, PathCollection)}
        means = {ln.get_label(): ln.get_ydata()[0] for ln in panel.lines if ln.get_label().endswith(" mean")}
        for p in res.policies:
            values = reps[(reps.policy == p) & (reps.metric == "wait_mean_min")].sort_values("rep")["value"].tolist()
            assert dots[p] == values
            assert means[f"{p} mean"] == summ.loc[(p, "wait_mean_min"), "mean"]
    finally:
        plt.close(fig)


def test_profile_and_breakdown_equal_the_summary(hall):
    res = read_results(hall)
    colours = policy_colours(res.policies)
    profile = next(s for s in res.model.figures if isinstance(s, Profile))
    voc = vocabulary(res.model)
    fig = profile_figure(res.summary, profile, res.policies, colours, voc=voc)
    try:
        _check_labelled(fig, res.policies, colours)
        ax = fig.axes[0]
        data = res.summary[(res.summary.metric == profile.metric) & res.summary.scope.str.startswith(profile.prefix)]
        for line in ax.lines:
            sub = data[data.policy == line.get_label()].sort_values("scope")
            plotted = [v for v in line.get_ydata().tolist() if v == v]  # NaN: a break in the line (lunch)
            assert plotted == sub["mean"].tolist()
            assert line.get_color() == colours[line.get_label()]
        assert {ln.get_label() for ln in ax.lines} == set(res.policies)
    finally:
        plt.close(fig)
    spec = next(s for s in res.model.figures if isinstance(s, Breakdown) and s.metric == "utilisation")
    fig = breakdown_figure(res.summary, spec, res.policies, colours, voc=voc)
    try:
        _check_labelled(fig, res.policies, colours)
        ax = fig.axes[0]
        scopes = _ticks(ax.get_yticklabels())  # a row per scope, top to bottom
        table = res.summary[res.summary.metric == "utilisation"]
        wanted = table.scope.map(lambda s: s in spec.prefixes or s.startswith(tuple(p for p in spec.prefixes
                                                                                     if p.endswith(":"))))
        drawn = [s.split(":")[-1] for s in table.loc[wanted, "scope"].unique()
                 if table.loc[table.scope == s, "mean"].notna().any()]
        assert scopes == drawn, "every scope with a value, none without"
        points = {c.get_label(): c.lines[0].get_xdata() for c in ax.containers if isinstance(c, ErrorbarContainer)}
        assert set(points) == set(res.policies)
        for policy, xs in points.items():
            for scope_short, x in zip(scopes, xs):
                row = table[(table.policy == policy) & (table.scope.str.split(":").str[-1] == scope_short)]
                if row.empty or math.isnan(row["mean"].iloc[0]):
                    assert math.isnan(x)
                else:
                    assert x == row["mean"].iloc[0]
    finally:
        plt.close(fig)


def test_saved_pngs_are_these_charts(mmc):
    """The files in figures/ are the builders' charts drawn from the saved tables."""
    res = read_results(mmc)
    with plt.rc_context(fonts.font_rc("en")):
        for name, _, _, fig in build_figures(res.summary, res.comparison, res.model, res.policies, res.baseline,
                                             "en", res.replications):
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=150)
            plt.close(fig)
            assert buf.getvalue() == (mmc / "figures" / f"{name}.png").read_bytes(), name


def test_policy_keeps_its_colour_across_figures(hall):
    res = read_results(hall)
    colours = policy_colours(res.policies)
    seen: dict[str, set] = {}
    with plt.rc_context(fonts.font_rc("en")):
        for _, _, _, fig in build_figures(res.summary, res.comparison, res.model, res.policies, res.baseline, "en",
                                          res.replications):
            for legend in fig.legends:
                for handle, text in zip(legend.legend_handles, legend.get_texts()):
                    seen.setdefault(text.get_text(), set()).add(plt.matplotlib.colors.to_hex(handle.get_facecolor()))
            for ax in fig.axes:  # bars and points named on the axis carry the policy as their label
                for c in ax.containers:
                    if c.get_label().startswith("_"):  # a bar's own error bar
                        continue
                    artist = c.patches[0] if isinstance(c, BarContainer) else c.lines[0]
                    colour = artist.get_facecolor() if isinstance(c, BarContainer) else artist.get_color()
                    seen.setdefault(c.get_label(), set()).add(plt.matplotlib.colors.to_hex(colour))
            plt.close(fig)
    assert {p: c for p, cs in seen.items() for c in cs} == {p: colours[p] for p in seen}
    assert all(len(cs) == 1 for cs in seen.values())


def test_chinese_charts_use_a_cjk_font_and_chinese_labels(mmc):
    need_cjk_font()
    res = read_results(mmc)
    colours = policy_colours(res.policies)
    with plt.rc_context(fonts.font_rc("zh")):
        fig = key_figure(res.summary, "wait_mean_min", res.policies, colours, lang="zh", voc=vocabulary(res.model))
        try:
            assert unwrapped(fig.get_suptitle()) == "各政策的平均等候时间（均值，95% 置信区间）"
            assert unwrapped(fig.axes[0].get_xlabel()) == "平均等候时间（分钟）"
            assert _ticks(fig.axes[0].get_yticklabels()) == res.policies
            assert plt.rcParams["font.family"][0] == fonts.cjk_font()
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a glyph missing from the font is a warning: fail on it
                fig.savefig(io.BytesIO(), format="png")
        finally:
            plt.close(fig)


class Widgets(Model):
    """A model declared here only: its labels live on the class, nowhere global."""

    name = "widgets"
    description = "Widgets made on assembly lines."
    metrics = ("widgets_made", "wait_mean_min")
    key_metrics = ("widgets_made", "wait_mean_min")
    labels = {"widgets_made": ("Widgets made", "widgets")}
    labels_zh = {"widgets_made": ("部件产量", "个")}
    scope_kinds = {"line": ("assembly line", "装配线")}
    figures = (Breakdown("widgets_made", ("line:",), "widgets_made_by_line"),)


class HallShowingOpenEnd(MODELS["service_hall"]):
    """The hall with open_end among its key metrics, so its report shows it."""

    key_metrics = ("open_end",)


def _saved(model: Model, metrics: tuple[str, ...]) -> SavedResults:
    """A results folder's contents built in memory: policies a and b, b halving each metric."""
    summary, comparison = [], []
    for metric in metrics:
        for scope in ("all", "line:north", "line:south"):
            summary += [("a", scope, metric, 10.0, 9.0, 11.0, 3), ("b", scope, metric, 5.0, 4.0, 6.0, 3)]
            comparison.append(("b", "a", scope, metric, -5.0, -6.0, -4.0, -0.5))
    summary = pd.DataFrame(summary, columns=["policy", "scope", "metric", "mean", "ci_low", "ci_high", "n"])
    comparison = pd.DataFrame(comparison, columns=["policy", "baseline", "scope", "metric", "diff_mean", "ci_low",
                                                   "ci_high", "rel_change"])
    return SavedResults(folder=Path("."), metadata={"scenario": {"name": "s"}, "replications": 3, "seed": 1},
                        model=model, policies=["a", "b"], baseline="a", replications=None, summary=summary,
                        comparison=comparison, baselines=None, resolved={"run": {}, "policies": {"a": {}, "b": {}}},
                        scenario_text=None)


def _drawn(res: SavedResults, lang: str = "en") -> dict[str, tuple[str, str, str]]:
    """figure name -> (title, x label, y label) of the first panel, as build_figures draws them."""
    out = {}
    with plt.rc_context(fonts.font_rc(lang)):  # labels are measured to wrap them: in the chart's font
        for name, _, title, fig in build_figures(res.summary, res.comparison, res.model, res.policies, res.baseline,
                                                 lang):
            ax = fig.axes[0]
            out[name] = (title, unwrapped(ax.get_xlabel()), unwrapped(ax.get_ylabel()))
            plt.close(fig)
    return out


def test_a_missing_glyph_is_a_warning_and_the_test_run_fails_on_it():
    """What the Chinese chart test relies on: matplotlib warns when the font lacks a glyph,
    and the test run (pyproject: filterwarnings = error) turns that into a failure."""
    with plt.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = plt.figure()
        fig.suptitle("平均等候时间")
        try:
            with pytest.raises(UserWarning, match="missing from font"):
                fig.savefig(io.BytesIO(), format="png")
        finally:
            plt.close(fig)


def test_a_models_own_labels_reach_every_part_of_the_report():
    res = _saved(Widgets(), ("widgets_made", "wait_mean_min"))
    page = render(res, [], "en")
    assert "<th>Widgets made (widgets)</th>" in page  # the key-metrics table
    item = text_of(re.search(r'<li data-metric="widgets_made"[^>]*>(.*?)</li>', page).group(1))
    assert item.startswith("With b, widgets made falls 50%")
    drawn = _drawn(res)
    assert drawn["widgets_made"][1] == "Widgets made (widgets)"
    assert drawn["comparison"][1] == "Δ Widgets made (widgets)"
    assert drawn["widgets_made_by_line"][1:] == ("Widgets made (widgets)", "Assembly line")
    # the common words still come from the common vocabulary
    assert "<th>Mean wait (minutes)</th>" in page and drawn["wait_mean_min"][1] == "Mean wait (minutes)"
    zh = render(res, [], "zh")
    assert "<th>部件产量（个）</th>" in zh
    need_cjk_font()
    assert _drawn(res, "zh")["widgets_made_by_line"][1:] == ("部件产量（个）", "装配线")


def test_declaring_a_model_leaves_other_models_and_the_common_words_alone():
    Widgets()  # declared and used above: nothing is registered anywhere
    for voc in [vocabulary()] + [vocabulary(m) for m in MODELS.values()]:
        assert "widgets_made" not in voc.metrics and "line" not in voc.scope_kinds
        assert voc.metric_label("widgets_made") == "widgets made"  # an unknown metric shows its name


@pytest.mark.parametrize("model", [MODELS["licence"](), HallShowingOpenEnd()], ids=["licence", "service_hall"])
def test_each_model_labels_open_end_in_its_own_words(model):
    own = type(model).labels["open_end"]
    other = (HallShowingOpenEnd if model.name == "licence" else MODELS["licence"]).labels["open_end"]
    assert own != other
    res = _saved(model, ("open_end",))
    page = render(res, [], "en")
    assert f"<th>{own[0]} ({own[1]})</th>" in page and other[0] not in page
    drawn = _drawn(res)
    assert drawn["open_end"][1] == f"{own[0]} ({own[1]})"
    assert drawn["comparison"][1] == f"Δ {own[0]} ({own[1]})"
    zh = type(model).labels_zh["open_end"]
    assert f"<th>{zh[0]}（{zh[1]}）</th>" in render(res, [], "zh")


def test_every_figure_of_the_shipped_models_is_labelled_in_both_languages():
    """Each model's figures name its metrics, scope kinds and axes in its own vocabulary:
    a word missing there would show as a raw key (``open_end``) or in English in Chinese."""
    for model in MODELS.values():
        voc = vocabulary(model)
        for spec in model.figures:
            metrics = spec.metrics if isinstance(spec, Stacked) else (spec.metric,)
            for metric in metrics:
                assert metric in voc.metrics and metric in voc.metrics_zh, (model.name, metric)
            if isinstance(spec, Profile):
                assert spec.xlabel_zh or spec.xlabel in voc.phrases_zh, (model.name, spec.xlabel)
            else:
                kinds = {p.split(":", 1)[0] for p in spec.prefixes}
                kinds |= {spec.name.split("_by_")[-1]} if "_by_" in spec.name else set()
                assert kinds <= set(voc.scope_kinds), (model.name, spec.name, kinds - set(voc.scope_kinds))


def test_fmt_reads_like_a_planner_writes():
    assert [fmt(x) for x in (0.0, 0.1234, 12.345, 1234.5, -0.5, math.nan)] == ["0", "0.123", "12.3", "1,234", "−0.5", "–"]


def test_stacked_figure_stacks_the_summary_means():
    rows = []
    for policy, base in (("before", 1.0), ("after", 0.5)):
        for scope, k in (("step:a", 1), ("step:b", 2)):
            for metric, share in (("wait_mean_days", 1.0), ("work_mean_days", 0.25)):
                m = base * k * share
                rows.append((policy, scope, metric, m, m, m, 3))
    summary = pd.DataFrame(rows, columns=["policy", "scope", "metric", "mean", "ci_low", "ci_high", "n"])
    fig = stacked_figure(summary, Stacked(("wait_mean_days", "work_mean_days"), ("step:",), "time_by_step"),
                         ["before", "after"], voc=vocabulary(MODELS["licence"]))
    ax = fig.axes[0]  # the 'before' panel
    bars = [(round(p.get_x(), 9), round(p.get_width(), 9)) for p in ax.patches]
    assert bars == [(0.0, 1.0), (0.0, 2.0), (1.0, 0.25), (2.0, 0.5)]  # waits, then work after them
    assert _ticks(ax.get_yticklabels()) == ["a", "b"] and ax.get_title() == "before"
    assert ax.get_xlabel() == "working days"  # the unit the parts share, in the model's words
    assert text_problems(fig) == []
    plt.close(fig)
    need_cjk_font()
    with plt.rc_context(fonts.font_rc("zh")):
        fig = stacked_figure(summary, Stacked(("wait_mean_days", "work_mean_days"), ("step:",), "time_by_step"),
                             ["before", "after"], lang="zh", voc=vocabulary(MODELS["licence"]))
    assert fig.axes[0].get_xlabel() == "工作日"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["平均等待时间", "平均办理（工作）时间"]
    plt.close(fig)


def test_every_baseline_verdict_is_shown_in_the_report_language():
    from govsim.baselines import undecided

    res = _saved(MODELS["network"](), ("wait_mean_min",))
    verdicts = ["yes", "no", "calibrated", "not run", undecided(3), undecided(1)]
    res.baselines = pd.DataFrame({"baseline": [f"B{i}" for i in range(len(verdicts))], "source": "s", "policy": "a",
                                  "metric": "wait_mean_min", "expected": "≤ 10", "simulated": 9.0, "ci_low": 8.0,
                                  "ci_high": 10.0, "reproduced": verdicts})
    shown = {lang: re.findall(r'<td><span class="([a-z]*)">([^<]*)</span></td>', render(res, [], lang))
             for lang in ("en", "zh")}
    assert shown["en"] == [("yes", "yes"), ("no", "no"), ("", "calibrated"), ("", "not run"),
                           ("undecided", undecided(3)), ("undecided", undecided(1))]
    assert shown["zh"] == [("yes", "是"), ("no", "否"), ("", "已校准"), ("", "未运行"),
                           ("undecided", "未定：区间过宽（3 次重复运行）"), ("undecided", "未定：区间过宽（1 次重复运行）")]


# ---------------------------------------------------------------- the bottom line and the badges


def _answer_frame(rows):
    """(metric, base mean, base ci, policy mean, diff, diff ci) -> summary and comparison of policies a and b."""
    summary, comparison = [], []
    for metric, base, base_ci, mean, diff, ci in rows:
        summary += [("a", "all", metric, base, *base_ci, 4), ("b", "all", metric, mean, mean - 1, mean + 1, 4)]
        comparison.append(("b", "a", "all", metric, diff, *ci, math.nan))
    return (pd.DataFrame(summary, columns=["policy", "scope", "metric", "mean", "ci_low", "ci_high", "n"]),
            pd.DataFrame(comparison, columns=["policy", "baseline", "scope", "metric", "diff_mean", "ci_low", "ci_high",
                                              "rel_change"]))


def test_badges_follow_each_metrics_direction():
    """A rise of a wait is worse, a rise of a share done in one visit better, a clear change
    of utilisation only a change; an interval across zero is no clear change."""
    voc = vocabulary(MODELS["service_hall"])
    rows = [("wait_mean_min", 10, (9, 11), 30, 20, (18, 22)),  # rises: worse
            ("acceptance_time_mean_h", 20, (19, 21), 10, -10, (-11, -9)),  # falls: better
            ("one_visit_share", 0.7, (0.69, 0.71), 0.8, 0.1, (0.09, 0.11)),  # rises: better
            ("visits_mean", 1.3, (1.2, 1.4), 1.5, 0.2, (0.1, 0.3)),  # rises: worse
            ("window_utilisation", 0.5, (0.49, 0.51), 0.3, -0.2, (-0.21, -0.19)),  # neither
            ("wait_p90_min", 27, (26, 28), 27.5, 0.5, (-1, 2))]  # across zero
    summary, comparison = _answer_frame(rows)
    got = {s.metric: (s.badge, s.note) for s in answer(summary, comparison, [r[0] for r in rows], ["a", "b"], "a",
                                                       voc=voc)["b"]}
    assert got == {"wait_mean_min": ("worse", "worse"), "acceptance_time_mean_h": ("better", "better"),
                   "one_visit_share": ("better", "better"), "visits_mean": ("worse", "worse"),
                   "window_utilisation": ("changed", "changed"), "wait_p90_min": ("no_clear", "no clear change")}
    zh = {s.metric: s.note for s in answer(summary, comparison, [r[0] for r in rows], ["a", "b"], "a", "zh",
                                           voc=voc)["b"]}
    assert zh["wait_mean_min"] == "更差" and zh["acceptance_time_mean_h"] == "更好" and zh["wait_p90_min"] == "无明显变化"


def test_no_relative_change_on_a_base_not_clear_of_zero():
    voc = vocabulary(MODELS["network"])
    # a wait of 0.05 minutes whose interval includes zero: +7,790% would say nothing
    summary, comparison = _answer_frame([("wait_mean_min", 0.05, (-0.02, 0.12), 3.9, 3.85, (3.5, 4.2))])
    s = answer(summary, comparison, ["wait_mean_min"], ["a", "b"], "a", voc=voc)["b"][0]
    assert text_of(s.text) == "With b, mean wait rises 3.85 minutes (95% CI 3.5 to 4.2) against a, from 0.05 to 3.9."
    assert "%" not in s.text.replace("95%", "") and s.badge == "worse"
    # a share changes in percentage points, never in per cent of a near-zero base
    summary, comparison = _answer_frame([("abandon_frac", 0.003, (0.001, 0.005), 0.237, 0.234, (0.226, 0.243))])
    s = answer(summary, comparison, ["abandon_frac"], ["a", "b"], "a", voc=voc)["b"][0]
    assert "rises 23 percentage points (95% CI 23–24)" in text_of(s.text) and "%)" not in text_of(s.text)


def _bottom(page: str) -> dict[str, str]:
    found = re.findall(r'<li class="bl-(\w+)">(.*?)</li>', page.replace("<wbr>", ""))
    return {kind: text_of(text) for kind, text in found}


def test_bottom_line_groups_the_policies_and_ranks_them():
    model = MODELS["network"]()
    summary, comparison = [], []
    # wait and p90 lower is better, utilisation neither; three policies against a
    effects = {"best": (-5, -4), "good": (-2, 0.5), "bad": (3, -4), "same": (0.1, 0.2)}
    for metric in ("wait_mean_min", "wait_p90_min", "utilisation"):
        summary.append(("a", "all", metric, 10.0, 9.0, 11.0, 4))
        for policy, (d_wait, d_p90) in effects.items():
            d = {"wait_mean_min": d_wait, "wait_p90_min": d_p90, "utilisation": -0.1}[metric]
            clear = policy != "same" and not (policy == "good" and metric == "wait_p90_min")
            ci = (d - 0.5, d + 0.5) if clear else (d - 1, d + 1)
            summary.append((policy, "all", metric, 10 + d, 9 + d, 11 + d, 4))
            comparison.append((policy, "a", "all", metric, d, *ci, d / 10))
    res = _saved(model, ())
    res.policies = ["a", *effects]
    res.summary = pd.DataFrame(summary, columns=res.summary.columns)
    res.comparison = pd.DataFrame(comparison, columns=res.comparison.columns)
    res.resolved = {"run": {}, "policies": {"a": {"w": 5}, "best": {"w": 7}, "good": {"w": 6}, "bad": {"w": 5, "x": 1},
                                            "same": {"w": 5}}}
    res.model = type("Net3", (type(model),), {"key_metrics": ("wait_mean_min", "wait_p90_min", "utilisation")})()
    lines = _bottom(render(res, [], "en"))
    assert lines["better"].startswith("Better than a on every key metric: best.")
    assert "utilisation: neither better nor worse in itself" in lines["better"]
    assert lines["some"] == "Better on some key metrics and worse on none: good (better: mean wait)."
    assert lines["worse"] == ("Worse on at least one key metric: bad (worse: mean wait; better: 90th percentile "
                              "wait).")
    assert lines["none"] == "No clear change on any key metric: same."
    assert re.match(r"By mean wait, best first: best −50% .* good −20% .* same \+1\.0% .* bad \+30% ", lines["rank"])
    changes = re.findall(r'<li class="bl-changes">(.*?)</li>', render(res, [], "en"))
    assert [text_of(c) for c in changes] == ["What best changes against a: w = 7."]  # the one better on every metric
    assert lines["baselines"] == "The scenario declares no article figures to check."
    zh = _bottom(render(res, [], "zh"))
    assert zh["better"].startswith("在每个关键指标上都优于 a：best。")


def test_hall_report_leads_with_a_bottom_line_that_agrees_with_the_tables(hall):
    """Which policies the bottom line calls better on every key metric, and which worse,
    recomputed from comparison.csv and each metric's direction."""
    page = html_of(hall)
    answer_section = page[page.index('<section id="answer"'):page.index('<section id="baselines"')]
    assert answer_section.index('id="bottom-line"') < answer_section.index('id="key-metrics"') \
        < answer_section.index('id="detail"'), "the bottom line first, then the table, then the sentences"
    res = read_results(hall)
    voc = vocabulary(res.model)
    comp = res.comparison[res.comparison.scope == "all"].set_index(["policy", "metric"])
    lines = _bottom(page)
    for policy in res.policies[1:]:
        verdicts = []
        for metric in res.model.key_metrics:
            direction, r = voc.direction(metric), comp.loc[(policy, metric)]
            if direction == "neither" or r["ci_low"] <= 0 <= r["ci_high"]:
                continue
            verdicts.append((r["diff_mean"] < 0) == (direction == "lower"))
        if verdicts and all(verdicts) and len(verdicts) == sum(voc.direction(m) != "neither"
                                                                for m in res.model.key_metrics):
            assert policy in lines["better"].split(":", 1)[1], policy
        elif not all(verdicts):
            assert policy in lines["worse"], policy
    checked = pd.read_csv(hall / "baselines.csv")
    assert lines["baselines"].startswith("Article baselines:")
    for _, row in checked.iterrows():
        assert row["baseline"] in lines["baselines"]


def test_hall_shares_stay_inside_zero_and_one(hall):
    res = read_results(hall)
    shares = vocabulary(res.model).fractions(res.model.metrics)
    summary = res.summary[res.summary.metric.isin(shares)]
    assert {"balk_frac", "abandon_frac", "one_visit_share"} <= set(summary.metric)
    assert (summary.ci_low.dropna() >= 0).all() and (summary.ci_high.dropna() <= 1).all()
    assert res.comparison.loc[res.comparison.metric.isin(shares), "rel_change"].isna().all()


# ---------------------------------------------------------------- chart text that fits


def test_text_problems_finds_text_cut_at_the_edge_and_overlapping():
    """What the chart checks rely on: a title wider than its figure, and two labels on one
    spot, are found."""
    fig = plt.figure(figsize=(3, 2))
    try:
        ax = fig.add_subplot()
        fig.suptitle("A title far too long for a figure three inches wide, as the old charts had")
        ax.set_xticks([0, 0.01], ["minimum_living_allowance", "pension_insurance"])
        problems = text_problems(fig)
        assert any(p.startswith("cut at the edge: 'A title far too long") for p in problems)
        assert "overlap: 'minimum_living_allowance' and 'pension_insurance'" in problems
    finally:
        plt.close(fig)


def _every_chart(res, lang):
    with plt.rc_context(fonts.font_rc(lang)):
        for name, _, _, fig in build_figures(res.summary, res.comparison, res.model, res.policies, res.baseline, lang,
                                             res.replications, res.names):
            try:
                yield name, fig, text_problems(fig)
            finally:
                plt.close(fig)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_chart_of_the_hall_study_has_text_cut_or_overlapping(hall_all, lang):
    """Every chart of the shipped hall study (all its policies), in both languages: every
    piece of text inside the figure and apart from the others, the figure no wider than
    an A4 page's text and no taller than its page, and the PNG saved at that size."""
    if lang == "zh":
        need_cjk_font()
    res = read_results(hall_all)
    seen = []
    for name, fig, problems in _every_chart(res, lang):
        assert problems == [], (name, problems)
        assert fig.get_figwidth() <= MAX_WIDTH_IN and fig.get_figheight() <= MAX_HEIGHT_IN, name
        seen.append(name)
    assert {"comparison", "distributions", *res.model.key_metrics, "acceptance_time_by_matter",
            "utilisation_by_bank", "queue_through_the_day"} <= set(seen)
    from PIL import Image

    for png in (hall_all / "figures").glob("*.png"):
        with Image.open(png) as image:
            w, h = image.size
        assert w <= MAX_WIDTH_IN * 150 + 1 and h <= MAX_HEIGHT_IN * 150 + 1, png.name


def test_long_names_many_policies_and_chinese_names_fit(tmp_path):
    """Ten policies with long names and Chinese display names: still nothing cut or overlapping."""
    need_cjk_font()
    policies = [f"policy_{i}_with_a_rather_long_descriptive_identifier" for i in range(10)]
    scopes = [f"matter:minimum_living_allowance_and_pension_insurance_{i}" for i in range(6)]
    summary, comparison = [], []
    for i, p in enumerate(policies):
        for scope in ["all"] + scopes:
            for metric in ("wait_mean_min", "one_visit_share"):
                m = (1 + i) * (0.05 if metric == "one_visit_share" else 3)
                summary.append((p, scope, metric, m, m * 0.9, m * 1.1, 3))
                if i:
                    comparison.append((p, policies[0], scope, metric, m - 0.05, m - 0.06, m - 0.04, math.nan))
    summary = pd.DataFrame(summary, columns=["policy", "scope", "metric", "mean", "ci_low", "ci_high", "n"])
    comparison = pd.DataFrame(comparison, columns=["policy", "baseline", "scope", "metric", "diff_mean", "ci_low",
                                                   "ci_high", "rel_change"])

    class Long(Model):
        name = "long"
        metrics = key_metrics = ("wait_mean_min", "one_visit_share")
        figures = (Breakdown("wait_mean_min", ("matter:",), "wait_by_matter"),)

    from govsim.labels import DisplayNames
    names = DisplayNames({"policy": {p: {"en": p.replace("_", " ").capitalize(), "zh": "综合窗口加帮办代办与绿色通道方案" + str(i)}
                                     for i, p in enumerate(policies)}})
    res = SavedResults(folder=tmp_path, metadata={}, model=Long(), policies=policies, baseline=policies[0],
                       replications=None, summary=summary, comparison=comparison, baselines=None,
                       resolved={"run": {}, "policies": {}}, scenario_text=None, names=names)
    for lang in ("en", "zh"):
        for name, fig, problems in _every_chart(res, lang):
            assert problems == [], (lang, name, problems)
            if name == "wait_mean_min":
                ticks = _ticks(fig.axes[0].get_yticklabels())
                assert ticks == [names.policy(p, lang) for p in policies], "display names on the axis"


# ---------------------------------------------------------------- the Chinese report reads as Chinese


LABELS_ZH = """
labels:
  policy:
    base: {en: Five windows, zh: 五个窗口}
    six_windows: {en: Six windows, zh: 六个窗口}
  station:
    window: {zh: 综合窗口}
  class:
    citizen: {zh: 办事群众}
"""


def test_chinese_report_uses_the_scenarios_names_and_the_models_chinese_text(tmp_path):
    need_cjk_font()
    scenario = tmp_path / "named.yaml"
    scenario.write_text(SHORT + LABELS_ZH, encoding="utf-8")
    out = tmp_path / "out"
    run(["run", scenario, "--out", out, "-r", 3, "-j", 1, "-q", "--lang", "zh"])
    page = html_of(out)
    answer_part = page[page.index('<section id="answer"'):page.index('<section id="baselines"')]
    assert "五个窗口" in answer_part and "六个窗口" in answer_part
    for li in re.findall(r"<li[^>]*>(.*?)</li>", answer_part):
        assert "six_windows" not in li and "<code>base</code>" not in li, "names, not identifiers, in the sentences"
    model = page[page.index('<section id="model"'):page.index('<section id="experiment"')]
    assert "通用的开放排队网络" in model, "the model's own account, in Chinese"
    assert "以下模型说明为英文" not in model and "Generic open queueing network" not in model
    res = read_results(out)
    with plt.rc_context(fonts.font_rc("zh")):
        for name, _, _, fig in build_figures(res.summary, res.comparison, res.model, res.policies, res.baseline, "zh",
                                             res.replications, res.names):
            texts = " ".join(unwrapped(t.get_text()) for t in fig.findobj(plt.Text))
            plt.close(fig)
            assert "six_windows" not in texts, name
            if name == "utilisation_by_station":
                assert "综合窗口" in texts
    run(["report", out, "--lang", "en"])
    en = html_of(out, "report.en.html")
    assert "Six windows" in en and "六个窗口" not in en


def test_bottom_line_says_what_each_policy_costs_where_the_model_reports_it():
    res = _saved(MODELS["shuttle"](), ("cost_per_seeker_yuan", "seekers_delivered"))
    lines = _bottom(render(res, [], "en"))
    assert lines["cost"] == "Cost per seeker delivered: 10 yuan (a), 5 yuan (b)."
    # b halves the cost (better) and the seekers delivered (worse)
    assert lines["worse"] == ("Worse on at least one key metric: b (worse: seekers delivered to the park; "
                              "better: cost per seeker delivered).")


def test_wrap_fits_the_width_and_breaks_only_where_a_reader_allows():
    """Lines no wider than asked (a lone unbreakable piece aside); English breaks at a space
    or after an underscore, never inside a word; Chinese keeps brackets with their words."""
    from govsim.report.figures import _text_width_in, wrap

    need_cjk_font()
    english = "integrated_too_few_generalists and the mean acceptance time (hours)"
    chinese = "95%事项的受理时间（可承诺）（小时）之差"
    with plt.rc_context(fonts.font_rc("zh")):
        for width in (0.8, 1.2, 2.0, 3.5):
            lines = wrap(english, width, 10).split("\n")
            assert unwrapped("\n".join(lines)) == english, "nothing lost or added"
            at = 0
            for line in lines[:-1]:
                at += len(line)
                assert line.endswith("_") or english[at] == " ", f"broken inside a word: {line!r}"
                at += english[at] == " "
            for line in lines:
                assert _text_width_in(line, 10) <= width or " " not in line, (width, line)
            lines = wrap(chinese, width, 10).split("\n")
            assert "".join(lines) == chinese
            for line in lines:
                assert _text_width_in(line, 10) <= width, (width, line)
                assert not line.endswith(("（", "“")) and not line.startswith(("）", "，", "。")), (width, line)
