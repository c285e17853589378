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

Applications are drawn month by month in *layers*: layer ``j`` is a Poisson stream
at the scenario's rate with its own named random streams, each application carrying
a level in ``[j, j + 1)``; demand ``scale`` keeps the applications whose level is
below it.  So demand ×1.5 is demand ×1 plus half of layer 1 — the same applicants
and more — and every policy meets the same applicants with the same documents and
the same minutes of work (common random numbers).
"""
from __future__ import annotations

import calendar as pycal
import math
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterator, Optional

import numpy as np
import simpy

from ... import documents as docs
from ...calendar import DAY, WEEKDAYS, OfficeClock
from ...rng import Streams
from .params import MAX_DOCUMENTS, LicenceParams

INTAKE = "intake"
HANDOVER = "handover"
WAIT, WORK, DELAY = 0, 1, 2
SLOT_SEARCH_DAYS = 2500  # working days a booking looks ahead before giving up
AHEAD = 6  # draws of each later kind made per application when it arrives


class Application:
    __slots__ = ("aid", "online", "proxied", "t_cal", "t_need", "t_start", "major", "minor", "accept_min",
                 "assemble_min", "work", "delay", "visit", "rework_u", "collect_days", "mail_days", "visits",
                 "supplements", "pledged", "gaps", "t_accept", "t_issue", "t_end", "t_end_cal", "times", "counted",
                 "later", "later_used")

    def __init__(self, aid: int):
        self.aid = aid
        self.later: dict[str, list] = {}  # draws for what may happen later (returns, re-work), made at arrival
        self.later_used: dict[str, int] = {}
        self.visits = 0
        self.supplements = 0
        self.pledged = False
        self.t_accept = self.t_issue = self.t_end = self.t_end_cal = math.nan


@dataclass
class Records:
    """What one replication leaves behind for the KPIs."""

    clock: OfficeClock
    days: int
    warmup_days: int
    stages: list[str]  # intake, the enabled steps in order, handover
    apps: list[Application] = field(default_factory=list)
    busy: dict[str, float] = field(default_factory=dict)  # department -> staff minutes in the counted days
    step_busy: dict[str, float] = field(default_factory=dict)
    helper_busy: float = 0.0
    stopped_at: float = 0.0


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


def next_daily(clock: OfficeClock, offset: float, t: float) -> float:
    """The first moment at or after ``t`` at ``offset`` office minutes into a day."""
    ts = clock.day(t) * clock.L + offset
    return ts if ts >= t - 1e-9 else ts + clock.L


class Office:
    def __init__(self, params: LicenceParams, streams: Streams, days: int, warmup_days: int, scale: float):
        self.p = params
        self.streams = streams
        self.env = simpy.Environment()
        self.clock = params.calendar.clock(days + params.follow_up_days + 25)
        self.L = self.clock.L
        self.days = days
        self.t_counted, self.t_end = warmup_days * self.L, days * self.L
        self.t_limit = (days + params.follow_up_days) * self.L
        self.scale = scale
        self.order = params.step_order()
        self.deps = params.dependencies()
        self.chain = all(self.deps[n] == self.order[i - 1:i] for i, n in enumerate(self.order))
        self.rec = Records(self.clock, days, warmup_days, [INTAKE] + self.order + [HANDOVER])
        self.staff = {name: Pool(self.env, d.staff) for name, d in params.departments.items()}
        self.rec.busy = {name: 0.0 for name in params.departments}
        self.rec.step_busy = {name: 0.0 for name in self.order}
        self.helpers = Pool(self.env, params.proxy.helpers) if params.proxy else None
        self.slots = {n: SlotBook(params.steps[n].slot, self.clock) for n in self.order if params.steps[n].slot}
        self.handover_at = {n: self.clock.offset(params.steps[n].handover) for n in self.order
                            if params.steps[n].handover is not None}
        self.doc_sets = [INTAKE] + [n for n in self.order if params.steps[n].documents is not None]
        self.doc_index = {n: i for i, n in enumerate(self.doc_sets)}
        self._open_iterators()
        self._layers: dict[int, dict] = {}
        self.pending = 0  # counted applications not yet handed over
        self.stop = self.env.event()
        self.env.process(self.arrivals())
        self.env.process(self._deadline())

    # -- random draws ------------------------------------------------------------
    def _open_iterators(self) -> None:
        """Draws whose number depends on what happens (returns, re-work).  Each
        application brings ``AHEAD`` of each kind, drawn when it is created (so every
        policy hands the same ones to the same application: common random numbers); only
        further ones come from these streams, in event order."""
        p, s = self.p, self.streams
        kinds = [("check", p.documents.check)] + [(f"return:{n}", p.documents.return_days) for n in self.doc_sets]
        if p.proxy:
            kinds += [("proxy:fix", p.proxy.fix_days), ("proxy:walk", p.proxy.walk)]
        for n in self.order:
            st = p.steps[n]
            if st.rework is not None:
                kinds += [(f"rework:fix:{n}", st.rework.fix_days), (f"rework:work:{n}", st.work),
                          (f"rework:again:{n}", None)]
        self.later_kinds = kinds
        self.check_it = p.documents.check.iterator(s.get("check:intake"))
        self.return_it = {n: p.documents.return_days.iterator(s.get(f"return:{n}")) for n in self.doc_sets}
        self.fix_it = p.proxy.fix_days.iterator(s.get("proxy:fix")) if p.proxy else None
        self.walk_it = p.proxy.walk.iterator(s.get("proxy:walk")) if p.proxy else None
        self.again = {}
        for n in self.order:
            st = p.steps[n]
            if st.rework is not None:
                self.again[n] = (st.rework.fix_days.iterator(s.get(f"rework:fix:{n}")),
                                 st.work.iterator(s.get(f"rework:work:{n}")),
                                 s.uniforms(f"rework:again:{n}"))

    def draw_month(self, layer: int, year: int, month: int) -> list[Application]:
        """A month's applications of one layer, with every attribute drawn here."""
        p, L, clock = self.p, self.L, self.clock
        g = self._layer_streams(layer)
        start = p.calendar.start
        first = date(year, month, 1)
        n_days = pycal.monthrange(year, month)[1]
        mean = p.arrivals.per_year * p.arrivals.month_weights()[month - 1]
        n = int(g["arrivals"].poisson(mean))
        level = layer + g["arrivals"].random(n)
        working = [first + timedelta(days=i) for i in range(n_days) if p.calendar.is_working_day(first + timedelta(days=i))]
        pick = g["arrivals"].integers(0, max(1, len(working)), n)
        offset = g["arrivals"].random(n) * L
        online_at = ((first - start).days + g["arrivals"].random(n) * n_days) * DAY
        if working:
            counter_at = np.array([(working[k] - start).days * DAY for k in pick], dtype=float)
            counter_at += np.array([clock.clock_minute(o) for o in offset], dtype=float)
        else:
            counter_at = online_at.copy()
        who = g["applicant"].random((n, 2))
        sets = {}
        for name in self.doc_sets:
            u = g[f"documents:{name}"].random((n, 2, MAX_DOCUMENTS))
            spec = p.documents if name == INTAKE else p.steps[name].documents
            sets[name] = docs.nested_gaps(u[:, 0], u[:, 1], spec.required, spec.p_missing, spec.minor_share)
        accept = p.intake.accept.draw_block(g["accept"], n)
        assemble = p.proxy.assemble.draw_block(g["proxy:assemble"], n) if p.proxy else np.zeros(n)
        work = {k: p.steps[k].work.draw_block(g[f"work:{k}"], n) for k in self.order}
        delay = {k: p.steps[k].delay_days.draw_block(g[f"delay:{k}"], n) for k in self.order
                 if p.steps[k].delay_days is not None}
        visit = {k: p.steps[k].visit_days.draw_block(g[f"visit:{k}"], n) for k in self.order
                 if p.steps[k].visit_days is not None}
        rework = {k: g[f"rework:{k}"].random(n) for k in self.order if p.steps[k].rework is not None}
        h = p.handover
        collect = h.collect_days.draw_block(g["handover:collect"], n) if h.collect_days else np.zeros(n)
        mail = h.mail_days.draw_block(g["handover:mail"], n) if h.mail_days else np.zeros(n)
        later = {kind: (dist.draw_block(g[f"later:{kind}"], n * AHEAD) if dist is not None
                        else g[f"later:{kind}"].random(n * AHEAD)).reshape(n, AHEAD)
                 for kind, dist in self.later_kinds}

        keep = level < self.scale
        online = who[:, 0] < p.arrivals.online_share
        # handed in online: at any hour; at the counter, or needed at a handover (a
        # file started ahead, whoever files it): in office hours
        any_hour = online & (p.arrivals.ahead_days == 0)
        t_cal = np.where(any_hour, online_at, counter_at)
        keep &= t_cal >= 0
        idx = np.flatnonzero(keep)
        t_cal = t_cal[idx]
        t_need = clock.to_office(t_cal) if len(idx) else np.zeros(0)
        ahead = p.arrivals.ahead_days * L
        out = []
        for j, i in enumerate(idx):
            a = Application(0)
            a.online = bool(online[i])
            a.proxied = bool(p.proxy is not None and who[i, 1] < p.proxy.uptake)
            a.t_cal = float(t_cal[j])
            a.t_need = float(t_need[j])
            a.t_start = max(0.0, a.t_need - ahead)
            a.major = [int(sets[s][0][i]) for s in self.doc_sets]
            a.minor = [int(sets[s][1][i]) for s in self.doc_sets]
            a.gaps = tuple(x + y for x, y in zip(a.major, a.minor))  # as received (the lists are used up)
            a.accept_min = float(accept[i])
            a.assemble_min = float(assemble[i])
            a.work = {k: float(work[k][i]) for k in self.order}
            a.delay = {k: float(delay[k][i]) for k in delay}
            a.visit = {k: float(visit[k][i]) for k in visit}
            a.rework_u = {k: float(rework[k][i]) for k in rework}
            a.collect_days = float(collect[i])
            a.mail_days = float(mail[i])
            a.later = {kind: later[kind][i].tolist() for kind in later}
            a.counted = self.t_counted <= a.t_need < self.t_end
            a.times = [[0.0, 0.0, 0.0] for _ in self.rec.stages]
            out.append(a)
        return out

    def _layer_streams(self, layer: int) -> dict:
        """Layer 0 draws from the plain stream names, layer j from '<name>@<j+1>'."""
        if layer not in self._layers:
            suffix = "" if layer == 0 else f"@{layer + 1}"
            names = (["arrivals", "applicant", "accept", "proxy:assemble", "handover:collect", "handover:mail"]
                     + [f"documents:{n}" for n in self.doc_sets] + [f"work:{k}" for k in self.order]
                     + [f"delay:{k}" for k in self.order] + [f"visit:{k}" for k in self.order]
                     + [f"rework:{k}" for k in self.order] + [f"later:{kind}" for kind, _ in self.later_kinds])
            self._layers[layer] = {name: self.streams.get(name + suffix) for name in names}
        return self._layers[layer]

    # -- arrivals --------------------------------------------------------------------
    def months(self) -> Iterator[tuple[int, int]]:
        d = self.p.calendar.start.replace(day=1)
        while True:
            yield d.year, d.month
            d = (d + timedelta(days=32)).replace(day=1)

    def arrivals(self):
        """Month by month, each layer the demand scale reaches; stops drawing once a
        month begins after the follow-up limit."""
        layers = range(int(math.ceil(self.scale)))
        next_id = 0
        start = self.p.calendar.start
        for year, month in self.months():
            first = (date(year, month, 1) - start).days * DAY
            if self.clock.to_office(max(first, 0.0)) >= self.t_limit:
                return
            apps = [a for layer in layers for a in self.draw_month(layer, year, month)]
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

    # -- one application ------------------------------------------------------------
    def application_flow(self, a: Application):
        """Receipt → intake → steps → certificate handed over."""
        env = self.env
        if not a.online and not a.proxied:
            a.visits += 1  # handing it in at the counter
        yield from self.intake(a)
        a.t_accept = env.now
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
        yield from self.hand_over(a)
        if a.counted:
            self.pending -= 1
            if self.pending == 0 and env.now >= self.t_end and not self.stop.triggered:
                self.stop.succeed()

    def intake(self, a: Application):
        """A proxy helper assembles and pre-checks every document first, fetching
        what is missing; the window then checks the application's documents and
        accepts it (on a pledge, where allowed), or sends it back for the gaps."""
        env, p, t = self.env, self.p, a.times[0]
        if a.proxied:
            t0 = env.now
            ev = self.helpers.acquire()
            if ev is not None:
                yield ev
            t[WAIT] += env.now - t0
            yield from self._helper_work(a.assemble_min)
            t[WORK] += a.assemble_min
            everything = range(len(self.doc_sets))
            if docs.gaps(a.major, a.minor, everything):
                d = max(0.0, self._later(a, "proxy:fix", self.fix_it)) * self.L
                t[DELAY] += d
                yield env.timeout(d)
                docs.clear(a.major, a.minor, everything)
        rules = p.documents
        dept = p.intake.department
        while True:
            t0 = env.now
            ev = self.staff[dept].acquire()
            if ev is not None:
                yield ev
            t[WAIT] += env.now - t0
            outcome = docs.check(a.major, a.minor, range(0, 1), rules.notice, rules.pledge)
            minutes = self._later(a, "check", self.check_it) if outcome == docs.REJECTED else a.accept_min
            yield from self._staff_work(dept, None, minutes)
            t[WORK] += minutes
            if outcome == docs.PLEDGED:
                a.pledged = True
            if outcome != docs.REJECTED:
                return
            yield from self._supplement(a, INTAKE, t)

    def _supplement(self, a: Application, doc_set: str, t: list):
        """The applicant brings what was asked for, some working days later."""
        a.supplements += 1
        d = max(0.0, self._later(a, f"return:{doc_set}", self.return_it[doc_set])) * self.L
        t[DELAY] += d
        yield self.env.timeout(d)
        if not a.online:
            a.visits += 1

    def _step_process(self, a: Application, si: int, name: str, deps: list, done):
        if deps:
            yield self.env.all_of(deps) if len(deps) > 1 else deps[0]
        yield from self.step(a, si, name)
        done.succeed()

    def step(self, a: Application, si: int, name: str):
        """Hand-over of the file, the applicant called in, documents, then (again after
        a failed check) the slot, the staff and the step's fixed delay."""
        env, spec, t = self.env, self.p.steps[name], a.times[si]
        # the file reaches the step: daily hand-over of paper files, or a helper walks it
        if name in self.handover_at:
            t0 = env.now
            if a.proxied:
                ev = self.helpers.acquire()
                if ev is not None:
                    yield ev
                yield from self._helper_work(max(0.0, self._later(a, "proxy:walk", self.walk_it)))
            else:
                wait = next_daily(self.clock, self.handover_at[name], env.now) - env.now
                if wait > 0:
                    yield env.timeout(wait)
            t[WAIT] += env.now - t0
        # the applicant is called in (to sign or pay); a helper goes instead
        if spec.visit_days is not None:
            if a.proxied:
                t0 = env.now
                ev = self.helpers.acquire()
                if ev is not None:
                    yield ev
                yield from self._helper_work(max(0.0, self._later(a, "proxy:walk", self.walk_it)))
                t[WAIT] += env.now - t0
            else:
                d = max(0.0, a.visit[name]) * self.L
                t[DELAY] += d
                yield env.timeout(d)
                a.visits += 1
        # the department checks the documents this step asks for
        if spec.documents is not None:
            k = self.doc_index[name]
            rules = self.p.documents
            while True:
                outcome = docs.check(a.major, a.minor, range(k, k + 1), rules.notice, rules.pledge)
                if outcome == docs.PLEDGED:
                    a.pledged = True
                if outcome != docs.REJECTED:
                    break
                yield from self._supplement(a, name, t)
        attempt = 0
        while True:
            if name in self.slots:
                wait = self.slots[name].book(env.now) - env.now
                if wait == math.inf:
                    yield env.event()  # never: the application stays unfinished
                if wait > 0:
                    yield env.timeout(wait)
                    t[WAIT] += wait
            t0 = env.now
            ev = self.staff[spec.department].acquire()
            if ev is not None:
                yield ev
            t[WAIT] += env.now - t0
            minutes = a.work[name] if attempt == 0 else max(0.0, self._later(a, f"rework:work:{name}",
                                                                                 self.again[name][1]))
            yield from self._staff_work(spec.department, name, minutes)
            t[WORK] += minutes
            if attempt == 0 and name in a.delay:
                d = max(0.0, a.delay[name]) * self.L
                t[DELAY] += d
                yield env.timeout(d)
            if spec.rework is not None:
                fix_it, _, again_u = self.again[name]
                u = a.rework_u[name] if attempt == 0 else self._later(a, f"rework:again:{name}", again_u)
                if u < spec.rework.p:
                    d = max(0.0, self._later(a, f"rework:fix:{name}", fix_it)) * self.L
                    t[DELAY] += d
                    yield env.timeout(d)
                    attempt += 1
                    continue
            break

    @staticmethod
    def _later(a: Application, kind: str, overflow) -> float:
        """The application's next draw of ``kind``, made when it arrived; past ``AHEAD``
        of them (rare), the next from the kind's own stream."""
        used = a.later_used.get(kind, 0)
        a.later_used[kind] = used + 1
        drawn = a.later.get(kind)
        return drawn[used] if drawn is not None and used < len(drawn) else next(overflow)

    def hand_over(self, a: Application):
        env, h, t = self.env, self.p.handover, a.times[-1]
        mode = h.mode
        if mode == "in_person" and a.proxied:
            mode = "on_the_spot"  # the helper brings it
        if mode == "in_person":
            d = max(0.0, a.collect_days) * self.L
            yield env.timeout(d)
            a.visits += 1  # a trip to the window, however the application was handed in
        elif mode == "with_keys" and a.t_need > env.now:
            yield env.timeout(a.t_need - env.now)
        a.t_end = env.now
        if mode == "mail":
            a.t_end_cal = self.clock.to_calendar(a.t_end) + max(0.0, a.mail_days) * DAY
            t[DELAY] += self.clock.to_office(a.t_end_cal) - a.t_end
        else:
            a.t_end_cal = self.clock.to_calendar(a.t_end)
            t[DELAY] += a.t_end - a.t_issue

    # -- staff time -------------------------------------------------------------------
    def _counted_overlap(self, t0: float, t1: float) -> float:
        return max(0.0, min(t1, self.t_end) - max(t0, self.t_counted))

    def _staff_work(self, dept: str, step: Optional[str], minutes: float):
        """Hold one of the department's staff for ``minutes``, then free them."""
        t0 = self.env.now
        if minutes > 0:
            yield self.env.timeout(minutes)
        self.staff[dept].release()
        busy = self._counted_overlap(t0, self.env.now)
        self.rec.busy[dept] += busy
        if step is not None:
            self.rec.step_busy[step] += busy

    def _helper_work(self, minutes: float):
        """Hold a helper for ``minutes``, then free them."""
        t0 = self.env.now
        if minutes > 0:
            yield self.env.timeout(minutes)
        self.helpers.release()
        self.rec.helper_busy += self._counted_overlap(t0, self.env.now)

    def run(self) -> Records:
        self.env.run(until=self.stop)
        self.rec.stopped_at = self.env.now
        return self.rec


def simulate(params: LicenceParams, streams: Streams, days: int, warmup_days: int = 0,
             scale: Optional[float] = None, trace=None) -> Records:
    """One replication at the demand ``scale`` (default: the params' own)."""
    scale = params.arrivals.scale if scale is None else scale
    return Office(params, streams, days, warmup_days, scale).run()
