"""KPIs of one service-hall replication.

Scopes: ``all``; ``group:<name>``; ``matter:<name>``; ``department:<name>`` (zones
included); ``matters:general`` (outside the zones) and ``matters:zones``;
``channel:proxy`` (visitors a helper pre-checked), ``channel:home_visit``,
``channel:other_province``; ``bank:<name>`` (a window bank); ``back_office``;
``helpers``; ``online_review`` (its team); ``channel:online_review`` and
``channel:appointment`` (visitors reviewed online, visitors who kept their booking);
``wait_within:<N>min`` (the share of window visits served within N minutes);
``hour:HH:MM`` (the queue through the day).  Matters count when their
first trip falls on a counted day (after the warm-up days).

Times of a matter run on the working-day clock (nights count, weekends and holidays
do not) from its first trip (or its request for a home visit): the moment the hall
first receives it, the same in every policy.  A promise is judged on every matter of
the scope: one still open at the end is outside any limit.
"""
from __future__ import annotations

import math

import numpy as np

from ...calendar import DAY
from .records import ABANDONED, BALKED, SENT_HOME, SERVED, SLOT, HallRecords
from .params import HallParams

Row = tuple[str, str, float]

MATTER_METRICS = ("matters", "accepted", "open_end", "acceptance_time_mean_h", "acceptance_time_p90_h",
                  "acceptance_time_p95_h", "accepted_within_limit_share", "completion_time_mean_h",
                  "completion_time_p95_h", "visits_mean", "one_visit_share", "pledge_share", "wait_mean_min",
                  "wait_p90_min", "hall_time_mean_min", "balk_frac", "abandon_frac", "sent_home_frac")
OTHER_METRICS = ("utilisation", "window_utilisation", "staff_total", "staff_utilisation", "back_office_min_per_day",
                 "approval_wait_mean_h", "approvals_per_day", "approval_backlog_min", "overtime_min_per_day",
                 "served_per_day", "queue_len_mean", "precheck_per_day", "full_process_per_day",
                 "home_visits_per_day", "other_province_per_day", "turnaround_days_mean", "staff_cost_yuan_per_day",
                 "staff_cost_yuan_per_week",
                 "cost_per_matter_yuan", "staff_hours_per_day", "wait_within_share", "reviews_per_day", "gaps_caught_per_day")
METRICS = MATTER_METRICS + OTHER_METRICS


def kpis(rec: HallRecords, params: HallParams) -> list[Row]:
    t0, t1 = rec.warmup_days * DAY, rec.days * DAY
    days = rec.days - rec.warmup_days
    clock = working_clock(params)
    table = _Table(rec, params, params.promise.limit_h if params.promise else None, clock)
    n_counted = len(table.vid)

    rows: list[Row] = []
    scopes = {"all": np.ones(n_counted, bool)}
    # groups and matters as codes (their order in the scenario): integer masks, not string comparisons
    group, matter = table.group, table.matter
    for k, g in enumerate(params.groups):
        scopes[f"group:{g}"] = group == k
    for k, mname in enumerate(params.matters):
        scopes[f"matter:{mname}"] = matter == k
    for d in params.departments:
        scopes[f"department:{d}"] = np.isin(matter, [k for k, spec in enumerate(params.matters.values())
                                                     if d in spec.departments])
    general = [k for k, spec in enumerate(params.matters.values())
               if not any(params.departments[d].zone for d in spec.departments)]
    scopes["matters:general"] = np.isin(matter, general)
    scopes["matters:zones"] = ~scopes["matters:general"]
    scopes["channel:proxy"] = table.proxied
    if params.online_review is not None and params.online_review.share > 0:
        scopes["channel:online_review"] = table.online
    if params.appointments is not None and params.appointments.share > 0:
        scopes["channel:appointment"] = table.kept_slot
    if params.home_visits:
        scopes["channel:home_visit"] = table.home_visit & (table.trips == 0)
    if any(m.other_province > 0 for m in params.matters.values()):
        scopes["channel:other_province"] = table.other_province
    for scope, mask in scopes.items():
        rows.extend(table.rows(scope, mask))

    # window banks
    total_busy = total_capacity = 0.0
    for name, bank in rec.banks.items():
        capacity = bank.staffed_min  # window-minutes on duty: utilisation is over staffed time
        total_busy += bank.busy
        total_capacity += capacity
        at_bank = table.wv_counted & table.wv_served & (table.wv_bank == name)
        rows += [(f"bank:{name}", "utilisation", bank.busy / capacity if capacity else math.nan),
                 (f"bank:{name}", "overtime_min_per_day", bank.overtime / days),
                 (f"bank:{name}", "wait_mean_min", _mean(table.wv_wait[at_bank])),
                 (f"bank:{name}", "served_per_day", table.served_between(name, t0, t1) / days)]
    rows.append(("all", "window_utilisation", total_busy / total_capacity if total_capacity else math.nan))
    # the back office: its staff's work, the files' wait, the work left waiting at the end
    office = rec.back_office
    full_day = rec.open_minutes * days  # opening minutes over the counted days
    window_min = sum(bank.staffed_min for bank in rec.banks.values())
    if office is not None:
        capacity = office.staffed_min
        counted_files = np.array([(t_in, t_start) for vid, t_in, t_start, _ in office.approvals
                                  if table.pos[vid] >= 0], dtype=float).reshape(-1, 2)
        rows += [("back_office", "utilisation", office.busy / capacity),
                 ("back_office", "overtime_min_per_day", office.overtime / days),
                 ("back_office", "approval_wait_mean_h",
                  _mean((clock(counted_files[:, 1]) - clock(counted_files[:, 0])) / 60.0)),
                 ("back_office", "approvals_per_day", sum(1 for _, _, b, _ in office.approvals if t0 <= b < t1) / days),
                 ("back_office", "approval_backlog_min", office.backlog[-1])]
        total_busy += office.busy
        total_capacity += capacity
    rows.append(("all", "back_office_min_per_day", office.minutes_in / days if office else 0.0))
    # staff of the windows and the back office, and the helpers in full-time equivalents
    helpers = _helper_minutes_per_day(params) / params.hours.open_minutes() if params.proxy is not None else 0.0
    online = params.online_review.staff if params.online_review is not None else 0
    # per open day, each weekday weighing as in a week: the counted days need not be whole
    # weeks (a six-day hall's 20 counted days hold four Saturdays, a week one in six)
    week = _weekdays_of(params, rec.warmup_days, rec.days)
    window_day = sum(_per_open_day(bank, week, t0) for bank in rec.banks.values())
    office_day = _per_open_day(office, week, t0) if office is not None else 0.0
    staff_day = window_day + office_day + (helpers + online) * rec.open_minutes
    rows += [("all", "staff_total", _full_time_equivalents(params, staff_day, rec.open_minutes)),
             ("all", "staff_utilisation", total_busy / total_capacity if total_capacity else math.nan)]
    rows.append(("all", "staff_hours_per_day", staff_day / 60.0))
    if params.cost is not None:
        c = params.cost

        def cost(windows: float, back_office: float, open_min: float) -> float:
            return (windows * c.window_hour_yuan + back_office * c.back_office_hour_yuan
                    + (helpers * c.helper_hour_yuan + online * c.online_hour_yuan) * open_min) / 60.0
        # a matter's cost: the counted days' staff over the matters they brought in
        counted_cost = cost(window_min, office.staffed_min if office else 0.0, full_day)
        per_day = cost(window_day, office_day, rec.open_minutes)
        # per week: policies open on different days (a Saturday) compare on what a week costs
        rows += [("all", "staff_cost_yuan_per_day", per_day),
                 ("all", "staff_cost_yuan_per_week", per_day * len(params.open_weekdays())),
                 ("all", "cost_per_matter_yuan", counted_cost / n_counted if n_counted else math.nan)]
    if params.service_level is not None:  # share of window visits served within each threshold
        own = table.wv_own
        for limit in params.service_level.wait_min:
            within = own & table.wv_served & (table.wv_wait <= limit)
            rows.append((f"wait_within:{limit:g}min", "wait_within_share",
                         float(within.sum()) / float(own.sum()) if own.any() else math.nan))

    # the online review team (its minutes on duty: opening hours)
    if params.online_review is not None and params.online_review.staff > 0:
        on_duty = params.online_review.staff * full_day
        rows += [("online_review", "utilisation", rec.online_min / on_duty),
                 ("online_review", "reviews_per_day", rec.online_reviews / days),
                 ("online_review", "gaps_caught_per_day", rec.online_caught / days)]

    # proxy helpers
    if params.proxy is not None:
        on_duty = _helper_minutes_per_day(params) * days
        helper_waits = [w for vid, w in rec.helper_waits if table.pos[vid] >= 0]
        rows += [("helpers", "utilisation", rec.helper_busy / on_duty if on_duty else math.nan),
                 ("helpers", "wait_mean_min", _mean(helper_waits)),
                 ("helpers", "precheck_per_day", rec.helper_cases["precheck"] / days),
                 ("helpers", "full_process_per_day", rec.helper_cases["full_process"] / days),
                 ("helpers", "home_visits_per_day", rec.helper_cases["home_visit"] / days)]

    # cross-province matters: volume and turnaround (first trip to done, working days)
    if any(m.other_province > 0 for m in params.matters.values()):
        other = table.other_province
        done = (table.t_done[other] - table.t_first[other]) / DAY
        rows += [("all", "other_province_per_day", int(other.sum()) / days),
                 ("all", "turnaround_days_mean", _mean(done[~np.isnan(done)]))]

    # the queue through the day
    for slot, area in enumerate(rec.queue_area):
        start = slot * SLOT
        if _slot_is_open(params, start):
            rows.append((f"hour:{int(start // 60):02d}:{int(start % 60):02d}", "queue_len_mean", area / (SLOT * days)))
    return rows


# a replication's visitors as columns, in order of first trip: records.Visitor's fields (group and
# matter as their place in the scenario), then the window visits' and trips' columns
VISITOR_COLUMNS = ("vid", "group", "matter", "home_visit", "other_province", "proxied", "trips", "pledged", "online",
                   "kept_slot", "t_first", "t_accepted", "t_done", "approvals", "t_approved")


def columns(rec: HallRecords, params: HallParams) -> dict[str, np.ndarray]:
    """The records' columns the KPIs read, from the Python loop's objects (the compiled
    loop leaves them as ``rec.columns``)."""
    vis = rec.visitors
    # every visitor's fields in one pass (a pass per field costs as much again each)
    (vid, group, matter, home_visit, other_province, proxied, trips, pledged, online, kept_slot, t_first,
     t_accepted, t_done, approvals, t_approved) = (zip(*[
        (w.vid, w.group, w.matter, w.home_visit, w.other_province, v.proxied, v.trips, v.pledged, v.online,
         v.kept_slot, v.t_first, v.t_accepted, v.t_done, v.approvals, v.t_approved)
        for v in vis for w in (v.who,)]) if vis else ((),) * 15)
    cols = {"vid": np.array(vid, dtype=np.int64), "group": _codes(group, list(params.groups)),
            "matter": _codes(matter, list(params.matters)), "home_visit": np.array(home_visit, bool),
            "other_province": np.array(other_province, bool), "proxied": np.array(proxied, bool),
            "trips": np.array(trips, dtype=float), "pledged": np.array(pledged, bool),
            "online": np.array(online, bool), "kept_slot": np.array(kept_slot, bool),
            "t_first": np.array(t_first, dtype=float), "t_accepted": np.array(t_accepted, dtype=float),
            "t_done": np.array(t_done, dtype=float), "approvals": np.array(approvals, dtype=np.int64),
            "t_approved": np.array(t_approved, dtype=float)}
    # the window visits (each a tuple: one zip takes them apart)
    wv_vid, bank, t_arr, t_start, _, outcome, by_helper = (zip(*rec.window_visits) if rec.window_visits
                                                            else ((),) * 7)
    outcome = np.array(outcome, dtype=object)
    cols.update({"wv_vid": np.array(wv_vid, dtype=np.int64), "wv_bank": np.array(bank, dtype=object),
                 "wv_t_arr": np.array(t_arr, dtype=float), "wv_t_start": np.array(t_start, dtype=float),
                 "wv_served": np.isin(outcome, SERVED), "wv_by_helper": np.array(by_helper, bool),
                 **{f"wv_{o}": outcome == o for o in (BALKED, ABANDONED, SENT_HOME)},
                 "trip_vid": np.array([t[0] for t in rec.trips], dtype=np.int64),
                 "trip_len": np.array([b - a for _, a, b in rec.trips], dtype=float)})
    return cols


class _Table:
    """The counted visitors and their window visits and trips, as arrays, so that
    every scope is a boolean mask."""

    def __init__(self, rec: HallRecords, params: HallParams, limit_h=None, clock=lambda t: t):
        self.limit_h = limit_h  # the promised acceptance time limit, if any
        cols = rec.columns if rec.columns is not None else columns(rec, params)
        t0, t1 = rec.warmup_days * DAY, rec.days * DAY
        counted = (t0 <= cols["t_first"]) & (cols["t_first"] < t1)  # matters first coming on counted days
        (self.vid, self.group, self.matter, self.home_visit, self.other_province, self.proxied, self.trips,
         self.pledged, self.online, self.kept_slot, self.t_first, t_accepted, self.t_done, approvals, t_approved) = (
            cols[name][counted] for name in VISITOR_COLUMNS)
        first = clock(self.t_first)
        self.acc_h = (clock(t_accepted) - first) / 60.0
        self.accepted = ~np.isnan(self.acc_h)
        # Visitor.t_completed: through when accepted and every approval is done
        completed = np.where(approvals > 0, np.nan, np.maximum(t_accepted, t_approved))
        self.done_h = (clock(completed) - first) / 60.0
        self.pos = np.full(int(cols["vid"].max(initial=0)) + 1, -1, dtype=np.int64)  # visitor id -> row, -1: not counted
        self.pos[self.vid] = np.arange(len(self.vid))
        self.wv_row = self.pos[cols["wv_vid"]]
        self.wv_counted = self.wv_row >= 0
        self.wv_bank = cols["wv_bank"]
        self.wv_start = cols["wv_t_start"]
        self.wv_wait = self.wv_start - cols["wv_t_arr"]
        self.wv_served = cols["wv_served"]
        self.wv_ended = {o: cols[f"wv_{o}"] for o in (BALKED, ABANDONED, SENT_HOME)}
        self.wv_own = self.wv_counted & ~cols["wv_by_helper"]
        self.trip_row = self.pos[cols["trip_vid"]]
        self.trip_len = cols["trip_len"]

    def served_between(self, bank: str, t0: float, t1: float) -> int:
        """Services begun at a bank in [t0, t1), whoever the visitor."""
        return int(np.sum(self.wv_served & (self.wv_bank == bank) & (self.wv_start >= t0) & (self.wv_start < t1)))

    def rows(self, scope: str, mask: np.ndarray) -> list[Row]:
        acc = mask & self.accepted
        in_scope = np.zeros(len(mask) + 1, bool)  # the extra last slot answers row -1 (not counted)
        in_scope[:-1] = mask
        own = self.wv_own & in_scope[self.wv_row]
        waits = self.wv_wait[own & self.wv_served]
        n_own = int(own.sum())
        hall = self.trip_len[in_scope[self.trip_row]]
        n, n_acc = int(mask.sum()), int(acc.sum())

        def share(outcome):
            return float(np.sum(self.wv_ended[outcome][own])) / n_own if n_own else math.nan

        promise = [] if self.limit_h is None else [
            (scope, "accepted_within_limit_share", float(np.mean(self.acc_h[mask] <= self.limit_h)) if n else math.nan)]
        done = self.done_h[mask]
        return [
            (scope, "matters", float(n)),
            (scope, "accepted", float(n_acc)),
            (scope, "open_end", float(n - n_acc)),
            (scope, "acceptance_time_mean_h", _mean(self.acc_h[acc])),
            (scope, "acceptance_time_p90_h", promised(self.acc_h[mask], 0.90)),
            (scope, "acceptance_time_p95_h", promised(self.acc_h[mask], 0.95)),
            *promise,
            (scope, "completion_time_mean_h", _mean(done[~np.isnan(done)])),
            (scope, "completion_time_p95_h", promised(done, 0.95)),
            (scope, "visits_mean", _mean(self.trips[acc])),
            (scope, "one_visit_share", float(np.mean(self.trips[acc] <= 1)) if n_acc else math.nan),
            (scope, "pledge_share", float(np.mean(self.pledged[acc])) if n_acc else math.nan),
            (scope, "wait_mean_min", _mean(waits)),
            (scope, "wait_p90_min", _p90(waits)),
            (scope, "hall_time_mean_min", _mean(hall)),
            (scope, "balk_frac", share(BALKED)),
            (scope, "abandon_frac", share(ABANDONED)),
            (scope, "sent_home_frac", share(SENT_HOME)),
        ]


def working_clock(params: HallParams):
    """Simulated time -> the working-day clock (Monday to Friday; nights count, weekends
    do not).  The simulated days are the hall's open days, so the two agree unless the
    hall opens at the weekend: then a weekend day adds no time (what happens on a
    Saturday counts as done at the start of Monday)."""
    if not params.hours.weekend_open():
        return lambda t: t

    def clock(t):
        t = np.asarray(t, dtype=float)
        day = np.nan_to_num(np.floor(t / DAY), nan=0.0).astype(np.int64)
        top = int(day.max(initial=0)) + 2
        working = np.array([params.hours.weekday(d) < 5 for d in range(top)])
        before = np.concatenate([[0], np.cumsum(working)])  # working days before each day
        out = before[day] * DAY + np.where(working[day], t - day * DAY, 0.0)
        return np.where(np.isnan(t), np.nan, out)
    return clock


def _weekdays_of(params: HallParams, first: int, stop: int) -> np.ndarray:
    """Weekday (0 = Monday) of each counted day ``first`` .. ``stop - 1``."""
    return np.array([params.hours.weekday(d) for d in range(first, stop)], dtype=np.int64)


def _per_open_day(bank, weekdays: np.ndarray, t0: float) -> float:
    """Staff-minutes on duty at ``bank`` (a window bank or the back office) per open day, as
    in a week of the hall's: each weekday's mean over the counted days that fall on it (from
    ``t0``, one a day in ``weekdays``), averaged over the weekdays.  With whole weeks counted
    it is the plain mean per day."""
    days = len(weekdays)
    if not days:
        return math.nan
    step_t = np.array([t for t, _ in bank.staffed.steps], dtype=float)
    step_n = np.array([n for _, n in bank.staffed.steps], dtype=float)
    t1 = t0 + days * DAY
    edges = np.unique(np.concatenate([step_t[(step_t > t0) & (step_t < t1)], t0 + DAY * np.arange(days + 1)]))
    on = step_n[np.searchsorted(step_t, edges[:-1], side="right") - 1]
    day = ((edges[:-1] - t0) // DAY).astype(np.int64)
    by_day = np.bincount(day, weights=on * np.diff(edges), minlength=days)
    by_weekday = [by_day[weekdays == w].mean() for w in np.unique(weekdays)]
    return float(np.mean(by_weekday))


def _full_time_equivalents(params: HallParams, staff_min_per_day: float, open_min_per_day: float) -> float:
    """Staff in full-time equivalents: a week's staff-minutes (a simulated day is an open
    day) over ``full_time_week_h``, by default the hall's own opening hours over its open days."""
    open_days = len(params.open_weekdays())
    week_min = params.full_time_week_h * 60.0 if params.full_time_week_h is not None else open_min_per_day * open_days
    return staff_min_per_day * open_days / week_min


def _helper_minutes_per_day(params: HallParams) -> float:
    pr = params.proxy
    periods = params.hours.periods()
    part = sum(max(0, min(b, d) - max(a, c)) for a, b in periods for c, d in pr.part_time_hours)
    return pr.full_time * params.hours.open_minutes() + pr.part_time * part


def _slot_is_open(params: HallParams, start: float) -> bool:
    return any(a < start + SLOT and start < b for a, b in params.hours.periods())


def _codes(names: list[str], known: list[str]) -> np.ndarray:
    """Each name's position in ``known`` (-1 for a name not there)."""
    index = {name: k for k, name in enumerate(known)}
    return np.array([index.get(name, -1) for name in names], dtype=np.int64)


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def _p90(x) -> float:
    return float(np.percentile(x, 90)) if len(x) else math.nan


def promised(hours: np.ndarray, level: float) -> float:
    """The time the hall could promise at service level ``level``: the shortest of the
    times observed within which at least that share of the matters was done (NaN: not
    done, beyond any limit; NaN too when more than 1 - level are not done)."""
    n = len(hours)
    if not n:
        return math.nan
    k = math.ceil(level * n - 1e-9) - 1  # at least level * n of them at or below the k-th smallest
    value = float(np.partition(np.where(np.isnan(hours), np.inf, hours), k)[k])
    return value if math.isfinite(value) else math.nan
