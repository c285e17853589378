"""The job-shuttle campaign, as simpy processes.

The seekers are drawn before the run (``population``); here ``release`` puts each
on their pickup group's list at their sign-up time; ``dispatcher`` (when_full,
hybrid) or ``timetable`` decides when a vehicle is called; ``Fleet.trip`` drives it
from the depot at the park through its pickup points and back to the park;
``Park.visit`` walks a delivered seeker from employer to employer until a hiring
intention, the last employer on their list, or closing time.  Nothing here draws a
random number.

Time is minutes from midnight of the first campaign day.  Sign-ups come on days
``[0, days)``; vehicles keep running ``campaign.extra_days`` more; whoever is
still listed then is counted as still waiting (``records.settle``).

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

import simpy

from ...calendar import DAY
from ...rng import Streams
from .fleet import CENTRAL, Fleet
from .park import Park
from .params import ShuttleParams
from .population import Seeker, draw_population, employers
from .records import (CONFIRMED, DELIVERED, END_ACTIVITY, FULL, GAVE_UP, MAX_WAIT, MIN_LOAD, NO_SHOW, REASONS,
                      STILL_WAITING, SWEEP, TIMETABLE, CampaignRecords, Trip, called_status, settle)

# the campaign's vocabulary, kept importable from here
__all__ = ["Campaign", "Group", "simulate", "CampaignRecords", "Trip", "Seeker", "REASONS", "CONFIRMED", "DELIVERED",
           "NO_SHOW", "GAVE_UP", "STILL_WAITING", "FULL", "MIN_LOAD", "MAX_WAIT", "TIMETABLE", "SWEEP"]

DRAIN_DAYS = 30  # the simulation goes on this long after service ends, for trips already called


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


class Campaign:
    def __init__(self, params: ShuttleParams, seekers: list[Seeker], days: int, trace=None):
        self.p, self.trace = params, trace
        self.env = simpy.Environment()
        self.days = days
        self.service_days = days + params.campaign.extra_days
        self.service_end = self.service_days * DAY
        self.rule = params.dispatch.rule
        self.seats = params.fleet.seats
        emps = employers(params.park)
        self.rec = CampaignRecords(days, self.service_days, seekers, employer_group=[e.group for e in emps],
                                   park_open_minutes=float(params.park.closes - params.park.opens))
        self.park = Park(self.env, params, emps, trace)
        self.fleet = Fleet(self.env, params, self.rec, self.park, trace)
        self._groups()
        self.env.process(self.release(seekers))
        for g in self.groups.values():
            if self.rule == "timetable":
                self.env.process(self.timetable(g))
                if params.dispatch.final_sweep:
                    self.env.process(self._timetable_sweep(g))
            else:
                self.env.process(self.dispatcher(g))

    def _groups(self) -> None:
        p = self.p
        self.group_of: dict[str, str] = {}
        self.groups: dict[str, Group] = {}
        for i, (name, towns) in enumerate(p.groups().items()):
            g = Group(name, i, towns, self.fleet.roads.travel(self.fleet.roads.first_stop(towns)))
            if p.dispatch.final_sweep:
                g.sweep_at = (self.service_days - 1) * DAY + p.service_hours.last - g.lead
            self.groups[name] = g
            for t in towns:
                self.group_of[t] = name

    # -- sign-ups -----------------------------------------------------------------
    def release(self, seekers: list[Seeker]):
        """Each seeker signs up at their time; with a gathering point, they are listed
        after their own trip there."""
        env, trace = self.env, self.trace
        central = self.p.central if self.p.dispatch.pooling == "central" else None
        for s in seekers:
            if s.t_signup > env.now:
                yield env.timeout(s.t_signup - env.now)
            if trace is not None:
                trace.add(s.case, "sign_up", env.now, resource=s.township)
            if central is None:
                self._list(s)
            else:
                env.process(self._own_trip(s, self.p.townships[s.township].travel_min * central.own_travel_factor))

    def _own_trip(self, s: Seeker, minutes: float):
        yield self.env.timeout(minutes)
        if self.trace is not None:
            self.trace.add(s.case, "arrive_gathering_point", self.env.now, resource=CENTRAL)
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
        now, trace = self.env.now, self.trace
        while g.waiting and len(g.confirmed) < want:
            s = g.waiting.popleft()
            s.status = called_status(s, now)
            if s.status == CONFIRMED:
                g.confirmed.append(s)
            else:
                s.t_resolved = now
            if trace is not None:
                trace.add(s.case, "confirm" if s.status == CONFIRMED else END_ACTIVITY[s.status], now, resource=g.name)

    def take(self, g: Group) -> list[Seeker]:
        """Call the list for a vehicle's seats and hand it who confirmed."""
        self.confirm(g, self.seats)
        riders, g.confirmed = g.confirmed[:self.seats], g.confirmed[self.seats:]
        return riders

    def _oldest(self, g: Group) -> float:
        t = [q[0].t_listed for q in (g.confirmed, g.waiting) if q]
        return min(t) if t else math.inf

    def _send(self, g: Group, reason: str, riders) -> None:
        self.env.process(self.fleet.trip(g.name, g.townships, reason, riders))

    def dispatcher(self, g: Group):
        """when_full and hybrid: call a vehicle once the list has a load, or (hybrid)
        once the first on it has waited max_wait_h; calls only when the vehicle can
        board within service hours."""
        env, d = self.env, self.p.dispatch
        threshold = self.seats if self.rule == "when_full" else d.min_load
        max_wait = d.max_wait_h * 60.0 if self.rule == "hybrid" else math.inf
        while env.now < self.service_end:
            now = env.now
            opens = self.fleet.roads.boarding_time(now + g.lead) - g.lead
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
                self._send(g, go, self.take(g))
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
                    self._send(g, TIMETABLE, lambda g=g: self.take(g))

    def _timetable_sweep(self, g: Group):
        yield self.env.timeout(max(0.0, g.sweep_at - self.env.now))
        while g.waiting or g.confirmed:
            riders = self.take(g)
            if not riders:
                return
            self._send(g, SWEEP, riders)

    # -- run ----------------------------------------------------------------------
    def run(self) -> CampaignRecords:
        self.env.run(until=self.service_end + DRAIN_DAYS * DAY)
        settle([s for g in self.groups.values() for s in g.confirmed],
               [s for g in self.groups.values() for s in g.waiting], self.rec.seekers, self.service_end, self.trace)
        for g in self.groups.values():
            g.confirmed, g.waiting = [], deque()
        self.rec.employer_busy = self.park.busy
        return self.rec


def simulate(params: ShuttleParams, streams: Streams, days: int, signups: Optional[list] = None,
             trace=None) -> CampaignRecords:
    """One campaign: the seekers drawn (``population``), then the campaign run.
    ``signups``: [(township, minute), ...] instead of the random sign-ups (for exact
    tests).  ``trace``: a ``govsim.model_api.Trace`` to fill with the event log."""
    return Campaign(params, draw_population(params, streams, days, signups), days, trace).run()
