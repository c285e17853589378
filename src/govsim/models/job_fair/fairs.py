"""Township job fairs over a campaign: who comes to each fair, and what happens there.

The campaign is a sequence of fairs (``JobFairParams.schedule``).  Before each
fair, its township's pool members who have no hiring intention yet may walk in,
and the cadres contact some of them (mobilisation); a person comes at most once
to a fair.  At the fair (one simpy run per fair, ``visitor_round``), visitors
arrive through the morning and go from booth to booth in their own order of
preference: they pass a booth by when its queue is longer than they will stand,
leave a queue when their patience runs out, and each talk ends in a hiring
intention with the visitor's chance (fit) times the booth's factor.  Whoever
holds an intention leaves the pool: later fairs draw on those still looking.

Every draw about a person at a fair comes from a stream named after the township,
the township's fair number and the kind of draw (``fair:<township>:<n>:<kind>``),
one value per pool member (and booth), so every policy with that fair sees the
same people with the same plans, talk times and luck (common random numbers).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import simpy

from ...rng import Streams
from .params import JobFairParams

SLOT = 30.0  # minutes per slot of the queue-through-the-day profile
TALK, BALK, RENEGE = 0, 1, 2


@dataclass
class FairRecords:
    days: int
    schedule: list  # (day, township, n)
    booth_group: list  # booth index -> group name
    recruiters: np.ndarray  # per booth
    open_minutes: float
    pool: dict  # township -> pool size
    # one entry per attendance (a person at a fair)
    a_fair: list = field(default_factory=list)
    a_township: list = field(default_factory=list)
    a_person: list = field(default_factory=list)
    a_mobilised: list = field(default_factory=list)
    a_talks: list = field(default_factory=list)
    a_intention: list = field(default_factory=list)
    # one entry per booth approach
    b_booth: list = field(default_factory=list)
    b_outcome: list = field(default_factory=list)
    b_wait: list = field(default_factory=list)
    b_intention: list = field(default_factory=list)  # a talk that ended in a hiring intention
    busy: np.ndarray = None  # recruiter minutes per booth, summed over fairs
    queue_area: np.ndarray = None  # waiting-visitor minutes per slot of the day, summed over fairs
    with_intention: dict = field(default_factory=dict)  # township -> pool members with an intention at the end


class Campaign:
    def __init__(self, params: JobFairParams, streams: Streams, days: int):
        self.p = params
        self.streams = streams
        self.days = days
        booths = [(g, b) for g, b in params.booths.items() for _ in range(b.count)]
        self.booth_group = [g for g, _ in booths]
        self.recruiters = np.array([b.recruiters for _, b in booths])
        self.attract = np.array([b.attractiveness for _, b in booths])
        self.fit_factor = np.array([b.fit_factor for _, b in booths])
        self.segments = params.fairs.segments()
        self.fit = {t: params.visitors.fit.draw(streams.get(f"pool:fit:{t}"), spec.pool)
                    for t, spec in params.townships.items()}
        self.has_intention = {t: np.zeros(spec.pool, bool) for t, spec in params.townships.items()}
        schedule = params.schedule(days)
        self.rec = FairRecords(days, schedule, self.booth_group, self.recruiters,
                               float(params.fairs.closes - params.fairs.opens),
                               {t: s.pool for t, s in params.townships.items()})
        self.rec.busy = np.zeros(len(booths))
        self.rec.queue_area = np.zeros(int(1440 // SLOT))

    def run(self) -> FairRecords:
        for k, (day, township, n) in enumerate(self.rec.schedule):
            self.fair(k, day, township, n)
        self.rec.with_intention = {t: int(h.sum()) for t, h in self.has_intention.items()}
        return self.rec

    # -- who comes ------------------------------------------------------------------
    def attendance(self, township: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the pool members who come to the township's n-th fair, and
        whether each came because the cadres asked (and would not have walked in)."""
        att = self.p.attendance
        size = self.p.townships[township].pool
        name = f"fair:{township}:{n}"
        eligible = ~self.has_intention[township]
        walk = eligible & (self.streams.get(f"{name}:walk_in").random(size) < att.walk_in)
        mob = np.zeros(size, bool)
        mo = att.mobilisation
        reach = min(mo.contacts, int(eligible.sum()))
        if reach > 0:
            # weighted sampling without replacement (Efraimidis-Spirakis keys): the
            # cadres reach the `reach` eligible people with the smallest keys
            weight = np.maximum(self.fit[township], 1e-12) ** mo.targeting
            keys = -np.log(1.0 - self.streams.get(f"{name}:contact").random(size)) / weight
            keys[~eligible] = np.inf
            contacted = np.zeros(size, bool)
            contacted[np.argpartition(keys, reach - 1)[:reach]] = True
            comes = self.streams.get(f"{name}:comes").random(size) < mo.comes
            mob = contacted & comes & ~walk
        who = np.flatnonzero(walk | mob)
        return who, mob[who]

    # -- one fair -------------------------------------------------------------------
    def fair(self, k: int, day: int, township: str, n: int) -> None:
        p, v = self.p, self.p.visitors
        who, mobilised = self.attendance(township, n)
        size = self.p.townships[township].pool
        nb = len(self.booth_group)
        name = f"fair:{township}:{n}"
        # every pool member's draws, so that a person's plan does not depend on who else comes
        arrival = self._arrival_times(self.streams.get(f"{name}:arrival").random(size))
        planned = np.clip(np.rint(v.booths.draw_block(self.streams.get(f"{name}:booths"), size)), 1, nb).astype(int)
        keys = -np.log(1.0 - self.streams.get(f"{name}:order").random((size, nb))) / self.attract
        talk = v.talk_min.draw_block(self.streams.get(f"{name}:talk"), size * nb).reshape(size, nb)
        luck = self.streams.get(f"{name}:intention").random((size, nb))
        balk_over = v.balk_over.draw_block(self.streams.get(f"{name}:balk"), size)
        patience = v.patience_min.draw_block(self.streams.get(f"{name}:patience"), size)

        env = simpy.Environment()
        booths = [simpy.Resource(env, capacity=int(r)) for r in self.recruiters]
        state = {"waiting": 0, "last": 0.0}
        closes = float(p.fairs.closes)
        leave_on_intention = v.after_intention == "leave"
        fit = self.fit[township]
        rec = self.rec

        def record(b: int, outcome: int, wait: float, success: bool) -> None:
            rec.b_booth.append(b), rec.b_outcome.append(outcome), rec.b_wait.append(wait)
            rec.b_intention.append(success)

        def queue_change(delta: int) -> None:
            self._accumulate(state, env.now)
            state["waiting"] += delta

        def visitor_round(i: int, idx: int):
            """One visitor's round of the booths, in their own order of preference."""
            yield env.timeout(arrival[i])
            plan = np.argsort(keys[i], kind="stable")[:planned[i]]
            talks, got = 0, False
            for b in plan:
                if env.now >= closes:
                    break
                if len(booths[b].queue) > balk_over[i]:
                    record(b, BALK, 0.0, False)
                    continue
                t0 = env.now
                booth = booths[b]
                if booth.count < booth.capacity and not booth.queue:  # a recruiter is free: no queueing
                    req = booth.request()
                    yield req
                else:
                    req = booth.request()
                    queue_change(+1)
                    result = yield req | env.timeout(patience[i])
                    queue_change(-1)
                    if req not in result:
                        req.cancel()
                        record(b, RENEGE, env.now - t0, False)
                        continue
                wait = env.now - t0
                yield env.timeout(talk[i, b])
                booths[b].release(req)
                rec.busy[b] += talk[i, b]
                talks += 1
                success = bool(luck[i, b] < min(1.0, fit[i] * self.fit_factor[b]))
                record(b, TALK, wait, success)
                if success:
                    got = True
                    if leave_on_intention:
                        break
            rec.a_talks[idx] = talks
            rec.a_intention[idx] = got

        for i, m in zip(who.tolist(), mobilised.tolist()):
            idx = len(rec.a_fair)
            rec.a_fair.append(k), rec.a_township.append(township), rec.a_person.append(i)
            rec.a_mobilised.append(bool(m)), rec.a_talks.append(0), rec.a_intention.append(False)
            env.process(visitor_round(i, idx))
        env.run()
        self._accumulate(state, env.now)
        first = len(rec.a_fair) - len(who)
        got = np.array(rec.a_intention[first:], bool)
        self.has_intention[township][who[got]] = True

    def _arrival_times(self, u: np.ndarray) -> np.ndarray:
        """Minutes after midnight from uniforms, by the inverse of the piecewise-uniform
        arrival profile through the fair."""
        cum = np.cumsum([s[2] for s in self.segments])
        cum[-1] = 1.0
        seg = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
        lo = np.array([s[0] for s in self.segments])[seg]
        hi = np.array([s[1] for s in self.segments])[seg]
        start = np.concatenate([[0.0], cum[:-1]])[seg]
        share = np.array([s[2] for s in self.segments])[seg]
        return lo + (hi - lo) * np.clip((u - start) / share, 0.0, 1.0)

    def _accumulate(self, state: dict, now: float) -> None:
        t, n = state["last"], state["waiting"]
        state["last"] = now
        while n and t < now:
            step = min(now, (math.floor(t / SLOT) + 1) * SLOT) - t
            self.rec.queue_area[int((t % 1440) // SLOT)] += n * step
            t += step


def simulate(params: JobFairParams, streams: Streams, days: int, trace=None) -> FairRecords:
    return Campaign(params, streams, days).run()
