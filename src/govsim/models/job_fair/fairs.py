"""Township job fairs over a campaign: who comes to each fair, and what happens there.

The campaign is a sequence of fairs (``JobFairParams.schedule``).  Before each
fair, its township's pool members who have no hiring intention yet may walk in,
and the cadres contact some of them (mobilisation); a person comes at most once
to a fair.  At the fair (one simpy run per fair, ``fairday.FairDay``), visitors
arrive through the morning and go from booth to booth in their own order of
preference: they pass a booth by when its queue is longer than they will stand,
leave a queue when their patience runs out, and each talk ends in a hiring
intention with the visitor's chance (fit) times the booth's factor.  Whoever
holds an intention leaves the pool: later fairs draw on those still looking.

The parts: ``population`` draws every random attribute (common random numbers by
construction: one stream per attribute, named after the township, the fair and the
booth's kind and place within its kind), ``fairday`` runs a fair in simpy without
drawing, ``records`` keeps the counts, and this module holds the campaign together.
"""
from __future__ import annotations

import numpy as np

from ...calendar import DAY
from ...rng import Streams
from .fairday import FairDay
from .params import Attendance, JobFairParams
from .population import FairDraws, booth_kinds, booth_names, draw_fair, draw_fits, visitors
from .records import BALK, RENEGE, SLOT, TALK, FairRecords

__all__ = ["BALK", "RENEGE", "SLOT", "TALK", "Campaign", "FairRecords", "simulate", "who_comes"]


def who_comes(att: Attendance, draws: FairDraws, eligible: np.ndarray,
              fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the pool members who come to the fair, and whether each came because
    the cadres asked (and would not have walked in)."""
    u = draws.person
    walk = eligible & (u["walk_in"] < att.walk_in)
    mob = np.zeros(len(eligible), bool)
    mo = att.mobilisation
    reach = min(mo.contacts, int(eligible.sum()))
    if reach > 0:
        # weighted sampling without replacement (Efraimidis-Spirakis keys): the
        # cadres reach the `reach` eligible people with the smallest keys
        weight = np.maximum(fit, 1e-12) ** mo.targeting
        keys = -np.log1p(-u["contact"]) / weight
        keys[~eligible] = np.inf
        contacted = np.zeros(len(eligible), bool)
        contacted[np.argpartition(keys, reach - 1)[:reach]] = True
        mob = contacted & (u["comes"] < mo.comes) & ~walk
    who = np.flatnonzero(walk | mob)
    return who, mob[who]


class Campaign:
    def __init__(self, params: JobFairParams, streams: Streams, days: int, trace=None):
        self.p = params
        self.streams = streams
        names = booth_names(params)
        recruiters = np.array([params.booths[k].recruiters for k in booth_kinds(params)])
        self.fit = draw_fits(params, streams)
        self.has_intention = {t: np.zeros(spec.pool, bool) for t, spec in params.townships.items()}
        self.rec = FairRecords(days, params.schedule(days), booth_kinds(params), names, recruiters,
                               float(params.fairs.closes - params.fairs.opens),
                               {t: s.pool for t, s in params.townships.items()})
        self.day = FairDay(names, recruiters, params.fairs.closes, params.visitors.after_intention == "leave",
                           self.rec, trace)

    def run(self) -> FairRecords:
        rec = self.rec
        for k, (day, township, n) in enumerate(rec.schedule):
            draws = draw_fair(self.p, self.streams, township, n)
            fit = self.fit[township]
            who, mobilised = who_comes(self.p.attendance, draws, ~self.has_intention[township], fit)
            first = len(rec.a_fair)
            for i, m in zip(who.tolist(), mobilised.tolist()):
                rec.attendance(k, township, i, m)
            got = self.day.run(visitors(self.p, draws, fit, who, mobilised), first, day * DAY,
                               f"visitor:{township}:{n}")
            self.has_intention[township][who[got]] = True
        rec.with_intention = {t: int(h.sum()) for t, h in self.has_intention.items()}
        return rec


def simulate(params: JobFairParams, streams: Streams, days: int, trace=None) -> FairRecords:
    return Campaign(params, streams, days, trace).run()
