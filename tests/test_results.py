"""The results folder: written all at once or not at all through one owner (staging),
never over a folder govsim did not write; the tables and the optional event log; read
back by what the report draws from."""
from __future__ import annotations

import json
import math
import os
import socket

import pandas as pd
import pytest

from govsim.errors import ResultsError
from govsim.experiment import run_experiment
from govsim.results import EVENTS, check_output_folder, read_results, write_results
from govsim.results import staging
from govsim.scenario import load_scenario

from conftest import MMC_DEMO

SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 600").replace("warmup_min: 2000", "warmup_min: 60")


def ours(folder, files: dict[str, str]):
    """A folder as govsim would have written it, with ``files`` (listed in its metadata.json)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = sorted({name.split("/")[0] for name in files} | {staging.METADATA})
    (folder / staging.METADATA).write_text(json.dumps({staging.MARKER: "0", staging.FILES: entries}))
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def tree(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def hidden(parent) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.fixture(params=["exchange", "step aside"])
def move(request, monkeypatch):
    """Both ways a folder takes the place of another: the atomic swap where the system
    has one, and stepping aside where it does not."""
    if request.param == "step aside":
        monkeypatch.setattr(staging, "_exchange", lambda a, b: False)
    return request.param


# ---------------------------------------------------------------- a whole folder


def test_a_new_folder_appears_complete(tmp_path, move):
    out = tmp_path / "deep" / "out"
    with staging.staged_folder(out) as tmp:
        assert tmp.parent == out.parent and tmp.name.startswith(".") and not out.exists()
        ours(tmp, {"a.csv": "1"})
    assert set(tree(out)) == {"a.csv", "metadata.json"} and tree(out)["a.csv"] == "1"
    assert json.loads(tree(out)["metadata.json"]) == {staging.MARKER: "0", staging.FILES: ["a.csv", "metadata.json"]}
    assert hidden(out.parent) == []


def test_an_earlier_result_is_replaced_whole_when_asked(tmp_path, move):
    out = ours(tmp_path / "out", {"old.csv": "old", "figures/x.png": "old"})
    with staging.staged_folder(out, replace=True) as tmp:
        ours(tmp, {"new.csv": "new"})
        assert tree(out)["old.csv"] == "old"  # untouched until the new one is complete
    assert set(tree(out)) == {"new.csv", "metadata.json"}
    assert hidden(tmp_path) == []


def test_an_earlier_result_is_left_untouched_unless_asked(tmp_path):
    out = ours(tmp_path / "out", {"old.csv": "old"})
    before = tree(out)
    with pytest.raises(ResultsError, match="holds earlier results.*--force"):
        with staging.staged_folder(out):
            pytest.fail("nothing may be written")
    with pytest.raises(ResultsError, match="holds earlier results"):
        check_output_folder(out)
    check_output_folder(out, replace=True)
    assert tree(out) == before and hidden(tmp_path) == []


def test_results_that_appear_during_the_run_are_kept_unless_asked(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ResultsError, match="holds earlier results"):
        with staging.staged_folder(out) as tmp:
            ours(tmp, {"a.csv": "mine"})
            ours(out, {"a.csv": "another run's"})
    assert tree(out)["a.csv"] == "another run's" and hidden(tmp_path) == []


def test_a_failure_leaves_the_earlier_result_and_no_trace(tmp_path, move):
    out = ours(tmp_path / "out", {"old.csv": "old"})
    before = tree(out)
    with pytest.raises(KeyboardInterrupt):
        with staging.staged_folder(out, replace=True) as tmp:
            ours(tmp, {"new.csv": "half"})
            raise KeyboardInterrupt
    assert tree(out) == before and hidden(tmp_path) == []


def test_a_folder_govsim_did_not_write_is_refused(tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    (precious / staging.METADATA).write_text(json.dumps("govsim_version"))  # JSON, but not ours
    with pytest.raises(ResultsError, match="not a govsim results folder"):
        with staging.staged_folder(precious, replace=True):  # not even when asked
            pytest.fail("nothing may be written")
    assert (precious / "chapter1.tex").read_text() == "years of work" and hidden(tmp_path) == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(ResultsError, match="not a folder"):
        check_output_folder(tmp_path / "file")
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty")  # an empty folder is free to use


def test_a_folder_of_someone_else_that_appears_during_the_run_is_kept(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ResultsError, match="not a govsim results folder"):
        with staging.staged_folder(out) as tmp:
            ours(tmp, {"a.csv": "1"})
            out.mkdir()
            (out / "theirs.txt").write_text("theirs")
    assert tree(out) == {"theirs.txt": "theirs"} and hidden(tmp_path) == []


def test_exchange_swaps_two_folders_or_touches_nothing(tmp_path):
    a, b = ours(tmp_path / "a", {"x": "a"}), ours(tmp_path / "b", {"x": "b"})
    if staging._exchange(a, b):
        assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"
    else:  # no atomic swap here: the caller steps aside instead
        assert (a / "x").read_text() == "a" and (b / "x").read_text() == "b"


# ---------------------------------------------------------------- entries of a folder (the report)


def test_entries_replace_their_namesakes_and_nothing_else(tmp_path, move):
    folder = ours(tmp_path / "out", {"summary.csv": "s", "figures/old.png": "old", "report.html": "old"})
    meta = (folder / staging.METADATA).read_text()  # left as it was
    with staging.staged_entries(folder, ("figures", "report.html")) as tmp:
        assert tmp.parent == folder and tmp.name.startswith(".")
        (tmp / "figures").mkdir()
        (tmp / "figures" / "new.png").write_text("new")
        (tmp / "report.html").write_text("new")
        (tmp / "stray.txt").write_text("not asked for")
    assert tree(folder) == {"figures/new.png": "new", "metadata.json": meta,
                            "report.html": "new", "summary.csv": "s"}
    assert hidden(folder) == [] and hidden(tmp_path) == []


def test_entries_left_as_they_were_on_failure_and_refused_in_a_foreign_folder(tmp_path):
    folder = ours(tmp_path / "out", {"report.html": "old"})
    with pytest.raises(RuntimeError):
        with staging.staged_entries(folder, ("report.html",)) as tmp:
            (tmp / "report.html").write_text("half")
            raise RuntimeError("drawing failed")
    assert (folder / "report.html").read_text() == "old" and hidden(folder) == []
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    with pytest.raises(ResultsError):
        with staging.staged_entries(foreign, ("report.html",)):
            pytest.fail("nothing may be written")
    assert list(foreign.iterdir()) == []


# ---------------------------------------------------------------- write_results


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenario")
    (folder / "s.yaml").write_text(SHORT)
    scenario = load_scenario(folder / "s.yaml")
    return scenario, run_experiment(scenario, jobs=1)


def test_events_are_written_when_given_and_only_then(run, tmp_path):
    scenario, reps = run
    events = pd.DataFrame({"policy": ["base", "base"], "rep": [0, 0], "case:concept:name": ["c1", "c1"],
                           "concept:name": ["arrive", "leave"], "time:minutes": [0.5, 2.25]})
    write_results(tmp_path / "with", scenario, reps, scenario.policy_names, {}, events=events)
    assert (tmp_path / "with" / EVENTS).read_text() == events.to_csv(index=False, lineterminator="\n")
    write_results(tmp_path / "without", scenario, reps, scenario.policy_names, {})
    assert not (tmp_path / "without" / EVENTS).exists()
    # the rest of the folder is the same either way (metadata holds no clock here)
    same = {p.name for p in (tmp_path / "without").iterdir()}
    assert same | {EVENTS} == {p.name for p in (tmp_path / "with").iterdir()}
    for name in ("replications.csv", "summary.csv", "comparison.csv", "report.html"):
        assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes(), name


def test_written_folder_reads_back_as_saved(run, tmp_path):
    scenario, reps = run
    tables = write_results(tmp_path / "out", scenario, reps, scenario.policy_names, {"jobs": 1})
    res = read_results(tmp_path / "out")
    assert res.model.name == "network" and res.policies == scenario.policy_names and res.baseline == "base"
    pd.testing.assert_frame_equal(res.summary, tables["summary"], check_dtype=False)
    assert len(res.replications) == len(reps) and res.metadata["jobs"] == 1
    assert staging.is_ours(tmp_path / "out") and hidden(tmp_path) == [] and hidden(tmp_path / "out") == []


def test_a_failing_report_leaves_nothing(run, tmp_path, monkeypatch):
    scenario, reps = run
    out = ours(tmp_path / "out", {"old.csv": "old"})
    before = tree(out)

    def broken(folder, lang):
        raise RuntimeError("the report failed")

    monkeypatch.setattr("govsim.report.write_report", broken)
    with pytest.raises(RuntimeError, match="the report failed"):
        write_results(out, scenario, reps, scenario.policy_names, {}, replace=True)
    assert tree(out) == before and hidden(tmp_path) == []
    assert os.listdir(tmp_path) == ["out"]


def test_entries_inside_a_subfolder_go_beside_the_others(tmp_path):
    """A report in another language: figures/zh replaces only itself, figures/*.png stay."""
    folder = ours(tmp_path / "out", {"figures/a.png": "en", "report.html": "en"})
    meta = json.loads((folder / staging.METADATA).read_text())
    with staging.staged_entries(folder, ("figures/zh", "report.zh.html")) as tmp:
        (tmp / "figures" / "zh").mkdir(parents=True)
        (tmp / "figures" / "zh" / "a.png").write_text("zh")
        (tmp / "report.zh.html").write_text("zh")
    after = tree(folder)
    assert json.loads(after.pop("metadata.json")) == meta  # the run's own, untouched
    assert after == {"figures/a.png": "en", "figures/zh/a.png": "zh", "report.html": "en", "report.zh.html": "zh"}
    check_output_folder(folder, replace=True)  # the new report is govsim's to replace


def _reps(values: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    rows = [(p, k, 1 + k, "all", m, v) for (p, m), vs in values.items() for k, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["policy", "rep", "seed", "scope", "metric", "value"])


def test_share_intervals_stay_inside_zero_and_one_and_change_in_points():
    from govsim.stats import compare, summarize, t_interval

    reps = _reps({("a", "share"): [0.0, 0.0, 0.0, 0.002], ("b", "share"): [0.99, 1.0, 1.0, 1.0],
                  ("a", "wait"): [0.0, 0.0, 0.0, 0.002], ("b", "wait"): [0.5, 0.7, 0.6, 0.8]})
    plain = summarize(reps).set_index(["policy", "metric"])
    clipped = summarize(reps, fractions={"share"}).set_index(["policy", "metric"])
    assert plain.loc[("a", "share"), "ci_low"] < 0 and plain.loc[("b", "share"), "ci_high"] > 1  # the t interval
    assert clipped.loc[("a", "share"), "ci_low"] == 0 and clipped.loc[("b", "share"), "ci_high"] == 1
    assert clipped.loc[("a", "share"), "ci_high"] == plain.loc[("a", "share"), "ci_high"]  # only the impossible part goes
    assert clipped.loc[("a", "wait"), "ci_low"] < 0  # a metric not declared a share keeps its t interval
    comp = compare(reps, "a", fractions={"share"}).set_index("metric")
    assert math.isnan(comp.loc["share", "rel_change"]), "a share changes in points, not per cent"
    assert comp.loc["share", "ci_high"] <= 1
    # the wait's base (0, 0, 0, 0.002) is not clearly above zero: no relative change on it
    assert t_interval([0.0, 0.0, 0.0, 0.002])[1] < 0 and math.isnan(comp.loc["wait", "rel_change"])


def test_a_time_or_counts_interval_stops_at_zero_and_a_signed_metric_keeps_its_own():
    from govsim.stats import compare, summarize

    reps = _reps({("a", "wait"): [0.0, 0.0, 0.0, 0.4], ("a", "net"): [0.0, 0.0, 0.0, 0.4],
                  ("a", "share"): [0.0, 0.0, 0.0, 0.002], ("b", "wait"): [0.5, 0.7, 0.6, 0.8],
                  ("b", "net"): [0.5, 0.7, 0.6, 0.8], ("b", "share"): [0.1, 0.2, 0.1, 0.2]})
    plain = summarize(reps).set_index(["policy", "metric"])
    kept = summarize(reps, fractions={"share"}, nonnegative={"wait", "share"}).set_index(["policy", "metric"])
    assert plain.loc[("a", "wait"), "ci_low"] < 0 and kept.loc[("a", "wait"), "ci_low"] == 0
    assert kept.loc[("a", "wait"), "ci_high"] == plain.loc[("a", "wait"), "ci_high"]  # only the impossible part goes
    assert kept.loc[("a", "net"), "ci_low"] == plain.loc[("a", "net"), "ci_low"] < 0  # signed: the t interval
    assert kept.loc[("a", "share"), "ci_low"] == 0 and kept.loc[("b", "share"), "ci_high"] <= 1
    pd.testing.assert_frame_equal(kept.loc[["b"]], plain.loc[["b"]])  # intervals clear of zero do not move
    # differences may be negative whatever the metric: comparisons are never cut at zero
    comp = compare(reps, "b").set_index("metric")
    assert comp.loc["wait", "ci_low"] < 0


def test_every_models_signed_metrics_are_its_own():
    from govsim.models import MODELS
    from govsim.stats import nonnegative_metrics

    for name, model in MODELS.items():
        assert set(model.signed_metrics) <= set(model.metrics), name
        assert nonnegative_metrics(model) == set(model.metrics) - set(model.signed_metrics)
    assert MODELS["licence"].signed_metrics == {"lateness_mean_days"}  # negative: days to spare


def test_a_relative_change_is_kept_on_a_base_clear_of_zero():
    from govsim.stats import compare

    reps = _reps({("a", "wait"): [10.0, 11.0, 9.0, 10.0], ("b", "wait"): [5.0, 6.0, 4.0, 5.0]})
    comp = compare(reps, "a").set_index("metric")
    assert comp.loc["wait", "rel_change"] == pytest.approx(-0.5)


def test_written_shares_of_a_run_are_inside_zero_and_one(run, tmp_path):
    from govsim.labels import vocabulary

    scenario, reps = run
    tables = write_results(tmp_path / "out", scenario, reps, scenario.policy_names, {})
    shares = vocabulary(scenario.model).fractions(scenario.model.metrics)
    summary = tables["summary"][tables["summary"]["metric"].isin(shares)]
    assert len(summary) and (summary["ci_low"].dropna() >= 0).all() and (summary["ci_high"].dropna() <= 1).all()
    comparison = tables["comparison"][tables["comparison"]["metric"].isin(shares)]
    assert comparison["rel_change"].isna().all()
    assert "clipped to [0, 1]" in json.loads((tmp_path / "out" / "metadata.json").read_text())["interval"]


def test_display_names_are_saved_with_the_results(run, tmp_path):
    scenario, reps = run
    text = SHORT + "labels:\n  policy:\n    six_windows: {en: Six windows, zh: 六个窗口}\n" \
                   "  station:\n    window: {zh: 窗口}\n"
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    labelled = load_scenario(tmp_path / "s.yaml")
    write_results(tmp_path / "out", labelled, reps, labelled.policy_names, {})
    res = read_results(tmp_path / "out")
    assert res.names.policy("six_windows", "zh") == "六个窗口" and res.names.policy("six_windows") == "Six windows"
    assert res.names.policy("base", "zh") == "base"  # no name given: the identifier
    assert res.names.scope("station:window", "zh") == "窗口" and res.names.scope("station:window") == "window"


def test_a_killed_writers_leftovers_go_and_a_running_ones_stay(tmp_path):
    """A run killed while writing (SIGKILL) leaves its hidden partial folder: the next write
    beside it removes it, unless that writer still runs."""
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    out = tmp_path / "out"
    gone = tmp_path / f".out.partial-{int(dead.stdout)}"
    running = tmp_path / f".out.partial-{os.getppid()}"
    other = tmp_path / f".other.partial-{int(dead.stdout)}"  # another folder's: not ours to judge here
    lookalike = tmp_path / f".out.old-{int(dead.stdout)}"  # not govsim's (no metadata.json): a reader's
    for folder in (gone, running, other):
        ours(folder, {"a.csv": "half", staging.PARTIAL_MARK: socket.gethostname()})
    elsewhere = tmp_path / f".out.partial-{int(dead.stdout) + 1}"  # another host's writer: its pid says nothing here
    ours(elsewhere, {staging.PARTIAL_MARK: "another-host"})
    lookalike.mkdir()
    (lookalike / "backup.csv").write_text("mine")
    with staging.staged_folder(out) as tmp:
        ours(tmp, {"a.csv": "1"})
    assert not gone.exists() and out.exists()
    assert running.exists() and other.exists() and elsewhere.exists() and lookalike.exists()
    assert staging.PARTIAL_MARK not in os.listdir(out)
