"""H2 (figures.md): 窗口事项受理时限提速50%以上.  A 时限 is a promise, so H2 is read as
the acceptance time the hall could promise 95% of the general matters (``H2``), with
the mean beside it (``H2-mean``); the before-state obeys the law (one-time notice);
the layouts are compared at equal staff.  The verdicts are what the model gives: the
assertions hold them with the whole 95% interval on the side the verdict says."""
import pytest

from govsim.baselines import evaluate
from govsim.experiment import run_experiment
from govsim.scenario import load_scenario

from conftest import SCENARIOS

HALL = SCENARIOS / "hongjiang_hall.yaml"


def h2(sc, policy="integrated", compare_to="separate"):
    return {b.id: b.model_copy(update={"policy": policy, "compare_to": compare_to})
            for b in sc.baselines if b.id in ("H2", "H2-mean")}


@pytest.mark.statistical
def test_h2_not_reproduced_as_a_promise_and_reproduced_as_a_mean():
    sc = load_scenario(HALL)
    assert sc.resolved["separate"].documents.notice == "one_time"  # art. 32(4): every gap listed at once
    reps = run_experiment(sc, policies=["separate", "integrated"], jobs=2)
    rows = evaluate(list(h2(sc).values()), reps).set_index("baseline")
    # the matters sent home for a major gap set the 95th percentile in both layouts, so the
    # promise comes down by about a fifth, not by half
    promise = rows.loc["H2"]
    assert promise["reproduced"] == "no" and promise["ci_low"] > -0.5, promise.to_dict()
    mean = rows.loc["H2-mean"]
    assert mean["reproduced"] == "yes" and mean["ci_high"] <= -0.5, mean.to_dict()


@pytest.mark.statistical
def test_pledges_at_the_separate_windows_or_pooling_alone_fall_far_short_of_h2():
    """Which part buys what: against separate windows with pledges the reform buys far
    less than half even of the mean, and pooled windows alone buy little."""
    sc = load_scenario(HALL).with_run(replications=10)
    reps = run_experiment(sc, policies=["separate", "separate_with_pledges", "integrated", "pooled_windows_only"],
                          jobs=2)
    for policy, compare_to in (("integrated", "separate_with_pledges"), ("pooled_windows_only", "separate")):
        row = evaluate([h2(sc, policy, compare_to)["H2-mean"]], reps).iloc[0]
        assert row["reproduced"] == "no" and -0.5 < row["ci_low"] and row["ci_high"] < 0, (policy, row.to_dict())


def test_the_layouts_are_compared_at_equal_staff():
    """Windows, back office and helpers: every policy without helpers or a cross-province
    window has the separate windows' staff."""
    sc = load_scenario(HALL).with_run(replications=1, days=6, warmup_days=0)  # day 5 is a Saturday when open
    reps = run_experiment(sc, jobs=1)
    staff = reps[(reps["scope"] == "all") & (reps["metric"] == "staff_total")].set_index("policy")["value"]
    hours = reps[(reps["scope"] == "all") & (reps["metric"] == "staff_hours_per_day")].set_index("policy")["value"]
    extra = {"integrated_proxy", "integrated_proxy_green", "integrated_online_pre_review"}
    # other hours or days: staff on duty are compared in hours, not in equivalents of a day
    other_hours = {"integrated_staggered_lunch": "more", "integrated_saturday": "fewer"}
    assert {staff[p] for p in staff.index if p not in extra | other_hours.keys()} == {staff["separate"]}
    assert all(staff[p] > staff["separate"] and hours[p] > hours["separate"] for p in extra)
    assert hours["integrated_staggered_lunch"] > hours["separate"]  # through lunch: more hours on duty
    assert hours["integrated_saturday"] < hours["separate"]  # per open day: Saturday at half strength
    # counted against the same full-time week (full_time_week_h), both need more staff than the baseline
    assert staff["integrated_staggered_lunch"] > staff["separate"] and staff["integrated_saturday"] > staff["separate"]
