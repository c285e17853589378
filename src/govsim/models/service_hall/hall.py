"""The service hall on an event calendar (``govsim.eventloop``): each matter is a state
machine walked from its first trip to the hall until it is accepted, one method per
step (arrive, queue, be served, leave, come back).

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

Windows, the back office and the helpers are ``staffing.Staffed`` queues: a request
waits by priority (green channel, then bookings kept, then walk-ins) and order of
arrival; its ``on_grant`` step runs when a server comes to it.  A visitor waiting
may give up (its patience is an event that does nothing if it was served first) or be
sent home by the closing bell.

Nothing here draws a random number: every visitor and its later trips come from
``population`` (drawn before the hall opens); the processes only decide and record.
"""
from __future__ import annotations

import math
from typing import Optional

from ... import documents
from ...calendar import DAY, after_open_minutes
from ...model_api import COMPLETE, START, Trace
from ...eventloop import EventLoop, chosen_loop
from ...rng import Streams
from ...staffing import Ticket
from .layout import Layout
from .params import HallParams
from .population import Person, Population, population_of
from .records import (ABANDONED, ACCEPTED, BALKED, DRAIN_DAYS, REJECTED, SENT_HOME, SERVED,  # noqa: F401 (tests)
                      STEP_DONE, Bank, HallRecords, Visitor, WindowVisit)

HELPERS = "helpers"  # the trace's resource for the proxy desk and home visits
BACK_OFFICE = "back_office"  # the trace's resource for approvals in the back office
# why a visitor comes back another day
FETCH, GAVE_UP, NEXT_DAY = "fetch", "gave_up", "next_day"
COMES_BACK = {REJECTED: FETCH, BALKED: GAVE_UP, ABANDONED: GAVE_UP, SENT_HOME: NEXT_DAY}
# what the proxy desk leaves the visitor to do (else FETCH or NEXT_DAY: come back)
HANDED_OVER, TO_WINDOW = "handed_over", "to_window"


class Hall:
    def __init__(self, params: HallParams, population: Population, days: int, warmup_days: int,
                 trace: Optional[Trace] = None):
        self.p = params
        self.loop = EventLoop()
        self.population = population
        self.trace = trace
        self.days = days
        self.periods = params.hours.periods()
        self.close = self.periods[-1][1]
        self.send_home = params.hours.closing_rule == "send_home"
        self.green_first = params.layout.green_channel == "priority"
        self.layout = Layout(params, self.loop, days + DRAIN_DAYS)
        self.helpers = self.layout.helpers
        self.back_office = self.layout.back_office
        self.rec = HallRecords(days, warmup_days, self.periods, banks=self.layout.banks, back_office=self.back_office)
        # those waiting when the closing bell rings (send_home): ticket -> (visitor, at the proxy desk?)
        self.bell_waiters: dict[Ticket, tuple[Visitor, bool]] = {}
        # matters not yet through (arriving, in the hall or coming back) and approvals not yet done:
        # at none, the rest of the run (staff coming and going over the drain days) changes nothing
        self.open_work = len(population.people)
        # by time, ties by visitor number (unique: the person itself is never compared)
        first = sorted([(self.first_trip(who), who.vid, who) for who in population.people])
        self._arrivals = iter(first)
        self._next_arrival()
        if self.back_office is not None:
            for t in (self.rec.t_counted, self.rec.t_end):
                self.loop.at(t, self.backlog_snapshot)
        if self.send_home:
            self.loop.at(self.close, self.closing_bell, 0)

    def run(self) -> HallRecords:
        until = (self.days + DRAIN_DAYS) * DAY
        self.loop.run(until)
        self.loop.close()
        if self.back_office is not None:  # stopped with nothing left: the backlog stays as it is
            self.back_office.backlog += [self.back_office.queued_min] * (2 - len(self.back_office.backlog))
        self.rec.queue.advance(until)
        self.rec.finish()
        return self.rec

    def one_done(self) -> None:
        """A matter through, or an approval done (each the last step of its handler)."""
        self.open_work -= 1
        if not self.open_work:
            self.loop.stop()

    def log(self, v: Visitor, activity: str, resource: str = "", transition: str = COMPLETE) -> None:
        """One event of the visitor's case (call only when there is a trace)."""
        self.trace.add(v.case, activity, self.loop.now, transition, resource)

    # -- the day ------------------------------------------------------------------------
    def _next_arrival(self, who: Optional[Person] = None) -> None:
        """``who`` comes for the first time now; the next one is scheduled."""
        nxt = next(self._arrivals, None)
        if nxt is not None:
            self.loop.at(nxt[0], self._next_arrival, nxt[2])
        if who is not None:
            self.journey(Visitor.of(who), booked=self.keeps_slot(who, self.loop.now))

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

    def backlog_snapshot(self, _=None) -> None:
        """The approval minutes waiting in the back office (when the counted days begin and end)."""
        self.back_office.backlog.append(self.back_office.queued_min)

    def closing_bell(self, day: int) -> None:
        """Everyone still waiting at closing is sent home (the one being served is finished)."""
        waiting, self.bell_waiters = self.bell_waiters, {}
        for ticket, (v, at_proxy_desk) in waiting.items():
            ticket.cancelled = True
            if at_proxy_desk:
                if self.trace is not None:
                    self.log(v, "sent_home", HELPERS)
                self.end_trip(v, v.t_arr)
                self.come_back(v, NEXT_DAY)
            else:
                self.queue_change(v.bank, -1)
                self.left_without_service(v, SENT_HOME)
        if day + 1 < self.days + DRAIN_DAYS:
            self.loop.at((day + 1) * DAY + self.close, self.closing_bell, day + 1)

    # -- the journey --------------------------------------------------------------------
    def journey(self, v: Visitor, booked: bool = False) -> None:
        """The first trip: a proxy helper if the visitor asks and one is on duty, else the
        windows; later trips (``come_back``) go to the windows.  An online review before
        the first trip leaves only the gaps it missed; a visitor who kept its booking is
        called ahead of walk-ins on that trip."""
        v.t_first = self.loop.now
        self.rec.visitors.append(v)
        if self.p.online_review is not None and v.who.online:
            self.online_review(v)
        v.booked = v.kept_slot = booked
        if self.p.home_visits and v.who.home_visit and self.helpers is not None:
            self.home_visit(v)
            return
        v.t_arr = self.start_trip(v, "arrive")
        if v.who.asks_proxy and self.helpers is not None and self.helpers.on_duty > 0:
            self.proxy_desk(v)
            return
        self.at_window(v)

    def online_review(self, v: Visitor) -> None:
        """Documents checked online before the first trip: the gaps the review catches are
        fetched before the visitor comes (the team's minutes are counted; its queue is not
        simulated)."""
        who = v.who
        for i in range(len(who.steps)):
            v.major[i] -= who.caught_major[i]
            v.minor[i] -= who.caught_minor[i]
        v.online = True
        self.rec.online_review(self.loop.now, who.online_min, sum(who.caught_major) + sum(who.caught_minor))
        if self.trace is not None:
            self.log(v, "online_review")

    def start_trip(self, v: Visitor, activity: str) -> float:
        v.trips += 1
        if self.trace is not None:
            self.log(v, activity)
        return self.loop.now

    def end_trip(self, v: Visitor, t_arr: float) -> None:
        self.rec.trips.append((v.who.vid, t_arr, self.loop.now))
        if self.trace is not None:
            self.log(v, "leave")

    def windows_done(self, v: Visitor, outcome: str) -> None:
        """The windows' last word on this trip: a helper hands the case back; a visitor
        leaves, accepted or to come back another day."""
        if v.by_helper:
            self.rec.helper_at_window(v.t_window, self.loop.now)
            self.forward_if_other_province(v)
            self.helpers.release(v.helper)
            self.one_done()
            return
        self.end_trip(v, v.t_arr)
        v.booked = False  # a later trip is a walk-in
        if outcome == ACCEPTED:
            self.forward_if_other_province(v)
            self.one_done()
        else:
            self.come_back(v, COMES_BACK[outcome])

    def come_back(self, v: Visitor, why: str) -> None:
        """Wait at home until the next trip: ``days`` working days after now (to fetch
        documents, or after giving up; the next day when sent home at closing), on a
        later day, at the visitor's time of day for that trip."""
        later = self.population.later(v.who, v.returns)
        v.returns += 1
        days = {FETCH: later.fetch_days, GAVE_UP: later.gave_up_days, NEXT_DAY: 1.0}[why]
        now = self.loop.now
        day = max(math.floor(now / DAY) + 1, math.floor(now / DAY + days))
        self.loop.at(day * DAY + later.time_of_day, self.return_trip, v)

    def return_trip(self, v: Visitor) -> None:
        v.t_arr = self.start_trip(v, "return")
        v.by_helper = False
        self.at_window(v)

    def forward_if_other_province(self, v: Visitor) -> None:
        if v.who.other_province:
            v.t_done = v.t_accepted + DAY * max(0.0, v.who.turnaround_days)
            if self.trace is not None:
                self.trace.add(v.case, "home_region_done", v.t_done)

    # -- proxy helpers --------------------------------------------------------------------
    def proxy_desk(self, v: Visitor) -> None:
        """A helper pre-checks the documents and lists every gap at once (``precheck_done``).
        At closing the desk follows the closing rule, as the windows do."""
        v.helper = self.helpers.request(0 if v.who.green else 1, self.proxy_granted, v)
        if self.trace is not None:
            self.log(v, "queue", HELPERS)
        if v.helper.granted:
            self.proxy_granted(v)
        elif self.send_home:
            self.bell_waiters[v.helper] = (v, True)

    def proxy_granted(self, v: Visitor) -> None:
        self.bell_waiters.pop(v.helper, None)
        v.proxied = True
        self.rec.helper_waits.append((v.vid, self.loop.now - v.t_arr))
        self.helper_work(v, "precheck", v.who.precheck_min)

    def precheck_done(self, v: Visitor) -> None:
        """A full-process case the helper takes over entirely, the visitor going home;
        otherwise the visitor goes home to fetch every gap at once, or, with none, to the
        windows (the next working day if pre-checked after closing)."""
        if v.who.full_process:
            self.end_trip(v, v.t_arr)
            documents.clear(v.major, v.minor, range(len(v.who.steps)))  # the helper gathers what is missing
            self.helper_work(v, "full_process", v.who.full_process_min)
            return
        self.helpers.release(v.helper)
        if v.gaps():
            documents.clear(v.major, v.minor, range(len(v.who.steps)))  # told everything at once: back with all of it
            if self.trace is not None:
                self.log(v, "told_gaps", HELPERS)
            self.end_trip(v, v.t_arr)
            self.come_back(v, FETCH)
        elif self.loop.now % DAY >= self.close:  # pre-checked after closing: the windows are shut
            self.end_trip(v, v.t_arr)
            self.come_back(v, NEXT_DAY)
        else:
            self.at_window(v)

    def full_process_ready(self, v: Visitor) -> None:
        """The helper, holding the case, queues at the windows for the visitor."""
        v.t_window = self.loop.now
        v.by_helper = True
        self.at_window(v)

    def home_visit(self, v: Visitor) -> None:
        if self.trace is not None:
            self.log(v, "ask_home_visit")
        v.helper = self.helpers.request(0, self.home_visit_granted, v)
        if v.helper.granted:
            self.home_visit_granted(v)

    def home_visit_granted(self, v: Visitor) -> None:
        self.helper_work(v, "home_visit", v.who.home_visit_min)

    def home_visit_done(self, v: Visitor) -> None:
        self.helpers.release(v.helper)
        v.t_accepted = self.loop.now
        if self.trace is not None:
            self.log(v, "accepted", HELPERS)
        self.forward_if_other_province(v)
        self.one_done()

    def helper_work(self, v: Visitor, kind: str, minutes: float) -> None:
        if self.trace is not None:
            self.log(v, kind, HELPERS, START)
        self.rec.helper_work(kind, self.loop.now, minutes)
        v.helper_kind = kind
        self.loop.at(self.loop.now + minutes, self.helper_work_done, v)

    def helper_work_done(self, v: Visitor) -> None:
        if self.trace is not None:
            self.log(v, v.helper_kind, HELPERS)
        {"precheck": self.precheck_done, "full_process": self.full_process_ready,
         "home_visit": self.home_visit_done}[v.helper_kind](v)

    # -- the windows ----------------------------------------------------------------------
    def at_window(self, v: Visitor) -> None:
        """Queue at the bank of the matter's next department, unless the line is too long;
        green channel first, then visitors keeping their booking, then walk-ins."""
        bank = v.bank = self.layout.bank_for(v.who, v.step)
        now = v.t_wait = self.loop.now
        if not v.by_helper and bank.waiting > v.who.balk_over:
            self.left_without_service(v, BALKED)
            return
        if self.trace is not None:
            self.log(v, "queue", bank.name)
        v.ticket = bank.staffed.request(0 if v.who.green and self.green_first else 1 if v.booked else 2,
                                        self.window_granted, v)
        if v.ticket.granted:
            self.serve(v)
            return
        self.queue_change(bank, +1)
        if not v.by_helper:
            deadline = self.patience_runs_out(v, now)
            if deadline is not None:
                self.loop.at(deadline, self.patience_over, (v, v.ticket))
            if self.send_home:
                self.bell_waiters[v.ticket] = (v, False)

    def window_granted(self, v: Visitor) -> None:
        self.queue_change(v.bank, -1)
        self.bell_waiters.pop(v.ticket, None)
        self.serve(v)

    def patience_runs_out(self, v: Visitor, now: float) -> Optional[float]:
        """The moment the visitor gives up (None: it never would): patience runs in
        opening hours only (a ticket holder does not give up over lunch), and not past
        closing when everyone waiting will be served."""
        if v.who.patience == math.inf:
            return None
        deadline = after_open_minutes(self.periods, now, v.who.patience)
        closes = math.floor(now / DAY) * DAY + self.close
        return deadline if self.send_home or deadline < closes else None

    def patience_over(self, waiting: tuple[Visitor, Ticket]) -> None:
        v, ticket = waiting
        if ticket.granted or ticket.cancelled:  # served already, or sent home
            return
        ticket.cancelled = True
        self.bell_waiters.pop(ticket, None)
        self.queue_change(v.bank, -1)
        self.left_without_service(v, ABANDONED)

    def queue_change(self, bank: Bank, delta: int) -> None:
        self.rec.queue.change(self.loop.now, delta)
        bank.waiting += delta

    def left_without_service(self, v: Visitor, outcome: str) -> None:
        """Balked, gave up or sent home: the trip ends here."""
        bank = v.bank
        self.rec.window_visits.append(WindowVisit(v.who.vid, bank.name, v.t_wait, math.nan, self.loop.now, outcome,
                                                  v.by_helper))
        if self.trace is not None:
            self.log(v, {BALKED: "balk", ABANDONED: "abandon", SENT_HOME: "sent_home"}[outcome], bank.name)
        self.windows_done(v, outcome)

    def serve(self, v: Visitor) -> None:
        v.t_start = self.loop.now
        if self.trace is not None:
            self.log(v, "serve", v.bank.name, START)
        v.outcome, minutes, v.to_approve = self.check_documents(v, v.bank)
        self.loop.at(v.t_start + minutes * v.bank.slowdown, self.served, v)

    def served(self, v: Visitor) -> None:
        """The visitor goes on to the next department's windows (``STEP_DONE``) or the trip
        ends; then the window is free for whoever is first in its queue by priority (the
        visitor itself, if its next step is at the same bank and no one is ahead of it);
        then what the window accepted goes to the back office.  The order is simpy's, whose
        freed resource went to the queue once the releasing process had moved on."""
        bank, outcome, now, ticket, to_approve = v.bank, v.outcome, self.loop.now, v.ticket, v.to_approve
        bank.services += (v.t_start, now)
        self.rec.window_visits.append(WindowVisit(v.who.vid, bank.name, v.t_wait, v.t_start, now, outcome, v.by_helper))
        if outcome == ACCEPTED:
            v.t_accepted = now
        if self.trace is not None:
            self.log(v, "serve", bank.name)
            if outcome in (ACCEPTED, REJECTED):
                self.log(v, outcome, bank.name)
        if to_approve is not None:  # counted now: the matter is not through before its approval
            v.approvals += 1
            self.open_work += 1
        if outcome == STEP_DONE:
            self.at_window(v)
        else:
            self.windows_done(v, outcome)
        bank.staffed.release(ticket)
        if to_approve is not None:
            self.approve(v, to_approve)

    # -- the back office --------------------------------------------------------------------
    def approve(self, v: Visitor, minutes: float) -> None:
        """The back office approves what a window accepted, in order of acceptance, in its
        hours; the visitor has gone (``served`` has counted the approval as open work)."""
        office = self.back_office
        self.rec.to_approve(office, self.loop.now, minutes)
        if self.trace is not None:
            self.log(v, "queue", BACK_OFFICE)
        job = [v, minutes, self.loop.now, None, 0.0]  # visitor, minutes, sent, ticket, begun
        job[3] = office.staffed.request(1, self.approval_begins, job)
        if job[3].granted:
            self.approval_begins(job)

    def approval_begins(self, job: list) -> None:
        v, minutes = job[0], job[1]
        office = self.back_office
        office.queued -= 1
        # a running sum of floats drifts (-1e-13 minutes left when nothing waits): an empty queue is 0
        office.queued_min = office.queued_min - minutes if office.queued else 0.0
        job[4] = self.loop.now
        if self.trace is not None:
            self.log(v, "approve", BACK_OFFICE, START)
        self.loop.at(job[4] + minutes, self.approval_done, job)

    def approval_done(self, job: list) -> None:
        v, _, t_sent, ticket, t_start = job
        office, now = self.back_office, self.loop.now
        office.staffed.release(ticket)
        self.rec.service(office, t_start, now)
        office.approvals.append((v.vid, t_sent, t_start, now))
        v.approvals -= 1
        v.t_approved = now
        if self.trace is not None:
            self.log(v, "approve", BACK_OFFICE)
        self.one_done()

    def check_documents(self, v: Visitor, bank: Bank) -> tuple[str, float, Optional[float]]:
        """The window checks the documents of the steps it covers: it accepts them
        (minor gaps against a pledge, where allowed) or sends the visitor away to
        fetch what is missing: every gap at once, or the first one it finds.
        Returns the outcome, the window minutes (before the bank's slowdown) and the
        approval minutes sent to the back office (None: nothing goes there)."""
        who, step = v.who, v.step
        n_steps = len(who.steps)
        covered = range(step, n_steps if bank.bundles else step + 1)
        if len(covered) == 1:  # most visits: one department's step (a quicker path, the same answer)
            return self._check_one_step(v, step, n_steps)
        if sum(v.major[i] + v.minor[i] for i in covered):  # gaps: the check decides
            rejected = self._check_gaps(v, covered)
            if rejected:
                return rejected
        accept, approve, later = who.accept_min, who.approve_min, None
        if self.back_office is None:
            minutes = sum(accept[i] + approve[i] for i in covered)
        else:
            away = [self.layout.to_back_office[who.steps[i]] for i in covered]
            minutes = sum(accept[i] + (0.0 if out else approve[i]) for i, out in zip(covered, away))
            if any(away):
                later = self.back_office.slowdown * sum(approve[i] for i, out in zip(covered, away) if out)
        v.step = covered.stop
        return (ACCEPTED if v.step == n_steps else STEP_DONE), minutes, later


    def _check_gaps(self, v: Visitor, covered: range) -> Optional[tuple[str, float, None]]:
        """The documents of the covered steps, which have gaps: ``check_documents``'s answer
        if the window sends the visitor away, else None (accepted, on a pledge if any)."""
        docs = self.p.documents
        outcome = documents.check(v.major, v.minor, covered, docs.notice, docs.pledge)
        if outcome == documents.REJECTED:
            minutes = self.population.later(v.who, v.rejections).check_min
            v.rejections += 1
            return REJECTED, minutes, None
        v.pledged |= outcome == documents.PLEDGED
        return None

    def _check_one_step(self, v: Visitor, i: int, n_steps: int) -> tuple[str, float, Optional[float]]:
        """``check_documents`` for a visit that covers step ``i`` alone."""
        who = v.who
        if v.major[i] or v.minor[i]:
            rejected = self._check_gaps(v, range(i, i + 1))
            if rejected:
                return rejected
        v.step = i + 1
        done = ACCEPTED if i + 1 == n_steps else STEP_DONE
        if self.back_office is not None and self.layout.to_back_office[who.steps[i]]:
            return done, who.accept_min[i], self.back_office.slowdown * who.approve_min[i]
        return done, who.accept_min[i] + who.approve_min[i], None


def _compiled_available() -> bool:
    from . import compiled  # imports numba where it is installed: only when asked
    return compiled.available()


def simulate(params: HallParams, streams: Streams, days: int, warmup_days: int,
             trace: Optional[Trace] = None, engine: str = "auto") -> HallRecords:
    """One replication.  ``engine``: "python", "compiled" (numba: the same records, several
    times faster) or "auto" (compiled when numba is installed and no trace is asked for;
    ``GOVSIM_ENGINE=python`` forces Python)."""
    population = population_of(params, streams, days)
    if chosen_loop(engine, trace, _compiled_available) == "compiled":
        from . import compiled
        rec = compiled.simulate(params, population, days, warmup_days)
        if rec is not None:  # None: records beyond the loop's room, which the Python loop has
            return rec
    return Hall(params, population, days, warmup_days, trace).run()
