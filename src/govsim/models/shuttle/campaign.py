"""The job-shuttle campaign, as simpy processes.

``signups`` brings job seekers onto their pickup group's list over the campaign
days; ``dispatcher`` (when_full, hybrid) or ``timetable`` decides when a vehicle
is called; ``vehicle_run`` drives it from the depot at the park through its
pickup points and back to the park; ``park_visit`` walks a delivered seeker from
employer to employer until a hiring intention, the last employer on their list,
or closing time.

Time is minutes from midnight of the first campaign day.  Sign-ups come on days
``[0, days)``; vehicles keep running ``campaign.extra_days`` more; whoever is
still listed then is counted as still waiting.

No-shows and giving up are found out when a seeker is called (the township cadre
phones the list: 电话确认): a seeker who will not come (``show_up``), or who has
waited longer than their patience, is struck off then, and the vehicle is filled
from the next names on the list.  So a vehicle called "when full" always leaves
full.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import simpy

from ...rng import Streams
from .params import DAY, ShuttleParams

# what became of a seeker
WAITING, CONFIRMED, DELIVERED, NO_SHOW, GAVE_UP, STILL_WAITING = (
    "waiting", "confirmed", "delivered", "no_show", "gave_up", "still_waiting")
# why a vehicle was sent
FULL, MIN_LOAD, MAX_WAIT, TIMETABLE, SWEEP = "full", "min_load", "max_wait", "timetable", "sweep"
REASONS = (FULL, MIN_LOAD, MAX_WAIT, TIMETABLE, SWEEP)
DRAIN_DAYS = 30  # the simulation goes on this long after service ends, for trips already called


@dataclass
class Seeker:
    sid: int
    township: str
    t_signup: float
    shows: bool
    patience: float  # minutes
    choices: list[int]  # employers in the order the seeker would visit them
    walk: list[float]
    interview: list[float]
    u_intent: list[float]
    u_try: list[float]
    t_listed: float = math.nan  # on the pickup list (central pooling: after the seeker's own trip there)
    status: str = WAITING
    t_resolved: float = math.nan  # struck off (no-show, gave up)
    trip: int = -1
    t_board: float = math.nan
    t_park: float = math.nan
    t_gate: float = math.nan  # at the first employer's gate (下车门入厂门)
    interviews: int = 0
    interview_waits: list = field(default_factory=list)  # minutes before each interview
    intention: bool = False


@dataclass
class Trip:
    tid: int
    group: str
    reason: str
    t_call: float
    seats: int
    t_granted: float = math.nan  # a vehicle was free
    t_depot: float = math.nan  # left the depot
    t_first_board: float = math.nan
    t_park: float = math.nan
    t_free: float = math.nan
    riders: int = 0
    km: float = 0.0
    stops: list[str] = field(default_factory=list)  # pickup points where someone boarded
    by_stop: dict[str, int] = field(default_factory=dict)


@dataclass
class Group:
    """A pickup group: one township, a route of neighbouring townships, or the gathering point."""

    name: str
    index: int
    townships: list[str]  # driving order
    lead: float  # minutes from the depot to the group's first pickup point
    sweep_at: float = math.inf  # final sweep: the call for the last boarding time of the last day
    waiting: deque = field(default_factory=deque)  # listed, not yet called
    confirmed: list = field(default_factory=list)  # called and coming, not yet on a vehicle
    wake: Optional[simpy.Event] = None


@dataclass
class CampaignRecords:
    days: int
    service_days: int
    seekers: list[Seeker] = field(default_factory=list)
    trips: list[Trip] = field(default_factory=list)
    employer_group: list[str] = field(default_factory=list)  # employer index -> its group
    employer_busy: Optional[np.ndarray] = None  # recruiter minutes per employer
    park_open_minutes: float = 0.0


class Campaign:
    def __init__(self, params: ShuttleParams, streams: Streams, days: int, signups: Optional[list] = None):
        self.p = params
        self.env = simpy.Environment()
        self.streams = streams
        self.days = days
        self.service_days = days + params.campaign.extra_days
        self.service_end = self.service_days * DAY
        self.rec = CampaignRecords(days, self.service_days)
        d = params.dispatch
        self.rule = d.rule
        self.seats = params.fleet.seats
        self.fleet = simpy.Resource(self.env, capacity=params.fleet.vehicles)
        self._groups()
        self._employers()
        self._next_sid = 0
        self._next_tid = 0
        self._seeker_streams: dict[tuple[str, str], np.random.Generator] = {}
        if d.final_sweep:
            for g in self.groups.values():
                g.sweep_at = (self.service_days - 1) * DAY + params.service_hours.last - g.lead
        if signups is None:
            for t in params.townships:
                self.env.process(self.signups(t))
        else:  # injected sign-ups, for exact tests: [(township, time), ...]
            self.env.process(self._injected(sorted(signups, key=lambda x: x[1])))
        for g in self.groups.values():
            if self.rule == "timetable":
                self.env.process(self.timetable(g))
                if d.final_sweep:
                    self.env.process(self._timetable_sweep(g))
            else:
                self.env.process(self.dispatcher(g))

    # -- set-up -------------------------------------------------------------------
    def _groups(self) -> None:
        p = self.p
        self.group_of: dict[str, str] = {}
        self.groups: dict[str, Group] = {}
        for i, (name, towns) in enumerate(p.groups().items()):
            lead = p.central.travel_min if p.dispatch.pooling == "central" else p.townships[towns[0]].travel_min
            self.groups[name] = Group(name, i, towns, lead)
            for t in towns:
                self.group_of[t] = name

    def _employers(self) -> None:
        park = self.p.park
        names, weights, p_int, recruiters = [], [], [], []
        for gname, g in park.employers.items():
            for _ in range(g.count):
                names.append(gname)
                weights.append(g.attractiveness)
                p_int.append(g.p_intention)
                recruiters.append(g.recruiters)
        self.rec.employer_group = names
        self.emp_weight = np.array(weights)
        self.emp_p = p_int
        self.employers = [simpy.Resource(self.env, capacity=r) for r in recruiters]
        self.emp_busy = np.zeros(len(names))
        self.rec.park_open_minutes = float(park.closes - park.opens)

    # -- sign-ups -----------------------------------------------------------------
    def signups(self, township: str):
        """Poisson sign-ups of one township, uniform within the sign-up hours of each
        day, at the day's rate of the campaign profile."""
        p = self.p
        rate = p.townships[township].signups_per_day
        weights = p.signups.day_weights(self.days)
        lo, hi = p.signups.hours
        gen = self.streams.get(f"signup:{township}")
        pre = p.townships[township].preregistered
        pre_times = lo + (hi - lo) * self.streams.get(f"signup:preregistered:{township}").random(pre)
        for day in range(self.days):
            n = gen.poisson(rate * weights[day]) if rate > 0 else 0
            times = day * DAY + lo + (hi - lo) * gen.random(n)
            if day == 0 and pre:
                times = np.concatenate([pre_times, times])
            times = np.sort(times)
            for t, s in zip(times, self._new_seekers(township, times)):
                if t > self.env.now:
                    yield self.env.timeout(t - self.env.now)
                self._arrive(s)

    def _injected(self, signups: list):
        for township, t in signups:
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            (s,) = self._new_seekers(township, np.array([float(t)]))
            self._arrive(s)

    def _new_seekers(self, township: str, times: np.ndarray) -> list[Seeker]:
        """A batch of seekers of one township.  Every attribute is drawn here, one
        stream per township and kind of draw (``seeker:<kind>:<township>``), one
        value per seeker and employer where it concerns employers, so every policy
        meets the same seekers (common random numbers) whatever its fleet, rule or
        park."""
        p, n = self.p, len(times)
        shows = self._stream(township, "shows").random(n) < p.seekers.show_up
        patience = (p.seekers.patience_days.draw_block(self._stream(township, "patience"), n) * DAY
                    if p.seekers.patience_days else np.full(n, math.inf))
        m = len(self.emp_p)
        k = min(p.park.max_employers, m)
        # the order of employers a seeker would visit: weighted sampling without
        # replacement by attractiveness (Efraimidis-Spirakis keys), one key per employer
        keys = -np.log(1.0 - self._stream(township, "choice").random((n, m))) / self.emp_weight
        order = np.argsort(keys, axis=1, kind="stable")[:, :k]
        walk = p.park.walk_min.draw_block(self._stream(township, "walk"), n * m).reshape(n, m)
        interview = p.park.interview_min.draw_block(self._stream(township, "interview"), n * m).reshape(n, m)
        u_int = self._stream(township, "intention").random((n, m))
        u_try = self._stream(township, "try_another").random((n, m))
        out = []
        for i in range(n):
            self._next_sid += 1
            o = order[i]
            out.append(Seeker(self._next_sid, township, float(times[i]), bool(shows[i]), float(patience[i]),
                              o.tolist(), walk[i, o].tolist(), interview[i, o].tolist(), u_int[i, o].tolist(),
                              u_try[i, o].tolist()))
        return out

    def _stream(self, township: str, kind: str) -> np.random.Generator:
        key = (kind, township)
        if key not in self._seeker_streams:
            self._seeker_streams[key] = self.streams.get(f"seeker:{kind}:{township}")
        return self._seeker_streams[key]

    def _arrive(self, s: Seeker) -> None:
        self.rec.seekers.append(s)
        if self.p.dispatch.pooling == "central":
            own = self.p.townships[s.township].travel_min * self.p.central.own_travel_factor
            self.env.process(self._own_trip(s, own))
        else:
            self._list(s)

    def _own_trip(self, s: Seeker, minutes: float):
        yield self.env.timeout(minutes)
        self._list(s)

    def _list(self, s: Seeker) -> None:
        s.t_listed = self.env.now
        g = self.groups[self.group_of[s.township]]
        g.waiting.append(s)
        if g.wake is not None and not g.wake.triggered:
            g.wake.succeed()

    # -- calling the list ---------------------------------------------------------
    def confirm(self, g: Group, want: int) -> None:
        """Phone the list in order until ``want`` are confirmed: a seeker who will
        not come, or who has waited past their patience, is struck off."""
        now = self.env.now
        while g.waiting and len(g.confirmed) < want:
            s = g.waiting.popleft()
            if not s.shows:
                s.status, s.t_resolved = NO_SHOW, now
            elif now - s.t_signup > s.patience:
                s.status, s.t_resolved = GAVE_UP, now
            else:
                s.status = CONFIRMED
                g.confirmed.append(s)

    def _oldest(self, g: Group) -> float:
        t = [q[0].t_listed for q in (g.confirmed, g.waiting) if q]
        return min(t) if t else math.inf

    def dispatcher(self, g: Group):
        """when_full and hybrid: call a vehicle once the list has a load, or (hybrid)
        once the first on it has waited max_wait_h; calls only when the vehicle can
        board within service hours."""
        env, d = self.env, self.p.dispatch
        threshold = self.seats if self.rule == "when_full" else d.min_load
        max_wait = d.max_wait_h * 60.0 if self.rule == "hybrid" else math.inf
        while env.now < self.service_end:
            now = env.now
            opens = self._next_call(g, now)
            if opens > now:
                yield env.timeout(min(opens, self.service_end) - now)
                continue
            sweeping = now >= g.sweep_at - 1e-9
            go = None
            if len(g.confirmed) + len(g.waiting) >= threshold:
                self.confirm(g, self.seats)
                if len(g.confirmed) >= threshold:
                    go = FULL if len(g.confirmed) >= self.seats else MIN_LOAD
            if go is None and (sweeping or now - self._oldest(g) >= max_wait - 1e-9):
                self.confirm(g, self.seats)
                if g.confirmed:
                    go = SWEEP if sweeping and now - self._oldest(g) < max_wait - 1e-9 else MAX_WAIT
            if go is not None:
                riders, g.confirmed = g.confirmed[:self.seats], g.confirmed[self.seats:]
                self.env.process(self.vehicle_run(g, go, riders))
                continue
            g.wake = env.event()
            events = [g.wake]
            oldest = self._oldest(g)
            if max_wait < math.inf and oldest < math.inf:
                events.append(env.timeout(max(0.0, oldest + max_wait - now)))
            if now < g.sweep_at < math.inf:
                events.append(env.timeout(g.sweep_at - now))
            yield env.any_of(events)
            g.wake = None

    def timetable(self, g: Group):
        """Fixed departures: a vehicle leaves the depot in time to board at each
        departure time (several when the list needs them); whoever is listed when it
        arrives boards, in order, up to its seats."""
        env, d = self.env, self.p.dispatch
        times = self.p.departure_times()
        for day in range(self.service_days):
            if (day - g.index) % d.every_days:
                continue
            for clock in times:
                board_at = day * DAY + clock
                if board_at >= self.service_end:
                    return
                t_call = max(env.now, board_at - g.lead)
                if t_call > env.now:
                    yield env.timeout(t_call - env.now)
                listed = len(g.waiting) + len(g.confirmed)
                if listed == 0 and not d.run_empty:
                    continue
                for _ in range(max(1, math.ceil(listed / self.seats))):
                    env.process(self.vehicle_run(g, TIMETABLE, None))

    def _timetable_sweep(self, g: Group):
        yield self.env.timeout(max(0.0, g.sweep_at - self.env.now))
        while g.waiting or g.confirmed:
            self.confirm(g, self.seats)
            if not g.confirmed:
                return
            riders, g.confirmed = g.confirmed[:self.seats], g.confirmed[self.seats:]
            self.env.process(self.vehicle_run(g, SWEEP, riders))

    # -- vehicles -----------------------------------------------------------------
    def vehicle_run(self, g: Group, reason: str, riders: Optional[list]):
        """One vehicle trip: wait for a free vehicle, leave the depot (at the park) so
        as to board within service hours, pick up at each pickup point in driving
        order, set down at the park.  ``riders`` None: a timetabled trip, which
        takes whoever is listed when it reaches its first pickup point."""
        env, p = self.env, self.p
        self._next_tid += 1
        trip = Trip(self._next_tid, g.name, reason, env.now, self.seats)
        self.rec.trips.append(trip)
        with self.fleet.request() as req:
            yield req
            trip.t_granted = env.now
            if riders is None:  # timetable: the group's first pickup point
                first = "central" if self.p.dispatch.pooling == "central" else g.townships[0]
            else:
                first = self._stops(g, riders)[0]
            lead = self._travel(first)
            depart = self._boarding_time(env.now + lead) - lead if riders is not None else env.now
            if depart > env.now:
                yield env.timeout(depart - env.now)
            trip.t_depot = env.now
            if riders is None:  # timetable: drive to the first pickup point, take who is there
                yield env.timeout(lead)
                self.confirm(g, self.seats)
                riders, g.confirmed = g.confirmed[:self.seats], g.confirmed[self.seats:]
                stops = self._stops(g, riders) or [first]
                if stops[0] != first:
                    stops = [first] + stops
                at, km = env.now, self._km(first)
            else:
                stops = self._stops(g, riders)
                at, km = env.now + lead, self._km(first)
            prev = None
            for stop in stops:
                if prev is not None:
                    at += abs(self._travel(prev) - self._travel(stop)) + p.detour_min
                    km += abs(self._km(prev) - self._km(stop)) + p.detour_km
                if at > env.now:
                    yield env.timeout(at - env.now)
                here = [s for s in riders if self._stop_of(s) == stop]
                for s in here:
                    s.t_board, s.trip = env.now, trip.tid
                if here:
                    trip.stops.append(stop)
                    trip.by_stop[stop] = len(here)
                if math.isnan(trip.t_first_board):
                    trip.t_first_board = env.now
                at = env.now + p.fleet.stop_min
                prev = stop
            at += self._travel(prev)
            km += self._km(prev)
            yield env.timeout(at - env.now)
            trip.t_park, trip.riders, trip.km = env.now, len(riders), km
            for s in riders:
                s.status, s.t_park = DELIVERED, env.now
                env.process(self.park_visit(s))
            yield env.timeout(p.fleet.unload_min)
            trip.t_free = env.now

    def _stop_of(self, s: Seeker) -> str:
        return "central" if self.p.dispatch.pooling == "central" else s.township

    def _stops(self, g: Group, riders: list) -> list[str]:
        if self.p.dispatch.pooling == "central":
            return ["central"] if riders else []
        present = {s.township for s in riders}
        return [t for t in g.townships if t in present]

    def _travel(self, stop: str) -> float:
        return self.p.central.travel_min if stop == "central" else self.p.townships[stop].travel_min

    def _km(self, stop: str) -> float:
        return self.p.central.km if stop == "central" else self.p.townships[stop].km

    # -- service hours --------------------------------------------------------------
    def _boarding_time(self, t: float) -> float:
        """The earliest time at or after ``t`` within boarding hours."""
        sh = self.p.service_hours
        day = math.floor(t / DAY)
        m = t - day * DAY
        if m < sh.first:
            return day * DAY + sh.first
        if m > sh.last:
            return (day + 1) * DAY + sh.first
        return t

    def _next_call(self, g: Group, t: float) -> float:
        """The earliest time at or after ``t`` when a call to ``g`` can board in service hours."""
        return self._boarding_time(t + g.lead) - g.lead

    # -- the park -------------------------------------------------------------------
    def park_visit(self, s: Seeker):
        """From employer to employer: an interview at each, until a hiring intention,
        the end of the seeker's list, a decision to go home, or closing time."""
        env, park = self.env, self.p.park
        for k, emp in enumerate(s.choices):
            yield env.timeout(s.walk[k])
            if k == 0:
                s.t_gate = env.now
            m = env.now % DAY
            if not park.opens <= m < park.closes:
                if m < park.opens:  # early: wait at the gate for opening
                    yield env.timeout(park.opens - m)
                else:
                    return
            t_arr = env.now
            with self.employers[emp].request() as req:
                yield req
                s.interview_waits.append(env.now - t_arr)
                yield env.timeout(s.interview[k])
            self.emp_busy[emp] += s.interview[k]
            s.interviews += 1
            if s.u_intent[k] < self.emp_p[emp]:
                s.intention = True
                return
            if s.u_try[k] >= park.try_another:
                return

    # -- run ----------------------------------------------------------------------
    def run(self) -> CampaignRecords:
        self.env.run(until=self.service_end + DRAIN_DAYS * DAY)
        for g in self.groups.values():  # the end of service: whoever is left
            for s in g.confirmed:
                s.status = STILL_WAITING
            for s in g.waiting:
                if not s.shows:
                    s.status = NO_SHOW
                elif self.service_end - s.t_signup > s.patience:
                    s.status = GAVE_UP
                else:
                    s.status = STILL_WAITING
            g.confirmed, g.waiting = [], deque()
        for s in self.rec.seekers:  # still on their own way to the gathering point at the end
            if s.status == WAITING:
                s.status = STILL_WAITING
        self.rec.employer_busy = self.emp_busy
        return self.rec


def simulate(params: ShuttleParams, streams: Streams, days: int, signups: Optional[list] = None,
             trace=None) -> CampaignRecords:
    """One campaign.  ``signups``: [(township, minute), ...] instead of the random
    sign-ups (for exact tests)."""
    return Campaign(params, streams, days, signups).run()
