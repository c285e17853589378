"""KPIs of one network replication, computed from its records.

Scopes: ``all``, ``station:<name>`` and ``class:<name>``.  At a station, waits and
sojourns are per visit; for ``all`` and a class they are per customer, summed over
the journey.  Only customers who arrived at or after the warm-up are counted;
time averages (queue length, utilisation) are taken over [warm-up, horizon].

Utilisation is busy server-minutes over on-duty server-minutes: the roster's, plus a
server's minutes finishing its last customer after its shift ended (so it never
exceeds 1); a plain number of servers is on duty all the time.
``staffed_hours_per_day`` is those on-duty server-minutes in hours per 24 hours.
"""
from __future__ import annotations

import numpy as np

from ...calendar import DAY
from .records import ABANDONED, BLOCKED, IN_SERVICE_AT_END, SERVED, WAITING_AT_END, Records

Row = tuple[str, str, float]


def kpis(rec: Records) -> list[Row]:
    a = rec.arrays()
    w0, h = rec.warmup, rec.horizon
    span = h - w0
    v_st, v_cls, v_out = a["v_station"], a["v_class"], a["v_outcome"]
    v_arr, v_start, v_end = a["v_arr"], a["v_start"], a["v_end"]
    v_counted = a["v_t0"] >= w0
    started = (v_out == SERVED) | (v_out == IN_SERVICE_AT_END)
    # time each visit spent waiting / in service inside the observation window
    wait_end = np.where(np.isnan(v_start), v_end, v_start) if len(v_start) else v_start
    waiting_in_window = _overlap(v_arr, wait_end, w0, h)
    busy_in_window = np.where(started, _overlap(np.nan_to_num(v_start), v_end, w0, h), 0.0)

    c_cls, c_out = a["c_class"], a["c_outcome"]
    c_counted = a["c_arr"] >= w0
    c_sojourn = a["c_end"] - a["c_arr"]

    rows: list[Row] = []
    staffed = [_staffed_minutes(roster, overrun, w0, h) for roster, overrun in zip(rec.rosters, rec.overrun)]
    used = [i for i, u in enumerate(rec.used) if u]
    if all(len(rec.rosters[i]) == 1 and len(rec.overrun[i]) == 1 for i in used):  # servers constant: as ever
        used_staffed = sum(rec.rosters[i][0][1] for i in used) * span
    else:
        used_staffed = sum(staffed[i] for i in used)

    def staff_rows(scope: str, busy: float, minutes: float) -> None:
        rows.append((scope, "utilisation", busy / minutes if minutes > 0 else np.nan))
        rows.append((scope, "staffed_hours_per_day", minutes / 60.0 / (span / DAY)))

    def customer_scope(scope: str, cmask, vmask, minutes: float | None):
        # overall utilisation: busy server time over the stations customers can reach
        m = cmask & c_counted
        done = m & (c_out == SERVED)
        rows.extend(_flow_rows(scope, c_out[m], a["c_wait"][done], c_sojourn[done]))
        rows.append((scope, "visits_mean", _mean(a["c_visits"][done])))
        rows.append((scope, "queue_len_mean", waiting_in_window[vmask].sum() / span))
        if minutes is not None:
            staff_rows(scope, busy_in_window[vmask].sum(), minutes)

    everyone_c = np.ones(len(c_cls), bool)
    everyone_v = np.ones(len(v_st), bool)
    customer_scope("all", everyone_c, everyone_v, used_staffed)

    for i, name in enumerate(rec.station_names):
        vm = v_st == i
        m = vm & v_counted
        served = m & (v_out == SERVED)
        scope = f"station:{name}"
        rows.extend(_flow_rows(scope, v_out[m], (v_start - v_arr)[served], (v_end - v_arr)[served]))
        rows.append((scope, "queue_len_mean", waiting_in_window[vm].sum() / span))
        staff_rows(scope, busy_in_window[vm].sum(), staffed[i])

    for k, name in enumerate(rec.class_names):
        customer_scope(f"class:{name}", c_cls == k, v_cls == k, None)
    return rows


def _flow_rows(scope: str, outcomes: np.ndarray, waits: np.ndarray, sojourns: np.ndarray) -> list[Row]:
    n = len(outcomes)
    counts = {code: int(np.count_nonzero(outcomes == code)) for code in (SERVED, ABANDONED, BLOCKED)}
    inside = n - sum(counts.values())
    return [
        (scope, "arrived", float(n)),
        (scope, "served", float(counts[SERVED])),
        (scope, "abandoned", float(counts[ABANDONED])),
        (scope, "blocked", float(counts[BLOCKED])),
        (scope, "in_system_end", float(inside)),
        (scope, "abandon_frac", counts[ABANDONED] / n if n else np.nan),
        (scope, "blocked_frac", counts[BLOCKED] / n if n else np.nan),
        (scope, "wait_mean_min", _mean(waits)),
        (scope, "wait_p90_min", float(np.percentile(waits, 90)) if len(waits) else np.nan),
        (scope, "sojourn_mean_min", _mean(sojourns)),
    ]


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else np.nan


def _overlap(lo: np.ndarray, hi: np.ndarray, w0: float, h: float) -> np.ndarray:
    return np.clip(np.minimum(hi, h) - np.maximum(lo, w0), 0.0, None)


def _staffed_minutes(roster: list, overrun: list, w0: float, h: float) -> float:
    """On-duty server-minutes in [w0, h]: the roster's steps plus the overrun's."""
    if len(roster) == 1 and len(overrun) == 1:
        return roster[0][1] * (h - w0)  # a plain number of servers (as the utilisation has always been)
    return step_area(roster, w0, h) + step_area(overrun, w0, h)


def step_area(steps: list, w0: float, h: float) -> float:
    """The area under a step function [(t, level), ...] (each level holds until the next t) in [w0, h]."""
    ends = [t for t, _ in steps[1:]] + [h]
    return float(sum(level * max(0.0, min(end, h) - max(t, w0)) for (t, level), end in zip(steps, ends)))


def cost_rows(params, rows: list[Row], span: float) -> list[Row]:
    """Staff cost per day (each station's staffed hours times its hourly cost) and per
    customer served, where the stations give a cost."""
    costs = {name: st.cost_per_server_hour_yuan for name, st in params.stations.items()
             if st.cost_per_server_hour_yuan is not None}
    if not costs:
        return []
    hours = {s[len("station:"):]: v for s, m, v in rows if m == "staffed_hours_per_day" and s.startswith("station:")}
    served = next(v for s, m, v in rows if s == "all" and m == "served")
    out = [(f"station:{name}", "staff_cost_yuan_per_day", hours[name] * cost) for name, cost in costs.items()]
    per_day = sum(v for _, _, v in out)
    out.append(("all", "staff_cost_yuan_per_day", per_day))
    served_per_day = served / (span / DAY)
    out.append(("all", "cost_per_customer_yuan", per_day / served_per_day if served_per_day else np.nan))
    return out


def service_level_rows(rec: Records, thresholds: list[float]) -> list[Row]:
    """For each threshold N (minutes), the share of counted customers served after waiting
    at most N in all (abandoned and blocked ones were not; those still inside are left out)."""
    if not thresholds:
        return []
    a = rec.arrays()
    counted = a["c_arr"] >= rec.warmup
    out_ = a["c_outcome"][counted]
    finished = (out_ == SERVED) | (out_ == ABANDONED) | (out_ == BLOCKED)
    waits = a["c_wait"][counted]
    rows = []
    for n in thresholds:
        within = (out_ == SERVED) & (waits <= n + 1e-9)
        share = within.sum() / finished.sum() if finished.any() else np.nan
        rows.append((f"wait_within:{n:g}min", "wait_within_share", float(share)))
    return rows


__all__ = ["kpis", "cost_rows", "service_level_rows", "WAITING_AT_END"]
