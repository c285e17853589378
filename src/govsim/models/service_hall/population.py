"""Every visitor of a replication, with every random attribute, drawn before the hall opens.

A visitor is known by its matter and its place among that matter's arrivals
(``Person.matter``, ``Person.index``).  Each attribute has its own stream holding one
U(0,1) value per visitor of the matter, in the order of the index:

- ``arrivals:<matter>``: arrival times (Poisson counts per open part of an hour);
- ``visitor:<attribute>:<matter>`` for ``group``, ``other_province``, ``asks_proxy``,
  ``full_process``, ``home_visit`` (a uniform compared with the share or chance),
  ``balk_over``, ``patience``, ``precheck_min``, ``full_process_min``,
  ``home_visit_min``, ``turnaround_days``, ``lateness``, ``online_min`` (through the
  distribution's quantile), ``books``, ``no_show``, ``online`` (a uniform below the share);
- ``visitor:<attribute>:<matter>:<department>`` for ``missing`` and ``minor`` (the
  numbers of missing and of minor documents, through the binomial quantile),
  ``caught_major`` and ``caught_minor`` (how many of them an online review catches),
  ``accept`` and ``approve`` (window minutes), one per department of the matter;
- ``visitor:<attribute>:<matter>``, ``COMEBACKS`` values per visitor, for its later
  trips: ``fetch_days``, ``gave_up_days``, ``return_time`` (two: the part of the day,
  the moment in it) and ``check_min`` (window minutes of a rejection).  A visitor
  coming back more often draws the rest from its own stream
  ``visitor:overflow:<matter>:<index>``, so no draw depends on the order of events.

Every attribute is drawn whether or not the params use it (without the feature its
value is ``inf`` or ``nan``), so switching a feature off, or adding an option nobody
takes (a group of share 0, helpers nobody asks for), leaves every other draw where it
was: every policy meets the same visitors (common random numbers).
"""
from __future__ import annotations

import math
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, fields, make_dataclass
from functools import lru_cache
from itertools import repeat, starmap
from typing import Optional

import numpy as np
from scipy.special import comb

from ...calendar import DAY
from ...rng import Streams
from .params import HallParams

COMEBACKS = 6  # later trips drawn ahead per visitor; more (rare) come from its own stream
PER_VISITOR = ("group", "other_province", "asks_proxy", "full_process", "home_visit", "balk_over", "patience",
               "precheck_min", "full_process_min", "home_visit_min", "turnaround_days",
               "books", "no_show", "lateness", "online", "online_min")
PER_DEPARTMENT = ("missing", "minor", "accept", "approve", "caught_major", "caught_minor")
PER_GROUP_CHANCE = ("asks_proxy", "full_process", "home_visit")  # chances that depend on the visitor's group
# attributes that exist with their feature only, and their value without it
OPTIONAL = {"balk_over": math.inf, "patience": math.inf, "precheck_min": math.nan, "full_process_min": math.nan,
            "home_visit_min": math.nan, "turnaround_days": math.nan, "lateness": math.nan, "online_min": math.nan}
STEP_FIELDS = ("major", "minor", "accept_min", "approve_min", "caught_major", "caught_minor")
# uniforms per later trip, in this order
LATER = ("fetch_days", "gave_up_days", "return_segment", "return_position", "check_min")


@dataclass(frozen=True, slots=True)
class Person:
    """Who a visitor is and what it brings, fixed before the hall opens."""

    vid: int  # 1, 2, ... in order of arrival
    matter: str
    index: int  # its place among its matter's arrivals: its identity for the streams
    t_arrive: float
    group: str
    green: bool
    steps: tuple[str, ...]  # departments that must accept the matter, in order
    major: tuple[int, ...]  # missing documents per step that a pledge cannot cover
    minor: tuple[int, ...]  # missing documents per step acceptable against a pledge
    accept_min: tuple[float, ...]
    approve_min: tuple[float, ...]
    other_province: bool
    asks_proxy: bool
    full_process: bool
    home_visit: bool
    balk_over: float  # inf: never balks
    patience: float  # inf: never gives up
    precheck_min: float  # a helper's minutes; nan without helpers
    full_process_min: float
    home_visit_min: float
    turnaround_days: float  # the home region's answer; nan without cross_province
    books: bool  # books an appointment for its first trip (its arrival time is the slot)
    no_show: bool  # does not keep it: comes the next day at the same time, as a walk-in
    lateness: float  # minutes after the slot it arrives (negative: early); nan without appointments
    online: bool  # sends its documents for online review before the first trip
    online_min: float  # the online team's minutes; nan without online_review
    caught_major: tuple[int, ...]  # missing documents per step the online review would catch
    caught_minor: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Later:
    """A visitor's draws for its i-th later trip (and its i-th rejection)."""

    fetch_days: float  # working days to fetch missing documents
    gave_up_days: float  # working days before coming back after a balk or giving up
    time_of_day: float  # minutes after midnight it comes back, from the demand profile
    check_min: float  # window minutes of the i-th rejection


def _unfrozen(cls: type) -> type:
    """``cls``'s slots, unfrozen: an instance built with plain attribute stores becomes a
    ``cls`` by __class__ assignment (allowed between classes of one layout), equal to
    ``cls(*values)``.  A frozen dataclass's __init__ calls object.__setattr__ once per
    field: three to four times as slow."""
    return make_dataclass(f"_Unfrozen{cls.__name__}", [(f.name, f.type) for f in fields(cls)],
                          slots=True, eq=False, repr=False)


_UnfrozenPerson = _unfrozen(Person)


class Population:
    def __init__(self, params: HallParams, streams: Streams, days: int):
        self.params = params
        self.streams = streams
        self.segments = params.demand.segments(params.hours.periods())
        weights = np.array([(hi - lo) * rate for lo, hi, rate in self.segments])
        self._segment_cum = np.cumsum(weights / weights.sum()).tolist()  # a list: bisect is quicker for one value
        self.uniforms: dict[str, np.ndarray] = {}  # stream name -> its uniforms, for tests
        self._day_factors = [params.demand.factor(params.hours.weekday(day)) for day in range(days)]  # by weekday
        times = {m: self._arrival_times(m) for m in params.matters}
        self._people: Optional[list[Person]] = None  # built from the draws when first asked for
        self._draw(times)
        self._later = {m: np.stack([self._uniforms(f"visitor:{a}:{m}", (len(ts), COMEBACKS)) for a in LATER], axis=-1)
                       for m, ts in times.items()}
        self._overflow: dict[tuple[str, int], tuple[np.random.Generator, list[np.ndarray]]] = {}
        docs, imp = params.documents, params.impatience
        self._fetch_days = docs.return_days.quantile_fn()
        self._gave_up_days = imp.return_days.quantile_fn() if imp else (lambda u: math.nan)
        self._check_min = docs.check.quantile_fn()

    # -- later trips ------------------------------------------------------------------
    def later(self, person: Person, i: int) -> Later:
        """What the visitor's i-th later trip brings (i from 0)."""
        if i < COMEBACKS:
            u = self._later[person.matter][person.index, i]
        else:
            u = self._overflow_row(person, i - COMEBACKS)
        fetch, gave_up, segment, position, check = u.tolist()
        lo, hi, _ = self.segments[min(bisect_right(self._segment_cum, segment), len(self.segments) - 1)]
        return Later(self._fetch_days(fetch), self._gave_up_days(gave_up), lo + (hi - lo) * position,
                     self._check_min(check))

    def later_table(self) -> np.ndarray:
        """``later(person, k)``'s values for every visitor and k < COMEBACKS, bit for bit (the
        distributions' own quantile functions, on arrays): row 4 k + field (fetch_days,
        gave_up_days, time_of_day, check_min), a column per visitor in order of arrival."""
        p, arrays = self.params, self.arrays
        lo, hi = (np.array([segment[j] for segment in self.segments]) for j in (0, 1))
        table = np.empty((4 * COMEBACKS, len(self)))
        for code, u in enumerate(self._later.values()):  # the matters in the params' order
            mine = np.flatnonzero(arrays["matter"] == code)
            u = u[arrays["index"][mine]]  # (the matter's visitors, COMEBACKS, LATER), in order of arrival
            segment = np.minimum(np.searchsorted(self._segment_cum, u[..., 2], side="right"), len(self.segments) - 1)
            values = (p.documents.return_days.quantile_array(u[..., 0]),
                      p.impatience.return_days.quantile_array(u[..., 1]) if p.impatience
                      else np.full(u.shape[:2], math.nan),
                      lo[segment] + (hi[segment] - lo[segment]) * u[..., 3],  # as bisect_right, then lo + (hi - lo) x
                      p.documents.check.quantile_array(u[..., 4]))
            for field, value in enumerate(values):
                table[field::4, mine] = value.T
        return table

    def _overflow_row(self, person: Person, j: int) -> np.ndarray:
        """Row j of the visitor's own stream, drawn COMEBACKS rows at a time."""
        key = (person.matter, person.index)
        if key not in self._overflow:
            self._overflow[key] = (self.streams.get(f"visitor:overflow:{person.matter}:{person.index}"), [])
        gen, rows = self._overflow[key]
        while j >= len(rows):
            rows.extend(gen.random((COMEBACKS, len(LATER))))
        return rows[j]

    # -- the visitors -------------------------------------------------------------------
    def _uniforms(self, name: str, shape) -> np.ndarray:
        u = self.streams.get(name).random(shape)
        self.uniforms[name] = u
        return u

    @property
    def people(self) -> list[Person]:
        """Every visitor as a Person, in order of arrival (vid 1, 2, ...).  Built when first
        asked for: the compiled loop reads ``arrays`` alone."""
        if self._people is None:
            people: list[Person] = []  # matter after matter, as laid end to end
            for matter, arrays, per_step, vids in self._drawn:
                people += self._matter_people(matter, arrays, per_step, vids)
            self._people = [people[j] for j in self._order.tolist()]
        return self._people

    def __len__(self) -> int:
        return len(self._order)

    def _draw(self, times: dict[str, np.ndarray]) -> None:
        """Every matter's visitors, numbered 1, 2, ... in order of arrival (ties by matter,
        then index: a stable sort of the matters' times laid end to end): ``arrays`` holds
        their attributes as columns in that order, ``people`` the same as Persons."""
        order = np.argsort(np.concatenate([np.empty(0), *times.values()]), kind="stable")
        vid = np.empty(len(order), dtype=np.int64)
        vid[order] = np.arange(1, len(order) + 1)
        self._order, self._drawn, start = order, [], 0
        for matter, ts in times.items():
            arrays, per_step = self._matter_arrays(matter, ts)
            self._drawn.append((matter, arrays, per_step, vid[start:start + len(ts)].tolist()))
            start += len(ts)
        self.arrays = _in_order([arrays for _, arrays, _, _ in self._drawn], order)

    def _arrival_times(self, matter: str) -> np.ndarray:
        """Non-homogeneous Poisson arrivals: a Poisson count for each open part of an
        hour, spread uniformly in it (exact for piecewise-constant rates); sorted by day."""
        share = self.params.matters[matter].share
        gen = self.streams.get(f"arrivals:{matter}")
        unit_means = [rate * share * (hi - lo) for lo, hi, rate in self.segments]  # times the weekday's factor
        counts, uniforms = [], [np.empty(0)]
        for factor in self._day_factors:
            for mean in unit_means:  # a count, then its uniforms: the stream's order
                n = gen.poisson(mean * factor)
                counts.append(n)
                if n:
                    uniforms.append(gen.random(n))
        days, counts = len(self._day_factors), np.array(counts, dtype=np.int64)
        lo, hi = (np.array([segment[j] for segment in self.segments]) for j in (0, 1))
        starts = (np.arange(days)[:, None] * DAY + lo).ravel()  # day * DAY + lo, a day's segments after another's
        # the same arithmetic as one time at a time: (day * DAY + lo) + (hi - lo) * u
        times = np.repeat(starts, counts) + np.repeat(np.tile(hi - lo, days), counts) * np.concatenate(uniforms)
        day = np.repeat(np.repeat(np.arange(days), len(self.segments)), counts)
        return times[np.lexsort((times, day))]  # sorted within each day

    def _matter_arrays(self, matter: str, times: np.ndarray) -> tuple[dict, list]:
        """A matter's visitors' attributes, one array each, and their values at each step."""
        p, m = self.params, self.params.matters[matter]
        n = len(times)
        u = {a: self._uniforms(f"visitor:{a}:{matter}", n) for a in PER_VISITOR}
        groups = list(p.groups)
        g = _pick(u["group"], [p.groups[name].share for name in groups])
        chance = {a: np.array([getattr(p.groups[name], a) for name in groups])[g] for a in PER_GROUP_CHANCE}
        book, online = p.appointments, p.online_review
        arrays = {
            "t_arrive": times, "group": g, "green": np.array([p.groups[name].green_channel for name in groups], bool)[g],
            "other_province": u["other_province"] < m.other_province,
            **{a: u[a] < chance[a] for a in PER_GROUP_CHANCE},
            **{a: _values(d, u[a], without) for a, d, without in self._optional(a for a in OPTIONAL)},
            "books": u["books"] < (book.share if book else 0.0),
            "no_show": u["no_show"] < (book.no_show if book else 0.0),
            "online": u["online"] < (online.share if online else 0.0),
            "matter": np.full(n, list(p.matters).index(matter), np.int64), "index": np.arange(n, dtype=np.int64),
        }
        per_step = [self._department_values(matter, key, n) for key in _step_keys(m.departments)]
        for j, field_name in enumerate(STEP_FIELDS):
            arrays[field_name] = np.stack([step[j] for step in per_step], axis=1)  # (visitors, steps)
        return arrays, per_step

    def _optional(self, names):
        """(attribute, its distribution or None, the value without it) of each optional attribute."""
        p = self.params
        imp, pr, cross, book, online = p.impatience, p.proxy, p.cross_province, p.appointments, p.online_review
        dist = {"balk_over": imp and imp.balk_over, "patience": imp and imp.patience,
                "precheck_min": pr and pr.precheck, "full_process_min": pr and pr.full_process,
                "home_visit_min": pr and pr.home_visit, "turnaround_days": cross and cross.turnaround_days,
                "lateness": book and book.lateness, "online_min": online and online.minutes}
        return [(name, dist[name], OPTIONAL[name]) for name in names]

    def _matter_people(self, matter: str, arrays: dict, per_step: list, vids: list[int]) -> list[Person]:
        """The matter's visitors as Persons, from its arrays."""
        p, m = self.params, self.params.matters[matter]
        groups = list(p.groups)
        n = len(vids)
        column = {  # one list per Person field, one entry per visitor
            "vid": vids, "index": range(n), "t_arrive": arrays["t_arrive"].tolist(),
            "group": list(map(groups.__getitem__, arrays["group"].tolist())),
            **{a: arrays[a].tolist() for a in ("green", "other_province", *PER_GROUP_CHANCE, "books", "no_show",
                                               "online")},
            # without its feature, one float object for all (not a new one per visitor)
            **{a: arrays[a].tolist() if d else [without] * n for a, d, without in self._optional(OPTIONAL)},
        }
        for j, field_name in enumerate(STEP_FIELDS):
            column[field_name] = _step_tuples([step[j] for step in per_step])
        column["matter"], column["steps"] = repeat(matter), repeat(tuple(m.departments))
        return _persons(column)

    def _department_values(self, matter: str, dept_key: str, n: int) -> tuple[np.ndarray, ...]:
        """(major gaps, minor gaps, accept minutes, approve minutes, major and minor gaps an
        online review would catch) of each visitor at one department of its matter."""
        m = self.params.matters[matter]
        u = {a: self._uniforms(f"visitor:{a}:{matter}:{dept_key}", n) for a in PER_DEPARTMENT}
        missing = binomial_quantile(u["missing"], m.documents, m.p_missing)
        minor = binomial_quantile(u["minor"], missing, m.minor_share)
        catches = self.params.online_review.catches if self.params.online_review else 0.0
        return (missing - minor, minor, m.accept.quantile_array(u["accept"]), m.approve.quantile_array(u["approve"]),
                binomial_quantile(u["caught_major"], missing - minor, catches),
                binomial_quantile(u["caught_minor"], minor, catches))


# what a Population does not read: policies differing only here meet the very same visitors
NOT_DRAWN_FROM = {"departments": True, "layout": True, "home_visits": True, "promise": True, "cost": True,
                  "service_level": True, "full_time_week_h": True, "documents": {"notice", "pledge"},
                  "hours": {"closing_rule"}}
# visitors kept, all populations together (the newest is always kept): a replication of the
# shipped study holds 9,000 (about 12 MB), so this keeps its six, and one of a long run
KEPT_VISITORS = 60_000


class _Kept(threading.local):
    """A thread's kept populations, of one replication (a Dask worker may run tasks in threads)."""

    def __init__(self) -> None:
        self.replication: tuple = ()
        self.populations: "OrderedDict[str, Population]" = OrderedDict()


_kept = _Kept()


def population_of(params: HallParams, streams: Streams, days: int) -> Population:
    """The replication's visitors, as ``Population(params, streams, days)``.  They depend on
    the seed, the replication, the days and the params they are drawn from alone, so a
    process keeps those of the replication in hand and hands them out again: the policies
    of a replication that change only the hall (its layout, the rules of the document
    check) draw them once.  The key leaves out only the params listed in
    ``NOT_DRAWN_FROM``: a param added later is in it, so it can cost a second drawing but
    never a wrong population.  A kept population is only read (``later`` fills a cache of
    draws from the visitor's own stream, the same whichever policy asks first)."""
    replication = (streams.seed, streams.rep, days)
    if replication != _kept.replication:  # the runner goes replication after replication
        forget()
        _kept.replication = replication
    key = params.model_dump_json(exclude=NOT_DRAWN_FROM)
    kept = _kept.populations
    found = kept.get(key)
    if found is not None:
        kept.move_to_end(key)
        return found
    found = kept[key] = Population(params, streams, days)
    while len(kept) > 1 and sum(len(p) for p in kept.values()) > KEPT_VISITORS:
        kept.popitem(last=False)
    return found


def forget() -> None:
    """Let the kept populations go (a study's end, in the process that ran it)."""
    _kept.populations.clear()
    _kept.replication = ()


def _step_keys(departments: list[str]) -> list[str]:
    """A stream key per step: the department's name (``name.2`` for its second step)."""
    seen: dict[str, int] = {}
    keys = []
    for d in departments:
        seen[d] = seen.get(d, 0) + 1
        keys.append(d if seen[d] == 1 else f"{d}.{seen[d]}")
    return keys


def _pick(u: np.ndarray, shares: list[float]) -> np.ndarray:
    """Index of the option each uniform falls in (an option of share 0 is never picked)."""
    cum = np.cumsum(shares)
    return np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(shares) - 1)


def _persons(column: dict) -> list[Person]:
    """A Person per visitor from one iterable per field: each equal to ``Person(*values)``."""
    people = list(starmap(_UnfrozenPerson, zip(*(column[f.name] for f in fields(Person)))))
    for person in people:
        person.__class__ = Person  # frozen from here on
    return people


def _values(dist, u: np.ndarray, without: float) -> np.ndarray:
    """The uniforms through the distribution's quantile; ``without`` for all without one."""
    return dist.quantile_array(u) if dist else np.full(len(u), without)


def _in_order(per_matter: list[dict], order: np.ndarray) -> dict[str, np.ndarray]:
    """The matters' attribute arrays laid end to end, in the visitors' order; the steps'
    (visitors, steps) arrays padded with zeros to the most steps of any matter."""
    out = {}
    for name in per_matter[0] if per_matter else ():
        parts = [arrays[name] for arrays in per_matter]
        if parts[0].ndim == 2:
            most = max(part.shape[1] for part in parts)
            parts = [np.pad(part, ((0, 0), (0, most - part.shape[1]))) for part in parts]
        out[name] = np.concatenate(parts)[order]
    return out


def _step_tuples(values: list[np.ndarray]) -> list[tuple]:
    """Each visitor's values at its matter's steps (one array per step), as tuples.  Counts
    at a single step take one shared tuple per count: few differ, and there are many visitors."""
    if len(values) == 1 and values[0].dtype.kind == "i" and values[0].min(initial=0) >= 0:
        shared = [(k,) for k in range(int(values[0].max(initial=0)) + 1)]
        return list(map(shared.__getitem__, values[0].tolist()))
    return list(zip(*(v.tolist() for v in values)))


def binomial_quantile(u: np.ndarray, trials, p: float) -> np.ndarray:
    """Inverse CDF of Binomial(trials, p) at each uniform (``trials`` a number or one per
    uniform): fewer trials or a smaller p never give more successes for the same u."""
    trials = np.broadcast_to(np.asarray(trials, dtype=np.int64), u.shape)
    cdf = _binomial_cdfs(int(trials.max(initial=0)), p)
    below = (u[..., None] >= cdf[trials]).sum(axis=-1)
    return np.minimum(below, trials)


@lru_cache(maxsize=256)
def _binomial_cdfs(most: int, p: float) -> np.ndarray:
    """Row n: the CDF of Binomial(n, p) at k = 0..most (1 from k = n on), a row per number
    of trials rather than per visitor (the same values, elementwise), kept for the next
    matters and replications."""
    n, k = np.arange(most + 1)[:, None], np.arange(most + 1)
    pmf = np.where(k <= n, comb(n, k) * p ** k * (1.0 - p) ** np.maximum(n - k, 0), 0.0)
    cdf = np.cumsum(pmf, axis=-1)
    cdf.flags.writeable = False  # shared by every caller
    return cdf
