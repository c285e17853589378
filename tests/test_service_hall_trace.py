"""The hall's event log agrees with its KPI rows: counted from the log, the matters,
acceptances, services per bank, balks, give-ups, trips, hall times and waits are the
figures the KPIs report (no warm-up, so every case counts)."""
from collections import defaultdict

import numpy as np
import pytest

from govsim.model_api import COMPLETE, START, Trace
from govsim.models.service_hall import HallParams, kpis, simulate
from govsim.rng import Streams

from conftest import params_with
from test_service_hall import BASE

DAYS = 5
EXP = {"dist": "exponential", "mean": 20}


def busy_hall(closing_rule):
    return params_with(HallParams, BASE, **{
        "demand.visitors_per_day": 170, "hours.closing_rule": closing_rule,
        "impatience": {"balk_over": {"dist": "uniform", "low": 4, "high": 10},
                       "patience": {"dist": "lognormal", "mean": 40, "cv": 0.5},
                       "return_days": {"dist": "uniform", "low": 1, "high": 3}},
        "groups.citizen.asks_proxy": 0.2, "groups.citizen.full_process": 0.2,
        "groups.elderly.asks_proxy": 0.5, "groups.elderly.home_visit": 0.3, "home_visits": True,
        "proxy": {"full_time": 1, "part_time": 1, "part_time_hours": [["09:00", "12:00"]], "precheck": EXP,
                  "full_process": EXP, "home_visit": EXP},
        "matters.mc.other_province": 0.5, "layout.cross_province_windows": 1,
        "cross_province": {"turnaround_days": {"dist": "uniform", "low": 2, "high": 4}}})


class Log:
    def __init__(self, trace: Trace):
        self.rows = trace.rows
        self.by_case = defaultdict(list)
        for row in self.rows:
            self.by_case[row[0]].append(row)

    def count(self, activity, transition=COMPLETE, resource=None, before=np.inf):
        return sum(1 for _, a, t, tr, r in self.rows
                   if a == activity and tr == transition and (resource is None or r == resource) and t < before)

    def own_window_events(self):
        """(activity, transition, minutes, bank) of the visitors' own window visits: those
        after a full-process hand-over are the helper's."""
        for rows in self.by_case.values():
            for _, a, t, tr, r in rows:
                if a == "full_process":
                    break
                if r not in ("", "helpers", "back_office") and a in ("queue", "serve", "balk", "abandon", "sent_home"):
                    yield a, tr, t, r

    def trips(self):
        """Minutes in the hall of every trip: from arriving or returning to leaving."""
        for rows in self.by_case.values():
            start = None
            for _, a, t, _, _ in rows:
                if a in ("arrive", "return"):
                    start = t
                elif a == "leave":
                    yield t - start


@pytest.mark.parametrize("closing_rule", ["serve_waiting", "send_home"])
def test_counts_in_the_event_log_are_the_kpis(closing_rule):
    params = busy_hall(closing_rule)
    trace = Trace()
    m = {(s, k): v for s, k, v in kpis(simulate(params, Streams(3, 0), DAYS, 0, trace=trace), params)}
    log = Log(trace)
    t_end = DAYS * 1440
    assert m["all", "open_end"] == 0  # every matter accepted: all of its trips are in the visits mean
    assert m["all", "matters"] == log.count("arrive") + log.count("ask_home_visit") == len(log.by_case)
    assert m["all", "accepted"] == log.count("accepted")
    assert m["channel:home_visit", "matters"] == log.count("ask_home_visit") > 0
    assert m["all", "visits_mean"] * m["all", "accepted"] == pytest.approx(log.count("arrive") + log.count("return"))
    trips = list(log.trips())
    assert len(trips) == log.count("leave") and np.mean(trips) == pytest.approx(m["all", "hall_time_mean_min"])
    assert m["channel:other_province", "accepted"] == log.count("home_region_done") > 0
    for bank in ("a", "b", "c", "cross_province"):
        assert m[f"bank:{bank}", "served_per_day"] * DAYS == log.count("serve", START, bank, t_end) > 0
    for kind, metric in (("precheck", "precheck_per_day"), ("full_process", "full_process_per_day"),
                         ("home_visit", "home_visits_per_day")):
        assert m["helpers", metric] * DAYS == log.count(kind, START, "helpers", t_end) > 0
    own = list(log.own_window_events())
    ended = {a: sum(1 for x, tr, *_ in own if x == a and tr == COMPLETE) for a in ("balk", "abandon", "sent_home")}
    served = sum(1 for a, tr, *_ in own if a == "serve" and tr == START)
    visits = served + sum(ended.values())
    assert ended["balk"] > 0 and ended["abandon"] > 0 and (ended["sent_home"] > 0) == (closing_rule == "send_home")
    for activity, metric in (("balk", "balk_frac"), ("abandon", "abandon_frac"), ("sent_home", "sent_home_frac")):
        assert m["all", metric] == pytest.approx(ended[activity] / visits)
    # every wait: from joining a bank's queue to the start of service there
    waits, joined = [], None
    for a, tr, t, _ in own:
        if a == "queue":
            joined = t
        elif a == "serve" and tr == START:
            waits.append(t - joined)
    assert np.mean(waits) == pytest.approx(m["all", "wait_mean_min"])


def test_back_office_approvals_in_the_event_log_are_the_kpis():
    """Each approval: a queue event at the back office (as the window accepts) and its
    start and end; counted from the log, the approvals per day and their mean wait."""
    params = params_with(HallParams, BASE, **{
        "demand.visitors_per_day": 120, "matters.ma.approve": EXP, "matters.mb.approve": EXP,
        "layout": {"kind": "integrated", "comprehensive_windows": 2, "back_office": True, "back_office_staff": 1}})
    trace = Trace()
    m = {(s, k): v for s, k, v in kpis(simulate(params, Streams(4, 0), DAYS, 0, trace=trace), params)}
    log = Log(trace)
    t_end = DAYS * 1440
    assert m["back_office", "approvals_per_day"] * DAYS == log.count("approve", START, "back_office", t_end) > 0
    waits = []
    for rows in log.by_case.values():
        sent = [t for _, a, t, _, r in rows if a == "queue" and r == "back_office"]
        begun = [t for _, a, t, tr, r in rows if a == "approve" and tr == START]
        accepted = [t for _, a, t, _, _ in rows if a == "accepted"]
        assert sent == accepted and len(begun) == len(sent) <= 1  # one approval per matter, sent at acceptance
        waits += [b - a for a, b in zip(sent, begun)]
    assert np.mean(waits) / 60 == pytest.approx(m["back_office", "approval_wait_mean_h"])
    assert max(waits) > 60  # one person approving: files wait
