"""KPIs of one shuttle campaign.

Scopes: ``all``; ``township:<name>``; ``route:<name>`` (route pooling);
``trigger:<why>`` (trips by what sent them: full, min_load, max_wait, timetable,
sweep); ``employers:<group>``; ``day:NN`` (campaign day, 1-based: sign-ups by
the day they came in, deliveries by the day the seekers reached the park, trips
by the day they left).  Every seeker who signed up during the campaign counts.
"""
from __future__ import annotations

import math

import numpy as np

from ...calendar import DAY
from .params import ShuttleParams
from .records import DELIVERED, GAVE_UP, NO_SHOW, REASONS, STILL_WAITING, CampaignRecords

Row = tuple[str, str, float]

SEEKER_METRICS = ("signed_up", "seekers_delivered", "no_shows", "gave_up", "still_waiting", "delivered_share",
                  "boarding_wait_mean_h", "boarding_wait_p90_h", "time_to_employer_mean_h", "interviews_per_seeker",
                  "intentions", "intention_share")
TRIP_METRICS = ("vehicle_trips", "riders_per_trip", "load_factor", "vehicle_hours", "vehicle_km", "cost_yuan",
                "cost_per_seeker_yuan", "vehicle_wait_mean_h")
EMPLOYER_METRICS = ("interviews", "interview_wait_mean_min", "recruiter_utilisation")
METRICS = SEEKER_METRICS + TRIP_METRICS + EMPLOYER_METRICS


def kpis(rec: CampaignRecords, params: ShuttleParams) -> list[Row]:
    t = _Seekers(rec)
    rows: list[Row] = []
    trips = [tr for tr in rec.trips if not math.isnan(tr.t_park)]
    rows += t.rows("all", np.ones(t.n, bool))
    rows += _trip_rows("all", trips, params, delivered=t.delivered_count(np.ones(t.n, bool)))
    for town in params.townships:
        mask = t.township == town
        rows += t.rows(f"township:{town}", mask)
        stopping = [tr for tr in trips if town in tr.by_stop]
        riders = sum(tr.by_stop[town] for tr in stopping)
        rows += [(f"township:{town}", "vehicle_trips", float(len(stopping))),
                 (f"township:{town}", "riders_per_trip", riders / len(stopping) if stopping else math.nan)]
    if params.dispatch.pooling == "route":
        for route in params.routes:
            on = [tr for tr in trips if tr.group == route]
            rows += _trip_rows(f"route:{route}", on, params)
    for why in REASONS:
        sent = [tr for tr in trips if tr.reason == why]
        if sent:
            rows += [(f"trigger:{why}", "vehicle_trips", float(len(sent))),
                     (f"trigger:{why}", "riders_per_trip", float(np.mean([tr.riders for tr in sent]))),
                     (f"trigger:{why}", "load_factor", float(np.mean([tr.riders / tr.seats for tr in sent])))]
    rows += _employer_rows(rec, params)
    rows += _day_rows(rec, t, trips)
    return rows


class _Seekers:
    """The campaign's seekers as arrays, so that a scope is a boolean mask."""

    def __init__(self, rec: CampaignRecords):
        s = rec.seekers
        self.n = len(s)
        self.township = np.array([x.township for x in s], dtype=object)
        self.status = np.array([x.status for x in s], dtype=object)
        self.t_signup = np.array([x.t_signup for x in s], dtype=float)
        self.t_board = np.array([x.t_board for x in s], dtype=float)
        self.t_park = np.array([x.t_park for x in s], dtype=float)
        self.t_gate = np.array([x.t_gate for x in s], dtype=float)
        self.interviews = np.array([x.interviews for x in s], dtype=float)
        self.intention = np.array([x.intention for x in s], bool)
        self.wait_h = (self.t_board - self.t_signup) / 60.0
        self.to_gate_h = (self.t_gate - self.t_signup) / 60.0

    def delivered_count(self, mask) -> int:
        return int(np.sum(mask & (self.status == DELIVERED)))

    def rows(self, scope: str, mask: np.ndarray) -> list[Row]:
        delivered = mask & (self.status == DELIVERED)
        n, n_del = int(mask.sum()), int(delivered.sum())
        waits = self.wait_h[delivered]
        gate = self.to_gate_h[delivered & ~np.isnan(self.to_gate_h)]
        intentions = int(np.sum(delivered & self.intention))
        return [
            (scope, "signed_up", float(n)),
            (scope, "seekers_delivered", float(n_del)),
            (scope, "no_shows", float(np.sum(mask & (self.status == NO_SHOW)))),
            (scope, "gave_up", float(np.sum(mask & (self.status == GAVE_UP)))),
            (scope, "still_waiting", float(np.sum(mask & (self.status == STILL_WAITING)))),
            (scope, "delivered_share", n_del / n if n else math.nan),
            (scope, "boarding_wait_mean_h", _mean(waits)),
            (scope, "boarding_wait_p90_h", _p90(waits)),
            (scope, "time_to_employer_mean_h", _mean(gate)),
            (scope, "interviews_per_seeker", _mean(self.interviews[delivered])),
            (scope, "intentions", float(intentions)),
            (scope, "intention_share", intentions / n_del if n_del else math.nan),
        ]


def _trip_rows(scope: str, trips: list, params: ShuttleParams, delivered: int | None = None) -> list[Row]:
    fleet = params.fleet
    n = len(trips)
    riders = sum(tr.riders for tr in trips)
    seats = sum(tr.seats for tr in trips)
    km = sum(tr.km for tr in trips)
    cost = n * fleet.cost_per_trip_yuan + km * fleet.cost_per_km_yuan
    rows = [(scope, "vehicle_trips", float(n)),
            (scope, "riders_per_trip", riders / n if n else math.nan),
            (scope, "load_factor", riders / seats if seats else math.nan),
            (scope, "vehicle_hours", sum(tr.t_free - tr.t_depot for tr in trips) / 60.0),
            (scope, "vehicle_km", km),
            (scope, "cost_yuan", cost),
            (scope, "vehicle_wait_mean_h", _mean([(tr.t_granted - tr.t_call) / 60.0 for tr in trips]))]
    if delivered is not None:
        rows.append((scope, "cost_per_seeker_yuan", cost / delivered if delivered else math.nan))
    return rows


def _employer_rows(rec: CampaignRecords, params: ShuttleParams) -> list[Row]:
    groups = np.array(rec.employer_group, dtype=object)
    counts = {g: 0 for g in params.park.employers}
    intents = {g: 0 for g in params.park.employers}
    waits: dict[str, list] = {g: [] for g in params.park.employers}
    for s in rec.seekers:
        for emp, wait in zip(s.choices, s.interview_waits):
            g = groups[emp]
            counts[g] += 1
            waits[g].append(wait)
        if s.intention:
            intents[groups[s.choices[s.interviews - 1]]] += 1
    rows: list[Row] = []
    for g, spec in params.park.employers.items():
        mask = groups == g
        capacity = spec.recruiters * int(mask.sum()) * rec.park_open_minutes * rec.service_days
        rows += [(f"employers:{g}", "interviews", float(counts[g])),
                 (f"employers:{g}", "intentions", float(intents[g])),
                 (f"employers:{g}", "interview_wait_mean_min", _mean(waits[g])),
                 (f"employers:{g}", "recruiter_utilisation",
                  float(rec.employer_busy[mask].sum()) / capacity if capacity else math.nan)]
    rows += [("all", "interviews", float(sum(counts.values()))),
             ("all", "interview_wait_mean_min", _mean([w for ws in waits.values() for w in ws])),
             ("all", "recruiter_utilisation", float(rec.employer_busy.sum()) / (
                 sum(spec.recruiters * spec.count for spec in params.park.employers.values())
                 * rec.park_open_minutes * rec.service_days))]
    return rows


def _day_rows(rec: CampaignRecords, t: _Seekers, trips: list) -> list[Row]:
    days = rec.service_days
    width = max(2, len(str(days)))
    signed = np.bincount((t.t_signup // DAY).astype(int), minlength=days)
    delivered_at = t.t_park[t.status == DELIVERED]
    arrived = np.bincount(np.minimum((delivered_at // DAY).astype(int), days - 1), minlength=days) if len(
        delivered_at) else np.zeros(days, int)
    left = np.bincount(np.minimum(np.array([int(tr.t_first_board // DAY) for tr in trips], dtype=int), days - 1),
                       minlength=days) if trips else np.zeros(days, int)
    rows: list[Row] = []
    for d in range(days):
        scope = f"day:{d + 1:0{width}d}"
        rows += [(scope, "signed_up", float(signed[d]) if d < len(signed) else 0.0),
                 (scope, "seekers_delivered", float(arrived[d])),
                 (scope, "vehicle_trips", float(left[d]))]
    return rows


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def _p90(x) -> float:
    return float(np.percentile(x, 90)) if len(x) else math.nan
