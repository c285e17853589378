"""One fair day in simpy: the attendees' rounds of the booths.  No draws here: every
value a visitor uses comes with them (``population.Visitors``).

A visitor arrives, then goes from booth to booth in their own order: passes a booth by
when more are waiting than they will stand, leaves a queue when their patience runs
out, and each talk ends in a hiring intention or not, as drawn.  No one joins a queue
after closing; those queueing are still heard.
"""
from __future__ import annotations

import numpy as np
import simpy

from ...model_api import START
from ...timeweighted import SlotArea
from .population import Visitors
from .records import BALK, RENEGE, SLOT, TALK, FairRecords


class FairDay:
    """The booths of one fair (``recruiters`` per booth) and where its events go:
    ``rec`` (bookkeeping) and ``trace`` (the event log, or None)."""

    def __init__(self, booths: list[str], recruiters: np.ndarray, closes: float, leave_on_intention: bool,
                 rec: FairRecords, trace=None):
        self.booths, self.recruiters = booths, recruiters
        self.closes, self.leave_on_intention = float(closes), leave_on_intention
        self.rec, self.trace = rec, trace

    def run(self, vis: Visitors, first: int, t0: float, case_prefix: str) -> np.ndarray:
        """The fair's rounds; ``first``: the index of its first attendance in ``rec``;
        ``t0``: the fair day's midnight in minutes from the run's start.  Returns who
        reached an intention."""
        env = simpy.Environment()
        booths = [simpy.Resource(env, capacity=int(r)) for r in self.recruiters]
        queue = SlotArea(SLOT)
        got = np.zeros(len(vis.who), bool)
        rec, trace, names, closes = self.rec, self.trace, self.booths, self.closes

        def visitor_round(r: int):
            case = f"{case_prefix}:{int(vis.who[r])}" if trace is not None else ""
            yield env.timeout(vis.arrival[r])
            if trace is not None:
                trace.add(case, "arrive", t0 + env.now)
            talks = 0
            for b, minutes, intends in zip(vis.plan[r], vis.talk_min[r], vis.intends[r]):
                if env.now >= closes:
                    break
                booth = booths[b]
                if len(booth.queue) > vis.balk_over[r]:
                    rec.approach(b, BALK, 0.0)
                    if trace is not None:
                        trace.add(case, "balk", t0 + env.now, resource=names[b])
                    continue
                joined = env.now
                if booth.count < booth.capacity and not booth.queue:  # a recruiter is free: no queueing
                    req = booth.request()
                    yield req
                else:
                    req = booth.request()
                    queue.change(env.now, +1)
                    if trace is not None:
                        trace.add(case, "queue", t0 + env.now, resource=names[b])
                    result = yield req | env.timeout(vis.patience_min[r])
                    queue.change(env.now, -1)
                    if req not in result:
                        req.cancel()
                        rec.approach(b, RENEGE, env.now - joined)
                        if trace is not None:
                            trace.add(case, "abandon", t0 + env.now, resource=names[b])
                        continue
                if trace is not None:
                    trace.add(case, "serve", t0 + env.now, START, names[b])
                wait = env.now - joined
                yield env.timeout(minutes)
                booth.release(req)
                rec.talk(b, minutes)
                talks += 1
                rec.approach(b, TALK, wait, intends)
                if trace is not None:
                    trace.add(case, "serve", t0 + env.now, resource=names[b])
                if intends:
                    got[r] = True
                    if trace is not None:
                        trace.add(case, "intention", t0 + env.now, resource=names[b])
                    if self.leave_on_intention:
                        break
            if trace is not None:
                trace.add(case, "leave", t0 + env.now)
            rec.round_done(first + r, talks, bool(got[r]))

        for r in range(len(vis.who)):
            env.process(visitor_round(r))
        env.run()
        queue.advance(env.now)
        rec.queue_area += queue.area
        return got
