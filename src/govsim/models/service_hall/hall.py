"""The service hall, as simpy processes: ``journey`` walks one matter from its first
trip to the hall until it is accepted.

Time is minutes on a working-day clock: day d is [DAY d, DAY (d+1)); weekends and
holidays are not simulated, nights are.  New matters arrive on the run's days; the
hall then keeps its hours (up to ``DRAIN_DAYS`` more) until every matter that arrived
has been accepted, so long acceptance times are not cut off.

A matter needs acceptance by one or more departments (a "one thing" bundle).  With
separate windows the visitor queues at each department's windows in turn; at an
integrated comprehensive window one visit covers them all.  Without a back office the
window approves while the visitor waits; with one, the visitor leaves at acceptance
and the approval of every department outside the zones queues for the back-office
staff (``approve``): the matter is through when the last approval is done.

Nothing here draws a random number: every visitor and its later trips come from
``population`` (drawn before the hall opens); the processes only decide and record.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import simpy

from ... import documents
from ...calendar import DAY, after_open_minutes
from ...model_api import COMPLETE, START, Trace
from ...rng import Streams
from .layout import Layout
from .params import HallParams
from .population import Person, Population
from .records import (ABANDONED, ACCEPTED, BALKED, REJECTED, SENT_HOME, SERVED, STEP_DONE,  # noqa: F401 (tests)
                      Bank, HallRecords, WindowVisit)

DRAIN_DAYS = 60
HELPERS = "helpers"  # the trace's resource for the proxy desk and home visits
BACK_OFFICE = "back_office"  # the trace's resource for approvals in the back office
# why a visitor comes back another day
FETCH, GAVE_UP, NEXT_DAY = "fetch", "gave_up", "next_day"
COMES_BACK = {REJECTED: FETCH, BALKED: GAVE_UP, ABANDONED: GAVE_UP, SENT_HOME: NEXT_DAY}
# what the proxy desk leaves the visitor to do (else FETCH or NEXT_DAY: come back)
HANDED_OVER, TO_WINDOW = "handed_over", "to_window"


@dataclass(slots=True)
class Visitor:
    """One matter's journey: who brings it (``who``) and what has happened so far."""

    who: Person
    case: str  # its id in the event log
    major: list[int]  # gaps still to fill, per step
    minor: list[int]
    step: int = 0  # steps before this one are accepted
    t_first: float = 0.0
    trips: int = 0
    returns: int = 0  # later trips begun
    rejections: int = 0
    proxied: bool = False
    pledged: bool = False
    t_accepted: float = math.nan
    approvals: int = 0  # approvals sent to the back office and not yet done
    t_approved: float = 0.0  # when the last of them was done
    t_done: float = math.nan  # other province: handled by the home region
    booked: bool = False  # on a trip it booked: called ahead of walk-ins
    online: bool = False  # its documents were reviewed online before the first trip
    kept_slot: bool = False  # came at its booked slot (within the grace minutes)

    @classmethod
    def of(cls, who: Person) -> "Visitor":
        return cls(who, f"v{who.vid}", list(who.major), list(who.minor))

    # who it is, as the KPIs and tests read it
    vid, matter, group, other_province, accept_min = (
        property(lambda self, name=name: getattr(self.who, name))
        for name in ("vid", "matter", "group", "other_province", "accept_min"))

    def gaps(self) -> int:
        return documents.gaps(self.major, self.minor, range(len(self.who.steps)))

    @property
    def t_completed(self) -> float:
        """Accepted and every approval done (the back office's, if any): the matter is through."""
        return math.nan if self.approvals else max(self.t_accepted, self.t_approved)


class Hall:
    def __init__(self, params: HallParams, population: Population, days: int, warmup_days: int,
                 trace: Optional[Trace] = None):
        self.p = params
        self.env = simpy.Environment()
        self.population = population
        self.trace = trace
        self.days = days
        self.periods = params.hours.periods()
        self.send_home = params.hours.closing_rule == "send_home"
        self.closing = self.env.event()  # fires at closing when visitors are sent home
        self.layout = Layout(params, self.env, days + DRAIN_DAYS)
        self.helpers = self.layout.helpers
        self.back_office = self.layout.back_office
        self.rec = HallRecords(days, warmup_days, self.periods, banks=self.layout.banks, back_office=self.back_office)
        self.env.process(self.arrivals())
        if self.back_office is not None:
            self.env.process(self.backlog_snapshots())
        if self.send_home:
            self.env.process(self.closing_bell())

    def run(self) -> HallRecords:
        self.env.run(until=(self.days + DRAIN_DAYS) * DAY)
        self.rec.queue.advance(self.env.now)
        self.rec.finish()
        return self.rec

    def log(self, v: Visitor, activity: str, resource: str = "", transition: str = COMPLETE) -> None:
        """One event of the visitor's case (call only when there is a trace)."""
        self.trace.add(v.case, activity, self.env.now, transition, resource)

    # -- the day ------------------------------------------------------------------------
    def arrivals(self):
        for t, who in sorted(((self.first_trip(who), who) for who in self.population.people), key=lambda x: x[0]):
            yield self.env.timeout(t - self.env.now)
            self.env.process(self.journey(Visitor.of(who), booked=self.keeps_slot(who, t)))

    def first_trip(self, who: Person) -> float:
        """When the visitor first comes: its drawn arrival time, which is also the slot of a
        booking; one who books comes its lateness after the slot, one who does not keep
        the booking the next day at the same time."""
        if self.p.appointments is None or not who.books:
            return who.t_arrive
        return who.t_arrive + (DAY if who.no_show else who.lateness - self.p.appointments.early_min)

    def keeps_slot(self, who: Person, t: float) -> bool:
        """Called ahead of walk-ins: booked, came, and no later than the grace minutes."""
        book = self.p.appointments
        return book is not None and who.books and not who.no_show and t - who.t_arrive <= book.grace_min

    def backlog_snapshots(self):
        """The approval minutes waiting in the back office when the counted days begin and end."""
        for t in (self.rec.t_counted, self.rec.t_end):
            yield self.env.timeout(t - self.env.now)
            self.back_office.backlog.append(self.back_office.queued_min)

    def closing_bell(self):
        close = self.periods[-1][1]
        for day in range(self.days + DRAIN_DAYS):
            yield self.env.timeout(day * DAY + close - self.env.now)
            bell, self.closing = self.closing, self.env.event()
            bell.succeed()

    # -- the journey --------------------------------------------------------------------
    def journey(self, v: Visitor, booked: bool = False):
        """From the first trip to acceptance: a proxy helper on the first trip if the
        visitor asks and one is on duty, then the windows, coming back another day
        after a rejection, a balk, giving up, or being sent home at closing.  An online
        review before the first trip leaves only the gaps it missed; a visitor who kept
        its booking is called ahead of walk-ins on that trip."""
        v.t_first = self.env.now
        self.rec.visitors.append(v)
        if self.p.online_review is not None and v.who.online:
            self.online_review(v)
        v.booked = v.kept_slot = booked
        if self.p.home_visits and v.who.home_visit and self.helpers is not None:
            yield from self.home_visit(v)
            return
        t_arr = self.start_trip(v, "arrive")
        if v.who.asks_proxy and self.helpers is not None and self.helpers.on_duty > 0:
            next_step = yield from self.proxy_desk(v, t_arr)
            if next_step == HANDED_OVER:
                return
            if next_step != TO_WINDOW:
                t_arr = yield from self.come_back(v, next_step)
        while True:
            outcome = yield from self.windows(v)
            self.end_trip(v, t_arr)
            v.booked = False  # a later trip is a walk-in
            if outcome == ACCEPTED:
                break
            t_arr = yield from self.come_back(v, COMES_BACK[outcome])
        self.forward_if_other_province(v)

    def online_review(self, v: Visitor) -> None:
        """Documents checked online before the first trip: the gaps the review catches are
        fetched before the visitor comes (the team's minutes are counted; its queue is not
        simulated)."""
        who = v.who
        for i in range(len(who.steps)):
            v.major[i] -= who.caught_major[i]
            v.minor[i] -= who.caught_minor[i]
        v.online = True
        self.rec.online_review(self.env.now, who.online_min, sum(who.caught_major) + sum(who.caught_minor))
        if self.trace is not None:
            self.log(v, "online_review")

    def start_trip(self, v: Visitor, activity: str) -> float:
        v.trips += 1
        if self.trace is not None:
            self.log(v, activity)
        return self.env.now

    def end_trip(self, v: Visitor, t_arr: float) -> None:
        self.rec.trips.append((v.vid, t_arr, self.env.now))
        if self.trace is not None:
            self.log(v, "leave")

    def come_back(self, v: Visitor, why: str):
        """Wait at home until the next trip: ``days`` working days after now (to fetch
        documents, or after giving up; the next day when sent home at closing), on a
        later day, at the visitor's time of day for that trip."""
        later = self.population.later(v.who, v.returns)
        v.returns += 1
        days = {FETCH: later.fetch_days, GAVE_UP: later.gave_up_days, NEXT_DAY: 1.0}[why]
        now = self.env.now
        day = max(math.floor(now / DAY) + 1, math.floor(now / DAY + days))
        yield self.env.timeout(day * DAY + later.time_of_day - now)
        return self.start_trip(v, "return")

    def forward_if_other_province(self, v: Visitor) -> None:
        if v.who.other_province:
            v.t_done = v.t_accepted + DAY * max(0.0, v.who.turnaround_days)
            if self.trace is not None:
                self.trace.add(v.case, "home_region_done", v.t_done)

    # -- proxy helpers --------------------------------------------------------------------
    def proxy_desk(self, v: Visitor, t_arr: float):
        """A helper pre-checks the documents and lists every gap at once.  A
        full-process case the helper then takes over entirely, the visitor going
        home.  At closing the desk follows the closing rule, as the windows do; a
        visitor pre-checked after closing comes back to the windows the next working
        day.  Returns what the visitor does next."""
        with self.helpers.resource.request(priority=0 if v.who.green else 1) as req:
            if self.trace is not None:
                self.log(v, "queue", HELPERS)
            bell = self.closing
            yield self.env.any_of([req, bell]) if self.send_home else req
            if not req.triggered:
                if self.trace is not None:
                    self.log(v, "sent_home", HELPERS)
                self.end_trip(v, t_arr)
                return NEXT_DAY
            v.proxied = True
            self.rec.helper_waits.append((v.vid, self.env.now - t_arr))
            yield from self.helper_work(v, "precheck", v.who.precheck_min)
            if v.who.full_process:
                self.end_trip(v, t_arr)
                yield from self.full_process(v)
                return HANDED_OVER
        if v.gaps():
            documents.clear(v.major, v.minor, range(len(v.who.steps)))  # told everything at once: back with all of it
            if self.trace is not None:
                self.log(v, "told_gaps", HELPERS)
            self.end_trip(v, t_arr)
            return FETCH
        if self.env.now % DAY >= self.periods[-1][1]:  # pre-checked after closing: the windows are shut
            self.end_trip(v, t_arr)
            return NEXT_DAY
        return TO_WINDOW

    def full_process(self, v: Visitor):
        """The helper gathers what is missing, then queues at the windows for the visitor."""
        documents.clear(v.major, v.minor, range(len(v.who.steps)))
        yield from self.helper_work(v, "full_process", v.who.full_process_min)
        t_window = self.env.now
        yield from self.windows(v, by_helper=True)
        self.rec.helper_at_window(t_window, self.env.now)
        self.forward_if_other_province(v)

    def home_visit(self, v: Visitor):
        if self.trace is not None:
            self.log(v, "ask_home_visit")
        with self.helpers.resource.request(priority=0) as req:
            yield req
            yield from self.helper_work(v, "home_visit", v.who.home_visit_min)
        v.t_accepted = self.env.now
        if self.trace is not None:
            self.log(v, "accepted", HELPERS)
        self.forward_if_other_province(v)

    def helper_work(self, v: Visitor, kind: str, minutes: float):
        if self.trace is not None:
            self.log(v, kind, HELPERS, START)
        self.rec.helper_work(kind, self.env.now, minutes)
        yield self.env.timeout(minutes)
        if self.trace is not None:
            self.log(v, kind, HELPERS)

    # -- the windows ----------------------------------------------------------------------
    def windows(self, v: Visitor, by_helper: bool = False):
        """One department's windows after another in the same trip, until one sends the
        visitor away or the matter is accepted; returns how the last visit ended."""
        outcome = STEP_DONE
        while outcome == STEP_DONE:
            outcome = yield from self.at_window(v, self.layout.bank_for(v.who, v.step), by_helper)
        return outcome

    def at_window(self, v: Visitor, bank: Bank, by_helper: bool = False):
        """Queue at a window bank and be served; returns how it ended."""
        t_arr = self.env.now
        if not by_helper and bank.waiting > v.who.balk_over:
            return self.left_without_service(v, bank, t_arr, BALKED, by_helper)
        green_first = v.who.green and self.p.layout.green_channel == "priority"
        # green channel first, then visitors keeping their booking, then walk-ins
        req = bank.staffed.resource.request(priority=0 if green_first else 1 if v.booked else 2)
        left = yield from self.wait_in_line(v, bank, req, by_helper)
        if left:
            return self.left_without_service(v, bank, t_arr, left, by_helper)
        return (yield from self.serve(v, bank, req, t_arr, by_helper))

    def wait_in_line(self, v: Visitor, bank: Bank, req, by_helper: bool):
        """Wait for a window; returns None when one is free, else why the visitor left
        (gave up, or sent home at closing)."""
        env = self.env
        self.queue_change(bank, +1)
        if self.trace is not None:
            self.log(v, "queue", bank.name)
        bell = self.closing
        wait_for = [req]
        if not by_helper:
            wait_for += self.patience_runs_out(v)
            if self.send_home:
                wait_for.append(bell)
        yield env.any_of(wait_for) if len(wait_for) > 1 else req
        self.queue_change(bank, -1)
        if req.triggered:
            return None
        req.cancel()
        return SENT_HOME if bell.triggered else ABANDONED

    def patience_runs_out(self, v: Visitor) -> list:
        """The moment the visitor gives up, as an event (none if it never would): patience
        runs in opening hours only (a ticket holder does not give up over lunch), and
        not past closing when everyone waiting will be served."""
        if v.who.patience == math.inf:
            return []
        now = self.env.now
        deadline = after_open_minutes(self.periods, now, v.who.patience)
        closes = math.floor(now / DAY) * DAY + self.periods[-1][1]
        return [self.env.timeout(deadline - now)] if self.send_home or deadline < closes else []

    def queue_change(self, bank: Bank, delta: int) -> None:
        self.rec.queue.change(self.env.now, delta)
        bank.waiting += delta

    def left_without_service(self, v: Visitor, bank: Bank, t_arr: float, outcome: str, by_helper: bool) -> str:
        self.rec.window_visits.append(WindowVisit(v.vid, bank.name, t_arr, math.nan, self.env.now, outcome, by_helper))
        if self.trace is not None:
            self.log(v, {BALKED: "balk", ABANDONED: "abandon", SENT_HOME: "sent_home"}[outcome], bank.name)
        return outcome

    def serve(self, v: Visitor, bank: Bank, req, t_arr: float, by_helper: bool):
        t_start = self.env.now
        if self.trace is not None:
            self.log(v, "serve", bank.name, START)
        outcome, minutes, to_approve = self.check_documents(v, bank)
        yield self.env.timeout(minutes * bank.slowdown)
        bank.staffed.resource.release(req)
        self.rec.service(bank, t_start, self.env.now)
        self.rec.window_visits.append(WindowVisit(v.vid, bank.name, t_arr, t_start, self.env.now, outcome, by_helper))
        if outcome == ACCEPTED:
            v.t_accepted = self.env.now
        if self.trace is not None:
            self.log(v, "serve", bank.name)
            if outcome in (ACCEPTED, REJECTED):
                self.log(v, outcome, bank.name)
        if to_approve is not None:
            v.approvals += 1
            self.env.process(self.approve(v, to_approve))
        return outcome

    def approve(self, v: Visitor, minutes: float):
        """The back office approves what a window accepted, in order of acceptance, in its
        hours; the visitor has gone."""
        office = self.back_office
        self.rec.to_approve(office, self.env.now, minutes)
        t_sent = self.env.now
        if self.trace is not None:
            self.log(v, "queue", BACK_OFFICE)
        with office.staffed.resource.request(priority=1) as req:
            yield req
            office.queued_min -= minutes
            t_start = self.env.now
            if self.trace is not None:
                self.log(v, "approve", BACK_OFFICE, START)
            yield self.env.timeout(minutes)
        self.rec.service(office, t_start, self.env.now)
        office.approvals.append((v.vid, t_sent, t_start, self.env.now))
        v.approvals -= 1
        v.t_approved = self.env.now
        if self.trace is not None:
            self.log(v, "approve", BACK_OFFICE)

    def check_documents(self, v: Visitor, bank: Bank) -> tuple[str, float, Optional[float]]:
        """The window checks the documents of the steps it covers: it accepts them
        (minor gaps against a pledge, where allowed) or sends the visitor away to
        fetch what is missing: every gap at once, or the first one it finds.
        Returns the outcome, the window minutes (before the bank's slowdown) and the
        approval minutes sent to the back office (None: nothing goes there)."""
        docs = self.p.documents
        covered = range(v.step, len(v.who.steps) if bank.bundles else v.step + 1)
        outcome = documents.check(v.major, v.minor, covered, docs.notice, docs.pledge)
        if outcome == documents.REJECTED:
            minutes = self.population.later(v.who, v.rejections).check_min
            v.rejections += 1
            return REJECTED, minutes, None
        v.pledged |= outcome == documents.PLEDGED
        who, later = v.who, None
        if self.back_office is None:
            minutes = sum(who.accept_min[i] + who.approve_min[i] for i in covered)
        else:
            away = self.layout.to_back_office
            minutes = sum(who.accept_min[i] + (0.0 if away[who.steps[i]] else who.approve_min[i]) for i in covered)
            if any(away[who.steps[i]] for i in covered):
                later = self.back_office.slowdown * sum(who.approve_min[i] for i in covered if away[who.steps[i]])
        v.step = covered.stop
        return (ACCEPTED if v.step == len(v.who.steps) else STEP_DONE), minutes, later


def simulate(params: HallParams, streams: Streams, days: int, warmup_days: int,
             trace: Optional[Trace] = None) -> HallRecords:
    return Hall(params, Population(params, streams, days), days, warmup_days, trace).run()
