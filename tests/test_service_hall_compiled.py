"""The hall's compiled event loop leaves the Python loop's records and KPIs, float for float:
on every policy of the shipped study, on random mixes of the hall's features, when visitors
come back more often than the trips drawn ahead, and when a record outgrows its room.
And the engine chosen is the one asked for."""
import contextlib
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from govsim.models.service_hall import HallParams, compiled, kpis, simulate
from govsim.models.service_hall.hall import Hall
from govsim.models.service_hall.population import COMEBACKS, Population
from govsim.model_api import Trace
from govsim.rng import Streams
from govsim.scenario import load_scenario

from conftest import REPO, params_with
from test_service_hall import BASE


def test_numba_is_installed_here():  # as `make` installs it; without it the loop runs uncompiled, very slowly
    assert compiled.available()


def both(params, seed=3, rep=0, days=8, warmup_days=2, room=compiled.ROOM):
    """(Python loop's records, compiled loop's records with their objects) on one population."""
    population = Population(params, Streams(seed, rep), days)
    python = Hall(params, population, days, warmup_days).run()
    fast = compiled.simulate(params, population, days, warmup_days, room=room, objects=True)
    assert fast is not None and fast.columns is not None
    return python, fast


@contextlib.contextmanager
def unlimited():
    """The compiled loop without the limits past which it leaves a replication to the Python loop."""
    saved = compiled.MOST_ROOM, compiled.MOST_TRIPS, compiled.MOST_RUNS
    compiled.MOST_ROOM, compiled.MOST_TRIPS, compiled.MOST_RUNS = 10**6, 10**6, 10**6
    try:
        yield
    finally:
        compiled.MOST_ROOM, compiled.MOST_TRIPS, compiled.MOST_RUNS = saved


def column(items, *fields):
    return np.array([tuple(getattr(x, f) for f in fields) for x in items], dtype=float).reshape(len(items), -1)


def assert_same_records(a, b):
    """Every record of the two replications equal (NaN equal to NaN)."""
    same = np.testing.assert_array_equal
    fields = ("vid", "t_first", "trips", "returns", "rejections", "step", "proxied", "pledged", "t_accepted",
              "approvals", "t_approved", "t_done", "online", "kept_slot", "booked", "by_helper", "t_arr", "t_wait",
              "t_start", "t_window")
    same(column(a.visitors, *fields), column(b.visitors, *fields))
    assert [(v.major, v.minor, v.outcome, v.helper_kind, v.bank and v.bank.name, v.to_approve) for v in a.visitors] \
        == [(v.major, v.minor, v.outcome, v.helper_kind, v.bank and v.bank.name, v.to_approve) for v in b.visitors]
    assert [w.bank for w in a.window_visits] == [w.bank for w in b.window_visits]
    assert [w.outcome for w in a.window_visits] == [w.outcome for w in b.window_visits]
    same(column(a.window_visits, "vid", "t_arr", "t_start", "t_end", "by_helper"),
         column(b.window_visits, "vid", "t_arr", "t_start", "t_end", "by_helper"))
    same(np.array(a.trips, dtype=float), np.array(b.trips, dtype=float))
    for name, bank in a.banks.items():
        other = b.banks[name]
        same(np.array(bank.services), np.array(other.services))
        assert (bank.busy, bank.overtime, bank.staffed_min, bank.waiting) == \
            (other.busy, other.overtime, other.staffed_min, other.waiting)
    assert (a.back_office is None) == (b.back_office is None)
    if a.back_office is not None:
        x, y = a.back_office, b.back_office
        same(np.array(x.approvals, dtype=float), np.array(y.approvals, dtype=float))
        same(np.array(x.services), np.array(y.services))
        assert (x.backlog, x.minutes_in, x.queued_min, x.busy, x.overtime) == \
            (y.backlog, y.minutes_in, y.queued_min, y.busy, y.overtime)
    assert a.helper_waits == b.helper_waits
    assert (a.helper_busy, a.helper_cases) == (b.helper_busy, b.helper_cases)
    assert (a.online_min, a.online_reviews, a.online_caught) == (b.online_min, b.online_reviews, b.online_caught)
    same(np.array(a.queue._times), np.array(b.queue._times))
    assert a.queue._levels == b.queue._levels
    same(a.queue_area, b.queue_area)


def assert_same_kpis(params, a, b):
    ra, rb = kpis(a, params), kpis(b, params)
    assert [r[:2] for r in ra] == [r[:2] for r in rb]
    differ = [(x, y) for x, y in zip(ra, rb) if not (x[2] == y[2] or (math.isnan(x[2]) and math.isnan(y[2])))]
    assert not differ, differ[:5]


@pytest.mark.parametrize("policy", load_scenario(REPO / "scenarios" / "hongjiang_hall.yaml").policy_names)
def test_every_policy_of_the_shipped_study_gives_the_same_records_and_kpis(policy):
    sc = load_scenario(REPO / "scenarios" / "hongjiang_hall.yaml")
    params, run = sc.resolved[policy], sc.run
    python, fast = both(params, run.seed, 0, run.days, run.warmup_days)
    assert len(python.visitors) > 7000  # a month of the study's visitors
    assert_same_records(python, fast)
    assert_same_kpis(params, python, fast)


EXP = {"dist": "exponential", "mean": 6}
HELPERS = {"full_time": 1, "part_time": 1, "part_time_hours": [["09:00", "11:00"]],
           "precheck": {"dist": "exponential", "mean": 8}, "full_process": {"dist": "exponential", "mean": 90},
           "home_visit": {"dist": "exponential", "mean": 60}}


def mix(kind, back_office, green, cross, send_home, one_time, pledge, proxy, impatience, booking, online, roster,
        saturday):
    """BASE with a choice of the hall's features; a "one thing" matter of two departments."""
    spec = {"layout.kind": kind, "layout.green_channel": green, "layout.dedicated_windows": 1, "documents.notice": "one_time" if one_time
            else "one_at_a_time", "documents.pledge": pledge, "demand.visitors_per_day": 150,
            "matters.ma.departments": ["a", "b"], "matters.ma.approve": EXP,
            **{f"matters.{m}.minor_share": 0.5 for m in ("ma", "mb", "mc")},  # gaps a pledge can cover
            "hours.closing_rule": "send_home" if send_home else "serve_waiting"}
    if back_office:
        spec.update({"layout.back_office": True, "layout.back_office_staff": [["00:00", 1], ["12:00", 0], ["13:00", 2]],
                     "departments.c.zone": True})  # a zone approves at its windows
    if cross:
        spec.update({"layout.cross_province_windows": 1, "matters.mb.other_province": 0.2,
                     "cross_province": {"turnaround_days": {"dist": "uniform", "low": 1, "high": 4}}})
    if proxy:
        spec.update({"proxy": HELPERS, "home_visits": True, "groups.elderly.asks_proxy": 0.5,
                     "groups.elderly.home_visit": 0.2, "groups.citizen.asks_proxy": 0.1,
                     "groups.citizen.full_process": 0.2})
    if impatience:
        spec["impatience"] = {"balk_over": {"dist": "uniform", "low": 2, "high": 8},
                              "patience": {"dist": "lognormal", "mean": 30, "cv": 0.5},
                              "return_days": {"dist": "uniform", "low": 1, "high": 3}}
    if booking:
        spec["appointments"] = {"share": 0.4, "no_show": 0.2, "early_min": 5,
                                "lateness": {"dist": "uniform", "low": 0, "high": 20}, "grace_min": 10}
    if online:
        spec["online_review"] = {"share": 0.4, "staff": 1, "minutes": {"dist": "exponential", "mean": 10},
                                 "catches": 0.7}
    if roster:
        spec.update({"departments.a.windows": [["00:00", 2], ["12:00", 1], ["14:00", 2]],
                     "layout.comprehensive_windows": {"weekdays": 3, "sat": [["00:00", 2], ["11:00", 1]],
                                                      "sun": 1}})
    if saturday:
        spec["hours.days"] = ["mon", "tue", "wed", "thu", "fri", "sat"]
    return params_with(HallParams, BASE, **spec)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(kind=st.sampled_from(["separate", "integrated"]), back_office=st.booleans(),
       green=st.sampled_from(["off", "priority", "dedicated"]), cross=st.booleans(), send_home=st.booleans(),
       one_time=st.booleans(), pledge=st.booleans(), proxy=st.booleans(), impatience=st.booleans(),
       booking=st.booleans(), online=st.booleans(), roster=st.booleans(), saturday=st.booleans(),
       seed=st.integers(0, 2**16))
def test_random_mixes_of_the_halls_features_give_the_same_records(seed, **features):
    params = mix(**features)
    with unlimited():  # an overloaded mix would go to the Python loop: the compiled one must match there too
        python, fast = both(params, seed)
    assert_same_records(python, fast)
    assert_same_kpis(params, python, fast)


def test_visitors_coming_back_more_often_than_drawn_ahead_get_their_next_trips():
    # one gap found per visit, among many: visitors come back again and again
    params = params_with(HallParams, BASE, **{f"matters.{m}.documents": 12 for m in ("ma", "mb", "mc")},
                         **{f"matters.{m}.p_missing": 0.6 for m in ("ma", "mb", "mc")})
    with unlimited():
        python, fast = both(params, days=30, warmup_days=0)
    assert max(v.returns for v in python.visitors) >= 2 * COMEBACKS  # beyond the trips drawn ahead, twice
    assert_same_records(python, fast)
    assert_same_kpis(params, python, fast)


def test_a_record_outgrowing_its_room_runs_again_with_more():
    params = mix("integrated", True, "priority", True, False, True, True, True, True, True, True, True, False)
    python, fast = both(params, room=1)  # room for one window visit a visitor: too little
    assert len(python.window_visits) > len(python.visitors)
    assert_same_records(python, fast)


def test_the_engine_is_the_one_asked_for(monkeypatch):
    params = params_with(HallParams, BASE)
    assert simulate(params, Streams(1, 0), 3, 0).columns is not None  # auto: compiled
    assert simulate(params, Streams(1, 0), 3, 0, trace=Trace()).columns is None  # a trace: Python
    assert simulate(params, Streams(1, 0), 3, 0, engine="python").columns is None
    with pytest.raises(ValueError, match="no trace"):
        simulate(params, Streams(1, 0), 3, 0, trace=Trace(), engine="compiled")
    monkeypatch.setenv("GOVSIM_ENGINE", "python")
    assert simulate(params, Streams(1, 0), 3, 0).columns is None
    monkeypatch.delenv("GOVSIM_ENGINE")
    monkeypatch.setattr(compiled, "available", lambda: False)  # without numba
    assert simulate(params, Streams(1, 0), 3, 0).columns is None


def param_paths(model=HallParams, prefix=""):
    """Every field of the hall's params, one level into its blocks (rosters and weekday
    factors are values, not blocks)."""
    for name, field in model.model_fields.items():
        yield prefix + name
        if not prefix:
            for sub in _blocks(field.annotation):
                yield from param_paths(sub, name + ".")


def _blocks(annotation):
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation.__name__ not in (
            "WeeklyRoster", "WeekdayFactors"):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _blocks(arg)


# the params the compiled loop was written for: a field added to the hall must go into both
# loops (and into the random mixes above) before this list takes it in
KNOWN_PARAMS = {
    "appointments", "appointments.early_min", "appointments.grace_min", "appointments.lateness",
    "appointments.no_show", "appointments.share", "cost", "cost.back_office_hour_yuan", "cost.helper_hour_yuan",
    "cost.online_hour_yuan", "cost.window_hour_yuan", "cross_province", "cross_province.turnaround_days", "demand",
    "demand.by_hour", "demand.by_weekday", "demand.visitors_per_day", "departments", "departments.windows",
    "departments.zone", "documents", "documents.check", "documents.notice", "documents.pledge",
    "documents.return_days", "full_time_week_h", "groups", "groups.asks_proxy", "groups.full_process",
    "groups.green_channel", "groups.home_visit", "groups.share", "home_visits", "hours", "hours.breaks", "hours.close",
    "hours.closing_rule", "hours.days", "hours.first_day", "hours.open", "impatience", "impatience.balk_over",
    "impatience.patience", "impatience.return_days", "layout", "layout.back_office", "layout.back_office_slowdown",
    "layout.back_office_staff", "layout.comprehensive_windows", "layout.cross_province_windows",
    "layout.dedicated_windows", "layout.generalist_slowdown", "layout.green_channel", "layout.kind", "matters",
    "matters.accept", "matters.approve", "matters.departments", "matters.documents", "matters.minor_share",
    "matters.other_province", "matters.p_missing", "matters.share", "online_review", "online_review.catches",
    "online_review.minutes", "online_review.share", "online_review.staff", "promise", "promise.limit_h", "proxy",
    "proxy.full_process", "proxy.full_time", "proxy.home_visit", "proxy.part_time", "proxy.part_time_hours",
    "proxy.precheck", "service_level", "service_level.wait_min"}


def test_the_compiled_loop_was_written_for_every_param_the_hall_has():
    assert set(param_paths()) == KNOWN_PARAMS


def test_a_hall_overloaded_for_weeks_is_left_to_the_python_loop_with_the_same_records():
    # separate windows, sent home every evening: visitors come back daily for weeks, more trips
    # and records than the compiled loop keeps in its arrays
    params = mix("separate", False, "off", False, True, False, False, False, False, False, False, False, False)
    population = Population(params, Streams(0, 0), 8)
    assert compiled.simulate(params, population, 8, 2) is None
    python = Hall(params, Population(params, Streams(0, 0), 8), 8, 2).run()
    auto = simulate(params, Streams(0, 0), 8, 2)
    assert auto.columns is None and max(v.returns for v in auto.visitors) > 3 * COMEBACKS
    assert_same_records(python, auto)


def test_no_visitor_and_a_return_beyond_any_date_are_left_to_the_python_loop():
    nobody = params_with(HallParams, BASE, **{"demand.visitors_per_day": 0.001})
    assert compiled.simulate(nobody, Population(nobody, Streams(3, 0), 1), 1, 0) is None
    assert simulate(nobody, Streams(3, 0), 1, 0).visitors == []
    # 1e19 working days: Python's integers hold the date (never back within the run), int64 would wrap
    never = params_with(HallParams, BASE, **{"documents.return_days": {"dist": "deterministic", "value": 1e19}})
    population = Population(never, Streams(3, 0), 4)
    assert compiled.simulate(never, population, 4, 0) is None
    python, auto = Hall(never, population, 4, 0).run(), simulate(never, Streams(3, 0), 4, 0)
    assert_same_records(python, auto)
