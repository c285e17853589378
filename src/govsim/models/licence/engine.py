"""Multi-day application workflows as simpy processes on office time.

``application_flow`` walks one application from receipt to hand-over of the
certificate: the intake window checks its documents (the applicant comes back
with what is missing, or a proxy helper fetches it), then the steps run in series
or in parallel as their ``after`` lists say, each waiting for the daily hand-over
of paper files, its slot (a daily sign-off, a weekly meeting, an inspection booked
days ahead), the department's staff and its fixed delays; then the certificate is
collected, mailed, handed over at once or with the keys.

The simulation clock is office time (``govsim.calendar.OfficeClock``): minutes of
office hours since the first working day opened.  Staff work only then, so work
of 600 minutes simply spans two days; an application handed in online on Friday
evening is received at Monday's opening.  Applicants' own delays (fetching a
document, collecting the certificate) are in working days of office time; the post
runs on calendar days.

No random number is drawn here: every application arrives with its draws
(``population.py``), and ``Values`` turns them into this policy's minutes and days.
The books (times, staff minutes, the event log) are kept in ``records.py``.
"""
from __future__ import annotations

import math
from collections import deque
from datetime import date
from typing import Optional

import numpy as np
import simpy

from ... import documents as docs
from ...calendar import DAY, WEEKDAYS, OfficeClock
from ...model_api import COMPLETE, START, Trace
from ...rng import Streams
from .params import LicenceParams
from .population import INTAKE_SET, Month, Population, Values, layers, months, return_name
from .records import DELAY, HANDOVER, INTAKE, WAIT, WORK, Application, EventLog, Records

__all__ = ["Office", "Records", "Application", "simulate", "INTAKE", "HANDOVER", "WAIT", "WORK", "DELAY"]

SLOT_SEARCH_DAYS = 2500  # working days a booking looks ahead before giving up
HELPERS = "helpers"  # the event log's resource for proxy helpers


class Pool:
    """Staff (or helpers) taking work first come, first served.  Like a simpy
    Resource, but a request that finds someone free costs no event: most back
    offices are idle most of the time."""

    def __init__(self, env: simpy.Environment, capacity: int):
        self.env = env
        self.free = capacity
        self.queue: deque = deque()

    def acquire(self) -> Optional[simpy.Event]:
        """None when a server is free now, else an event to wait for."""
        if self.free > 0 and not self.queue:
            self.free -= 1
            return None
        ev = self.env.event()
        self.queue.append(ev)
        return ev

    def release(self) -> None:
        if self.queue:
            self.queue.popleft().succeed()  # the server goes straight to the next in line
        else:
            self.free += 1


class SlotBook:
    """Slots of a step: a time of day on its days, a capacity per slot, a booking
    lead; files take the earliest slot with room, first come first served."""

    def __init__(self, slot, clock: OfficeClock):
        self.clock = clock
        self.offset = clock.offset(slot.at)
        self.capacity = slot.capacity
        self.lead = slot.lead_days
        self.weekday = None if slot.every == "day" else WEEKDAYS.index(slot.weekday)
        self.booked: dict[int, int] = {}

    def book(self, t: float) -> float:
        L = self.clock.L
        d = self.clock.day(t) + self.lead
        earliest = max(t, d * L)
        for d in range(d, d + SLOT_SEARCH_DAYS):
            ts = d * L + self.offset
            if (ts >= earliest - 1e-9
                    and (self.weekday is None or self.clock.date(d).weekday() == self.weekday)
                    and (self.capacity is None or self.booked.get(d, 0) < self.capacity)):
                if self.capacity is not None:
                    self.booked[d] = self.booked.get(d, 0) + 1
                return max(ts, t)
        return math.inf  # no slot in ten years of working days: the file waits for ever (unfinished)


class StepNames:
    """The attribute names of one step's draws (built once, not per event)."""

    __slots__ = ("work", "delay", "visit", "walk", "prepare", "carry", "rework", "rework_fix", "rework_work")

    def __init__(self, step: str):
        for attr in self.__slots__:
            setattr(self, attr, f"step:{step}:{attr}")


class Office:
    """One replication: the office's staff, helpers and slots, and a process per application."""

    def __init__(self, params: LicenceParams, streams: Streams, days: int, warmup_days: int, scale: float,
                 trace: Optional[Trace] = None):
        self.p = params
        self.env = simpy.Environment()
        self.clock = params.calendar.clock(days + params.follow_up_days + 25)
        self.L = self.clock.L
        self.t_counted, self.t_end = warmup_days * self.L, days * self.L
        self.t_limit = (days + params.follow_up_days) * self.L
        self.scale = scale
        self.order = params.step_order()
        self.deps = params.dependencies()
        self.chain = all(self.deps[n] == self.order[i - 1:i] for i, n in enumerate(self.order))
        self.rec = Records(self.clock, days, warmup_days, [INTAKE] + self.order + [HANDOVER])
        self.rec.busy = {name: 0.0 for name in params.departments}
        self.rec.step_busy = {name: 0.0 for name in self.order}
        self.population = Population(params, streams, self.clock)
        self.values = Values(params)
        self.log = EventLog(trace, self.clock) if trace is not None else None
        self.staff = {name: Pool(self.env, d.staff) for name, d in params.departments.items()}
        self.helpers = Pool(self.env, params.proxy.helpers) if params.proxy else None
        self.slots = {n: SlotBook(params.steps[n].slot, self.clock) for n in self.order if params.steps[n].slot}
        self.handover_at = {n: self.clock.offset(params.steps[n].handover) for n in self.order
                            if params.steps[n].handover is not None}
        self.names = {n: StepNames(n) for n in self.order}
        # sets of documents checked separately: the intake's, then each step's that asks for its own
        self.doc_sets = [INTAKE_SET] + [n for n in self.order if params.steps[n].documents is not None]
        self.doc_index = {n: i for i, n in enumerate(self.doc_sets)}
        self.pending = 0  # counted applications not yet handed over
        self.stop = self.env.event()
        self.env.process(self.arrivals())
        self.env.process(self._deadline())

    # -- arrivals --------------------------------------------------------------------
    def admit(self, m: Month) -> list[Application]:
        """The month's applications this demand keeps, with this policy's channels and gaps."""
        online, proxied, t_cal = self.values.channels(m)
        keep = np.flatnonzero((m.level < self.scale) & (t_cal >= 0))
        if not len(keep):
            return []
        t_cal = t_cal[keep]
        t_need = self.clock.to_office(t_cal)
        gaps = [self.values.gaps(m, s) for s in self.doc_sets]
        ahead = self.p.filed_ahead_days() * self.L
        stages = len(self.rec.stages)
        out = []
        for j, i in enumerate(keep):
            a = Application(m.drawn(i), stages)
            a.online = bool(online[i])
            a.proxied = bool(proxied[i])
            a.t_cal = float(t_cal[j])
            a.t_need = float(t_need[j])
            a.t_start = max(0.0, a.t_need - ahead)
            a.major = [int(major[i]) for major, _ in gaps]
            a.minor = [int(minor[i]) for _, minor in gaps]
            a.gaps = tuple(x + y for x, y in zip(a.major, a.minor))  # as received (the lists are used up)
            a.counted = self.t_counted <= a.t_need < self.t_end
            out.append(a)
        return out

    def arrivals(self):
        """Month by month, each layer the demand scale reaches; stops drawing once a
        month begins after the follow-up limit."""
        next_id = 0
        start = self.p.calendar.start
        for year, month in months(start):
            first = (date(year, month, 1) - start).days * DAY
            if self.clock.to_office(max(first, 0.0)) >= self.t_limit:
                return
            apps = [a for layer in layers(self.scale) for a in self.admit(self.population.month(layer, year, month))]
            apps.sort(key=lambda a: (a.t_start, a.t_cal))
            for a in apps:
                if a.t_need >= self.t_limit:
                    continue
                if a.t_start > self.env.now:
                    yield self.env.timeout(a.t_start - self.env.now)
                next_id += 1
                a.aid = next_id
                self.rec.apps.append(a)
                if a.counted:
                    self.pending += 1
                self.env.process(self.application_flow(a))

    def _deadline(self):
        yield self.env.timeout(self.t_end)
        if self.pending == 0 and not self.stop.triggered:
            self.stop.succeed()
        yield self.env.timeout(self.t_limit - self.t_end)
        if not self.stop.triggered:
            self.stop.succeed()

    # -- draws, as this policy's values ------------------------------------------------
    def _value(self, a: Application, name: str) -> float:
        return self.values.value(name, a.drawn[name])

    def _later(self, a: Application, name: str) -> float:
        """The application's next uniform of ``name`` (a check, a return, a re-work round)."""
        j = a.later_used.get(name, 0)
        a.later_used[name] = j + 1
        return self.population.later(a.drawn, name, j)

    # -- one application ------------------------------------------------------------
    def application_flow(self, a: Application):
        """Receipt → intake → steps → certificate handed over."""
        env, log = self.env, self.log
        if log is not None:
            handed_in = a.t_cal if a.t_start == a.t_need else self.clock.to_calendar(a.t_start)  # filed ahead
            log.add_calendar(a, "arrive", handed_in, "online" if a.online else "counter")
            log.add(a, "receive", env.now)
        if not a.online and not a.proxied:
            a.visits += 1  # handing it in at the counter
        yield from self.intake(a)
        a.t_accept = env.now
        if log is not None:
            log.add(a, "accept", env.now, resource=self.p.intake.department)
        if self.chain:  # one step after another: walk them in this process
            for si, name in enumerate(self.order, start=1):
                yield from self.step(a, si, name)
        elif self.order:  # a graph: one process per step, each waiting for what it needs
            done = {}
            for si, name in enumerate(self.order, start=1):
                done[name] = env.event()
                env.process(self._step_process(a, si, name, [done[d] for d in self.deps[name]], done[name]))
            yield env.all_of(list(done.values()))
        a.t_issue = env.now
        if log is not None:
            log.add(a, "issue", env.now)
        yield from self.hand_over(a)
        if a.counted:
            self.pending -= 1
            if self.pending == 0 and env.now >= self.t_end and not self.stop.triggered:
                self.stop.succeed()

    def intake(self, a: Application):
        """A proxy helper assembles and pre-checks every document first, fetching
        what is missing; the window then checks the application's documents and
        accepts it (on a pledge, where allowed), or sends it back for the gaps."""
        env, p, t, log = self.env, self.p, a.times[0], self.log
        if a.proxied:
            t0 = env.now
            assemble = self._value(a, "proxy:assemble")
            started = yield from self._helper_work(a, "assemble", assemble)
            t[WAIT] += started - t0
            t[WORK] += assemble
            everything = range(len(self.doc_sets))
            if docs.gaps(a.major, a.minor, everything):
                d = max(0.0, self._value(a, "proxy:fix")) * self.L
                if log is not None:
                    log.add(a, "fetch", env.now, START, HELPERS)
                t[DELAY] += d
                yield env.timeout(d)
                docs.clear(a.major, a.minor, everything)
                if log is not None:
                    log.add(a, "fetch", env.now, COMPLETE, HELPERS)
        rules = p.documents
        dept = p.intake.department
        while True:
            t0 = env.now
            if log is not None:
                log.add(a, "queue", t0, resource=dept)
            ev = self.staff[dept].acquire()
            if ev is not None:
                yield ev
            t[WAIT] += env.now - t0
            outcome = docs.check(a.major, a.minor, range(0, 1), rules.notice, rules.pledge)
            minutes = (self.values.value("intake:check", self._later(a, "intake:check")) if outcome == docs.REJECTED
                       else self._value(a, "intake:accept"))
            yield from self._staff_work(a, dept, None, minutes, "check")
            t[WORK] += minutes
            if outcome == docs.PLEDGED:
                a.pledged = True
            if outcome != docs.REJECTED:
                return
            yield from self._supplement(a, INTAKE_SET, t, dept)

    def _supplement(self, a: Application, doc_set: Optional[str], t: list, dept: str):
        """The applicant brings what was asked for, some working days later."""
        a.supplements += 1
        name = return_name(doc_set)
        d = max(0.0, self.values.value(name, self._later(a, name))) * self.L
        t[DELAY] += d
        yield self.env.timeout(d)
        if not a.online:
            a.visits += 1
        if self.log is not None:
            self.log.add(a, "supplement", self.env.now, resource=dept)

    def _step_process(self, a: Application, si: int, name: str, deps: list, done):
        if deps:
            yield self.env.all_of(deps) if len(deps) > 1 else deps[0]
        yield from self.step(a, si, name)
        done.succeed()

    def step(self, a: Application, si: int, name: str):
        """Hand-over of the file, the applicant's own preparation, the applicant called
        in, documents, then (again after a failed check) the slot, the staff and the
        step's fixed delay."""
        env, spec, t, log, u = self.env, self.p.steps[name], a.times[si], self.log, self.names[name]
        dept = spec.department
        # the file reaches the step: daily hand-over of paper files, or a helper walks it
        if name in self.handover_at:
            t0 = env.now
            if a.proxied:
                yield from self._helper_work(a, "walk", max(0.0, self.values.value(u.walk, a.drawn[u.walk][0])))
            else:
                wait = self.clock.next_at(self.handover_at[name], env.now) - env.now
                if wait > 0:
                    yield env.timeout(wait)
                if log is not None:
                    log.add(a, "transfer", env.now, resource=dept)
            t[WAIT] += env.now - t0
        # the applicant's own people prepare the step's technical documents (a helper
        # cannot do that for them), then hand them in: a trip, or a helper carries them
        if spec.prepare_days is not None:
            d = max(0.0, self._value(a, u.prepare)) * self.L
            if log is not None:
                log.add(a, "prepare", env.now, START, "applicant")
            t[DELAY] += d
            yield env.timeout(d)
            if log is not None:
                log.add(a, "prepare", env.now, COMPLETE, "applicant")
            if a.proxied:
                t0 = env.now
                yield from self._helper_work(a, "walk", max(0.0, self._value(a, u.carry)))
                t[WAIT] += env.now - t0
            elif not a.online:
                a.visits += 1
                if log is not None:
                    log.add(a, "visit", env.now, resource=dept)
        # the applicant is called in (to sign or pay); a helper goes instead
        if spec.visit_days is not None:
            if a.proxied:
                t0 = env.now
                yield from self._helper_work(a, "walk", max(0.0, self.values.value(u.walk, a.drawn[u.walk][1])))
                t[WAIT] += env.now - t0
            else:
                d = max(0.0, self._value(a, u.visit)) * self.L
                t[DELAY] += d
                yield env.timeout(d)
                a.visits += 1
                if log is not None:
                    log.add(a, "visit", env.now, resource=dept)
        # the department checks the documents this step asks for
        if spec.documents is not None:
            k = self.doc_index[name]
            rules = self.p.documents
            while True:
                outcome = docs.check(a.major, a.minor, range(k, k + 1), rules.notice, rules.pledge)
                if log is not None:
                    log.add(a, "check", env.now, START, dept)
                    log.add(a, "check", env.now, COMPLETE, dept)
                if outcome == docs.PLEDGED:
                    a.pledged = True
                if outcome != docs.REJECTED:
                    break
                yield from self._supplement(a, name, t, dept)
        attempt = 0
        while True:
            if name in self.slots:
                wait = self.slots[name].book(env.now) - env.now
                if log is not None:
                    log.add(a, "book", env.now, resource=dept)
                if wait == math.inf:
                    yield env.event()  # never: the application stays unfinished
                if wait > 0:
                    yield env.timeout(wait)
                    t[WAIT] += wait
            t0 = env.now
            if log is not None:
                log.add(a, "queue", t0, resource=dept)
            ev = self.staff[dept].acquire()
            if ev is not None:
                yield ev
            t[WAIT] += env.now - t0
            minutes = (self._value(a, u.work) if attempt == 0
                       else max(0.0, self.values.value(u.rework_work, self._later(a, u.rework_work))))
            yield from self._staff_work(a, dept, name, minutes, "serve")
            t[WORK] += minutes
            if attempt == 0 and spec.delay_days is not None:
                d = max(0.0, self._value(a, u.delay)) * self.L
                if log is not None:
                    log.add(a, "delay", env.now, START, dept)
                t[DELAY] += d
                yield env.timeout(d)
                if log is not None:
                    log.add(a, "delay", env.now, COMPLETE, dept)
            if spec.rework is not None and self._later(a, u.rework) < spec.rework.p:
                d = max(0.0, self.values.value(u.rework_fix, self._later(a, u.rework_fix))) * self.L
                if log is not None:
                    log.add(a, "rework", env.now, resource=dept)
                t[DELAY] += d
                yield env.timeout(d)
                attempt += 1
                continue
            break

    def hand_over(self, a: Application):
        env, h, t = self.env, self.p.handover, a.times[-1]
        mode = h.mode
        if mode == "in_person" and a.proxied:
            mode = "on_the_spot"  # the helper brings it
        if mode == "in_person":
            d = max(0.0, self._value(a, "handover:collect")) * self.L
            yield env.timeout(d)
            a.visits += 1  # a trip to the window, however the application was handed in
        elif mode == "with_keys" and a.t_need > env.now:
            yield env.timeout(a.t_need - env.now)
        a.t_end = env.now
        if mode == "mail":
            a.t_end_cal = self.clock.to_calendar(a.t_end) + max(0.0, self._value(a, "handover:mail")) * DAY
            t[DELAY] += self.clock.to_office(a.t_end_cal) - a.t_end
        else:
            a.t_end_cal = self.clock.to_calendar(a.t_end)
            t[DELAY] += a.t_end - a.t_issue
        if self.log is not None:
            self.log.add_calendar(a, "handover", a.t_end_cal, mode)

    # -- staff and helpers' time -------------------------------------------------------
    def _staff_work(self, a: Application, dept: str, step: Optional[str], minutes: float, activity: str):
        """One of the department's staff (already acquired) works ``minutes``, then is free."""
        t0 = self.env.now
        if self.log is not None:
            self.log.add(a, activity, t0, START, dept)
        if minutes > 0:
            yield self.env.timeout(minutes)
        self.staff[dept].release()
        self.rec.staff_worked(dept, step, t0, self.env.now)
        if self.log is not None:
            self.log.add(a, activity, self.env.now, COMPLETE, dept)

    def _helper_work(self, a: Application, activity: str, minutes: float):
        """A helper, first come first served, works ``minutes`` for the application;
        returns when the helper started."""
        log = self.log
        if log is not None:
            log.add(a, "queue", self.env.now, resource=HELPERS)
        ev = self.helpers.acquire()
        if ev is not None:
            yield ev
        t0 = self.env.now
        if log is not None:
            log.add(a, activity, t0, START, HELPERS)
        if minutes > 0:
            yield self.env.timeout(minutes)
        self.helpers.release()
        self.rec.helper_worked(t0, self.env.now)
        if log is not None:
            log.add(a, activity, self.env.now, COMPLETE, HELPERS)
        return t0

    def run(self) -> Records:
        self.env.run(until=self.stop)
        self.rec.stopped_at = self.env.now
        return self.rec


def simulate(params: LicenceParams, streams: Streams, days: int, warmup_days: int = 0,
             scale: Optional[float] = None, trace: Optional[Trace] = None) -> Records:
    """One replication at the demand ``scale`` (default: the params' own); ``trace``
    (a ``govsim.model_api.Trace``) gets every event, in calendar minutes since midnight
    of the calendar's start date."""
    scale = params.arrivals.scale if scale is None else scale
    return Office(params, streams, days, warmup_days, scale, trace).run()
