"""The article's figures H3, H7 and H12 (docs/sources/figures.md), replayed from the
shipped scenarios, and the decompositions a planner reads from them.

H3 and H7 state time limits (时限), read as promises: the limit the office could keep
for 95% of applications, from acceptance (promise_time_p95_days), with the share
within the stated limit beside it; H7's "zero delay" is the share of certificates
ready on the day of the keys; H12 says 平均 and compares means.  The verdicts asserted
are the ones the model gives, each with the facts behind it, judged by 95% intervals
over replications (the scenario's own count)."""
import pytest

from govsim.baselines import evaluate
from govsim.experiment import run_experiment
from govsim.models.licence import LicenceModel, LicenceParams
from govsim.rng import Streams
from govsim.scenario import load_scenario
from govsim.stats import t_interval

from conftest import SCENARIOS

pytestmark = pytest.mark.statistical


def per_rep(reps, policy, metric, scope="all"):
    sel = reps[(reps.policy == policy) & (reps.scope == scope) & (reps.metric == metric)]
    return sel.set_index("rep")["value"].sort_index()


def interval(reps, policy, metric, scope="all"):
    return t_interval(per_rep(reps, policy, metric, scope).to_numpy())


def paired(reps, a, b, metric, scope="all"):
    """95% interval of metric(b) - metric(a), paired by replication."""
    return t_interval((per_rep(reps, b, metric, scope) - per_rep(reps, a, metric, scope)).to_numpy())


def verdicts(sc, reps):
    checked = evaluate(sc.baselines, reps)
    return dict(zip(checked["policy"], checked["reproduced"]))


@pytest.fixture(scope="module")
def health():
    sc = load_scenario(SCENARIOS / "hongjiang_health_licence.yaml")
    return sc, run_experiment(sc, jobs=2)


def test_h3_before_the_five_day_limit_sits_at_the_edge_of_what_the_office_can_keep(health):
    """The limit kept for 95% varies between replications around 5 and 6 working days:
    its interval reaches past the band of the article's 5 (4.5-5.5) without leaving it,
    so the verdict is undecided, and the share issued within 5 days of acceptance lies
    at the 95% line."""
    sc, reps = health
    n = sc.run.replications
    assert verdicts(sc, reps)["before"] == f"undecided: interval too wide ({n} replications)"
    _, lo, hi, _ = interval(reps, "before", "promise_time_p95_days")
    assert 4.5 < lo < 5.5 < hi, (lo, hi)
    _, lo, hi, _ = interval(reps, "before", "promise_share")
    assert lo <= 0.95 <= hi, (lo, hi)


def test_h3_after_the_one_day_limit_is_kept_for_nine_in_ten_not_for_95_percent(health):
    """Files accepted after the 17:00 hand-over are signed a day later: the one-day
    limit is kept for more than 90% and fewer than 95% of applications, so the limit
    the office could keep for 95% is 2 days and H3's after-state is not reproduced."""
    sc, reps = health
    assert verdicts(sc, reps)["after"] == "no"
    _, lo, hi, _ = interval(reps, "after", "promise_time_p95_days")
    assert lo > 1.5, (lo, hi)
    _, lo, hi, _ = interval(reps, "after", "promise_share")
    assert 0.90 < lo and hi < 0.95, (lo, hi)
    _, lo, hi, _ = interval(reps, "after", "promise_time_p90_days")
    assert 0.5 < lo and hi < 1.5, (lo, hi)


def test_h3_after_hangs_on_the_time_of_the_daily_hand_over(health):
    """The same applicants with the director's files handed over at 11:30 instead of
    17:00: the one-day limit is kept for far fewer (paired over replications)."""
    sc, reps = health
    spec = sc.resolved["after"].model_dump(mode="json", by_alias=True)
    spec["steps"]["decision"]["handover"] = "11:30"
    midday = LicenceParams.model_validate(spec)
    model, run = LicenceModel(), sc.run
    shares = []
    for rep in range(run.replications):
        rows = {(s, m): v for s, m, v in model.run(midday, Streams(run.seed, rep), run)}
        shares.append(rows["all", "promise_share"])
    diffs = [s - base for s, base in zip(shares, per_rep(reps, "after", "promise_share"))]
    mean, lo, hi, _ = t_interval(diffs)
    assert hi < 0, (mean, lo, hi)


def test_h3_each_change_buys_part_of_the_gain(health):
    """Documents, steps and the notice-and-pledge rules each shorten the time to
    issue from receipt on their own; cutting the steps buys the most; only all
    together reach about one day. On the promise's clock, which starts at acceptance,
    fewer documents buy nothing: their gain is before acceptance."""
    _, reps = health
    gains = {p: paired(reps, "before", p, "issue_time_mean_days") for p in
             ("documents_only", "steps_only", "notice_and_pledge_only", "after")}
    for policy, (mean, lo, hi, _) in gains.items():
        assert hi < 0, (policy, mean, lo, hi)
    mean_docs, mean_steps, mean_all = gains["documents_only"][0], gains["steps_only"][0], gains["after"][0]
    assert mean_steps < mean_docs and mean_all < mean_steps
    # fewer documents: fewer incomplete applications and trips (figures.md H4's role)
    assert paired(reps, "before", "documents_only", "incomplete_share")[2] < 0
    assert paired(reps, "before", "documents_only", "visits_mean")[2] < 0
    mean, lo, hi, _ = paired(reps, "before", "documents_only", "promise_time_mean_days")
    assert lo <= 0 <= hi, (mean, lo, hi)


def test_h3_doubled_applications_break_the_old_promise_not_the_new(health):
    _, reps = health
    drop_before = t_interval((per_rep(reps, "before", "promise_share", "demand:x2.00")
                              - per_rep(reps, "before", "promise_share", "demand:x1.00")).to_numpy())
    assert drop_before[2] < -0.1, drop_before  # the inspection team cannot keep up
    drop_after = t_interval((per_rep(reps, "after", "promise_share", "demand:x2.00")
                             - per_rep(reps, "after", "promise_share", "demand:x1.00")).to_numpy())
    assert drop_after[1] > -0.05, drop_after  # no inspection before issue: the one-day promise holds


def test_h7_ten_days_kept_and_the_keys_only_as_far_as_the_filing_lead_allows():
    """Before: the limit the registry could keep for 95% is 10 working days in every
    replication (calibrated: inputs were set with the 10 days in view). With the keys,
    filed 20 days ahead: every certificate ready on the day, with days to spare, not a
    floor. Filed 3 days ahead: a share below one, the others late by days."""
    sc = load_scenario(SCENARIOS / "hongjiang_property_certificate.yaml")
    reps = run_experiment(sc, policies=["before", "with_keys", "with_keys_short_notice"], jobs=2)
    assert verdicts(sc, reps) == {"before": "calibrated", "with_keys": "yes"}
    assert set(per_rep(reps, "before", "promise_time_p95_days")) == {10.0}
    assert interval(reps, "before", "promise_share")[1] >= 0.95
    assert interval(reps, "with_keys", "lateness_mean_days")[2] < 0  # ready ahead of the keys
    _, lo, hi, _ = interval(reps, "with_keys_short_notice", "ready_share")
    assert 0 < lo and hi < 1, (lo, hi)  # a share below one
    _, lo, hi, _ = interval(reps, "with_keys_short_notice", "late_mean_days")
    assert lo >= 1, (lo, hi)  # the others wait whole working days after the keys
    mean, lo, hi, _ = paired(reps, "with_keys", "with_keys_short_notice", "lead_time_mean_days")
    assert lo > 0, (mean, lo, hi)
    assert per_rep(reps, "with_keys", "zero_visit_share").min() == 1.0  # remote approval: no trip


def test_h12_park_station_falls_short_of_77_percent_once_the_firm_prepares_its_own_documents():
    """With the firm's technical preparation left to the firm, the park station cuts
    the mean lead time by about 70%: the whole interval short of the article's 77%
    (not reproduced). Parallel approvals buy most of it, the helper a quarter, and
    neither alone comes near."""
    sc = load_scenario(SCENARIOS / "hongjiang_project_approval.yaml")
    reps = run_experiment(sc, jobs=2)
    assert verdicts(sc, reps) == {"park_station": "no"}
    (h12,) = sc.baselines
    row = evaluate([h12], reps).iloc[0]
    assert row["ci_low"] > -0.77, row.to_dict()
    rel = {}
    for alone in ("parallel_only", "proxy_only"):
        row = evaluate([h12.model_copy(update={"policy": alone})], reps).iloc[0]
        assert row["reproduced"] == "no", (alone, row.to_dict())
        rel[alone] = (row["ci_low"], row["ci_high"])
    both = evaluate([h12], reps).iloc[0]
    assert both["ci_high"] < rel["parallel_only"][0] and rel["parallel_only"][1] < rel["proxy_only"][0]
