import math

import pandas as pd

from govsim.baselines import Baseline, evaluate


def reps_frame(base, policy):
    rows = [("base", i, 1, "all", "m", v) for i, v in enumerate(base)]
    rows += [("p", i, 1, "all", "m", v) for i, v in enumerate(policy)]
    return pd.DataFrame(rows, columns=["policy", "rep", "seed", "scope", "metric", "value"])


def test_relative_change_reproduced_only_when_the_whole_interval_meets_the_claim():
    reps = reps_frame([10, 11, 9, 10], [4, 4.5, 3.5, 4])  # about -60%
    clear = Baseline(id="X", source="s", policy="p", compare_to="base", metric="m", at_most=-0.5)
    row = evaluate([clear], reps).iloc[0]
    assert row["reproduced"] == "yes" and math.isclose(row["simulated"], -0.6, rel_tol=0.05)
    assert row["ci_high"] <= -0.5
    strict = Baseline(id="X", source="s", policy="p", compare_to="base", metric="m", at_most=-0.6)
    # the interval straddles -0.6: more replications could decide either way
    assert evaluate([strict], reps).iloc[0]["reproduced"] == "undecided: interval too wide (4 replications)"
    beyond = Baseline(id="X", source="s", policy="p", compare_to="base", metric="m", at_most=-0.8)
    assert evaluate([beyond], reps).iloc[0]["reproduced"] == "no"  # the whole interval misses it


def test_approx_needs_the_interval_inside_the_tolerance():
    reps = reps_frame([5.0, 5.2, 4.8, 5.1], [1, 1, 1, 1])
    ok = Baseline(id="H", source="s", policy="base", metric="m", approx=5, tolerance=0.5)
    tight = Baseline(id="H", source="s", policy="base", metric="m", approx=5, tolerance=0.05)
    out = evaluate([ok, tight], reps)
    assert list(out["reproduced"]) == ["yes", "undecided: interval too wide (4 replications)"]
    assert list(out.columns) == ["baseline", "source", "policy", "metric", "expected", "simulated", "ci_low",
                                 "ci_high", "reproduced", "robust"]
    assert list(out["robust"]) == ["not checked", "not checked"]  # a single run cannot tell
    assert list(evaluate([ok, tight], reps, ["yes", "no: x=1"])["robust"]) == ["yes", "no: x=1"]


def test_a_policy_that_was_not_run_is_reported_as_such():
    reps = reps_frame([1, 2], [1, 2])
    b = Baseline(id="H", source="s", policy="missing", metric="m", at_least=0)
    assert evaluate([b], reps).iloc[0]["reproduced"] == "not run"


def test_a_figure_an_input_was_set_from_is_reported_as_calibrated_not_reproduced():
    reps = reps_frame([5.0, 5.2, 4.8, 5.1], [1, 1, 1, 1])
    b = Baseline(id="H", source="s", policy="base", metric="m", approx=5, tolerance=0.5,
                 calibrated="the arrival rate was set from it")
    assert evaluate([b], reps).iloc[0]["reproduced"] == "calibrated"
    off = b.model_copy(update={"approx": 9.0})
    assert evaluate([off], reps).iloc[0]["reproduced"] == "no"


def test_a_claim_the_whole_interval_misses_is_no_and_one_replication_is_undecided():
    reps = reps_frame([5.0, 5.2, 4.8, 5.1], [1, 1, 1, 1])
    low = Baseline(id="H", source="s", policy="base", metric="m", at_least=6)
    assert evaluate([low], reps).iloc[0]["reproduced"] == "no"
    one = reps_frame([5.0], [1])
    ok = Baseline(id="H", source="s", policy="base", metric="m", at_least=0)
    assert evaluate([ok], one).iloc[0]["reproduced"] == "undecided: interval too wide (1 replication)"


def test_a_baselines_metric_reads_in_words_in_either_language():
    """The report's and the terminal's baseline lines name the metric, the scope and the
    compared policy as readers know them; baselines.csv keeps the codes."""
    from govsim.labels import DisplayNames, vocabulary
    from govsim.models import MODELS
    from govsim.report.answer import baseline_metric_words

    voc = vocabulary(MODELS["service_hall"])
    names = DisplayNames({"policy": {"separate": {"en": "Separate windows", "zh": "分部门窗口"}}})
    text = "acceptance_time_p95_h [matters:general] (relative change vs separate)"
    assert baseline_metric_words(text, "en", voc, names) == (
        "Acceptance time kept for 95% of matters, matter type: general (relative change vs Separate windows)")
    assert baseline_metric_words(text, "zh", voc, names) == "95%事项的受理时间（可承诺），一般事项（相对分部门窗口的变化）"
    assert baseline_metric_words("wait_mean_min", "en", voc) == "Mean wait"
    assert baseline_metric_words("not a metric text!", "en", voc) == "not a metric text!"


def test_a_baselines_interval_stops_where_summary_csvs_does():
    """A time's interval stops at 0 and a share's at [0, 1], as in summary.csv; a relative
    change is signed and left as it is."""
    reps = reps_frame([0.1, 5.0], [0.02, 0.98])  # two replications, far apart: wide intervals
    time = Baseline(id="T", source="s", policy="base", metric="m", at_most=9)
    share = Baseline(id="S", source="s", policy="p", metric="m", at_least=0.1)
    change = Baseline(id="C", source="s", policy="p", compare_to="base", metric="m", at_most=0)
    plain = evaluate([time, share, change], reps)
    assert plain["ci_low"].iloc[0] < 0 and plain["ci_low"].iloc[1] < 0 < 1 < plain["ci_high"].iloc[1]
    as_time = evaluate([time, change], reps, bounds={"nonnegative": {"m"}})
    assert as_time["ci_low"].iloc[0] == 0.0 and as_time["ci_high"].iloc[0] == plain["ci_high"].iloc[0]
    assert as_time["ci_low"].iloc[1] == plain["ci_low"].iloc[2]  # the change keeps its sign
    as_share = evaluate([share], reps, bounds={"fractions": {"m"}}).iloc[0]
    assert (as_share["ci_low"], as_share["ci_high"]) == (0.0, 1.0)
