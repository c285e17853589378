"""KPIs of one licence replication.

Counted applications are those needed (handed in, or needed by the applicant when
the file was started ahead) on the run's days after the warm-up.  Lead times are
in working days as administrations count them: from the day of receipt (not
counted) to the day the applicant has the certificate (counted), so a same-day
certificate takes 0 days and one received Friday and issued Monday takes 1; an
application handed in after hours is received on the next working day.  Quantiles
are empirical ("90% were handed over within p90 working days").

Three clocks, each named by its metrics:
- ``lead_time_*``: from receipt (or, for a file started ahead, from the day it is
  needed) to the certificate in hand; ``issue_time_mean_days``: the same start, to issue;
- ``promise_time_*`` and ``promise_share``: the promise's clock (承诺时限), from the day
  of acceptance (受理) to the day of issue (办结): p95 is the limit the office could
  promise and keep for 95% of applications;
- ``ready_share``, ``lateness_mean_days`` and ``late_mean_days``: the day of issue
  against the day the certificate is needed (with the keys: the day they are handed
  over), signed: negative is days to spare, no floor.

Scopes: ``all``; ``channel:proxy`` and ``channel:self`` (with proxy helpers),
``channel:online`` and ``channel:counter`` (when both are used); ``stage:intake``,
``step:<name>``, ``stage:handover`` (where the time goes); ``department:<name>``;
``helpers``; ``quantile:<q>`` (the lead-time distribution).
"""
from __future__ import annotations

import math

import numpy as np

from ...calendar import DAY
from .records import DELAY, HANDOVER, INTAKE, WAIT, WORK, Records
from .params import LicenceParams

Row = tuple[str, str, float]

APP_METRICS = ("applications", "handed_over", "unfinished", "lead_time_mean_days", "lead_time_p50_days",
               "lead_time_p90_days", "lead_time_max_days", "lead_time_mean_calendar_days", "issue_time_mean_days",
               "promise_time_mean_days", "promise_time_p90_days", "promise_time_p95_days", "promise_share",
               "ready_share", "lateness_mean_days", "late_mean_days",
               "incomplete_share", "visits_mean", "one_visit_share", "zero_visit_share",
               "supplements_mean", "pledge_share")
OTHER_METRICS = ("open_end", "utilisation", "wait_mean_days", "work_mean_days", "delay_mean_days", "lead_time_days")
METRICS = APP_METRICS + OTHER_METRICS
QUANTILES = tuple(round(0.05 * k, 2) for k in range(1, 21))


class Table:
    """The counted applications as arrays, so that every scope is a boolean mask."""

    def __init__(self, rec: Records, params: LicenceParams):
        clock, L = rec.clock, rec.clock.L
        apps = [a for a in rec.apps if a.counted]
        self.n = len(apps)

        def arr(attr):
            return np.array([getattr(a, attr) for a in apps], dtype=float)

        t_need, t_accept, t_issue = arr("t_need"), arr("t_accept"), arr("t_issue")
        t_end_cal, t_cal = arr("t_end_cal"), arr("t_cal")
        self.done = ~np.isnan(t_end_cal)
        self.issued = ~np.isnan(t_issue)
        d_need = np.floor(t_need / L + 1e-12)
        d_issue = np.floor(np.nan_to_num(t_issue) / L + 1e-12)
        d_accept = np.floor(np.nan_to_num(t_accept) / L + 1e-12)
        d_end = clock.last_day_by(np.nan_to_num(t_end_cal)) if self.n else np.zeros(0)
        self.lead = np.where(self.done, np.maximum(0.0, d_end - d_need), np.nan)
        self.lead_cal = np.where(self.done, np.maximum(0.0, (np.nan_to_num(t_end_cal) - t_cal) / DAY), np.nan)
        self.issue = np.where(self.issued, np.maximum(0.0, d_issue - d_need), np.nan)
        # the promise's clock: from the day of acceptance (not counted) to the day of issue;
        # never issued: longer than any limit
        self.promised = np.where(self.issued, d_issue - d_accept, np.inf)
        self.kept = self.promised <= params.promise.days
        # readiness when needed (with the keys: the day they are handed over), signed: no floor
        self.lateness = np.where(self.issued, d_issue - d_need, np.inf)
        self.ready = self.lateness <= 0
        self.visits = arr("visits")
        self.supplements = arr("supplements")
        self.pledged = np.array([a.pledged for a in apps], bool)
        self.incomplete = np.array([any(a.gaps) for a in apps], bool)
        self.proxied = np.array([a.proxied for a in apps], bool)
        self.online = np.array([a.online for a in apps], bool)
        self.times = (np.array([a.times for a in apps], dtype=float) / L if self.n
                      else np.zeros((0, len(rec.stages), 3)))

    def rows(self, scope: str, mask: np.ndarray) -> list[Row]:
        n = int(mask.sum())
        done = mask & self.done
        lead = self.lead[done]
        visits = self.visits[done]
        return [
            (scope, "applications", float(n)),
            (scope, "handed_over", float(done.sum())),
            (scope, "unfinished", float(n - done.sum())),
            (scope, "lead_time_mean_days", _mean(lead)),
            (scope, "lead_time_p50_days", _quantile(lead, 0.5)),
            (scope, "lead_time_p90_days", _quantile(lead, 0.9)),
            (scope, "lead_time_max_days", float(lead.max()) if len(lead) else math.nan),
            (scope, "lead_time_mean_calendar_days", _mean(self.lead_cal[done])),
            (scope, "issue_time_mean_days", _mean(self.issue[mask & self.issued])),
            (scope, "promise_time_mean_days", _mean(self.promised[mask & self.issued])),
            (scope, "promise_time_p90_days", _quantile_finite(self.promised[mask], 0.9)),
            (scope, "promise_time_p95_days", _quantile_finite(self.promised[mask], 0.95)),
            (scope, "promise_share", float(self.kept[mask].mean()) if n else math.nan),
            (scope, "ready_share", float(self.ready[mask].mean()) if n else math.nan),
            (scope, "lateness_mean_days", _mean(self.lateness[mask & self.issued])),
            (scope, "late_mean_days", _mean(self.lateness[mask & self.issued & ~self.ready])),
            (scope, "incomplete_share", float(self.incomplete[mask].mean()) if n else math.nan),
            (scope, "visits_mean", _mean(visits)),
            (scope, "one_visit_share", float(np.mean(visits <= 1)) if len(visits) else math.nan),
            (scope, "zero_visit_share", float(np.mean(visits == 0)) if len(visits) else math.nan),
            (scope, "supplements_mean", _mean(self.supplements[done])),
            (scope, "pledge_share", _mean(self.pledged[done])),
        ]


def kpis(rec: Records, params: LicenceParams) -> list[Row]:
    table = Table(rec, params)
    L = rec.clock.L
    counted_days = rec.days - rec.warmup_days
    rows: list[Row] = []
    everyone = np.ones(table.n, bool)
    rows += table.rows("all", everyone)
    if params.proxy is not None:
        rows += table.rows("channel:proxy", table.proxied)
        rows += table.rows("channel:self", ~table.proxied)
    if 0 < params.arrivals.online_share < 1:
        rows += table.rows("channel:online", table.online)
        rows += table.rows("channel:counter", ~table.online)
    rows.append(("all", "open_end", float(open_at_end(rec))))

    # where the time goes: waiting, working, other delays per stage (working days of office time)
    done = table.times[table.done]
    for k, stage in enumerate(rec.stages):
        scope = ("stage:" + INTAKE if k == 0 else "stage:" + HANDOVER if k == len(rec.stages) - 1
                 else f"step:{stage}")
        for col, metric in ((WAIT, "wait_mean_days"), (WORK, "work_mean_days"), (DELAY, "delay_mean_days")):
            rows.append((scope, metric, _mean(done[:, k, col])))

    # staff time
    capacity = L * counted_days
    total_busy = total_cap = 0.0
    for name in rec.stages[1:-1]:
        staff = params.departments[params.steps[name].department].staff
        rows.append((f"step:{name}", "utilisation", rec.step_busy[name] / (staff * capacity)))
    for name, dept in params.departments.items():
        rows.append((f"department:{name}", "utilisation", rec.busy[name] / (dept.staff * capacity)))
        total_busy += rec.busy[name]
        total_cap += dept.staff * capacity
    rows.append(("all", "utilisation", total_busy / total_cap))
    if params.proxy is not None:
        rows.append(("helpers", "utilisation", rec.helper_busy / (params.proxy.helpers * capacity)))

    # the lead-time distribution
    lead = table.lead[table.done]
    for q in QUANTILES:
        rows.append((f"quantile:{q:.2f}", "lead_time_days", _quantile(lead, q)))
    return rows


def open_at_end(rec: Records) -> int:
    """Applications started before the end of the run's days and not yet handed over then."""
    t_end = rec.days * rec.clock.L
    started = [a for a in rec.apps if a.t_start < t_end]
    if not started:
        return 0
    end_cal = np.array([a.t_end_cal for a in started], dtype=float)
    t_done = np.full(len(started), np.inf)
    ok = ~np.isnan(end_cal)
    t_done[ok] = rec.clock.to_office(end_cal[ok])
    return int(np.sum(t_done > t_end))


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def _quantile(x, q: float) -> float:
    return float(np.quantile(x, q, method="inverted_cdf")) if len(x) else math.nan


def _quantile_finite(x, q: float) -> float:
    """The empirical quantile, counting infinite values (never issued) as longer than
    any other; NaN when the quantile itself falls among them (no limit would do)."""
    value = _quantile(x, q)
    return value if math.isfinite(value) else math.nan
