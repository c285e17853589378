"""The job-fair model: the fair calendar exactly, then the fair's mechanisms in
limiting cases, then properties and paired comparisons over replications."""
import math

import numpy as np
import pytest

from govsim.models.job_fair import JobFairModel, JobFairParams, kpis, simulate
from govsim.models.job_fair.fairs import BALK, RENEGE, TALK
from govsim.rng import Streams
from govsim.stats import t_interval

from conftest import params_with

BASE = {
    "townships": {"a": {"pool": 600}, "b": {"pool": 400}, "c": {"pool": 250}},
    "fairs": {"count": 6, "opens": "08:30", "closes": "12:00",
              "arrivals_by_hour": {"08:00": 2.0, "09:00": 1.5, "10:00": 1.0, "11:00": 0.5}},
    "booths": {"key": {"count": 2, "recruiters": 1, "attractiveness": 2.5, "fit_factor": 1.2},
               "other": {"count": 5, "recruiters": 1, "attractiveness": 1.0, "fit_factor": 1.0}},
    "attendance": {"walk_in": 0.15, "mobilisation": {"contacts": 60, "comes": 0.7, "targeting": 2}},
    "visitors": {"fit": {"mean": 0.17, "concentration": 3}, "booths": {"dist": "uniform", "low": 1, "high": 5},
                 "talk_min": {"dist": "lognormal", "mean": 8, "cv": 0.5},
                 "balk_over": {"dist": "uniform", "low": 4, "high": 12},
                 "patience_min": {"dist": "lognormal", "mean": 15, "cv": 0.5}},
}
DAYS = 60


def fairs(**changes):
    """BASE with dotted-path changes, e.g. fairs(**{"fairs.count": 3})."""
    return params_with(JobFairParams, BASE, **changes)


def metrics(params, seed=1, rep=0, days=DAYS):
    return {(s, m): v for s, m, v in kpis(simulate(params, Streams(seed, rep), days), params)}


def recruiters(n):
    return {"booths.key.recruiters": n, "booths.other.recruiters": n}


# ----------------------------------------------------------------------------- the calendar

def test_fairs_are_allocated_one_per_township_then_by_largest_remainder_of_the_pools():
    p = fairs(**{"fairs.count": 6})
    # 3 left after one each: quotas 3 * (600, 400, 250) / 1250 = 1.44, 0.96, 0.6
    assert p.allocate() == {"a": 2, "b": 2, "c": 2}
    assert fairs(**{"fairs.count": 10}).allocate() == {"a": 4, "b": 3, "c": 3}  # 7 left: 3.36, 2.24, 1.4
    assert fairs(**{"fairs.count": 2}).allocate() == {"a": 1, "b": 1, "c": 0}  # too few for every township
    assert fairs(**{"fairs.count": 7, "fairs.allocation": "even"}).allocate() == {"a": 3, "b": 2, "c": 2}


def test_the_schedule_spreads_each_townships_fairs_over_the_campaign():
    p = fairs(**{"fairs.count": 36, "townships": {f"t{i:02d}": {"pool": 500 + 100 * i} for i in range(13)}})
    sched = p.schedule(238)
    assert len(sched) == 36 and sum(p.allocate().values()) == 36
    assert all(0 <= d < 238 for d, _, _ in sched)
    assert [d for d, _, _ in sched] == sorted(d for d, _, _ in sched)
    for t, n in p.allocate().items():
        assert [j for _, tt, j in sched if tt == t] == list(range(n))  # in order, each once


# ----------------------------------------------------------------------------- limiting cases

def test_ample_recruiters_mean_no_queues_and_every_planned_talk():
    p = fairs(**recruiters(200), **{"visitors.fit": {"mean": 1e-6, "concentration": 2},
                                    "visitors.booths": {"dist": "deterministic", "value": 3},
                                    "visitors.talk_min": {"dist": "deterministic", "value": 0.01}})
    m = metrics(p)
    assert m["all", "attendees"] > 100
    assert m["all", "talks_per_attendee"] == 3.0
    assert m["all", "booth_wait_mean_min"] == 0.0
    assert m["all", "booth_balk_frac"] == 0.0 and m["all", "booth_renege_frac"] == 0.0
    assert m["all", "intentions"] == 0


def test_a_sure_fit_ends_every_round_at_the_first_talk():
    p = fairs(**recruiters(200), **{"visitors.fit": {"mean": 0.999999, "concentration": 1e6}})
    m = metrics(p)
    assert m["all", "intention_rate"] == 1.0 and m["all", "talks_per_attendee"] == 1.0
    cont = metrics(fairs(**recruiters(200), **{"visitors.fit": {"mean": 0.999999, "concentration": 1e6},
                                               "visitors.after_intention": "continue"}))
    assert cont["all", "talks_per_attendee"] > 1.0


def test_no_walk_ins_and_no_mobilisation_mean_an_empty_fair():
    m = metrics(fairs(**{"attendance.walk_in": 0.0, "attendance.mobilisation.contacts": 0}))
    assert m["all", "attendees"] == 0 and m["all", "intentions"] == 0


def test_with_mobilisation_only_every_attendee_was_asked_and_no_more_than_were_asked():
    p = fairs(**{"attendance.walk_in": 0.0, "attendance.mobilisation.comes": 1.0})
    m = metrics(p)
    assert m["all", "attendees"] == m["all", "mobilised"] == 60 * 6


def test_a_person_with_an_intention_does_not_come_again_and_no_one_comes_twice_to_a_fair():
    rec = simulate(fairs(**{"fairs.count": 12}), Streams(3, 0), DAYS)
    first_intention = {}
    seen = set()
    for k, t, i, got in zip(rec.a_fair, rec.a_township, rec.a_person, rec.a_intention):
        assert (k, t, i) not in seen
        seen.add((k, t, i))
        assert (t, i) not in first_intention or first_intention[(t, i)] >= k
        if got:
            first_intention.setdefault((t, i), k)
    assert any(n > 1 for n in np.unique([(t, i) for _, t, i in seen], axis=0, return_counts=True)[1])


def test_every_booth_approach_is_a_talk_a_balk_or_a_renege():
    rec = simulate(fairs(), Streams(2, 0), DAYS)
    out = np.array(rec.b_outcome)
    assert set(np.unique(out)) <= {TALK, BALK, RENEGE}
    assert (out == TALK).sum() == sum(rec.a_talks)
    assert (out == RENEGE).sum() > 0  # the base case is congested enough to lose people in queues
    waits = np.array(rec.b_wait)
    assert (waits >= 0).all() and (waits[out == BALK] == 0).all()


# ----------------------------------------------------------------------------- properties

@pytest.mark.parametrize("seed", range(6))
def test_more_recruiters_never_lower_intentions_at_the_same_seed(seed):
    got = [metrics(fairs(**recruiters(n)), seed=seed)["all", "intentions"] for n in (1, 2, 3, 6)]
    assert got == sorted(got), got
    assert got[0] < got[-1]


def test_a_recruiter_change_leaves_who_comes_to_the_first_fairs_untouched():
    a = simulate(fairs(), Streams(4, 1), DAYS)
    b = simulate(fairs(**recruiters(3)), Streams(4, 1), DAYS)
    n_first = len(BASE["townships"])  # each township's first fair: no one is matched yet
    key = lambda r: [(t, i, m) for k, t, i, m in zip(r.a_fair, r.a_township, r.a_person, r.a_mobilised)  # noqa: E731
                     if k < n_first]
    assert key(a) == key(b) and key(a)


def test_conservation_and_consistency_of_the_counts():
    m = metrics(fairs())
    assert m["all", "attendees"] == m["group:walk_in", "attendees"] + m["group:mobilised", "attendees"]
    assert m["all", "intentions"] == sum(m[f"township:{t}", "intentions"] for t in BASE["townships"])
    assert m["all", "attendees"] == sum(m[f"week:{w:02d}", "attendees"] for w in range(1, 10))
    assert m["all", "fairs"] == 6 == sum(m[f"township:{t}", "fairs"] for t in BASE["townships"])
    assert m["all", "talks"] == m["booths:key", "talks"] + m["booths:other", "talks"]
    # a visitor leaves with their first intention: one successful talk per intention
    assert m["all", "talk_intentions"] == m["all", "intentions"]
    assert m["all", "talk_intentions"] == m["booths:key", "talk_intentions"] + m["booths:other", "talk_intentions"]
    assert 0 < m["all", "recruiter_utilisation"] < 1
    hours = sorted(s for s, k in m if k == "booth_queue_mean")
    assert hours[0] == "hour:08:30" and max(m[h, "booth_queue_mean"] for h in hours) > 0
    assert set(k for _, k in m) <= set(JobFairModel.metrics)
    assert not any(math.isnan(m["all", k]) for k in JobFairModel.key_metrics)


def paired(metric, a, b, reps=8, scope="all"):
    """95% interval of metric(b) - metric(a) over replications sharing their draws."""
    return t_interval([metrics(b, 9, r)[scope, metric] - metrics(a, 9, r)[scope, metric] for r in range(reps)])


def test_targeted_mobilisation_raises_intentions_and_the_intention_rate():
    none = fairs(**{"attendance.mobilisation.contacts": 0})
    base = fairs()
    mean, lo, hi, _ = paired("intentions", none, base)
    assert lo > 0, (mean, lo, hi)
    mean, lo, hi, _ = paired("intention_rate", none, base)
    assert lo > 0, (mean, lo, hi)
    random_pick = fairs(**{"attendance.mobilisation.targeting": 0})
    mean, lo, hi, _ = paired("intention_rate", random_pick, base)  # asking those who fit beats asking anyone
    assert lo > 0, (mean, lo, hi)


def test_more_fairs_bring_more_intentions_but_fewer_per_fair():
    few, many = fairs(**{"fairs.count": 6}), fairs(**{"fairs.count": 18})
    mean, lo, hi, _ = paired("intentions", few, many)
    assert lo > 0, (mean, lo, hi)
    mean, lo, hi, _ = paired("intentions_per_fair", few, many)
    assert hi < 0, (mean, lo, hi)
