"""The job-shuttle model: dispatch rules pinned by exact cases, then properties over
random campaigns, then the timetable against its analytic mean wait."""
import math

import numpy as np
import pytest

from govsim.models.shuttle import ShuttleParams, kpis, simulate
from govsim.models.shuttle.campaign import (DELIVERED, FULL, GAVE_UP, MAX_WAIT, MIN_LOAD, NO_SHOW, STILL_WAITING,
                                            SWEEP, TIMETABLE)
from govsim.rng import Streams
from govsim.stats import t_interval

from conftest import params_with

DAY = 1440.0
H = 60.0

BASE = {
    "townships": {
        "far": {"signups_per_day": 6, "travel_min": 50, "km": 40},
        "mid": {"signups_per_day": 5, "travel_min": 30, "km": 25},
        "near": {"signups_per_day": 8, "travel_min": 15, "km": 10},
    },
    "signups": {"hours": ["08:00", "20:00"], "by_week": [1.0]},
    "seekers": {"show_up": 1.0},
    "fleet": {"vehicles": 3, "seats": 10, "cost_per_trip_yuan": 100, "cost_per_km_yuan": 2, "stop_min": 5,
              "unload_min": 5},
    "service_hours": {"first": "07:00", "last": "15:00"},
    "dispatch": {"rule": "when_full", "pooling": "township"},
    "routes": {"main": ["far", "mid", "near"]},
    "detour_min": 4, "detour_km": 3,
    "central": {"travel_min": 10, "km": 5, "own_travel_factor": 1.0},
    "campaign": {"extra_days": 2},
    "park": {"opens": "08:00", "closes": "17:30",
             "employers": {"big": {"count": 2, "recruiters": 2, "attractiveness": 2, "p_intention": 0.5},
                           "small": {"count": 6, "recruiters": 1, "attractiveness": 1, "p_intention": 0.3}},
             "walk_min": {"dist": "deterministic", "value": 5},
             "interview_min": {"dist": "deterministic", "value": 15},
             "max_employers": 3, "try_another": 0.8},
}


def shuttle(**changes):
    """BASE with dotted-path changes, e.g. shuttle(**{"fleet.seats": 4})."""
    return params_with(ShuttleParams, BASE, **changes)


def metrics(params, seed=1, rep=0, days=14):
    return {(s, m): v for s, m, v in kpis(simulate(params, Streams(seed, rep), days), params)}


def at(day, clock):
    h, m = map(int, clock.split(":"))
    return day * DAY + h * 60 + m


# ----------------------------------------------------------------------------- exact cases

def test_when_full_sends_a_vehicle_at_each_full_load_and_leaves_the_rest_waiting():
    p = shuttle(**{"fleet.seats": 4})
    signups = [("near", at(0, "09:00") + i) for i in range(10)]
    rec = simulate(p, Streams(1, 0), 1, signups=signups)
    assert [t.riders for t in rec.trips] == [4, 4]
    assert all(t.reason == FULL for t in rec.trips)
    # the 4th sign-up (09:03) fills the first vehicle: it leaves the depot at once and boards after 15 min
    assert rec.trips[0].t_depot == pytest.approx(at(0, "09:03"))
    assert rec.trips[0].t_first_board == pytest.approx(at(0, "09:18"))
    assert rec.trips[0].t_park == pytest.approx(at(0, "09:18") + 5 + 15)
    assert sorted(s.status for s in rec.seekers) == [DELIVERED] * 8 + [STILL_WAITING] * 2


def test_hybrid_leaves_with_fewer_once_the_first_has_waited_max_wait():
    p = shuttle(**{"dispatch": {"rule": "hybrid", "min_load": 10, "max_wait_h": 2}})
    rec = simulate(p, Streams(1, 0), 1, signups=[("mid", at(0, "09:00")), ("mid", at(0, "09:30"))])
    (trip,) = rec.trips
    assert trip.reason == MAX_WAIT and trip.riders == 2
    assert trip.t_call == pytest.approx(at(0, "11:00"))
    assert trip.t_first_board == pytest.approx(at(0, "11:30"))  # 30 min from the depot


def test_a_call_outside_service_hours_boards_at_the_next_first_boarding_time():
    p = shuttle(**{"fleet.seats": 2})
    rec = simulate(p, Streams(1, 0), 1, signups=[("far", at(0, "18:00")), ("far", at(0, "19:00"))])
    (trip,) = rec.trips
    assert trip.t_first_board == pytest.approx(at(1, "07:00"))
    assert trip.t_depot == pytest.approx(at(1, "07:00") - 50)


def test_a_multi_stop_run_picks_up_in_driving_order_and_counts_every_leg():
    p = shuttle(**{"fleet.seats": 4, "dispatch.pooling": "route"})
    signups = [("near", at(0, "09:00")), ("far", at(0, "09:01")), ("near", at(0, "09:02")), ("far", at(0, "09:03"))]
    rec = simulate(p, Streams(1, 0), 1, signups=signups)
    (trip,) = rec.trips
    assert trip.stops == ["far", "near"] and trip.by_stop == {"far": 2, "near": 2}
    board = {s.township: s.t_board for s in rec.seekers}
    assert board["far"] == pytest.approx(at(0, "09:03") + 50)
    # far -> near: stop 5 min, the road between them (50 - 15) plus a detour of 4
    assert board["near"] == pytest.approx(board["far"] + 5 + 35 + 4)
    assert trip.t_park == pytest.approx(board["near"] + 5 + 15)
    assert trip.km == pytest.approx(40 + (40 - 10 + 3) + 10)
    m = {(s, k): v for s, k, v in kpis(rec, p)}
    assert m["all", "cost_yuan"] == pytest.approx(100 + 2 * trip.km)
    assert m["all", "vehicle_hours"] == pytest.approx((trip.t_free - trip.t_depot) / 60)


def test_no_shows_are_struck_off_when_called_and_the_next_names_fill_the_seats():
    p = shuttle(**{"fleet.seats": 3, "seekers.show_up": 0.5})
    out = simulate(p, Streams(1, 0), 1, signups=[("near", at(0, "09:00") + i) for i in range(12)])
    assert out.trips and any(s.status == NO_SHOW for s in out.seekers)
    assert all(t.riders == 3 for t in out.trips)
    called = [s for s in out.seekers if s.status in (DELIVERED, NO_SHOW)]
    assert all((s.status == NO_SHOW) == (not s.shows) for s in called)
    assert all(s.shows for s in out.seekers if s.status == DELIVERED)


def test_seekers_who_waited_past_their_patience_give_up_when_called():
    p = shuttle(**{"fleet.seats": 2, "seekers.patience_days": {"dist": "deterministic", "value": 1}})
    signups = [("near", at(0, "09:00")), ("near", at(2, "09:00")), ("near", at(2, "09:10"))]
    rec = simulate(p, Streams(1, 0), 3, signups=signups)
    status = [s.status for s in sorted(rec.seekers, key=lambda s: s.t_signup)]
    assert status == [GAVE_UP, DELIVERED, DELIVERED]


def test_the_timetable_boards_whoever_is_listed_at_each_departure():
    p = shuttle(**{"dispatch": {"rule": "timetable", "departures": ["08:00", "13:00"]}})
    signups = [("mid", at(0, "09:00")), ("mid", at(0, "12:00")), ("mid", at(0, "12:45")), ("mid", at(0, "14:00"))]
    rec = simulate(p, Streams(1, 0), 1, signups=signups)
    boards = sorted(s.t_board for s in rec.seekers)
    # the 12:45 sign-up is after the vehicle left the depot (12:30) but before it boards: on it
    assert boards == pytest.approx([at(0, "13:00")] * 3 + [at(1, "08:00")])
    assert [t.reason for t in rec.trips] == [TIMETABLE, TIMETABLE]


def test_a_final_sweep_leaves_no_one_waiting():
    p = shuttle(**{"fleet.seats": 10, "dispatch.final_sweep": True})
    rec = simulate(p, Streams(1, 0), 1, signups=[("near", at(0, "09:00")), ("far", at(0, "10:00"))])
    assert {s.status for s in rec.seekers} == {DELIVERED}
    assert {t.reason for t in rec.trips} == {SWEEP}
    assert all(t.t_first_board <= at(2, "15:00") + 1e-9 for t in rec.trips)


def test_central_pooling_lists_seekers_after_their_own_trip_and_boards_them_together():
    p = shuttle(**{"fleet.seats": 2, "dispatch.pooling": "central", "central.own_travel_factor": 2.0})
    rec = simulate(p, Streams(1, 0), 1, signups=[("far", at(0, "09:00")), ("near", at(0, "09:00"))])
    listed = {s.township: s.t_listed for s in rec.seekers}
    assert listed == {"far": pytest.approx(at(0, "09:00") + 100), "near": pytest.approx(at(0, "09:00") + 30)}
    (trip,) = rec.trips
    assert trip.stops == ["central"] and trip.t_first_board == pytest.approx(listed["far"] + 10)


def test_at_the_park_an_intention_ends_the_visit_and_no_intention_walks_on():
    sure = shuttle(**{"park.employers.big.p_intention": 1.0, "park.employers.small.p_intention": 1.0})
    rec = simulate(sure, Streams(2, 0), 3)
    done = [s for s in rec.seekers if s.status == DELIVERED]
    assert done and all(s.intention and s.interviews == 1 for s in done)
    never = shuttle(**{"park.employers.big.p_intention": 0.0, "park.employers.small.p_intention": 0.0,
                       "park.try_another": 1.0, "park.closes": "23:00"})  # late closing: time for three
    rec = simulate(never, Streams(2, 0), 3)
    done = [s for s in rec.seekers if s.status == DELIVERED]
    assert done and all(not s.intention and s.interviews == 3 for s in done)
    assert all(len(set(s.choices)) == 3 for s in done)
    assert all(s.t_gate == pytest.approx(s.t_park + 5) for s in done)


# ----------------------------------------------------------------------------- properties

RULES = {
    "when_full": {"rule": "when_full"},
    "hybrid": {"rule": "hybrid", "min_load": 10, "max_wait_h": 30},
    "hybrid_min_load": {"rule": "hybrid", "min_load": 6, "max_wait_h": 30},
    "timetable": {"rule": "timetable", "departures": ["08:00", "12:00"]},
    "weekly": {"rule": "timetable", "departures": ["08:00"], "every_days": 7},
}
POOLINGS = ("township", "route", "central")


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("rule", sorted(RULES))
def test_conservation_signed_up_is_delivered_plus_no_shows_plus_gave_up_plus_still_waiting(rule, pooling):
    p = shuttle(**{"dispatch": dict(RULES[rule], pooling=pooling), "seekers.show_up": 0.85,
                   "seekers.patience_days": {"dist": "uniform", "low": 1, "high": 4}, "fleet.vehicles": 2})
    m = metrics(p, days=14)
    for scope in ["all"] + [f"township:{t}" for t in p.townships]:
        parts = sum(m[scope, k] for k in ("seekers_delivered", "no_shows", "gave_up", "still_waiting"))
        assert m[scope, "signed_up"] == parts, (scope, m[scope, "signed_up"], parts)
    assert m["all", "signed_up"] > 100 and m["all", "seekers_delivered"] > 0
    assert m["all", "seekers_delivered"] == sum(m[f"day:{d:02d}", "seekers_delivered"] for d in range(1, 17))
    assert 0 < m["all", "load_factor"] <= 1


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dispatch_when_full_never_sends_a_vehicle_with_fewer_than_its_seats(seed, pooling):
    p = shuttle(**{"dispatch": {"rule": "when_full", "pooling": pooling}, "seekers.show_up": 0.8,
                   "seekers.patience_days": {"dist": "uniform", "low": 1, "high": 4}, "fleet.vehicles": 1})
    rec = simulate(p, Streams(seed, 0), 14)
    assert len(rec.trips) > 5
    assert all(t.riders == p.fleet.seats and t.reason == FULL for t in rec.trips)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_hybrid_leaves_short_only_when_the_maximum_wait_runs_out(seed):
    for rule in ("hybrid", "hybrid_min_load"):
        d = RULES[rule]
        p = shuttle(**{"dispatch": dict(d, max_wait_h=20, final_sweep=True), "seekers.show_up": 0.8})
        rec = simulate(p, Streams(seed, 0), 14)
        by_id = {s.sid: s for s in rec.seekers}
        short = [t for t in rec.trips if t.riders < d["min_load"]]
        assert short, "the case should exercise the maximum wait"
        assert {t.reason for t in short} <= {MAX_WAIT, SWEEP}
        assert all(t.riders == p.fleet.seats for t in rec.trips if t.reason == FULL)
        assert all(d["min_load"] <= t.riders < p.fleet.seats for t in rec.trips if t.reason == MIN_LOAD)
        for t in rec.trips:
            if t.reason == MAX_WAIT:
                # the first on the list when it was called (aboard, or struck off by that call
                # as a no-show) had been listed at least max_wait_h
                called = [s for s in by_id.values() if s.trip == t.tid or (
                    s.township == t.group and s.status == NO_SHOW and s.t_resolved == t.t_call)]
                assert min(s.t_listed for s in called) <= t.t_call - 20 * H + 1e-6


def test_a_fleet_of_one_never_runs_two_trips_at_once():
    p = shuttle(**{"fleet.vehicles": 1, "dispatch": {"rule": "hybrid", "min_load": 10, "max_wait_h": 4}})
    rec = simulate(p, Streams(5, 0), 7)
    spans = sorted((t.t_depot, t.t_free) for t in rec.trips)
    assert all(a_end <= b_start + 1e-9 for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    m = {(s, k): v for s, k, v in kpis(rec, p)}
    assert m["all", "vehicle_wait_mean_h"] > 0


def test_every_boarding_is_within_service_hours_for_call_rules():
    for rule in ("when_full", "hybrid"):
        p = shuttle(**{"dispatch": dict(RULES[rule], pooling="route")})
        rec = simulate(p, Streams(4, 0), 14)
        first = [t.t_first_board % DAY for t in rec.trips]
        assert first and min(first) >= 7 * 60 - 1e-9 and max(first) <= 15 * 60 + 1e-9


def test_every_policy_meets_the_same_seekers():
    def key(s):
        return (s.township, round(s.t_signup, 6), s.shows, tuple(s.choices), tuple(s.interview))
    a = simulate(shuttle(), Streams(4, 1), 10).seekers
    b = simulate(shuttle(**{"dispatch": {"rule": "timetable", "departures": ["09:00"], "pooling": "route"},
                            "fleet.seats": 40, "fleet.vehicles": 1}), Streams(4, 1), 10).seekers
    assert sorted(map(key, a)) == sorted(map(key, b))


# ----------------------------------------------------------------------------- against theory

def test_a_timetable_with_ample_vehicles_has_a_mean_boarding_wait_of_half_the_headway():
    """Sign-ups arrive as a Poisson process around the clock and every departure
    takes everyone listed, so the wait is the forward recurrence time of a
    deterministic headway h: uniform on (0, h), mean h/2.  The 99% interval over
    replications is the tolerance (a 1% chance of a false alarm, as in
    tests/test_engine_vs_theory.py); the seed is fixed and never tuned."""
    for headway in (120.0, 45.0):
        p = shuttle(**{"signups.hours": ["00:00", "24:00"], "service_hours": {"first": "00:00", "last": "24:00"},
                       "dispatch": {"rule": "timetable", "headway_min": headway, "run_empty": True},
                       "fleet.seats": 500, "fleet.vehicles": 200, "campaign.extra_days": 1})
        waits = [metrics(p, seed=11, rep=r, days=5)["all", "boarding_wait_mean_h"] * 60 for r in range(30)]
        mean, lo, hi, _ = t_interval(waits, 0.99)
        assert lo <= headway / 2 <= hi, (headway, mean, lo, hi)


def test_scopes_and_metrics_are_complete():
    from govsim.models.shuttle import ShuttleModel
    p = shuttle(**{"dispatch": {"rule": "hybrid", "min_load": 10, "max_wait_h": 24, "pooling": "route"}})
    m = metrics(p)
    reported = {k for _, k in m}
    assert reported <= set(ShuttleModel.metrics)
    assert set(ShuttleModel.key_metrics) <= reported
    assert {"all", "township:far", "route:main", "employers:big", "day:01"} <= {s for s, _ in m}
    assert not any(math.isnan(m["all", k]) for k in ShuttleModel.key_metrics)
    assert np.isclose(m["all", "riders_per_trip"], m["all", "seekers_delivered"] / m["all", "vehicle_trips"])
