"""The licence model: mechanisms pinned by exact cases, properties, and paired
comparisons over replications sharing their draws."""
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from govsim import documents as docs
from govsim.models.licence import LicenceModel, LicenceParams, kpis, simulate
from govsim.models.licence.engine import WAIT
from govsim.models.licence.population import Values
from govsim.rng import Streams
from govsim.scenario import RunSettings, load_scenario
from govsim.stats import t_interval

from conftest import SCENARIOS, params_with

from test_licence_calendar import CHINA_2022

DET = lambda v: {"dist": "deterministic", "value": v}  # noqa: E731
L = 390.0  # office minutes a day: 08:30-17:30 less 12:00-14:30

BASE = {
    "calendar": CHINA_2022,
    "arrivals": {"per_year": 400, "online_share": 0.0},
    "departments": {"window": {"staff": 50}, "office": {"staff": 50}, "head": {"staff": 50}, "third": {"staff": 50}},
    "intake": {"department": "window", "accept": DET(10)},
    "documents": {"required": 5, "p_missing": 0.0, "minor_share": 0.0, "notice": "one_at_a_time",
                  "check": DET(5), "return_days": DET(2)},
    "steps": {},
    "handover": {"mode": "on_the_spot"},
    "promise": {"days": 1},
}


def licence(**changes) -> LicenceParams:
    """BASE with dotted-path changes: licence(**{"documents.p_missing": 0.1})."""
    return params_with(LicenceParams, BASE, **changes)


def run(params, days=40, seed=1, rep=0, scale=None, warmup=0):
    return simulate(params, Streams(seed, rep), days, warmup, scale=scale)


def metrics(params, days=40, seed=1, rep=0, scale=None, warmup=0):
    rec = run(params, days, seed, rep, scale, warmup)
    return {(s, m): v for s, m, v in kpis(rec, params)}


def counted(rec):
    return [a for a in rec.apps if a.counted]


# -- the documents module, shared with the service hall -----------------------------

@pytest.mark.parametrize("notice,pledge,major,minor,outcome,after", [
    ("one_time", False, [0], [0], docs.ACCEPTED, ([0], [0])),
    ("one_time", False, [2], [1], docs.REJECTED, ([0], [0])),        # everything listed at once
    ("one_at_a_time", False, [2], [1], docs.REJECTED, ([1], [1])),   # the first gap found (a major one)
    ("one_at_a_time", False, [0], [1], docs.REJECTED, ([0], [0])),
    ("one_time", True, [0], [3], docs.PLEDGED, ([0], [0])),          # minor gaps only: accepted on a pledge
    ("one_time", True, [1], [3], docs.REJECTED, ([0], [0])),         # a pledge cannot cover a major gap
])
def test_a_document_check(notice, pledge, major, minor, outcome, after):
    assert docs.check(major, minor, range(0, 1), notice, pledge) == outcome
    assert (major, minor) == after


def test_fewer_required_documents_keep_the_same_gaps():
    u = np.random.default_rng(1).random((2, 500, 40))
    major11, minor11 = docs.nested_gaps(u[0], u[1], 11, 0.1, 0.5)
    major4, minor4 = docs.nested_gaps(u[0], u[1], 4, 0.1, 0.5)
    assert np.all(major4 <= major11) and np.all(minor4 <= minor11)
    # binomial(11, 0.1) gaps per application: the sample mean within 3.3 standard errors
    assert abs((major11 + minor11).mean() - 1.1) < 3.3 * np.sqrt(11 * 0.1 * 0.9 / 500)
    assert (major4 + minor4).sum() < (major11 + minor11).sum()


# -- the calendar in the model ---------------------------------------------------------

def test_handed_in_after_hours_or_on_a_day_off_starts_the_next_working_day():
    params = licence(**{"arrivals.online_share": 1.0})
    rec = run(params, days=60)
    clock, cal = rec.clock, rec.clock.calendar
    origin = datetime.combine(cal.start, datetime.min.time())
    friday_evenings = 0
    for a in counted(rec):
        handed_in = origin + timedelta(minutes=a.t_cal)
        received = cal.receipt(handed_in)
        assert clock.to_calendar(a.t_need) == pytest.approx((received - origin).total_seconds() / 60)
        if handed_in.weekday() == 4 and handed_in.hour * 60 + handed_in.minute >= 17 * 60 + 30:
            if cal.is_working_day(handed_in.date() + timedelta(days=3)):
                friday_evenings += 1
                assert received == datetime.combine(handed_in.date() + timedelta(days=3), datetime.min.time()) \
                    + timedelta(hours=8, minutes=30)  # Monday's opening
    assert friday_evenings > 0
    # ten minutes of window time: done the working day it was received, unless received
    # in the last ten minutes of it; lead times count from the day of receipt
    m = {(s, k): v for s, k, v in kpis(rec, params)}
    late = [a for a in counted(rec) if a.t_need % L > L - 10]
    assert m["all", "lead_time_mean_days"] == pytest.approx(len(late) / len(counted(rec)))
    assert m["all", "lead_time_mean_calendar_days"] > 0.3  # evenings and weekends still pass for the applicant


def test_no_application_is_received_on_a_holiday():
    rec = run(licence(**{"arrivals.online_share": 0.5}), days=80)  # 80 working days: into Qingming and May Day
    holidays = {date(2022, 1, 31) + np.timedelta64(k, "D").astype(object) for k in range(7)}
    for a in rec.apps:
        received = rec.clock.date(rec.clock.day(a.t_need))
        assert received not in holidays and rec.clock.calendar.is_working_day(received)


# -- the supplement loop ---------------------------------------------------------------

def test_complete_documents_mean_exactly_one_visit():
    m = metrics(licence())
    assert m["all", "applications"] > 0 and m["all", "incomplete_share"] == 0
    assert m["all", "visits_mean"] == 1.0 and m["all", "one_visit_share"] == 1.0
    assert m["all", "supplements_mean"] == 0.0


@pytest.mark.parametrize("notice,pledge,minor,visits", [
    ("one_at_a_time", False, 0.0, 4),  # three gaps found one by one, then accepted
    ("one_time", False, 0.0, 2),       # all three listed at once
    ("one_time", True, 1.0, 1),        # minor gaps accepted on a pledge
    ("one_time", True, 0.0, 2),        # a pledge cannot cover major gaps
])
def test_every_document_missing_gives_a_known_number_of_visits(notice, pledge, minor, visits):
    params = licence(**{"documents.required": 3, "documents.p_missing": 1.0, "documents.minor_share": minor,
                        "documents.notice": notice, "documents.pledge": pledge})
    rec = run(params)
    apps = counted(rec)
    assert apps and {a.visits for a in apps} == {visits}
    assert {a.supplements for a in apps} == {visits - 1}
    assert {a.pledged for a in apps} == {pledge and minor == 1.0}
    # each return costs exactly return_days (2) of office time, and the window's minutes
    for a in apps:
        expected = (visits - 1) * (5 + 2 * L) + 10
        assert a.t_accept - a.t_need == pytest.approx(expected)


def test_documents_checked_at_a_step_cost_returns_there():
    params = licence(**{"steps": {"review": {"department": "office", "work": DET(30),
                                             "documents": {"required": 2, "p_missing": 1.0}}}})
    apps = counted(run(params))
    assert {a.visits for a in apps} == {3} and {a.supplements for a in apps} == {2}
    assert all(a.times[1][2] == pytest.approx(2 * 2 * L) for a in apps)  # two returns of 2 days, as delay


def test_online_applicants_send_documents_without_a_trip():
    params = licence(**{"arrivals.online_share": 1.0, "documents.p_missing": 1.0, "documents.notice": "one_time"})
    apps = counted(run(params))
    assert {a.visits for a in apps} == {0} and {a.supplements for a in apps} == {1}


# -- steps: hand-overs, slots, work over days, delays, re-work -------------------------------

def test_daily_handover_and_morning_signoff_give_the_next_working_day():
    """Accepted before the 17:00 hand-over: signed at 10:00 the next working day;
    after it: the working day after that."""
    params = licence(**{"steps": {"decision": {"department": "head", "handover": "17:00", "slot": {"at": "10:00"},
                                               "work": DET(5)}}})
    rec = run(params)
    clock = rec.clock
    late = 0
    for a in counted(rec):
        d = clock.day(a.t_accept)
        before_cutoff = a.t_accept <= clock.at(d, 17 * 60)
        late += not before_cutoff
        assert a.t_issue == pytest.approx(clock.at(d + (1 if before_cutoff else 2), 10 * 60) + 5)
    assert late > 0
    m = {(s, k): v for s, k, v in kpis(rec, params)}
    assert 1 <= m["all", "issue_time_mean_days"] < 1.2


def test_long_work_spans_days_in_office_hours_only():
    params = licence(**{"steps": {"review": {"department": "office", "work": DET(600)}}})
    rec = run(params)
    for a in counted(rec):
        assert a.t_issue - a.t_accept == pytest.approx(600)
        span = rec.clock.to_calendar(a.t_issue) - rec.clock.to_calendar(a.t_accept)
        assert span >= 600 + 150 + 15 * 60 - 1e-6  # at least one lunch break and one night


def test_fixed_delay_adds_exactly_its_working_days():
    params = licence(**{"steps": {"review": {"department": "office", "work": DET(30), "delay_days": DET(3)}}})
    for a in counted(run(params)):
        assert a.t_issue - a.t_accept == pytest.approx(30 + 3 * L)


def test_inspections_are_booked_ahead_within_the_daily_capacity():
    params = licence(**{"steps": {"inspection": {"department": "third", "work": DET(60),
                                                 "slot": {"at": "09:00", "capacity": 1, "lead_days": 2}}}})
    rec = run(params, days=30)
    clock = rec.clock
    apps = sorted(counted(rec), key=lambda a: a.t_accept)
    starts = [a.t_issue - 60 for a in apps]
    days = [clock.day(s) for s in starts]
    assert len(set(days)) == len(days)  # at most one a day
    for a, s, d in zip(apps, starts, days):
        assert s == pytest.approx(clock.at(d, 9 * 60))
        assert d >= clock.day(a.t_accept) + 2
    assert days == sorted(days)  # first come, first booked


def test_a_weekly_meeting_sits_on_its_weekday_and_skips_holidays():
    params = licence(**{"steps": {"meeting": {"department": "head", "work": DET(5),
                                              "slot": {"every": "week", "weekday": "tue", "at": "09:00"}}}})
    rec = run(params, days=60)
    meeting_days = {rec.clock.date(rec.clock.day(a.t_issue - 5)) for a in counted(rec)}
    assert meeting_days and all(d.weekday() == 1 for d in meeting_days)
    assert date(2022, 2, 1) not in meeting_days  # Spring Festival Tuesday: no meeting
    assert date(2022, 2, 8) in meeting_days


def test_rework_repeats_the_step_after_the_fix():
    params = licence(**{"steps": {"inspection": {"department": "third", "work": DET(60),
                                                 "rework": {"p": 0.5, "fix_days": DET(1)}}}})
    attempts = []
    for a in counted(run(params)):
        k = (a.t_issue - a.t_accept - 60) / (60 + L)
        assert k == pytest.approx(round(k))
        attempts.append(round(k))
    assert min(attempts) == 0 and max(attempts) >= 2
    # re-works per application are geometric with p = 0.5: mean 1 inside the 99.9% interval
    mean, lo, hi, _ = t_interval(attempts, 0.999)
    assert lo <= 1.0 <= hi, (mean, lo, hi)


def test_a_step_that_calls_the_applicant_in_costs_a_trip_and_their_days():
    params = licence(**{"steps": {"tax": {"department": "office", "work": DET(20), "visit_days": DET(2)}}})
    for a in counted(run(params)):
        assert a.visits == 2 and a.t_issue - a.t_accept == pytest.approx(2 * L + 20)


def three_steps(flow: str, **extra):
    steps = {
        "a": {"department": "office", "handover": "17:00", "work": {"dist": "lognormal", "mean": 60, "cv": 0.5}},
        "b": {"department": "third", "slot": {"at": "11:00"}, "work": {"dist": "lognormal", "mean": 200, "cv": 0.7},
              "delay_days": {"dist": "uniform", "low": 1, "high": 4}},
        "c": {"department": "head", "handover": "16:00", "work": {"dist": "lognormal", "mean": 120, "cv": 0.5}},
        "decide": {"department": "head", "slot": {"at": "10:00"}, "work": DET(5)},
    }
    if flow == "parallel":
        for k in ("a", "b", "c"):
            steps[k]["after"] = []
        steps["decide"]["after"] = ["a", "b", "c"]
    return licence(steps=steps, **extra)


@pytest.mark.parametrize("rep", range(3))
def test_parallel_steps_are_never_slower_than_serial_at_the_same_seed(rep):
    serial = {a.aid: a for a in counted(run(three_steps("serial"), rep=rep))}
    parallel = {a.aid: a for a in counted(run(three_steps("parallel"), rep=rep))}
    assert serial.keys() == parallel.keys()
    faster = 0
    for aid, s in serial.items():
        p = parallel[aid]
        assert p.t_cal == s.t_cal
        assert p.t_issue <= s.t_issue + 1e-9
        faster += p.t_issue < s.t_issue - 1e-9
    assert faster > len(serial) / 2  # the rest tie: the morning sign-off waits for the same day


def test_parallel_steps_shorten_the_mean_when_staff_are_shared():
    """With few staff the orders of service differ, so no guarantee per application;
    on average, over replications sharing their draws, parallel is faster."""
    few = {"departments.office.staff": 1, "departments.third.staff": 1, "departments.head.staff": 1}
    diffs = [metrics(three_steps("parallel", **few), rep=r)["all", "lead_time_mean_days"]
             - metrics(three_steps("serial", **few), rep=r)["all", "lead_time_mean_days"] for r in range(8)]
    mean, lo, hi, _ = t_interval(diffs)
    assert hi < 0, (mean, lo, hi)


def test_a_dropped_step_passes_its_predecessors_on():
    params = three_steps("serial", **{"steps.b.enabled": False})
    assert params.step_order() == ["a", "c", "decide"] and params.dependencies()["c"] == ["a"]
    rec = run(params)
    assert rec.stages == ["intake", "a", "c", "decide", "handover"]


# -- hand-over ------------------------------------------------------------------------------

def test_mailed_certificates_arrive_after_calendar_days_and_count_working_days():
    params = licence(**{"handover": {"mode": "mail", "mail_days": DET(2)}})
    rec = run(params)
    m = {(s, k): v for s, k, v in kpis(rec, params)}
    clock = rec.clock
    for a in counted(rec):
        assert a.t_end_cal - clock.to_calendar(a.t_issue) == pytest.approx(2 * 1440)
        assert a.visits == 1
    # posted on Thursday or Friday, delivered Saturday or Sunday: counted to Friday
    assert m["all", "lead_time_max_days"] == 2 and m["all", "lead_time_mean_days"] < 2


def test_collecting_in_person_is_a_trip_after_the_collect_days():
    params = licence(**{"handover": {"mode": "in_person", "collect_days": DET(1.5)}})
    for a in counted(run(params)):
        assert a.visits == 2 and a.t_end - a.t_issue == pytest.approx(1.5 * L)


def test_filing_ahead_hands_the_certificate_over_with_the_keys():
    slow = {"steps": {"review": {"department": "office", "work": DET(30), "delay_days": DET(5)}}}
    on_time = licence(**{"handover": {"mode": "with_keys", "ahead_days": 8}}, **slow)
    rec = run(on_time, warmup=10)  # filing cannot start before the run does
    for a in counted(rec):
        assert a.t_issue < a.t_need and a.t_end == a.t_need
    m = {(s, k): v for s, k, v in kpis(rec, on_time)}
    assert m["all", "lead_time_max_days"] == 0 and m["all", "issue_time_mean_days"] == 0
    # filed online by the developer, the keys are still handed over in office hours
    online = licence(**{"arrivals.online_share": 1.0, "handover": {"mode": "with_keys", "ahead_days": 8}}, **slow)
    rec = run(online, warmup=10)
    assert all(rec.clock.calendar.hours.is_open(a.t_cal % 1440) for a in rec.apps)
    assert {a.visits for a in counted(rec)} == {0}
    m = {(s, k): v for s, k, v in kpis(rec, online)}
    assert m["all", "lead_time_mean_calendar_days"] == 0
    late = licence(**{"handover": {"mode": "with_keys", "ahead_days": 2}}, **slow)
    m = metrics(late, warmup=10)
    assert 2.5 < m["all", "lead_time_mean_days"] < 3.5  # 5 days of review, 2 of them ahead


def test_a_late_filing_leaves_buyers_without_the_certificate_on_the_day():
    """Five working days of review after 40 window and staff minutes. Filed 8 working
    days before the keys: every certificate ready on the day, with 2-3 days to spare
    (lateness is signed, not floored at 0). Filed 5 days ahead: issued 40 minutes after
    the keys, so ready on the day unless the keys came in the day's last 40 minutes,
    those a day late. Filed 2 days ahead: none ready, each 3-4 days late."""
    slow = {"steps": {"review": {"department": "office", "work": DET(30), "delay_days": DET(5)}}}

    def with_keys(ahead):
        params = licence(**{"handover": {"mode": "with_keys", "ahead_days": ahead}}, **slow)
        rec = run(params, warmup=10)
        return rec, {(s, k): v for s, k, v in kpis(rec, params)}

    rec, m = with_keys(8)
    assert m["all", "ready_share"] == 1.0 and m["all", "late_mean_days"] != m["all", "late_mean_days"]  # none late
    assert -3 <= m["all", "lateness_mean_days"] <= -2
    rec, m = with_keys(5)
    apps = counted(rec)
    crossing = [a for a in apps if a.t_need % L > L - 40]  # issued on the next working day
    assert 0 < len(crossing) < len(apps)
    assert m["all", "ready_share"] == pytest.approx(1 - len(crossing) / len(apps)) and m["all", "ready_share"] < 1
    assert m["all", "late_mean_days"] == 1.0
    _, m = with_keys(2)
    assert m["all", "ready_share"] == 0.0 and 3 <= m["all", "late_mean_days"] <= 4
    assert m["all", "late_mean_days"] == m["all", "lateness_mean_days"] == m["all", "lead_time_mean_days"]


# -- time limits as promises -----------------------------------------------------------------------

def test_the_promise_clock_starts_at_acceptance_not_receipt():
    """Every application lacks its one document (found at the window, brought 2 working
    days later), then a review takes exactly 3 working days: 3 on the promise's clock for
    every application, whatever happened before acceptance."""
    review = {"review": {"department": "office", "work": DET(0), "delay_days": DET(3)}}
    missing = {"documents.required": 1, "documents.p_missing": 1.0}
    params = licence(**missing, **{"promise.days": 3}, steps=review)
    m = {(s, k): v for s, k, v in kpis(run(params), params)}
    assert m["all", "applications"] > 0
    for metric in ("promise_time_mean_days", "promise_time_p90_days", "promise_time_p95_days"):
        assert m["all", metric] == 3, metric
    assert m["all", "promise_share"] == 1.0
    assert m["all", "issue_time_mean_days"] >= 5  # from receipt: the 2 days of fetching the document too
    tighter = licence(**missing, **{"promise.days": 2}, steps=review)
    assert metrics(tighter)["all", "promise_share"] == 0.0


def test_promise_quantiles_and_share_are_exact_for_a_daily_handover():
    """Accepted by the 17:00 hand-over: signed at 10:00 the next working day, 1 day on
    the promise's clock; after it: 2 days. With f the share accepted after 17:00 the
    mean is 1 + f, the share within a 1-day promise 1 - f, and the 90th (95th)
    percentile is 1 while 1 - f is at least 0.90 (0.95), else 2."""
    params = licence(**{"steps": {"decision": {"department": "head", "handover": "17:00", "slot": {"at": "10:00"},
                                               "work": DET(5)}}})
    rec = run(params, days=120)
    clock = rec.clock
    apps = counted(rec)
    f = sum(a.t_accept > clock.at(clock.day(a.t_accept), 17 * 60) for a in apps) / len(apps)
    assert 0 < f < 1
    m = {(s, k): v for s, k, v in kpis(rec, params)}
    assert m["all", "promise_time_mean_days"] == pytest.approx(1 + f)
    assert m["all", "promise_share"] == pytest.approx(1 - f)
    assert m["all", "promise_time_p90_days"] == (1 if 1 - f >= 0.90 else 2)
    assert m["all", "promise_time_p95_days"] == (1 if 1 - f >= 0.95 else 2)


def test_never_issued_counts_beyond_any_limit():
    """A step whose slot no file can book: nothing is issued, no promise is kept, and no
    limit would be kept for 95% (the percentile is empty, not a number)."""
    params = licence(**{"steps": {"decide": {"department": "head", "work": DET(5),
                                             "slot": {"every": "week", "weekday": "mon", "at": "09:00",
                                                      "lead_days": 3000}}}})
    m = metrics(params, days=10)
    assert m["all", "applications"] > 0 and m["all", "handed_over"] == 0
    assert m["all", "promise_share"] == 0.0 and m["all", "ready_share"] == 0.0
    assert m["all", "promise_time_p95_days"] != m["all", "promise_time_p95_days"]  # NaN


# -- proxy helpers ------------------------------------------------------------------------------

HELPERS = {"helpers": 2, "uptake": 1.0, "assemble": DET(60), "fix_days": DET(3), "walk": DET(20)}


def test_a_proxy_helper_spares_the_trips_and_fetches_every_gap_at_once():
    params = licence(**{"proxy": HELPERS, "documents.p_missing": 0.3, "documents.required": 10,
                        "steps": {"review": {"department": "office", "work": DET(30),
                                             "documents": {"required": 5, "p_missing": 0.3}}}})
    rec = run(params)
    apps = counted(rec)
    assert {a.visits for a in apps} == {0} and {a.supplements for a in apps} == {0}
    m = {(s, k): v for s, k, v in kpis(rec, params)}
    assert 0 < m["helpers", "utilisation"] < 1
    assert m["channel:proxy", "applications"] == m["all", "applications"]


def test_a_helper_walking_the_file_skips_the_daily_handover():
    steps = {"review": {"department": "office", "handover": "17:00", "work": DET(30)}}
    own = counted(run(licence(steps=steps)))
    helped = counted(run(licence(steps=steps, proxy={**HELPERS, "helpers": 20})))
    wait_own = np.mean([a.times[1][WAIT] for a in own])
    wait_helped = np.mean([a.times[1][WAIT] for a in helped])
    assert wait_helped == pytest.approx(20, abs=1e-6)  # the walk only
    assert wait_own > 100


def test_a_helper_does_the_paperwork_not_the_applicants_own_preparation():
    """Ten working days for the applicant's consultants to prepare a step's technical
    documents, handed in with a trip, then 3 days before coming in to sign. A helper
    carries the documents in and goes in for the applicant (two 20-minute walks instead
    of the trips and the 3 days), but the 10 days of preparation stay."""
    steps = {"environment": {"department": "office", "work": DET(60), "prepare_days": DET(10),
                             "visit_days": DET(3)}}
    own = counted(run(licence(steps=steps)))
    helped = counted(run(licence(steps=steps, proxy={**HELPERS, "helpers": 20})))
    assert own and [a.case for a in own] == [a.case for a in helped]
    for a in own:
        assert a.t_issue - a.t_accept == pytest.approx(10 * L + 3 * L + 60)
        assert a.visits == 3  # handed in at the counter, the prepared documents, called in to sign
    for a in helped:
        assert a.t_issue - a.t_accept == pytest.approx(10 * L + 20 + 20 + 60)
        assert a.visits == 0


def test_h12_helpers_leave_the_firms_technical_preparation_alone():
    """In the shipped project study a helper does the paperwork, fetches the gaps and
    walks the files, but between acceptance and the permit every project still spends
    at least its firm's technical preparation and the fixed reviews of every approval
    (one after another in proxy_only): the helper shortens neither."""
    sc = load_scenario(SCENARIOS / "hongjiang_project_approval.yaml")
    params = sc.resolved["proxy_only"]
    technical = [n for n, s in params.steps.items() if s.prepare_days is not None]
    assert technical  # site plan, environmental report, drawings...: the firm's own work
    rec = simulate(params, Streams(sc.run.seed, 0), 120)
    values = Values(params)
    apps = counted(rec)
    assert apps and all(a.proxied and a.t_issue == a.t_issue for a in apps)
    for a in apps:
        own = sum(values.value(f"step:{n}:{kind}", a.drawn[f"step:{n}:{kind}"])
                  for n in params.steps for kind in ("prepare", "delay"))
        assert a.t_issue - a.t_accept >= own * rec.clock.L - 1e-6, a.case


# -- demand ---------------------------------------------------------------------------------------

def test_doubled_demand_keeps_every_application_of_the_base_demand():
    params = licence(**{"documents.p_missing": 0.2})
    base = {(a.t_cal, a.gaps, a.online) for a in counted(run(params, days=120))}
    double = {(a.t_cal, a.gaps, a.online) for a in counted(run(params, days=120, scale=2.0))}
    assert base < double
    assert 1.6 < len(double) / len(base) < 2.4  # Poisson: about 190 against 380


def test_fewer_documents_meet_the_same_applicants():
    many = counted(run(licence(**{"documents.required": 11, "documents.p_missing": 0.2})))
    few = counted(run(licence(**{"documents.required": 4, "documents.p_missing": 0.2})))
    assert [a.t_cal for a in many] == [a.t_cal for a in few]
    assert all(f.gaps[0] <= m.gaps[0] for f, m in zip(few, many))
    assert sum(f.gaps[0] for f in few) < sum(m.gaps[0] for m in many) / 2
    assert sum(f.supplements for f in few) < sum(m.supplements for m in many)


def loaded():
    """An inspection team with room for 3 visits a day, booked a day ahead, and a
    5-day promise: comfortable at 400 applications a year, not at twice that."""
    return licence(**{"promise.days": 5, "stress": [2.0], "steps": {
        "inspection": {"department": "third", "work": DET(90), "slot": {"at": "09:00", "capacity": 3, "lead_days": 1}},
        "decide": {"department": "head", "handover": "17:00", "slot": {"at": "10:00"}, "work": DET(5)}}})


def test_doubling_applications_lowers_the_promise_share():
    model, params, rs = LicenceModel(), loaded(), RunSettings(days=60, warmup_days=10)
    diffs = []
    for rep in range(5):
        m = {(s, k): v for s, k, v in model.run(params, Streams(3, rep), rs)}
        diffs.append(m["demand:x2.00", "promise_share"] - m["demand:x1.00", "promise_share"])
        assert m["demand:x2.00", "lead_time_mean_days"] > m["demand:x1.00", "lead_time_mean_days"]
    mean, lo, hi, _ = t_interval(diffs)
    assert hi < 0, (mean, lo, hi)


# -- KPIs and run settings -------------------------------------------------------------------------

def test_kpis_are_consistent():
    params = three_steps("serial", **{"documents.p_missing": 0.1, "handover": {"mode": "in_person",
                                                                               "collect_days": DET(1)}})
    m = metrics(params, days=60)
    assert m["all", "applications"] == m["all", "handed_over"] + m["all", "unfinished"]
    qs = [m[f"quantile:{q:.2f}", "lead_time_days"] for q in np.arange(0.05, 1.001, 0.05)]
    assert qs == sorted(qs) and qs[-1] == m["all", "lead_time_max_days"]
    assert m["all", "lead_time_p50_days"] == m["quantile:0.50", "lead_time_days"]
    for key, value in m.items():
        if key[1] in ("utilisation", "promise_share", "one_visit_share", "zero_visit_share", "pledge_share"):
            assert 0 <= value <= 1, key
    assert m["all", "open_end"] >= 0
    assert m["step:b", "utilisation"] == m["department:third", "utilisation"]
    assert m["all", "lead_time_mean_calendar_days"] > m["all", "lead_time_mean_days"]  # nights and weekends


def test_utilisation_matches_the_offered_work():
    params = licence(**{"departments.office.staff": 2, "steps": {"review": {"department": "office", "work": DET(60)}}})
    m = metrics(params, days=120)
    per_day = m["all", "applications"] / 120
    # an identity up to the edges of the run (work begun before the first counted day or
    # still going at the end), not a statistical estimate
    assert m["department:office", "utilisation"] == pytest.approx(per_day * 60 / (2 * L), rel=0.05)


def test_the_run_must_be_given_in_days():
    assert LicenceModel().check_run(RunSettings(horizon_min=10000))
    assert not LicenceModel().check_run(RunSettings(days=10))


def test_same_seed_same_rows_another_replication_other_rows():
    model, params, rs = LicenceModel(), loaded(), RunSettings(days=30)
    a = model.run(params, Streams(5, 0), rs)
    assert a == model.run(params, Streams(5, 0), rs)
    assert a != model.run(params, Streams(5, 1), rs)


def test_every_policy_hands_an_application_the_same_later_draws():
    """Return delays, re-work and the like are drawn when an application arrives, so a
    policy that changes the steps changes who waits, not which numbers each one gets."""
    serial = run(three_steps("serial", **{"documents.p_missing": 0.3}), days=30)
    parallel = run(three_steps("parallel", **{"documents.p_missing": 0.3}), days=30)
    first = {a.aid: a for a in counted(serial)}
    second = {a.aid: a for a in counted(parallel)}
    assert first and first.keys() == second.keys()
    assert all(second[i].t_cal == a.t_cal and second[i].later == a.later for i, a in first.items())
    assert any(a.later_used for a in first.values())  # and they are the ones used
