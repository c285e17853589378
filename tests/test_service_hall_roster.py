"""Rosters, channels, cost and service levels in the service hall: exact deterministic
cases, and a day whose windows drop over lunch against the exact transient of its
queue."""
import math

import numpy as np
import pytest
from scipy.linalg import expm

from govsim import queueing as q
from govsim.calendar import DAY
from govsim.model_api import Trace
from govsim.models.service_hall import HallParams, kpis, simulate
from govsim.models.service_hall.hall import SERVED
from govsim.models.service_hall.population import Population
from govsim.rng import Streams
from govsim.stats import t_interval

from conftest import params_with
from test_service_hall import BASE

HOUR = {"dist": "deterministic", "value": 60}
ZERO = {"dist": "deterministic", "value": 0}
EXP8 = {"dist": "exponential", "mean": 8}
# one matter, no gaps, nobody leaves: the number in the hall is a birth-death chain
PLAIN = {
    "hours": {"open": "09:00", "close": "17:00"},
    "demand": {"visitors_per_day": 96, "by_hour": {f"{h:02d}:00": 1 for h in range(9, 17)}},
    "groups": {"citizen": {"share": 1.0}},
    "departments": {"a": {"windows": 2}},
    "matters": {"m": {"departments": ["a"], "share": 1.0, "accept": EXP8, "approve": ZERO, "documents": 1,
                      "p_missing": 0.0}},
    "layout": {"kind": "separate"},
    "documents": {"notice": "one_time", "check": {"dist": "deterministic", "value": 5},
                  "return_days": {"dist": "deterministic", "value": 1}},
}
LUNCH_DROP = [["00:00", 2], ["12:00", 1], ["13:00", 2]]


def plain(**changes):
    return params_with(HallParams, PLAIN, **changes)


def as_dict(rows):
    return {(s, m): v for s, m, v in rows}


# -- a roster that never changes is the plain number ------------------------------------------
@pytest.mark.parametrize("roster", [[["00:00", 1]], [["00:00", 1], ["10:00", 1]], {"weekdays": 1, "weekend": 0},
                                    {"mon": [["00:00", 1]], "weekdays": 1, "sat": 0, "sun": 3}])
def test_a_roster_with_one_count_gives_the_plain_numbers_rows(roster):
    base = params_with(HallParams, BASE, **{"layout.kind": "integrated", "layout.back_office": True,
                                            "layout.back_office_staff": 1})
    rostered = params_with(HallParams, BASE, **{"layout.kind": "integrated", "layout.back_office": True,
                                                "layout.back_office_staff": roster, "departments.a.windows": roster})
    for rep in range(2):
        ta, tb = Trace(), Trace()
        ra = kpis(simulate(base, Streams(5, rep), 6, 1, trace=ta), base)
        rb = kpis(simulate(rostered, Streams(5, rep), 6, 1, trace=tb), rostered)
        assert ra == rb  # identical rows, float for float
        assert ta.rows == tb.rows


# -- off duty: the visitor in front is finished first; on duty: the next in line is taken ------
def test_a_window_going_off_duty_finishes_its_visitor_and_one_coming_on_takes_the_next():
    params = plain(**{"departments.a.windows": [["00:00", 2], ["10:00", 1], ["11:00", 2]],
                      "matters.m.accept": {"dist": "deterministic", "value": 25}, "demand.visitors_per_day": 40})
    rec = simulate(params, Streams(4, 0), 5, 0)
    starts = sorted((w.t_start, w.t_end) for w in rec.window_visits if w.outcome in SERVED)
    assert all(b - a == pytest.approx(25) for a, b in starts)  # never cut short
    checked = came_on = 0
    for day in range(5):
        drop, back = day * DAY + 600, day * DAY + 660
        in_front = [(a, b) for a, b in starts if a < drop < b]
        for a, _ in starts:
            if drop <= a < back:  # one window on duty: a start waits for every other service to end
                assert not any(x < a < y for x, y in starts if x != a), (day, a)
                checked += 1
        checked += len(in_front)
        waiting_at_back = [w for w in rec.window_visits if w.t_arr < back < w.t_start]
        if waiting_at_back and sum(a < back < b for a, b in starts) == 1:
            assert any(a == pytest.approx(back) for a, _ in starts)  # the window back on duty calls the next
            came_on += 1
    assert checked > 5 and came_on >= 1


def test_utilisation_is_over_staffed_time_and_staff_are_counted_from_the_roster():
    params = plain(**{"departments.a.windows": LUNCH_DROP})
    m = as_dict(kpis(simulate(params, Streams(1, 0), 4, 1), params))
    staffed = 2 * 480 - 60  # window-minutes on duty a day
    served = [w for w in simulate(params, Streams(1, 0), 4, 1).window_visits if w.outcome in SERVED]
    assert m["all", "staff_total"] == pytest.approx(staffed / 480)
    busy = m["bank:a", "utilisation"] * staffed * 3 + m["bank:a", "overtime_min_per_day"] * 3
    assert busy == pytest.approx(sum(w.t_end - w.t_start for w in served if DAY <= w.t_start < 4 * DAY))


def test_staff_of_a_six_day_hall_are_a_weeks_whatever_days_are_counted():
    """Staff in full-time equivalents, hours and cost per open day weigh each weekday as a
    week does, though the counted days are not whole weeks: the shipped Saturday policy
    over 20 counted days (four of them Saturdays, a week has one in six) or 21 gives what
    six whole weeks give (it gave 2% fewer staff before)."""
    from conftest import SCENARIOS
    from govsim.scenario import load_scenario

    sc = load_scenario(SCENARIOS / "hongjiang_hall.yaml")
    params = sc.resolved["integrated_saturday"]
    got = {}
    for days, warmup in ((30, 10), (36, 0), (31, 10)):  # 20 counted days, six whole weeks, 21 days
        m = as_dict(kpis(simulate(params, Streams(3, 0), days, warmup), params))
        got[days] = [m["all", k] for k in ("staff_total", "staff_hours_per_day", "staff_cost_yuan_per_day")]
    assert got[30] == pytest.approx(got[36], rel=1e-12) and got[31] == pytest.approx(got[36], rel=1e-12)


def test_a_weeks_staff_cost_counts_the_open_days_of_a_week():
    """Per open day, the Saturday policy looks cheaper than separate windows (its staff spread
    over six days); a week holds six of its days and five of theirs."""
    from conftest import SCENARIOS
    from govsim.scenario import load_scenario

    sc = load_scenario(SCENARIOS / "hongjiang_hall.yaml")
    week = {}
    for policy, open_days in (("separate", 5), ("integrated_saturday", 6)):
        params = sc.resolved[policy]
        m = as_dict(kpis(simulate(params, Streams(3, 0), 15, 5), params))
        assert m["all", "staff_cost_yuan_per_week"] == pytest.approx(open_days * m["all", "staff_cost_yuan_per_day"],
                                                                     rel=1e-12)
        week[policy] = m["all", "staff_cost_yuan_per_week"], m["all", "staff_cost_yuan_per_day"]
    assert week["integrated_saturday"][1] < week["separate"][1] and week["integrated_saturday"][0] > week["separate"][0]


# -- a day whose windows drop over lunch, against its exact transient --------------------------
def exact_waiting_by_slot(lam, mu, n_max=80):
    """Mean number waiting in each half hour from 09:00 to 17:00: two windows, one over
    12:00-13:00 (the one going off duty finishes its visitor: the overrun is a second state)."""
    birth, death2 = [lam] * n_max, [mu * min(n, 2) for n in range(1, n_max + 1)]
    minutes = np.arange(0, 181)
    morning = q.birth_death_transient(birth, death2, np.eye(n_max + 1)[0], minutes)
    # lunch: state (n, k), k = 1 while the off-duty window still serves its visitor (one of
    # the n); the window on duty serves one of the other n - k
    size = 2 * (n_max + 1)
    gen = np.zeros((size, size))
    for n in range(n_max + 1):
        for k in (0, 1):
            i = 2 * n + k
            if k > n:
                continue
            if n < n_max:
                gen[i, 2 * (n + 1) + k] += lam
            if n - k > 0:  # the window on duty finishes and takes the next
                gen[i, 2 * (n - 1) + k] += mu
            if k:  # the off-duty window finishes and leaves
                gen[i, 2 * (n - 1)] += mu
    gen[np.arange(size), np.arange(size)] = -gen.sum(axis=1)
    p0 = np.zeros(size)
    for n, pn in enumerate(morning[-1]):
        p0[2 * n + (1 if n >= 2 else 0)] = pn
    step = expm(gen)
    lunch = [p0]
    for _ in range(60):
        lunch.append(lunch[-1] @ step)
    lunch = np.array(lunch)
    p13 = lunch[-1].reshape(-1, 2).sum(axis=1)
    afternoon = q.birth_death_transient(birth, death2, p13, np.arange(0, 241))
    n = np.arange(n_max + 1)
    wait2 = np.maximum(n - 2, 0)
    waiting = list(morning[:-1] @ wait2)
    busy_lunch = np.array([min(max(m - k, 0), 1) + k for m in n for k in (0, 1)])
    waiting += list(lunch[:-1] @ (np.repeat(n, 2) - np.minimum(np.repeat(n, 2), busy_lunch)))
    waiting += list(afternoon @ wait2)[:240]
    per_minute = np.array(waiting)  # minute 0 = 09:00; average the minute's two ends
    ends = np.append(per_minute, afternoon[-1] @ wait2)
    area = (ends[:-1] + ends[1:]) / 2
    return area.reshape(16, 30).mean(axis=1)


@pytest.mark.statistical
def test_the_queue_through_a_day_with_fewer_windows_at_lunch_matches_the_exact_transient():
    params = plain(**{"departments.a.windows": LUNCH_DROP})
    exact = exact_waiting_by_slot(lam=0.2, mu=1 / 8)
    per_rep = []
    for rep in range(10):
        m = as_dict(kpis(simulate(params, Streams(21, rep), 40, 0), params))
        per_rep.append([m[f"hour:{9 + i // 2:02d}:{30 * (i % 2):02d}", "queue_len_mean"] for i in range(16)])
    per_rep = np.array(per_rep)
    assert exact[7] > 1.5 * exact[5]  # the lunch drop shows in the exact queue
    for i in range(16):  # each half hour within its interval (Bonferroni over the 16)
        _, lo, hi, _ = t_interval(per_rep[:, i], 1 - 0.05 / 16)
        assert lo <= exact[i] <= hi, (i, lo, exact[i], hi)


# -- appointments ---------------------------------------------------------------------------
def test_visitors_keeping_their_booking_are_called_ahead_of_walk_ins():
    params = plain(**{"departments.a.windows": 1, "demand.visitors_per_day": 60,
                      "appointments": {"share": 0.4, "no_show": 0.0, "lateness": ZERO}})
    rec = simulate(params, Streams(2, 0), 4, 0)
    booked = {v.vid for v in rec.visitors if v.kept_slot}
    served = [w for w in rec.window_visits if w.outcome in SERVED]
    overtaken = 0
    for w in served:
        if w.vid in booked:
            continue  # a walk-in called while a booked visitor waited would break the rule
        assert not any(b.vid in booked and b.t_arr < w.t_start < b.t_start for b in served), w
        overtaken += any(b.vid in booked and w.t_arr < b.t_arr and b.t_start < w.t_start for b in served)
    assert booked and overtaken > 0  # walk-ins were passed by booked visitors who came later


def test_no_shows_come_the_next_day_as_walk_ins_and_the_rest_at_their_slot():
    params = plain(**{"appointments": {"share": 0.5, "no_show": 0.2, "early_min": 5, "lateness": ZERO}})
    rec = simulate(params, Streams(3, 0), 3, 0)
    for v in rec.visitors:
        who = v.who
        if who.books and who.no_show:
            assert v.t_first == who.t_arrive + DAY and not v.kept_slot
        elif who.books:
            assert v.t_first == who.t_arrive - 5 and v.kept_slot
        else:
            assert v.t_first == who.t_arrive and not v.kept_slot


# -- online pre-review ----------------------------------------------------------------------
@pytest.mark.parametrize("catches", [1.0, 0.5])
def test_online_review_removes_exactly_the_gap_trips_it_catches(catches):
    """Windows enough that nobody queues, every applicant reviewed online, every document
    missing: a visitor needs a second trip exactly when the review missed one of its gaps."""
    params = plain(**{"departments.a.windows": 40, "matters.m.documents": 3, "matters.m.p_missing": 1.0,
                      "matters.m.accept": HOUR,
                      "online_review": {"share": 1.0, "staff": 2, "minutes": {"dist": "deterministic", "value": 10},
                                        "catches": catches}})
    rec = simulate(params, Streams(8, 0), 4, 0)
    m = as_dict(kpis(rec, params))
    missed = [3 - v.who.caught_major[0] - v.who.caught_minor[0] for v in rec.visitors]
    assert [v.trips for v in rec.visitors] == [1 + (k > 0) for k in missed]
    assert m["online_review", "gaps_caught_per_day"] * 4 == sum(3 - k for k in missed)
    assert m["online_review", "utilisation"] == pytest.approx(len(rec.visitors) * 10 / (2 * 480 * 4))
    if catches == 1.0:
        assert m["all", "visits_mean"] == 1.0 and m["all", "one_visit_share"] == 1.0


# -- cost and service levels ----------------------------------------------------------------
def test_staff_cost_per_day_and_per_matter_are_the_hours_on_duty_times_their_rates():
    params = plain(**{"departments.a.windows": LUNCH_DROP,
                      "online_review": {"share": 0.3, "staff": 1, "minutes": ZERO, "catches": 0.5},
                      "cost": {"window_hour_yuan": 60, "online_hour_yuan": 30, "helper_hour_yuan": 99}})
    m = as_dict(kpis(simulate(params, Streams(1, 0), 5, 1), params))
    per_day = (2 * 480 - 60) / 60 * 60 + 480 / 60 * 30  # 900 window-minutes a day at 60, the reviewer at 30
    assert m["all", "staff_cost_yuan_per_day"] == pytest.approx(per_day, rel=1e-12)
    assert m["all", "cost_per_matter_yuan"] == pytest.approx(per_day * 4 / m["all", "matters"], rel=1e-12)
    assert m["all", "staff_hours_per_day"] == pytest.approx((900 + 480) / 60, rel=1e-12)


def test_service_levels_are_the_shares_of_window_visits_served_within_each_threshold():
    params = plain(**{"departments.a.windows": LUNCH_DROP, "service_level": {"wait_min": [5, 20]},
                      "impatience": {"patience": {"dist": "exponential", "mean": 30},
                                     "return_days": {"dist": "deterministic", "value": 1}}})
    rec = simulate(params, Streams(6, 0), 4, 1)
    m = as_dict(kpis(rec, params))
    visits = [w for w in rec.window_visits if DAY <= next(v.t_first for v in rec.visitors if v.vid == w.vid) < 4 * DAY]
    assert any(w.outcome not in SERVED for w in visits)  # some gave up: they count as not served within
    for limit in (5, 20):
        within = sum(w.outcome in SERVED and w.t_start - w.t_arr <= limit for w in visits)
        assert m[f"wait_within:{limit}min", "wait_within_share"] == within / len(visits)


# -- weekdays: demand factors and Saturday opening -------------------------------------------
def test_weekday_factors_scale_each_days_arrivals_and_saturday_opens_as_a_day():
    params = plain(**{"hours.days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                      "demand.by_weekday": {"sat": 0.5, "mon": 2.0},
                      "departments.a.windows": {"weekdays": 3, "sat": [["00:00", 1]], "sun": 0}})
    assert [params.hours.weekday(d) for d in range(8)] == [0, 1, 2, 3, 4, 5, 0, 1]
    pop = Population(params, Streams(1, 0), 60)
    per_day = np.bincount([int(p.t_arrive // DAY) for p in pop.people], minlength=60)
    mean = {w: per_day[[d for d in range(60) if d % 6 == w]].mean() for w in range(6)}
    assert mean[0] > 1.6 * mean[2] and mean[5] < 0.7 * mean[2]  # 192, 96 and 48 expected
    m = as_dict(kpis(simulate(params, Streams(1, 0), 12, 0), params))
    assert m["all", "staff_total"] == pytest.approx((3 * 10 + 1 * 2) / 12)
    with pytest.raises(AssertionError, match="closed"):
        plain(**{"demand.by_weekday": {"sat": 1.0}})


def test_on_the_working_day_clock_a_saturday_adds_no_time():
    params = plain(**{"hours.days": ["mon", "tue", "wed", "thu", "fri", "sat"]})
    from govsim.models.service_hall.kpis import working_clock
    clock = working_clock(params)
    # day 5 is a Saturday: anything on it counts as the start of Monday (working day 5)
    assert list(clock(np.array([4 * DAY + 600, 5 * DAY + 600, 6 * DAY + 600, math.nan]))[:3]) == \
        [4 * DAY + 600, 5 * DAY, 5 * DAY + 600]
