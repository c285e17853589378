"""The licence model's event log (``trace``): its counts agree with the KPI rows, and
its minutes are calendar minutes since midnight of the start date (the engine itself
runs on office time)."""
from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from govsim.model_api import COMPLETE, START, Trace
from govsim.models.licence import LicenceModel
from govsim.rng import Streams
from govsim.scenario import RunSettings

from test_licence_crn import FIX, IDLE_HELPERS, params

DAYS = 40
RUN = RunSettings(days=DAYS, warmup_days=0)
MODEL = LicenceModel()


def traced(p, rep=0, run=RUN):
    trace = Trace()
    rows = {(s, m): v for s, m, v in MODEL.run(p, Streams(3, rep), run, trace)}
    return rows, trace


def by_case(trace):
    cases = defaultdict(list)
    for case, activity, minutes, transition, resource in trace.rows:
        cases[case].append((activity, minutes, transition, resource))
    return cases


def counted_cases(p, trace, days=DAYS):
    """Cases received in the run's days (warm-up 0): the ones the KPI rows count."""
    clock = p.calendar.clock(days)
    end = clock.to_calendar(days * clock.L)
    return {case: events for case, events in by_case(trace).items()
            if next(m for a, m, *_ in events if a == "receive") < end}


# online and counter, gaps found one at a time, a step's own documents, documents the
# applicant prepares and hands in, a visit to pay, re-work, collected in person
BUSY = {"documents.notice": "one_at_a_time", "documents.p_missing": 0.2,
        "steps.review.documents": {"required": 3, "p_missing": 0.2},
        "steps.review.prepare_days": {"dist": "uniform", "low": 1, "high": 2},
        "steps.review.visit_days": {"dist": "uniform", "low": 1, "high": 3},
        "steps.inspection.rework": {"p": 0.3, "fix_days": FIX}}


@pytest.mark.parametrize("rep", range(2))
def test_counts_in_the_log_agree_with_the_kpi_rows(rep):
    p = params(**BUSY)
    rows, trace = traced(p, rep)
    cases = counted_cases(p, trace)
    count = Counter(a for events in cases.values() for a, _, tr, _ in events if tr == COMPLETE)
    done = {c: ev for c, ev in cases.items() if any(a == "handover" for a, *_ in ev)}
    assert count["arrive"] == rows["all", "applications"] > 0
    assert count["handover"] == rows["all", "handed_over"] == len(done)
    supplements = sum(a == "supplement" for ev in done.values() for a, *_ in ev)
    assert supplements > 0 and supplements == pytest.approx(rows["all", "supplements_mean"] * len(done))
    # trips to the hall: handed in at the counter, documents brought back by counter
    # applicants, prepared documents handed in and called in for a step ("visit"), the
    # certificate collected
    trips = 0
    for ev in done.values():
        counter = next(r for a, _, _, r in ev if a == "arrive") == "counter"
        trips += counter * (1 + sum(a == "supplement" for a, *_ in ev))
        trips += sum(a == "visit" for a, *_ in ev) + sum(a == "handover" and r == "in_person" for a, _, _, r in ev)
    assert trips == pytest.approx(rows["all", "visits_mean"] * len(done))
    # every piece of work that starts ends; the inspection serves each once, again after each re-work
    done_events = [e for ev in done.values() for e in ev]
    starts = Counter((a, r) for a, _, tr, r in done_events if tr == START)
    assert starts == Counter((a, r) for a, _, tr, r in done_events if tr == COMPLETE and (a, r) in starts)
    reworks = sum(a == "rework" for a, *_ in done_events)
    assert reworks > 0 and starts["serve", "third"] == len(done) + reworks


def test_helpers_work_appears_in_the_log():
    p = params(proxy={**IDLE_HELPERS, "uptake": 1.0}, **{"documents.p_missing": 0.3})
    rows, trace = traced(p)
    cases = counted_cases(p, trace)
    assemble = sum((a, tr, r) == ("assemble", COMPLETE, "helpers") for ev in cases.values() for a, _, tr, r in ev)
    assert assemble == rows["channel:proxy", "applications"] == rows["all", "applications"]
    walks = Counter(r for ev in cases.values() for a, _, tr, r in ev if a == "walk" and tr == START)
    assert walks["helpers"] > 0 and not any(a == "transfer" for ev in cases.values() for a, *_ in ev)
    assert not any(a == "supplement" for ev in cases.values() for a, *_ in ev)  # the helper fetched every gap


def test_minutes_are_calendar_minutes_from_midnight_of_the_start_date():
    p = params(**{"arrivals.online_share": 1.0})
    _, trace = traced(p)
    clock = MODEL.clock(p)
    cal = p.calendar
    assert clock(0) == clock(0.0) and clock(0).date() == cal.start and clock(0).hour == 0
    assert clock(24 * 60 + 90) - clock(0) == timedelta(days=1, minutes=90)
    weekend = 0
    for case, events in by_case(trace).items():
        minutes = [m for _, m, *_ in events]
        assert minutes == sorted(minutes), case  # one case's events in the order they happen
        handed_in = clock(next(m for a, m, *_ in events if a == "arrive"))
        received = clock(next(m for a, m, *_ in events if a == "receive"))
        assert abs((cal.receipt(handed_in) - received).total_seconds()) < 1e-3  # the next opening
        weekend += not cal.is_working_day(handed_in.date())
        for activity, m, transition, _ in events:
            when = clock(m)
            if activity in ("serve", "check") and transition == START:
                assert cal.is_working_day(when.date()), (case, activity, when)
                assert cal.hours.is_open(when.hour * 60 + when.minute + when.second / 60), (case, activity, when)
    assert weekend > 0


def test_tracing_changes_no_row_in_a_graph_of_steps_with_helpers():
    graph = {"steps.review.after": [], "steps.inspection.after": [], "steps.decide.after": ["review", "inspection"],
             "proxy": {**IDLE_HELPERS, "uptake": 0.5}}
    p = params(**graph, **BUSY)
    run = RunSettings(days=DAYS, warmup_days=5)
    rows, trace = traced(p, run=run)
    plain = {(s, m): v for s, m, v in MODEL.run(p, Streams(3, 0), run)}
    assert trace.rows and rows.keys() == plain.keys()
    assert all(rows[k] == plain[k] or (rows[k] != rows[k] and plain[k] != plain[k]) for k in rows)
