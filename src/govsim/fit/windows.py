"""Windows by hour of the day, and the roster the fitted scenario uses.

Which windows serve which matters splits the hall into stations: matters and windows
joined by service form one bank of windows.  A window counts for a matter when it
served it at least ``STRAY`` times as often as a pooled hall would (tickets of the
matter x tickets of the window / all tickets), or served the most of them: a few
tickets served at another department's window do not merge two departments.

Per station and hour of the day, averaged over the days on which someone was called in
that hour (a day without calls in an hour says nothing of who was on duty: the hall
may have been empty, or closed that weekday):

- *windows seen*: distinct windows that called a ticket in the hour, or served through
  all of it.  Calls, not services, so that a window that goes to lunch after finishing
  its visitor is not counted in the hour it left.  The roster uses this, rounded.
- *busy windows*: service minutes in the hour / 60, the occupancy.  This is demand, not
  capacity (it is what the windows seen did); a roster of it would run the hall at 100%
  and is written as a policy to show how much the choice matters.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STRAY = 0.1
HOUR = 60.0


@dataclass
class Station:
    name: str
    classes: list[int]
    windows: list[str]
    seen: np.ndarray  # 24: windows seen per hour of the day
    busy: np.ndarray  # 24: busy windows per hour of the day
    active: np.ndarray  # 24: days with a call in the hour (the averages' denominators)
    days: int  # days with tickets for this station

    def roster(self) -> list[int]:
        return [int(np.floor(x + 0.5)) for x in self.seen]

    def busy_roster(self) -> list[int]:
        """Busy windows rounded up, at least 1 where the roster has any, never more."""
        return [min(n, max(1, int(np.ceil(b - 1e-9)))) if n else 0 for n, b in zip(self.roster(), self.busy)]


def timetable(per_hour: list[int]) -> list[list]:
    """24 hourly counts -> [["00:00", n], ["08:00", m], ...] at each change."""
    out = [["00:00", per_hour[0]]]
    for h in range(1, 24):
        if per_hour[h] != per_hour[h - 1]:
            out.append([f"{h:02d}:00", per_hour[h]])
    return out


def _components(cls: np.ndarray, win: np.ndarray, n_cls: int, n_win: int) -> np.ndarray:
    """Union-find over classes (0..n_cls-1) and windows (n_cls..): each node's root."""
    ct = np.bincount(cls * n_win + win, minlength=n_cls * n_win).reshape(n_cls, n_win)
    pooled = np.outer(ct.sum(axis=1), ct.sum(axis=0)) / max(ct.sum(), 1)
    keep = (ct > 0) & ((ct >= STRAY * pooled) | (ct == ct.max(axis=1, keepdims=True)))
    parent = np.arange(n_cls + n_win)

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for c, w in zip(*np.nonzero(keep)):
        parent[root(c)] = root(n_cls + w)
    lonely = np.flatnonzero(~keep.any(axis=0))  # a window whose every matter is elsewhere: its top matter's bank
    for w in lonely:
        parent[root(n_cls + w)] = root(int(np.argmax(ct[:, w])))
    return np.array([root(i) for i in range(n_cls + n_win)])


def stations(served: pd.DataFrame, cls: np.ndarray, classes: list[str], arrival_day: np.ndarray,
             arrival_cls: np.ndarray, epoch: pd.Timestamp) -> list[Station]:
    """``served``: called, finished, window of the served tickets, ``cls`` their classes;
    ``arrival_day``/``arrival_cls``: every ticket's day index and class."""
    win, names = pd.factorize(served["window"], sort=True)
    roots = _components(cls, win, len(classes), len(names))
    served_classes = set(np.unique(cls).tolist())
    groups: dict[int, list[int]] = {}
    for c in range(len(classes)):
        if c in served_classes:
            groups.setdefault(int(roots[c]), []).append(c)
    order = sorted(groups, key=lambda r: min(groups[r]))  # the bank of the busiest matter first
    for c in range(len(classes)):  # a matter never served waits at the busiest bank
        if c not in served_classes:
            groups[order[0]].append(c)
    start = ((served["called"] - epoch).dt.total_seconds() / 60).to_numpy()
    end = ((served["finished"] - epoch).dt.total_seconds() / 60).to_numpy()
    out = []
    for r in order:
        members = sorted(groups[r])
        in_bank = np.flatnonzero(roots[len(classes):] == r)
        mine = np.isin(win, in_bank)
        days = len(np.unique(arrival_day[np.isin(arrival_cls, members)]))
        seen, busy, active = _by_hour(start[mine], end[mine], win[mine])
        name = "windows" if len(order) == 1 else f"windows_{classes[members[0]]}"
        out.append(Station(name, members, [str(names[w]) for w in in_bank], seen, busy, active, days))
    return out


def _by_hour(start: np.ndarray, end: np.ndarray, win: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h0 = np.floor(start / HOUR).astype(np.int64)
    h1 = np.floor(end / HOUR).astype(np.int64)
    # windows seen: the hour of each call, and every hour served through whole
    through = np.maximum(h1 - h0 - 1, 0)
    rep = np.repeat(np.arange(len(h0)), through)
    step = np.arange(len(rep)) - np.repeat(np.cumsum(through) - through, through) + 1
    hours = np.concatenate([h0, h0[rep] + step])
    wins = np.concatenate([win, win[rep]])
    n_win = int(win.max()) + 1 if len(win) else 1
    pairs = np.unique(hours * n_win + wins)
    active = np.bincount(np.unique(hours) % 24, minlength=24)
    per_day = np.maximum(active, 1)
    seen = np.bincount((pairs // n_win) % 24, minlength=24) / per_day
    # busy windows: each service's minutes in each hour it touches
    span = h1 - h0 + 1
    rep = np.repeat(np.arange(len(h0)), span)
    hour = h0[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(span) - span, span))
    minutes = np.minimum(end[rep], (hour + 1) * HOUR) - np.maximum(start[rep], hour * HOUR)
    busy = np.bincount(hour[np.isin(hour, hours)] % 24, weights=minutes[np.isin(hour, hours)],
                       minlength=24) / HOUR / per_day
    return seen, busy, active
