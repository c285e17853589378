"""The shuttle's event log: every seeker and every vehicle trip a case, and the
counts in the log agree with the KPI rows."""
from collections import Counter, defaultdict

import pytest

from govsim.model_api import COMPLETE, START, Trace
from govsim.models.shuttle import kpis, simulate
from govsim.models.shuttle.population import employers
from govsim.rng import Streams

from test_shuttle import shuttle

RULES = {"when_full": {"rule": "when_full"}, "hybrid": {"rule": "hybrid", "min_load": 25, "max_wait_h": 60},
         "weekly": {"rule": "timetable", "departures": ["08:00"], "every_days": 7}}
CASES = [(rule, pooling) for rule in RULES for pooling in ("township", "route", "central")]


def traced(params, seed=2, days=10):
    trace = Trace()
    rec = simulate(params, Streams(seed, 0), days, trace=trace)
    return rec, trace, {(s, m): v for s, m, v in kpis(rec, params)}


def counts(trace):
    """(case kind, activity, transition) -> events; and by resource."""
    kind = Counter((case.split(":")[0], act, tr) for case, act, _, tr, _ in trace.rows)
    by_resource = Counter((act, tr, res) for _, act, _, tr, res in trace.rows)
    return kind, by_resource


@pytest.mark.parametrize("rule,pooling", CASES)
def test_counts_in_the_log_agree_with_the_kpi_rows(rule, pooling):
    # one large vehicle and a short patience: no-shows, giving up and some left waiting at the end
    p = shuttle(**{"dispatch": dict(RULES[rule], pooling=pooling), "seekers.show_up": 0.85, "fleet.seats": 30,
                   "seekers.patience_days": {"dist": "uniform", "low": 1, "high": 3}, "fleet.vehicles": 1,
                   "campaign.extra_days": 0})
    rec, trace, m = traced(p)
    kind, by_resource = counts(trace)
    seeker = {act: kind["seeker", act, COMPLETE] for act in
              ("sign_up", "board", "arrive_park", "no_show", "abandon", "still_waiting", "intention", "leave")}
    assert seeker["sign_up"] == m["all", "signed_up"]
    assert seeker["board"] == seeker["arrive_park"] == seeker["leave"] == m["all", "seekers_delivered"]
    assert seeker["no_show"] == m["all", "no_shows"] and seeker["abandon"] == m["all", "gave_up"]
    assert seeker["still_waiting"] == m["all", "still_waiting"]
    assert seeker["intention"] == m["all", "intentions"]
    assert m["all", "no_shows"] and m["all", "gave_up"] and m["all", "still_waiting"], "the case should have all"
    assert kind["trip", "arrive_park", COMPLETE] == kind["trip", "back", COMPLETE] == m["all", "vehicle_trips"]
    assert kind["seeker", "serve", START] == kind["seeker", "serve", COMPLETE] == m["all", "interviews"]
    emps = employers(p.park)
    for group in p.park.employers:
        ids = [e.id for e in emps if e.group == group]
        assert sum(by_resource["serve", COMPLETE, i] for i in ids) == m[f"employers:{group}", "interviews"]
        assert sum(by_resource["intention", COMPLETE, i] for i in ids) == m[f"employers:{group}", "intentions"]
    for town in p.townships:
        assert by_resource["sign_up", COMPLETE, town] == m[f"township:{town}", "signed_up"]
    if pooling == "central":
        assert kind["seeker", "arrive_gathering_point", COMPLETE] == m["all", "signed_up"]


def test_each_case_runs_in_order_and_a_vehicle_never_runs_two_trips_at_once():
    p = shuttle(**{"fleet.vehicles": 2, "dispatch": {"rule": "hybrid", "min_load": 10, "max_wait_h": 4,
                                                     "pooling": "route"}})
    rec, trace, _ = traced(p)
    events = defaultdict(list)
    for case, act, t, tr, res in trace.rows:
        events[case].append((act, t, tr, res))
    assert all(t1 <= t2 for ev in events.values() for (_, t1, _, _), (_, t2, _, _) in zip(ev, ev[1:]))
    spans = defaultdict(list)
    for trip in rec.trips:
        acts = [a for a, *_ in events[trip.case]]
        assert acts == ["call", "depart"] + ["stop"] * len(trip.stops) + ["arrive_park", "back"]
        (vehicle,) = {res for a, _, _, res in events[trip.case] if a in ("depart", "arrive_park", "back")}
        spans[vehicle].append((trip.t_depot, trip.t_free))
        riders = [s for s in rec.seekers if s.trip == trip.tid]
        assert all(("board", s.t_board, COMPLETE, trip.case) in events[s.case] for s in riders)
    assert set(spans) == {"vehicle:1", "vehicle:2"}
    for runs in spans.values():
        runs.sort()
        assert all(a_end <= b_start + 1e-9 for (_, a_end), (b_start, _) in zip(runs, runs[1:]))


def test_tracing_changes_no_row():
    p = shuttle(**{"dispatch": {"rule": "hybrid", "min_load": 10, "max_wait_h": 20, "pooling": "central"}})
    plain = kpis(simulate(p, Streams(4, 1), 8), p)
    rec = simulate(p, Streams(4, 1), 8, trace=Trace())
    assert kpis(rec, p) == plain
