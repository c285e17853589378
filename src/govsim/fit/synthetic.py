"""Queue-ticket logs from known distributions, to test ``govsim fit`` and to ship as an
example: one bank of named windows on a daily roster, first come first served.

Arrivals per matter follow an hourly profile (24 entries, or 168 from Monday), service
and patience the given distributions (govsim's own ``{dist: ...}`` specs).  A window
going off duty finishes its visitor first; a free window on duty calls the next in
line (the one idle longest calls first).  When the roster drops to zero the hall
closes: whoever still waits is sent away, their tickets closed together (a batch).
"""
from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import pandas as pd
from pydantic import TypeAdapter

from ..calendar import DAY
from ..distributions import Distribution

DIST = TypeAdapter(Distribution)
MONDAY = pd.Timestamp("2024-03-04")  # the log's first day
END, LEAVE, ROSTER = 0, 1, 2


@dataclass
class Matter:
    rate_per_hour: list[float]  # 24 entries from midnight, or 168 from Monday 00:00
    service: dict  # a govsim distribution spec, minutes
    patience: Optional[dict] = None


@dataclass
class Hall:
    matters: dict[str, Matter]
    roster: list[tuple[str, int]]  # [("00:00", 0), ("08:00", 4), ...], daily
    days: int = 20
    window_names: list[str] = field(default_factory=list)  # default: "Window 01", ...


def _arrivals(m: Matter, days: int, gen: np.random.Generator) -> np.ndarray:
    """Lewis-Shedler thinning over the whole log at once."""
    rates = np.asarray(m.rate_per_hour, float)
    horizon = days * DAY
    peak = rates.max() / 60.0
    t = np.sort(gen.uniform(0, horizon, gen.poisson(peak * horizon)))
    keep = gen.random(len(t)) < rates[(t // 60).astype(int) % len(rates)] / 60.0 / peak
    return t[keep]


def _on_duty(roster) -> list[tuple[float, int]]:
    return [(int(hm[:2]) * 60 + int(hm[3:]), n) for hm, n in roster]


def simulate(hall: Hall, seed: int) -> pd.DataFrame:
    """The log as a table of text, one row per ticket, in the order tickets were taken."""
    gen = np.random.default_rng(seed)
    names = list(hall.matters)
    parts = []
    for k, name in enumerate(names):
        m = hall.matters[name]
        t = _arrivals(m, hall.days, gen)
        svc = DIST.validate_python(m.service).draw_block(gen, len(t))
        pat = DIST.validate_python(m.patience).draw_block(gen, len(t)) if m.patience else np.full(len(t), np.inf)
        parts.append(np.column_stack([t, np.full(len(t), k), svc, pat]))
    cust = np.concatenate(parts)
    cust = cust[np.argsort(cust[:, 0], kind="stable")]
    called, finished, window = _run(hall, cust)
    return _table(hall, names, cust, called, finished, window)


def _run(hall: Hall, cust: np.ndarray):
    n = len(cust)
    called, finished = np.full(n, np.nan), np.full(n, np.nan)
    window = np.full(n, -1)
    changes = _on_duty(hall.roster)
    busy = [False] * max(c for _, c in changes)
    version = [0] * len(busy)
    free: list = []  # (idle since, window, version): the window idle longest calls first
    on_duty = 0
    queue: deque = deque()
    events: list = [(day * DAY + minute, ROSTER, c) for day in range(hall.days + 1) for minute, c in changes]
    heapq.heapify(events)
    arrived, service, patience = cust[:, 0].tolist(), cust[:, 2].tolist(), cust[:, 3].tolist()

    def set_free(w, now):
        busy[w] = False
        version[w] += 1
        heapq.heappush(free, (now, w, version[w]))

    def take_free():
        while free:
            _, w, v = heapq.heappop(free)
            if v == version[w] and w < on_duty and not busy[w]:
                return w
        return None

    def start(i, w, now):
        busy[w] = True
        called[i], window[i] = now, w
        heapq.heappush(events, (now + service[i], END, (i, w)))

    def call_next(now):
        while queue and not np.isnan(finished[queue[0]]):  # left while waiting
            queue.popleft()
        while queue:
            w = take_free()
            if w is None:
                return
            start(queue.popleft(), w, now)
            while queue and not np.isnan(finished[queue[0]]):
                queue.popleft()

    nxt = 0
    while nxt < n or events:
        if nxt < n and (not events or arrived[nxt] <= events[0][0]):
            i, now = nxt, arrived[nxt]
            nxt += 1
            w = take_free()
            if w is not None:
                start(i, w, now)
            else:
                queue.append(i)
                if patience[i] < np.inf:
                    heapq.heappush(events, (now + patience[i], LEAVE, i))
            continue
        now, kind, what = heapq.heappop(events)
        if kind == END:
            i, w = what
            finished[i] = now
            set_free(w, now)
            call_next(now)
        elif kind == LEAVE:
            if np.isnan(called[what]) and np.isnan(finished[what]):
                finished[what] = now
        else:
            before, on_duty = on_duty, what
            for w in range(before, on_duty):  # windows coming on duty
                if not busy[w]:
                    set_free(w, now)
            if on_duty == 0:  # closing: everyone still waiting is sent home at once
                for i in queue:
                    if np.isnan(finished[i]):
                        finished[i] = now
                queue.clear()
            call_next(now)
    return called, finished, window


def _table(hall: Hall, names, cust, called, finished, window) -> pd.DataFrame:
    size = max(c for _, c in hall.roster)
    wnames = hall.window_names or [f"Window {w + 1:02d}" for w in range(size)]

    def stamp(minutes):
        t = MONDAY + pd.to_timedelta(np.round(minutes * 60), unit="s")
        return pd.Series(t.strftime("%Y-%m-%d %H:%M:%S")).where(~np.isnan(minutes), "")

    matter = np.array(names, dtype=object)[cust[:, 1].astype(int)]
    day = (cust[:, 0] // DAY).astype(int)
    ticket = pd.Series(day).groupby(day).cumcount() + 1
    return pd.DataFrame({
        "ticket": [f"A{n:04d}" for n in ticket],
        "matter": matter,
        "arrived": stamp(cust[:, 0]),
        "called": stamp(called),
        "finished": stamp(finished),
        "window": np.where(window >= 0, np.array(wnames, dtype=object)[np.maximum(window, 0)], ""),
    })


WEEKDAY_SHAPE = [0, 0, 0, 0, 0, 0, 0, 0, 18, 30, 26, 22, 10, 16, 22, 20, 14, 0, 0, 0, 0, 0, 0, 0]  # a day's tickets per hour
WEEK_FACTORS = [1.3, 1.0, 1.0, 1.0, 1.1, 0, 0]  # Monday busier; closed at weekends


def example_hall(days: int = 20, scale: float = 1.0) -> Hall:
    """The hall behind examples/hall_log.csv: three matters on a weekday profile, five
    windows with three over lunch, closing at 17:00 (whoever still waits is sent home)."""
    def week(share: float) -> list[float]:
        return [round(f * r * share * scale, 6) for f in WEEK_FACTORS for r in WEEKDAY_SHAPE]

    return Hall(
        matters={
            "social security": Matter(week(0.5), {"dist": "lognormal", "mean": 8.0, "cv": 0.6},
                                      {"dist": "exponential", "mean": 25.0}),
            "tax": Matter(week(0.3), {"dist": "gamma", "mean": 12.0, "cv": 0.5}, {"dist": "exponential", "mean": 40.0}),
            "business licence": Matter(week(0.2), {"dist": "weibull", "mean": 15.0, "cv": 0.8}),
        },
        roster=[("00:00", 0), ("08:00", round(5 * scale)), ("12:00", round(3 * scale)), ("13:00", round(5 * scale)),
                ("17:00", 0)],
        days=days,
    )
