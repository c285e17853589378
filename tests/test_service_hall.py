"""The service-hall model: mechanisms pinned by exact cases and paired comparisons."""
import math

import numpy as np
import pytest

from govsim.calendar import DAY
from govsim.models.service_hall import HallParams, kpis, simulate
from govsim.models.service_hall.hall import SERVED
from govsim.rng import Streams
from govsim.stats import t_interval

from conftest import params_with

EXP6 = {"dist": "exponential", "mean": 6}
ZERO = {"dist": "deterministic", "value": 0}

BASE = {
    "hours": {"open": "09:00", "close": "17:00", "breaks": [["12:00", "13:00"]]},
    "demand": {"visitors_per_day": 120, "by_hour": {"09:00": 2, "10:00": 1, "11:00": 1, "13:00": 1, "14:00": 1,
                                                    "15:00": 1, "16:00": 1}},
    "groups": {"citizen": {"share": 0.85}, "elderly": {"share": 0.15, "green_channel": True}},
    "departments": {"a": {"windows": 1}, "b": {"windows": 1}, "c": {"windows": 1}},
    "matters": {
        "ma": {"departments": ["a"], "share": 0.5, "accept": EXP6, "approve": ZERO, "documents": 3, "p_missing": 0.1},
        "mb": {"departments": ["b"], "share": 0.3, "accept": EXP6, "approve": ZERO, "documents": 3, "p_missing": 0.1},
        "mc": {"departments": ["c"], "share": 0.2, "accept": EXP6, "approve": ZERO, "documents": 3, "p_missing": 0.1},
    },
    "layout": {"kind": "separate", "comprehensive_windows": 3},
    "documents": {"notice": "one_at_a_time", "check": {"dist": "deterministic", "value": 2},
                  "return_days": {"dist": "deterministic", "value": 2}},
}


def hall(**changes):
    """BASE with dotted-path changes, e.g. hall(**{"layout.kind": "integrated"})."""
    return params_with(HallParams, BASE, **changes)


def metrics(params, seed=1, rep=0, days=10):
    return {(s, m): v for s, m, v in kpis(simulate(params, Streams(seed, rep), days, 0), params)}


def paired(metric, scope, a, b, reps=12, days=20):
    """95% interval of metric(b) - metric(a) over replications sharing their draws."""
    diffs = [metrics(b, 7, r, days)[scope, metric] - metrics(a, 7, r, days)[scope, metric] for r in range(reps)]
    return t_interval(diffs)


def every_matter(params, days=5):
    rec = simulate(params, Streams(3, 0), days, 0)
    return rec, [v for v in rec.visitors]


def test_complete_documents_mean_exactly_one_visit():
    m = metrics(hall(**{f"matters.{k}.p_missing": 0.0 for k in ("ma", "mb", "mc")}))
    assert m["all", "matters"] > 0
    assert m["all", "visits_mean"] == 1.0
    assert m["all", "one_visit_share"] == 1.0
    assert m["all", "accepted"] == m["all", "matters"] and m["all", "open_end"] == 0


@pytest.mark.parametrize("notice,pledge,minor,trips", [
    ("one_at_a_time", False, 0.0, 4),  # three gaps found one by one, then accepted
    ("one_time", False, 0.0, 2),  # all three listed at once
    ("one_time", True, 1.0, 1),  # minor gaps accepted against a pledge
    ("one_time", True, 0.0, 2),  # a pledge cannot cover major gaps
])
def test_every_document_missing_gives_a_known_number_of_trips(notice, pledge, minor, trips):
    changes = {f"matters.{k}.p_missing": 1.0 for k in ("ma", "mb", "mc")}
    changes.update({f"matters.{k}.minor_share": minor for k in ("ma", "mb", "mc")})
    rec, visitors = every_matter(hall(**changes, **{"documents.notice": notice, "documents.pledge": pledge}))
    assert visitors and {v.trips for v in visitors} == {trips}
    assert all(not math.isnan(v.t_accepted) for v in visitors)
    assert all(v.pledged == (pledge and minor == 1.0) for v in visitors)


def test_a_bundle_queues_at_each_department_when_separate_and_once_when_integrated():
    bundle = {"departments": ["a", "b"], "share": 1.0, "accept": EXP6, "approve": ZERO, "documents": 2, "p_missing": 1.0}
    matters = {"bundle": bundle}
    rec, visitors = every_matter(hall(matters=matters))
    # separate, gaps one at a time: 2 gaps at a, then 2 at b, each costs a trip, then done
    assert {v.trips for v in visitors} == {5}
    served = [wv for wv in rec.window_visits if wv.outcome in SERVED]
    assert {wv.bank for wv in served} == {"a", "b"}
    rec, visitors = every_matter(hall(matters=matters, **{"layout.kind": "integrated", "documents.notice": "one_time"}))
    assert {v.trips for v in visitors} == {2}
    assert {wv.bank for wv in rec.window_visits} == {"comprehensive"}


def test_no_service_starts_in_the_lunch_break_or_after_closing_when_sending_home():
    busy = hall(**{"demand.visitors_per_day": 400, "hours.closing_rule": "send_home"})
    rec = simulate(busy, Streams(2, 0), 5, 0)
    starts = np.array([wv.t_start % 1440 for wv in rec.window_visits if wv.outcome in SERVED])
    assert len(starts) > 0
    assert not np.any((starts > 720 + 1e-9) & (starts < 780 - 1e-9))  # 12:00-13:00
    assert starts.max() <= 17 * 60 + 1e-9
    m = {(s, k): v for s, k, v in kpis(rec, busy)}
    assert m["all", "sent_home_frac"] > 0


def test_serve_waiting_serves_everyone_who_came_before_closing():
    busy = hall(**{"demand.visitors_per_day": 400})
    rec = simulate(busy, Streams(2, 0), 5, 0)
    after_close = [wv for wv in rec.window_visits if wv.outcome in SERVED and wv.t_start % 1440 > 17 * 60]
    assert after_close  # overtime happened
    assert not [wv for wv in rec.window_visits if wv.outcome == "sent_home"]


def test_pooling_with_no_slowdown_and_the_same_staff_does_not_lengthen_waits():
    separate = hall(**{"demand.visitors_per_day": 160})
    integrated = hall(**{"demand.visitors_per_day": 160, "layout.kind": "integrated",
                         "layout.comprehensive_windows": 3, "layout.generalist_slowdown": 1.0})
    mean, lo, hi, _ = paired("wait_mean_min", "all", separate, integrated)
    assert hi < 0, (mean, lo, hi)


def test_the_green_channel_shortens_priority_waits_and_lengthens_others():
    off = hall(**{"demand.visitors_per_day": 160})
    on = hall(**{"demand.visitors_per_day": 160, "layout.green_channel": "priority"})
    green = paired("wait_mean_min", "group:elderly", off, on)
    others = paired("wait_mean_min", "group:citizen", off, on)
    assert green[2] < 0, green
    assert others[1] > 0, others


def with_helpers(n):
    return hall(**{"groups.citizen.asks_proxy": 0.3, "groups.elderly.asks_proxy": 0.5,
                   "proxy": {"full_time": n, "precheck": {"dist": "exponential", "mean": 12},
                             "full_process": {"dist": "exponential", "mean": 60},
                             "home_visit": {"dist": "exponential", "mean": 60}}})


def test_more_helpers_never_raise_proxy_users_waits():
    for rep in range(6):
        waits = [metrics(with_helpers(n), 5, rep)["helpers", "wait_mean_min"] for n in (1, 2, 3)]
        assert waits[0] >= waits[1] >= waits[2], (rep, waits)
    assert waits[0] > waits[2]


def test_helper_counts_and_utilisation():
    m = metrics(with_helpers(2))
    assert m["helpers", "precheck_per_day"] > 0
    assert 0 < m["helpers", "utilisation"] < 1
    assert m["channel:proxy", "matters"] == pytest.approx(m["helpers", "precheck_per_day"] * 10)


def test_home_visits_take_visitors_out_of_the_hall():
    params = hall(**{"groups.elderly.home_visit": 1.0, "home_visits": True,
                     "proxy": {"full_time": 1, "precheck": EXP6, "full_process": EXP6, "home_visit": EXP6}})
    m = metrics(params)
    assert m["channel:home_visit", "matters"] == m["group:elderly", "matters"] > 0
    assert m["channel:home_visit", "visits_mean"] == 0
    assert m["helpers", "home_visits_per_day"] == pytest.approx(m["group:elderly", "matters"] / 10)


def test_cross_province_matters_get_their_window_and_a_turnaround():
    params = hall(**{"matters.ma.other_province": 1.0, "layout.cross_province_windows": 1,
                     "cross_province": {"turnaround_days": {"dist": "deterministic", "value": 3}}})
    rec = simulate(params, Streams(1, 0), 5, 0)
    other = [v for v in rec.visitors if v.other_province]
    assert other and all(v.t_done - v.t_accepted == pytest.approx(3 * 1440) for v in other)
    assert {wv.bank for wv in rec.window_visits if wv.vid in {v.vid for v in other}} == {"cross_province"}


def test_queue_profile_covers_open_hours_only():
    m = metrics(hall(**{"demand.visitors_per_day": 300}))
    hours = sorted(s for s, k in m if s.startswith("hour:"))
    assert hours[0] == "hour:09:00" and hours[-1] == "hour:16:30"
    assert "hour:12:00" not in hours and "hour:12:30" not in hours
    assert max(m[h, "queue_len_mean"] for h in hours) > 0


def test_same_seed_same_visitors_whatever_the_policy():
    a = simulate(hall(), Streams(4, 1), 5, 0).visitors
    b = simulate(hall(**{"layout.kind": "integrated"}), Streams(4, 1), 5, 0).visitors
    key = lambda v: (v.matter, v.group, v.accept_min[0], v.t_first)  # noqa: E731
    assert sorted(map(key, a)) == sorted(map(key, b))


def test_pooling_stops_paying_off_when_generalists_are_slow_enough():
    """The same staff pooled, but each matter takes 60% longer at a comprehensive window."""
    separate = hall(**{"demand.visitors_per_day": 160})
    slow = hall(**{"demand.visitors_per_day": 160, "layout.kind": "integrated",
                   "layout.comprehensive_windows": 3, "layout.generalist_slowdown": 1.6})
    mean, lo, hi, _ = paired("wait_mean_min", "all", separate, slow)
    assert lo > 0, (mean, lo, hi)


@pytest.mark.parametrize("closing_rule", ["serve_waiting", "send_home"])
def test_the_proxy_desk_follows_the_closing_rule(closing_rule):
    """Whoever waits for a helper at closing is pre-checked that evening (serve_waiting)
    or sent home (send_home): nobody waits overnight at the desk, and nobody pre-checked
    after closing queues at the shut windows."""
    from govsim.model_api import Trace

    busy_desk = hall(**{"hours.closing_rule": closing_rule, "groups.citizen.asks_proxy": 0.3,
                        "groups.elderly.asks_proxy": 0.3,
                        "proxy": {"full_time": 1, "precheck": {"dist": "exponential", "mean": 10},
                                  "full_process": EXP6, "home_visit": EXP6}})
    trace = Trace()
    simulate(busy_desk, Streams(6, 0), 5, 0, trace=trace)
    day_of = {}
    late_precheck = sent_home = 0
    for case, activity, t, transition, resource in trace.rows:
        if activity == "arrive":
            day_of[case] = t // 1440
        elif activity == "precheck" and transition == "start":
            late_precheck += t % 1440 >= 17 * 60
            assert t // 1440 == day_of[case], (case, t)
        elif activity == "queue" and resource != "helpers":
            assert t % 1440 < 17 * 60, (case, t)
        sent_home += activity == "sent_home" and resource == "helpers"
    assert (late_precheck > 0) == (closing_rule == "serve_waiting")
    assert (sent_home > 0) == (closing_rule == "send_home")


def test_a_step_at_the_same_bank_is_served_before_the_windows_close_for_the_night():
    """serve_waiting: whoever is waiting at closing is served that evening, a visitor whose
    next department is at the bank it was just served by (a green visitor with two steps at
    the dedicated green-channel window of separate departments) included: it queues before
    its window is freed, and so comes before the staff going home."""
    exp6 = {"dist": "exponential", "mean": 6}
    params = HallParams.model_validate({
        "hours": {"open": "09:00", "close": "17:00", "breaks": [["12:00", "13:00"]], "closing_rule": "serve_waiting"},
        "demand": {"visitors_per_day": 30, "by_hour": {"09:00": 1, "10:00": 1, "11:00": 1, "13:00": 1, "14:00": 1,
                                                       "15:00": 1, "16:00": 3}},
        "groups": {"citizen": {"share": 0.5}, "elderly": {"share": 0.5, "green_channel": True}},
        "departments": {"a": {"windows": 1}, "b": {"windows": 1}},
        "matters": {"ab": {"departments": ["a", "b"], "share": 1.0, "accept": exp6, "approve": exp6,
                           "documents": 3, "p_missing": 0.0}},
        "layout": {"kind": "separate", "green_channel": "dedicated", "dedicated_windows": 1},
        "documents": {"notice": "one_time", "check": exp6, "return_days": {"dist": "deterministic", "value": 1}},
    })
    same_bank = overnight = 0
    for rep in range(5):
        visits: dict[int, list] = {}
        for w in simulate(params, Streams(1, rep), 10, 0).window_visits:
            visits.setdefault(w.vid, []).append(w)
        for first, second in ((a, b) for vs in visits.values() for a, b in zip(vs, vs[1:])):
            if first.bank == second.bank == "green_channel" and first.outcome == "step_done":
                same_bank += 1
                overnight += second.t_start // DAY > first.t_end // DAY
    assert same_bank > 100 and overnight == 0
