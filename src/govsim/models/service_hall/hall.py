"""The service hall, as simpy processes: ``visitor_journey`` walks one matter from
its first trip to the hall until it is accepted.

Time is minutes on a working-day clock: day d is [1440 d, 1440 (d+1)); weekends
and holidays are not simulated, nights are.  New matters arrive on the run's
days; the hall then keeps its hours (up to ``DRAIN_DAYS`` more) until every
matter that arrived has been accepted, so long acceptance times are not cut off.

A matter needs acceptance by one or more departments (a "one thing" bundle).  With
separate windows the visitor queues at each department's windows in turn; at an
integrated comprehensive window one visit covers them all.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import simpy

from ... import documents
from ...rng import Streams
from ...staffing import AFTER_VISITORS, BEFORE_VISITORS, DAY, Change, Staffed, hall_timetable
from .params import HallParams

DRAIN_DAYS = 60
SLOT = 30.0  # minutes per slot of the through-the-day queue profile
COMEBACKS = 6  # returns drawn ahead per visitor; more (rare) draw from the matter's stream

# how a visit to a window ended
ACCEPTED, STEP_DONE, REJECTED, BALKED, ABANDONED, SENT_HOME = (
    "accepted", "step_done", "rejected", "balked", "abandoned", "sent_home")
SERVED = (ACCEPTED, STEP_DONE, REJECTED)


@dataclass
class Visitor:
    vid: int
    matter: str
    steps: list[str]  # departments that must accept the matter, in order
    group: str
    green: bool
    major: list[int]  # missing documents per step that a pledge cannot cover
    minor: list[int]  # missing documents per step acceptable against a pledge
    accept_min: list[float]
    approve_min: list[float]
    other_province: bool
    asks_proxy: bool
    full_process: bool
    home_visit: bool
    balk_over: float
    patience: float
    helper_min: list[float]  # a helper's minutes for this visitor: pre-check, full process, home visit
    later: "Later"  # what happens to the visitor on later trips, drawn at arrival too
    step: int = 0  # steps before this one are accepted
    t_first: float = 0.0
    trips: int = 0
    proxied: bool = False
    pledged: bool = False
    t_accepted: float = math.nan
    t_done: float = math.nan  # other province: handled by the home region

    def gaps(self, steps: range) -> int:
        return documents.gaps(self.major, self.minor, steps)


@dataclass
class Later:
    """A visitor's draws for what may come later, one per possible return, made when it
    first arrives so that policies never hand them to someone else (common random
    numbers): days to fetch documents or to come back after giving up, the time of day
    it comes back, the window minutes of a rejection, the home region's turnaround."""

    fetch_days: list[float]
    gave_up_days: list[float]
    time_of_day: list[tuple[float, float]]
    check_min: list[float]
    turnaround_days: float
    returns: int = 0
    checks: int = 0


@dataclass
class WindowVisit:
    """One attempt at a window bank."""

    vid: int
    bank: str
    t_arr: float
    t_start: float
    t_end: float
    outcome: str
    by_helper: bool = False  # a proxy helper queueing on the visitor's behalf


@dataclass
class Bank:
    name: str
    windows: int
    slowdown: float  # factor on window minutes (generalists at comprehensive windows)
    bundles: bool  # one visit covers every remaining department of a matter
    staffed: Staffed
    waiting: int = 0
    busy: float = 0.0  # service minutes within opening hours, on counted days
    overtime: float = 0.0  # service minutes outside them (serving those still waiting at closing)


@dataclass
class HallRecords:
    days: int
    warmup_days: int
    open_minutes: int
    visitors: list[Visitor] = field(default_factory=list)
    window_visits: list[WindowVisit] = field(default_factory=list)
    trips: list[tuple[int, float, float]] = field(default_factory=list)  # (vid, arrive, leave)
    banks: dict[str, Bank] = field(default_factory=dict)
    helper_busy: float = 0.0
    helper_waits: list[tuple[int, float]] = field(default_factory=list)  # (vid, minutes before a helper was free)
    helper_cases: dict[str, int] = field(default_factory=lambda: {"precheck": 0, "full_process": 0, "home_visit": 0})
    queue_area: Optional[np.ndarray] = None  # waiting-visitor minutes per slot of the day, counted days


class Hall:
    def __init__(self, params: HallParams, streams: Streams, days: int, warmup_days: int):
        self.p = params
        self.env = simpy.Environment()
        self.streams = streams
        self.days = days
        self.t_counted = warmup_days * DAY
        self.t_end = days * DAY
        self.periods = params.hours.periods()
        self.rec = HallRecords(days, warmup_days, params.hours.open_minutes())
        self.send_home = params.hours.closing_rule == "send_home"
        self.closing = self.env.event()  # fires at closing when visitors are sent home
        self._build_banks()
        self.helpers: Optional[Staffed] = None
        if params.proxy is not None:
            pr = params.proxy
            self.helpers = Staffed(self.env, pr.full_time + pr.part_time, self._helper_timetable(), days + DRAIN_DAYS)
        self._open_draws(streams)
        self.queue_area = np.zeros(int(DAY // SLOT))
        self._waiting_total = 0
        self._last_change = 0.0
        self._next_vid = 0
        for mname in params.matters:
            self.env.process(self.arrivals(mname))
        if self.send_home:
            self.env.process(self._closing_bell())

    # -- set-up -----------------------------------------------------------------
    def _build_banks(self) -> None:
        p, lay = self.p, self.p.layout
        close = AFTER_VISITORS if p.hours.closing_rule == "serve_waiting" else BEFORE_VISITORS
        self.bank_of: dict[str, str] = {}
        spec: dict[str, tuple[int, float, bool]] = {}
        for dname, dept in p.departments.items():
            if lay.kind == "separate" or dept.zone:
                spec[dname] = (dept.windows, 1.0, False)
                self.bank_of[dname] = dname
            else:
                self.bank_of[dname] = "comprehensive"
        integrated = lay.kind == "integrated"
        if integrated:
            spec["comprehensive"] = (lay.comprehensive_windows, lay.generalist_slowdown, True)
        if lay.green_channel == "dedicated":
            spec["green_channel"] = (lay.dedicated_windows, lay.generalist_slowdown if integrated else 1.0, integrated)
        if lay.cross_province_windows:
            spec["cross_province"] = (lay.cross_province_windows, 1.0, True)
        for name, (n, slowdown, bundles) in spec.items():
            staffed = Staffed(self.env, n, hall_timetable(self.periods, n, close), self.days + DRAIN_DAYS)
            self.rec.banks[name] = Bank(name, n, slowdown, bundles, staffed)

    def _helper_timetable(self) -> list[Change]:
        pr = self.p.proxy
        points = sorted({m for a, b in self.periods for m in (a, b)} | {m for a, b in pr.part_time_hours for m in (a, b)})

        def on_duty(m):
            if not any(a <= m < b for a, b in self.periods):
                return 0
            return pr.full_time + (pr.part_time if any(a <= m < b for a, b in pr.part_time_hours) else 0)

        return [Change(m, on_duty(m)) for m in points]

    def _open_draws(self, streams: Streams) -> None:
        """One named stream per kind of draw (see docs/models/service_hall.md)."""
        p = self.p
        self._check = {m: p.documents.check.iterator(streams.get(f"check:{m}")) for m in p.matters}
        self._fetch_days = {m: p.documents.return_days.iterator(streams.get(f"return:{m}")) for m in p.matters}
        self._gave_up_days = (p.impatience.return_days.iterator(streams.get("impatience:return"))
                              if p.impatience else None)
        self._turnaround = (p.cross_province.turnaround_days.iterator(streams.get("cross_province"))
                            if p.cross_province else None)
        self._time_of_day = streams.get("return:time_of_day")
        self._visitor_streams = {m: {kind: streams.get(f"visitor:{kind}:{m}")
                                     for kind in ("who", "documents", "window", "impatience", "helper", "fetch",
                                                  "gave_up", "time_of_day", "check", "turnaround")}
                                 for m in p.matters}
        self._segments = p.demand.segments(self.periods)
        w = np.array([(hi - lo) * r for lo, hi, r in self._segments])
        self._segment_p = w / w.sum()
        self._segment_cum = np.cumsum(self._segment_p)

    def _closing_bell(self):
        close = self.periods[-1][1]
        for day in range(self.days + DRAIN_DAYS):
            yield self.env.timeout(day * DAY + close - self.env.now)
            bell, self.closing = self.closing, self.env.event()
            bell.succeed()

    # -- arrivals ---------------------------------------------------------------
    def arrivals(self, mname: str):
        """Non-homogeneous Poisson arrivals of one matter: a Poisson count for each
        open part of an hour, spread uniformly in it (exact for piecewise-constant rates)."""
        share = self.p.matters[mname].share
        gen = self.streams.get(f"arrivals:{mname}")
        for day in range(self.days):
            times = []
            for lo, hi, rate in self._segments:
                n = gen.poisson(rate * share * (hi - lo))
                times.extend(day * DAY + lo + (hi - lo) * gen.random(n))
            times.sort()
            for t, v in zip(times, self._new_visitors(mname, len(times))):
                if t > self.env.now:
                    yield self.env.timeout(t - self.env.now)
                self.env.process(self.visitor_journey(v))

    def _new_visitors(self, mname: str, n: int) -> list[Visitor]:
        """A day's visitors of one matter.  Every attribute is drawn here, one named
        stream per kind of attribute, so each policy meets the same visitors (common
        random numbers) whatever parts of the hall it switches on or off."""
        p, m = self.p, self.p.matters[mname]
        gen = self._visitor_streams[mname]
        k = len(m.departments)
        groups = list(p.groups)
        cum = np.cumsum([p.groups[g].share for g in groups])
        u = gen["who"].random((n, 5))
        group_idx = np.minimum(np.searchsorted(cum, u[:, 0] * cum[-1], side="right"), len(groups) - 1)
        major, minor = documents.draw_gaps(gen["documents"], m.documents, m.p_missing, m.minor_share, (n, k))
        accept = m.accept.draw_block(gen["window"], n * k).reshape(n, k)
        approve = m.approve.draw_block(gen["window"], n * k).reshape(n, k)
        imp, pr = p.impatience, p.proxy
        balk = imp.balk_over.draw_block(gen["impatience"], n) if imp and imp.balk_over else np.full(n, math.inf)
        patience = imp.patience.draw_block(gen["impatience"], n) if imp and imp.patience else np.full(n, math.inf)
        helper = (np.column_stack([pr.precheck.draw_block(gen["helper"], n), pr.full_process.draw_block(gen["helper"], n),
                                   pr.home_visit.draw_block(gen["helper"], n)]) if pr else np.zeros((n, 3)))
        r = COMEBACKS
        fetch = p.documents.return_days.draw_block(gen["fetch"], n * r).reshape(n, r)
        gave_up = (imp.return_days.draw_block(gen["gave_up"], n * r).reshape(n, r) if imp else np.zeros((n, r)))
        time_of_day = gen["time_of_day"].random((n, r, 2))
        check = p.documents.check.draw_block(gen["check"], n * r).reshape(n, r)
        cross = p.cross_province
        turnaround = cross.turnaround_days.draw_block(gen["turnaround"], n) if cross else np.zeros(n)
        out = []
        for i in range(n):
            g = p.groups[groups[group_idx[i]]]
            later = Later(fetch[i].tolist(), gave_up[i].tolist(), [tuple(x) for x in time_of_day[i].tolist()],
                          check[i].tolist(), float(turnaround[i]))
            self._next_vid += 1
            out.append(Visitor(
                vid=self._next_vid, matter=mname, steps=list(m.departments), group=groups[group_idx[i]],
                green=g.green_channel, major=major[i].tolist(), minor=minor[i].tolist(),
                accept_min=accept[i].tolist(), approve_min=approve[i].tolist(),
                other_province=bool(u[i, 1] < m.other_province), asks_proxy=bool(u[i, 2] < g.asks_proxy),
                full_process=bool(u[i, 3] < g.full_process), home_visit=bool(u[i, 4] < g.home_visit),
                balk_over=float(balk[i]), patience=float(patience[i]), helper_min=helper[i].tolist(), later=later))
        return out

    # -- the journey --------------------------------------------------------------
    def visitor_journey(self, v: Visitor):
        """From the first trip to acceptance: a proxy helper on the first trip if the
        visitor asks and one is on duty, then the windows, coming back another day
        after a rejection, a balk, giving up, or being sent home at closing."""
        env = self.env
        v.t_first = env.now
        self.rec.visitors.append(v)
        if self.p.home_visits and v.home_visit and self.helpers is not None:
            yield from self.home_visit(v)
            return
        first_trip = True
        while True:
            t_arr = env.now
            v.trips += 1
            if first_trip and v.asks_proxy and self.helpers is not None and self.helpers.on_duty > 0:
                v.proxied = True
                next_step = yield from self.proxy_desk(v, t_arr)
                if next_step == "handed_over":
                    return
                if next_step == "fetch_documents":
                    first_trip = False
                    yield env.timeout(self._return_time(v, "fetch") - env.now)
                    continue
            first_trip = False
            outcome = STEP_DONE
            while outcome == STEP_DONE:  # on to the next department's windows, same trip
                outcome = yield from self.at_window(v, self.rec.banks[self._bank_for(v)])
            self.rec.trips.append((v.vid, t_arr, env.now))
            if outcome == ACCEPTED:
                break
            kind = {REJECTED: "fetch", SENT_HOME: "next_day"}.get(outcome, "gave_up")
            yield env.timeout(self._return_time(v, kind) - env.now)
        self._forward_if_other_province(v)

    def proxy_desk(self, v: Visitor, t_arr: float):
        """A helper pre-checks the documents and lists every gap at once.  A
        full-process case the helper then takes over entirely, the visitor going
        home.  Returns what the visitor does next."""
        env = self.env
        with self.helpers.resource.request(priority=0 if v.green else 1) as req:
            yield req
            self.rec.helper_waits.append((v.vid, env.now - t_arr))
            yield from self._helper_work(v.helper_min[0], "precheck")
            if v.full_process:
                self.rec.trips.append((v.vid, t_arr, env.now))
                documents.clear(v.major, v.minor, range(len(v.steps)))  # the helper gathers what is missing
                yield from self._helper_work(v.helper_min[1], "full_process")
                t_window = env.now
                outcome = STEP_DONE
                while outcome == STEP_DONE:
                    outcome = yield from self.at_window(v, self.rec.banks[self._bank_for(v)], by_helper=True)
                if self.t_counted <= t_window < self.t_end:  # the helper queues at the window too
                    self.rec.helper_busy += self._open_overlap(t_window, env.now)
                self._forward_if_other_province(v)
                return "handed_over"
        if v.gaps(range(len(v.steps))):
            self.rec.trips.append((v.vid, t_arr, env.now))
            documents.clear(v.major, v.minor, range(len(v.steps)))  # told everything at once: back with all of it
            return "fetch_documents"
        return "to_window"

    def home_visit(self, v: Visitor):
        with self.helpers.resource.request(priority=0) as req:
            yield req
            yield from self._helper_work(v.helper_min[2], "home_visit")
        v.t_accepted = self.env.now
        self._forward_if_other_province(v)

    def _helper_work(self, minutes: float, kind: str):
        start = self.env.now
        yield self.env.timeout(minutes)
        if self.t_counted <= start < self.t_end:
            self.rec.helper_busy += minutes
            self.rec.helper_cases[kind] += 1

    def _forward_if_other_province(self, v: Visitor) -> None:
        if v.other_province:
            v.t_done = v.t_accepted + DAY * max(0.0, v.later.turnaround_days)

    def _bank_for(self, v: Visitor) -> str:
        banks = self.rec.banks
        if v.other_province and "cross_province" in banks:
            return "cross_province"
        dept = v.steps[v.step]
        if v.green and "green_channel" in banks and not self.p.departments[dept].zone:
            return "green_channel"
        return self.bank_of[dept]

    def at_window(self, v: Visitor, bank: Bank, by_helper: bool = False):
        """Queue at a window bank and be served; returns how it ended."""
        env, p = self.env, self.p
        t_arr = env.now
        if not by_helper and bank.waiting > v.balk_over:
            self.rec.window_visits.append(WindowVisit(v.vid, bank.name, t_arr, math.nan, t_arr, BALKED))
            return BALKED
        prio = 0 if (v.green and p.layout.green_channel == "priority") else 1
        req = bank.staffed.resource.request(priority=prio)
        self._queue_change(+1, bank)
        bell = self.closing
        wait_for = [req]
        if not by_helper and v.patience < math.inf:
            # patience runs in opening hours only (a ticket holder does not give up over
            # lunch), and not past closing when everyone waiting will be served
            deadline = self._after_open_minutes(t_arr, v.patience)
            closes = math.floor(t_arr / DAY) * DAY + self.periods[-1][1]
            if self.send_home or deadline < closes:
                wait_for.append(env.timeout(deadline - t_arr))
        if self.send_home and not by_helper:
            wait_for.append(bell)
        yield env.any_of(wait_for) if len(wait_for) > 1 else req
        self._queue_change(-1, bank)
        if not req.triggered:
            req.cancel()
            gave_up = SENT_HOME if bell.triggered else ABANDONED
            self.rec.window_visits.append(WindowVisit(v.vid, bank.name, t_arr, math.nan, env.now, gave_up, by_helper))
            return gave_up
        t_start = env.now
        outcome, minutes = self._decide(v, bank)
        minutes *= bank.slowdown
        yield env.timeout(minutes)
        bank.staffed.resource.release(req)
        if self.t_counted <= t_start < self.t_end:
            in_hours = self._open_overlap(t_start, env.now)
            bank.busy += in_hours
            bank.overtime += minutes - in_hours
        self.rec.window_visits.append(WindowVisit(v.vid, bank.name, t_arr, t_start, env.now, outcome, by_helper))
        if outcome == ACCEPTED:
            v.t_accepted = env.now
        return outcome

    def _decide(self, v: Visitor, bank: Bank) -> tuple[str, float]:
        """The window checks the documents of the steps it covers: it accepts them
        (minor gaps against a pledge, where allowed) or sends the visitor away to
        fetch what is missing: every gap at once, or the first one it finds."""
        docs = self.p.documents
        covered = range(v.step, len(v.steps) if bank.bundles else v.step + 1)
        outcome = documents.check(v.major, v.minor, covered, docs.notice, docs.pledge)
        if outcome == documents.PLEDGED:
            v.pledged = True
        elif outcome == documents.REJECTED:
            later = v.later
            minutes = later.check_min[later.checks] if later.checks < COMEBACKS else next(self._check[v.matter])
            later.checks += 1
            return REJECTED, minutes
        minutes = sum(v.accept_min[i] + (0.0 if self.p.layout.back_office else v.approve_min[i]) for i in covered)
        v.step = covered.stop
        return (ACCEPTED if v.step == len(v.steps) else STEP_DONE), minutes

    # -- bookkeeping ------------------------------------------------------------
    def _open_overlap(self, t0: float, t1: float) -> float:
        """Minutes of [t0, t1] inside opening hours."""
        day = math.floor(t0 / DAY) * DAY
        total = 0.0
        while day < t1:
            total += sum(max(0.0, min(t1, day + b) - max(t0, day + a)) for a, b in self.periods)
            day += DAY
        return total

    def _return_time(self, v: Visitor, kind: str) -> float:
        """When a visitor who must come back does: ``days`` working days after now (to
        fetch documents, or after giving up; the next day when sent home at closing), on
        a later day, at a time of day drawn from the demand profile."""
        later = v.later
        i = later.returns
        later.returns += 1
        if i < COMEBACKS:
            days = {"fetch": later.fetch_days[i], "gave_up": later.gave_up_days[i], "next_day": 1.0}[kind]
            u_segment, u_position = later.time_of_day[i]
        else:  # more returns than drawn ahead: rare, from the matter's streams
            days = {"fetch": next(self._fetch_days[v.matter]),
                    "gave_up": next(self._gave_up_days) if self._gave_up_days else 1.0, "next_day": 1.0}[kind]
            u_segment, u_position = self._time_of_day.random(2)
        today = math.floor(self.env.now / DAY)
        day = max(today + 1, math.floor(self.env.now / DAY + days))
        segment = min(int(np.searchsorted(self._segment_cum, u_segment, side="right")), len(self._segments) - 1)
        lo, hi, _ = self._segments[segment]
        return day * DAY + lo + (hi - lo) * u_position

    def _after_open_minutes(self, t: float, minutes: float) -> float:
        """The moment when ``minutes`` of opening hours have passed since ``t``."""
        day = math.floor(t / DAY)
        left = minutes
        while True:
            for a, b in self.periods:
                lo = max(t, day * DAY + a)
                hi = day * DAY + b
                if hi > lo:
                    if hi - lo >= left:
                        return lo + left
                    left -= hi - lo
            day += 1

    def _queue_change(self, delta: int, bank: Bank) -> None:
        self._accumulate(self.env.now)
        bank.waiting += delta
        self._waiting_total += delta

    def _accumulate(self, now: float) -> None:
        """Add the time-weighted number waiting since the last change to the slots of
        the day it covers (counted days only)."""
        t, n = self._last_change, self._waiting_total
        self._last_change = now
        lo, hi = max(t, self.t_counted), min(now, self.t_end)
        while n and lo < hi:
            step = min(hi, (math.floor(lo / SLOT) + 1) * SLOT) - lo
            self.queue_area[int((lo % DAY) // SLOT)] += n * step
            lo += step

    def run(self) -> HallRecords:
        self.env.run(until=(self.days + DRAIN_DAYS) * DAY)
        self._accumulate(self.env.now)
        self.rec.queue_area = self.queue_area
        return self.rec


def simulate(params: HallParams, streams: Streams, days: int, warmup_days: int, trace=None) -> HallRecords:
    return Hall(params, streams, days, warmup_days).run()
