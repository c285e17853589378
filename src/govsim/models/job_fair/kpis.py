"""KPIs of one job-fair campaign.

Scopes: ``all``; ``township:<name>``; ``booths:<group>``; ``group:walk_in`` and
``group:mobilised`` (attendees who came because the cadres asked); ``hour:HH:MM``
(the number queueing through the fair day, averaged over fairs); ``week:NN``
(campaign week of the fair, 1-based).
"""
from __future__ import annotations

import math

import numpy as np

from .records import BALK, RENEGE, SLOT, TALK, FairRecords
from .params import JobFairParams

Row = tuple[str, str, float]

METRICS = ("fairs", "attendees", "attendees_per_fair", "mobilised", "people_reached", "intentions",
           "intention_rate", "intentions_per_fair", "talks", "talk_intentions", "talks_per_attendee",
           "booth_wait_mean_min", "booth_balk_frac", "booth_renege_frac", "recruiter_utilisation",
           "pool_with_intention", "booth_queue_mean")


def kpis(rec: FairRecords, params: JobFairParams) -> list[Row]:
    fair = np.array(rec.a_fair, dtype=int)
    town = np.array(rec.a_township, dtype=object)
    person = np.array(rec.a_person, dtype=int)
    mob = np.array(rec.a_mobilised, bool)
    talks = np.array(rec.a_talks, dtype=float)
    intent = np.array(rec.a_intention, bool)
    n_fairs = len(rec.schedule)
    fair_town = np.array([t for _, t, _ in rec.schedule], dtype=object)
    fair_week = np.array([d // 7 for d, _, _ in rec.schedule], dtype=int)
    b_group = np.array(rec.booth_group, dtype=object)[np.array(rec.b_booth, dtype=int)] if rec.b_booth else np.zeros(
        0, dtype=object)
    b_out = np.array(rec.b_outcome, dtype=int)
    b_wait = np.array(rec.b_wait, dtype=float)
    b_int = np.array(rec.b_intention, bool)
    groups = np.array(rec.booth_group, dtype=object)

    def attendance_rows(scope: str, mask: np.ndarray, fairs: int) -> list[Row]:
        n, n_int = int(mask.sum()), int((mask & intent).sum())
        return [(scope, "fairs", float(fairs)),
                (scope, "attendees", float(n)),
                (scope, "attendees_per_fair", n / fairs if fairs else math.nan),
                (scope, "mobilised", float((mask & mob).sum())),
                (scope, "intentions", float(n_int)),
                (scope, "intention_rate", n_int / n if n else math.nan),
                (scope, "intentions_per_fair", n_int / fairs if fairs else math.nan),
                (scope, "talks_per_attendee", float(talks[mask].mean()) if n else math.nan)]

    def booth_rows(scope: str, mask: np.ndarray, capacity: float, busy: float) -> list[Row]:
        approaches = int(mask.sum())
        heard = mask & (b_out == TALK)

        def share(outcome: int) -> float:
            return float((mask & (b_out == outcome)).sum()) / approaches if approaches else math.nan

        return [(scope, "talks", float(heard.sum())),
                (scope, "talk_intentions", float((mask & b_int).sum())),
                (scope, "booth_wait_mean_min", float(b_wait[heard].mean()) if heard.any() else math.nan),
                (scope, "booth_balk_frac", share(BALK)),
                (scope, "booth_renege_frac", share(RENEGE)),
                (scope, "recruiter_utilisation", busy / capacity if capacity else math.nan)]

    rows: list[Row] = []
    everyone = np.ones(len(fair), bool)
    rows += attendance_rows("all", everyone, n_fairs)
    reached = len(set(zip(town.tolist(), person.tolist())))
    pool = sum(rec.pool.values())
    rows += [("all", "people_reached", float(reached)),
             ("all", "pool_with_intention", sum(rec.with_intention.values()) / pool if pool else math.nan)]
    capacity = float(rec.recruiters.sum()) * rec.open_minutes * n_fairs
    rows += booth_rows("all", np.ones(len(b_out), bool), capacity, float(rec.busy.sum()))
    for t in params.townships:
        rows += attendance_rows(f"township:{t}", town == t, int((fair_town == t).sum()))
        size = rec.pool[t]
        rows.append((f"township:{t}", "pool_with_intention", rec.with_intention[t] / size if size else math.nan))
    for g in params.booths:
        in_g = groups == g
        cap = float(rec.recruiters[in_g].sum()) * rec.open_minutes * n_fairs
        rows += booth_rows(f"booths:{g}", b_group == g, cap, float(rec.busy[in_g].sum()))
    for label, mask in (("walk_in", ~mob), ("mobilised", mob)):
        rows += [r for r in attendance_rows(f"group:{label}", mask, n_fairs)
                 if r[1] in ("attendees", "intentions", "intention_rate", "talks_per_attendee")]
    opens, closes = params.fairs.opens, params.fairs.closes
    for slot, area in enumerate(rec.queue_area):
        start = slot * SLOT
        if opens < start + SLOT and start < closes + 60:  # open hours and the hour after, while queues drain
            rows.append((f"hour:{int(start // 60):02d}:{int(start % 60):02d}", "booth_queue_mean",
                         area / (SLOT * n_fairs) if n_fairs else math.nan))
    weeks = max(1, math.ceil(rec.days / 7))
    width = max(2, len(str(weeks)))
    a_week = fair_week[fair] if len(fair) else np.zeros(0, int)
    for w in range(weeks):
        in_w = a_week == w
        rows += [(f"week:{w + 1:0{width}d}", "fairs", float((fair_week == w).sum())),
                 (f"week:{w + 1:0{width}d}", "attendees", float(in_w.sum())),
                 (f"week:{w + 1:0{width}d}", "intentions", float((in_w & intent).sum()))]
    return rows
