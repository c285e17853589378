"""The job-fair event log: every attendance's events, in order, and counts in the log
that agree with the KPI rows."""
from collections import Counter, defaultdict

import numpy as np
import pytest

from govsim.calendar import DAY
from govsim.model_api import COMPLETE, START, Trace
from govsim.models.job_fair import kpis, simulate
from govsim.rng import Streams

from test_job_fair import BASE, DAYS, fairs


def traced(params, seed=7, rep=0):
    trace = Trace()
    rec = simulate(params, Streams(seed, rep), DAYS, trace=trace)
    return trace, {(s, m): v for s, m, v in kpis(rec, params)}


def by_case(trace):
    cases = defaultdict(list)
    for case, activity, minutes, transition, resource in trace.rows:
        cases[case].append((activity, minutes, transition, resource))
    return cases


@pytest.mark.parametrize("after", ["leave", "continue"])
def test_counts_in_the_log_agree_with_the_rows(after):
    trace, m = traced(fairs(**{"visitors.after_intention": after}))
    assert trace.count("arrive") == trace.count("leave") == m["all", "attendees"] > 0
    assert trace.count("serve", START) == trace.count("serve", COMPLETE) == m["all", "talks"]
    assert trace.count("intention") == m["all", "talk_intentions"]
    cases = by_case(trace)
    assert sum(any(a == "intention" for a, *_ in ev) for ev in cases.values()) == m["all", "intentions"]
    approaches = m["all", "talks"] + trace.count("balk") + trace.count("abandon")
    assert trace.count("balk") / approaches == pytest.approx(m["all", "booth_balk_frac"], rel=1e-12)
    assert trace.count("abandon") / approaches == pytest.approx(m["all", "booth_renege_frac"], rel=1e-12)
    talks = Counter(r for _, a, _, tr, r in trace.rows if a == "serve" and tr == COMPLETE)
    for kind in BASE["booths"]:
        assert sum(n for r, n in talks.items() if r.startswith(f"{kind}#")) == m[f"booths:{kind}", "talks"]
    assert len(cases) == m["all", "attendees"]  # one case per attendance (fair and person in its id)


def test_the_waits_in_the_log_are_the_booth_waits():
    trace, m = traced(fairs())
    waits = []
    for events in by_case(trace).values():
        joined = {}
        for activity, t, transition, booth in events:
            if activity == "queue":
                joined[booth] = t
            elif activity == "serve" and transition == START:
                waits.append(t - joined.pop(booth, t))
            elif activity == "abandon":
                joined.pop(booth)
    assert len(waits) == m["all", "talks"]
    assert sum(waits) / len(waits) == pytest.approx(m["all", "booth_wait_mean_min"], rel=1e-9)


def test_each_case_arrives_first_leaves_last_and_keeps_time_in_order():
    trace, m = traced(fairs())
    for case, events in by_case(trace).items():
        kinds = [a for a, *_ in events]
        assert kinds[0] == "arrive" and kinds[-1] == "leave" and kinds.count("arrive") == 1, (case, kinds)
        times = [t for _, t, *_ in events]
        assert times == sorted(times), case
        assert case.startswith("visitor:")
    weeks = Counter(int(t // (7 * DAY)) for _, a, t, _, _ in trace.rows if a == "arrive")
    assert all(weeks[w] == m[f"week:{w + 1:02d}", "attendees"] for w in range(9))


def test_tracing_changes_no_row():
    trace, m = traced(fairs())
    assert trace.rows
    np.testing.assert_equal(m, {(s, k): v for s, k, v in kpis(simulate(fairs(), Streams(7, 0), DAYS), fairs())})
