"""KPIs of one service-hall replication.

Scopes: ``all``; ``group:<name>``; ``matter:<name>``; ``department:<name>`` (zones
included); ``matters:general`` (outside the zones) and ``matters:zones``;
``channel:proxy`` (visitors a helper pre-checked), ``channel:home_visit``,
``channel:other_province``; ``bank:<name>`` (a window bank); ``helpers``;
``hour:HH:MM`` (the queue through the day).  Matters count when their first
trip falls on a counted day (after the warm-up days).
"""
from __future__ import annotations

import math

import numpy as np

from ...staffing import DAY
from .hall import ABANDONED, BALKED, SENT_HOME, SERVED, SLOT, HallRecords
from .params import HallParams

Row = tuple[str, str, float]

MATTER_METRICS = ("matters", "accepted", "open_end", "acceptance_time_mean_h", "acceptance_time_p90_h",
                  "visits_mean", "one_visit_share", "pledge_share", "wait_mean_min", "wait_p90_min",
                  "hall_time_mean_min", "balk_frac", "abandon_frac", "sent_home_frac")
OTHER_METRICS = ("utilisation", "overtime_min_per_day", "served_per_day", "queue_len_mean", "precheck_per_day", "full_process_per_day",
                 "home_visits_per_day", "other_province_per_day", "turnaround_days_mean")
METRICS = MATTER_METRICS + OTHER_METRICS


def kpis(rec: HallRecords, params: HallParams) -> list[Row]:
    t0, t1 = rec.warmup_days * DAY, rec.days * DAY
    days = rec.days - rec.warmup_days
    vis = [v for v in rec.visitors if t0 <= v.t_first < t1]
    counted = {v.vid for v in vis}
    by_vid_visits: dict[int, list] = {}
    for wv in rec.window_visits:
        if wv.vid in counted:
            by_vid_visits.setdefault(wv.vid, []).append(wv)
    trips: dict[int, list] = {}
    for vid, a, b in rec.trips:
        if vid in counted:
            trips.setdefault(vid, []).append(b - a)

    rows: list[Row] = []
    scopes = {"all": vis}
    for g in params.groups:
        scopes[f"group:{g}"] = [v for v in vis if v.group == g]
    for mname in params.matters:
        scopes[f"matter:{mname}"] = [v for v in vis if v.matter == mname]
    for d in params.departments:
        scopes[f"department:{d}"] = [v for v in vis if d in v.steps]
    general = {m for m, spec in params.matters.items() if not any(params.departments[d].zone for d in spec.departments)}
    scopes["matters:general"] = [v for v in vis if v.matter in general]
    scopes["matters:zones"] = [v for v in vis if v.matter not in general]
    scopes["channel:proxy"] = [v for v in vis if v.proxied]
    if params.home_visits:
        scopes["channel:home_visit"] = [v for v in vis if v.home_visit and v.trips == 0]
    if any(m.other_province > 0 for m in params.matters.values()):
        scopes["channel:other_province"] = [v for v in vis if v.other_province]
    for scope, group in scopes.items():
        rows.extend(_matter_rows(scope, group, by_vid_visits, trips))

    # window banks
    total_busy = total_capacity = 0.0
    for name, bank in rec.banks.items():
        capacity = bank.windows * rec.open_minutes * days
        total_busy += bank.busy
        total_capacity += capacity
        waits = [wv.t_start - wv.t_arr for vid in counted for wv in by_vid_visits.get(vid, [])
                 if wv.bank == name and wv.outcome in SERVED]
        rows += [(f"bank:{name}", "utilisation", bank.busy / capacity if capacity else math.nan),
                 (f"bank:{name}", "overtime_min_per_day", bank.overtime / days),
                 (f"bank:{name}", "wait_mean_min", _mean(waits)),
                 (f"bank:{name}", "served_per_day", _served_on_counted_days(rec, name, t0, t1) / days)]
    rows.append(("all", "utilisation", total_busy / total_capacity if total_capacity else math.nan))

    # proxy helpers
    if params.proxy is not None:
        on_duty = _helper_minutes_per_day(params) * days
        helper_waits = [w for vid, w in rec.helper_waits if vid in counted]
        rows += [("helpers", "utilisation", rec.helper_busy / on_duty if on_duty else math.nan),
                 ("helpers", "wait_mean_min", _mean(helper_waits)),
                 ("helpers", "precheck_per_day", rec.helper_cases["precheck"] / days),
                 ("helpers", "full_process_per_day", rec.helper_cases["full_process"] / days),
                 ("helpers", "home_visits_per_day", rec.helper_cases["home_visit"] / days)]

    # cross-province matters: volume and turnaround (first trip to done, working days)
    other = [v for v in vis if v.other_province]
    if any(m.other_province > 0 for m in params.matters.values()):
        done = [(v.t_done - v.t_first) / DAY for v in other if not math.isnan(v.t_done)]
        rows += [("all", "other_province_per_day", len(other) / days),
                 ("all", "turnaround_days_mean", _mean(done))]

    # the queue through the day
    for slot, area in enumerate(rec.queue_area):
        start = slot * SLOT
        if _slot_is_open(params, start):
            rows.append((f"hour:{int(start // 60):02d}:{int(start % 60):02d}", "queue_len_mean", area / (SLOT * days)))
    return rows


def _matter_rows(scope: str, group: list, visits_of: dict, trips: dict) -> list[Row]:
    accepted = [v for v in group if not math.isnan(v.t_accepted)]
    acc_h = np.array([(v.t_accepted - v.t_first) / 60.0 for v in accepted])
    n_trips = np.array([v.trips for v in accepted])
    attempts = [wv for v in group for wv in visits_of.get(v.vid, [])]
    waits = np.array([wv.t_start - wv.t_arr for wv in attempts if wv.outcome in SERVED and not wv.by_helper])
    own = [wv for wv in attempts if not wv.by_helper]
    hall = [d for v in group for d in trips.get(v.vid, [])]
    n_att = len(own)
    return [
        (scope, "matters", float(len(group))),
        (scope, "accepted", float(len(accepted))),
        (scope, "open_end", float(len(group) - len(accepted))),
        (scope, "acceptance_time_mean_h", _mean(acc_h)),
        (scope, "acceptance_time_p90_h", _p90(acc_h)),
        (scope, "visits_mean", _mean(n_trips)),
        (scope, "one_visit_share", float(np.mean(n_trips <= 1)) if len(n_trips) else math.nan),
        (scope, "pledge_share", float(np.mean([v.pledged for v in accepted])) if accepted else math.nan),
        (scope, "wait_mean_min", _mean(waits)),
        (scope, "wait_p90_min", _p90(waits)),
        (scope, "hall_time_mean_min", _mean(hall)),
        (scope, "balk_frac", sum(wv.outcome == BALKED for wv in own) / n_att if n_att else math.nan),
        (scope, "abandon_frac", sum(wv.outcome == ABANDONED for wv in own) / n_att if n_att else math.nan),
        (scope, "sent_home_frac", sum(wv.outcome == SENT_HOME for wv in own) / n_att if n_att else math.nan),
    ]


def _served_on_counted_days(rec: HallRecords, bank: str, t0: float, t1: float) -> int:
    return sum(1 for wv in rec.window_visits
               if wv.bank == bank and wv.outcome in SERVED and t0 <= wv.t_start < t1)


def _helper_minutes_per_day(params: HallParams) -> float:
    pr = params.proxy
    periods = params.hours.periods()
    part = sum(max(0, min(b, d) - max(a, c)) for a, b in periods for c, d in pr.part_time_hours)
    return pr.full_time * params.hours.open_minutes() + pr.part_time * part


def _slot_is_open(params: HallParams, start: float) -> bool:
    return any(a < start + SLOT and start < b for a, b in params.hours.periods())


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def _p90(x) -> float:
    return float(np.percentile(x, 90)) if len(x) else math.nan
