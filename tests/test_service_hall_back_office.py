"""The back office as a queue with its own staff (前台综合受理、后台分类审批): approvals
of the matters outside the zones wait for its staff after the visitor has left, a
zone approves at its own windows, and no minute of work is lost or made up."""
import copy
import math

import pytest

from govsim.calendar import DAY
from govsim.models.service_hall import HallParams, kpis, simulate
from govsim.rng import Streams

from conftest import params_with
from test_service_hall import BASE, EXP6

APPROVE = {"dist": "lognormal", "mean": 10, "cv": 0.8}
OPEN_MIN = 7 * 60  # BASE: 09:00-17:00 with an hour for lunch
OFFICE = {
    "departments.z": {"windows": 2, "zone": True},
    "matters": {
        "ma": {"departments": ["a"], "share": 0.5, "accept": EXP6, "approve": APPROVE, "documents": 3, "p_missing": 0.1},
        "mab": {"departments": ["a", "b"], "share": 0.2, "accept": EXP6, "approve": APPROVE, "documents": 3,
                "p_missing": 0.1},
        "mz": {"departments": ["z"], "share": 0.3, "accept": EXP6, "approve": APPROVE, "documents": 3, "p_missing": 0.1},
    },
    "layout": {"kind": "integrated", "comprehensive_windows": 2, "generalist_slowdown": 1.1, "back_office": True,
               "back_office_staff": 1, "back_office_slowdown": 1.2},
    "demand.visitors_per_day": 80,  # ~56 approvals a day of ~12-24 min: twice one person's 420 minutes
}


def office_hall(**changes):
    return params_with(HallParams, BASE, **copy.deepcopy({**OFFICE, **changes}))


def rows(params, rec):
    return {(s, m): v for s, m, v in kpis(rec, params)}


def sent_between(rec, params, t0, t1):
    """Approval minutes of the matters accepted in [t0, t1), from the visitors alone:
    every step outside the zones, at the back office's pace."""
    slow = params.layout.back_office_slowdown
    zone = {d for d, spec in params.departments.items() if spec.zone}
    return sum(slow * sum(m for d, m in zip(v.who.steps, v.who.approve_min) if d not in zone)
               for v in rec.visitors if t0 <= v.t_accepted < t1)


@pytest.mark.parametrize("seed", [5, 6])
def test_approval_minutes_in_are_busy_minutes_plus_the_backlog(seed):
    """Over the counted days: minutes sent = minutes begun (in hours and overtime) +
    what waits at the end - what waited at the start.  One overworked staff member, so
    work waits overnight at both ends."""
    params, days, warmup = office_hall(), 6, 2
    rec = simulate(params, Streams(seed, 0), days, warmup)
    m = rows(params, rec)
    counted = days - warmup
    backlog_start, backlog_end = rec.back_office.backlog
    assert backlog_start > 0 and backlog_end > 0 and m["back_office", "approval_backlog_min"] == backlog_end
    sent = sent_between(rec, params, warmup * DAY, days * DAY)
    assert m["all", "back_office_min_per_day"] * counted == pytest.approx(sent)
    busy = m["back_office", "utilisation"] * OPEN_MIN * counted + m["back_office", "overtime_min_per_day"] * counted
    assert busy + backlog_end - backlog_start == pytest.approx(sent)
    assert m["back_office", "utilisation"] > 0.95  # the one person barely stops


def test_every_approval_is_done_in_office_hours_in_order_of_acceptance():
    params = office_hall()
    rec = simulate(params, Streams(3, 0), 4, 0)
    done = rec.back_office.approvals
    assert len(done) == sum(1 for v in rec.visitors if v.matter != "mz")  # one approval per general matter
    assert all(v.approvals == 0 and v.t_completed >= v.t_accepted for v in rec.visitors)
    assert [a[0] for a in sorted(done, key=lambda a: a[1])] == [a[0] for a in sorted(done, key=lambda a: a[2])]
    for _, sent, begun, end in done:
        assert begun >= sent
        minute = begun % DAY
        assert 9 * 60 <= minute < 12 * 60 or 13 * 60 <= minute < 17 * 60, begun
    general = [v for v in rec.visitors if v.matter != "mz"]
    assert max(v.t_completed - v.t_accepted for v in general) > DAY  # the backlog reaches the next day


def test_the_visitor_leaves_at_acceptance_and_a_zone_approves_at_its_windows():
    """Window minutes: accept only (x the generalists' slowdown) at the comprehensive
    windows, accept + approve at a zone's."""
    params = office_hall(**{"matters.ma.p_missing": 0.0, "matters.mab.p_missing": 0.0, "matters.mz.p_missing": 0.0})
    rec = simulate(params, Streams(4, 0), 3, 0)
    who = {v.vid: v.who for v in rec.visitors}
    visits = [w for w in rec.window_visits if w.outcome == "accepted"]
    assert {w.bank for w in visits} == {"comprehensive", "z"}
    for w in visits:
        p = who[w.vid]
        expected = sum(p.accept_min) * 1.1 if w.bank == "comprehensive" else p.accept_min[0] + p.approve_min[0]
        assert w.t_end - w.t_start == pytest.approx(expected)


def test_a_zone_is_the_same_with_and_without_the_back_office():
    """Zones keep their approvals: every row of a zone's bank and matter is unchanged
    when the general matters' approvals move to the back office."""
    with_office = office_hall()
    without = office_hall(**{"layout.back_office": False})
    for rep in range(2):
        a = rows(with_office, simulate(with_office, Streams(8, rep), 4, 1))
        b = rows(without, simulate(without, Streams(8, rep), 4, 1))
        zone = [k for k in b if k[0] in ("bank:z", "matter:mz", "department:z", "matters:zones")]
        assert len(zone) > 20
        assert all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in zone), \
            [(k, a[k], b[k]) for k in zone if a[k] != b[k]]
        assert a["bank:comprehensive", "utilisation"] < b["bank:comprehensive", "utilisation"]


def test_without_a_back_office_the_matter_is_through_at_acceptance():
    params = office_hall(**{"layout.back_office": False})
    rec = simulate(params, Streams(3, 0), 3, 0)
    assert rec.back_office is None
    m = rows(params, rec)
    for scope in ("all", "matters:general", "matters:zones"):
        assert m[scope, "completion_time_mean_h"] == m[scope, "acceptance_time_mean_h"]
        assert m[scope, "completion_time_p95_h"] == m[scope, "acceptance_time_p95_h"]
    assert ("back_office", "utilisation") not in m and m["all", "back_office_min_per_day"] == 0


@pytest.mark.parametrize("changes,staff", [
    ({"layout.back_office": False}, 2 + 2),  # 2 comprehensive windows, the zone's 2
    ({}, 2 + 2 + 1),  # and the back office's one
    ({"proxy": {"full_time": 1, "part_time": 2, "part_time_hours": [["09:00", "12:00"]], "precheck": EXP6,
                "full_process": EXP6, "home_visit": EXP6}}, 2 + 2 + 1 + 1 + 2 * 3 / 7),  # helpers, part-time: 3 of 7 h
    ({"layout.kind": "separate"}, 1 + 1 + 1 + 2 + 1),  # department windows a, b, c, the zone's, the back office
])
def test_staff_total_counts_windows_back_office_and_helpers(changes, staff):
    params = office_hall(**changes)
    m = rows(params, simulate(params, Streams(1, 0), 2, 0))
    assert m["all", "staff_total"] == pytest.approx(staff)


def test_a_full_time_week_counts_a_weeks_staff_hours_and_is_the_default_at_the_halls_own_hours():
    params = office_hall()
    default = rows(params, simulate(params, Streams(1, 0), 2, 0))["all", "staff_total"]
    own_week = params.hours.open_minutes() / 60 * len(params.open_weekdays())
    same = office_hall(full_time_week_h=own_week)
    assert rows(same, simulate(same, Streams(1, 0), 2, 0))["all", "staff_total"] == pytest.approx(default)
    longer = office_hall(full_time_week_h=2 * own_week)
    assert rows(longer, simulate(longer, Streams(1, 0), 2, 0))["all", "staff_total"] == pytest.approx(default / 2)


def test_staff_utilisation_weighs_windows_and_back_office_by_their_staff():
    params = office_hall()
    m = rows(params, simulate(params, Streams(2, 0), 4, 1))
    windows = m["all", "window_utilisation"] * 4  # 2 comprehensive + 2 in the zone
    office = m["back_office", "utilisation"] * 1
    assert m["all", "staff_utilisation"] == pytest.approx((windows + office) / 5)


def test_a_back_office_without_staff_is_refused():
    fine = office_hall()
    unstaffed = fine.model_copy(update={"layout": fine.layout.model_copy(update={"back_office_staff": 0})})
    assert unstaffed.cross_check() == [(("layout", "back_office_staff"),
                                        "a back office needs staff to approve its matters")]


@pytest.mark.parametrize("seed", range(4))
def test_an_empty_back_office_queue_holds_exactly_no_minutes(seed):
    """The backlog is a running sum of approval minutes; once nothing waits it is 0, not
    the -1e-13 that adding and taking away floats leaves (the shipped study showed it)."""
    params = office_hall(**{"layout.back_office_staff": 3, "demand.visitors_per_day": 40})  # rarely anything waits
    hall_rec = simulate(params, Streams(seed, 0), 4, 1)
    office = hall_rec.back_office
    assert all(v.approvals == 0 for v in hall_rec.visitors)  # every approval done: nothing waits
    assert office.queued_min == 0.0
    assert all(b >= 0.0 for b in office.backlog)
