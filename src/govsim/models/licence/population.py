"""The applications of one replication and every random attribute they carry, drawn
when they arrive (common random numbers by construction).

Applications are drawn month by month in *layers*: layer ``j`` is a Poisson stream at
the scenario's rate with its own named streams (the plain names for the first layer,
``<name>@<j+1>`` for the others), each application carrying a level in ``[j, j + 1)``;
demand ``scale`` keeps the applications whose level is below it.  So demand ×1.5 is
demand ×1 plus half of layer 1: the same applicants and more.

Every attribute has its own stream, named after what it is and the stable identity it
belongs to (``intake:accept``, ``step:<name>:work``, ``step:<name>:documents``), never
after a position in a list a policy can change.  All of them are drawn for every
application and every step, enabled or not, whether or not this policy uses them
(a helper, re-work, a visit), as U(0, 1) uniforms; :class:`Values` turns them into
minutes and days with the distributions' quantile functions.  So switching a feature
on or off, or changing a distribution's mean, never shifts another draw, and a policy
meets the same applicants with the same documents, minutes and later events.

Draws an application may need a varying number of times are drawn as many times as
they can be needed (a document check or return per missing document: at most
``MAX_DOCUMENTS``; a helper's two walks per step) or ``AHEAD`` times (re-work rounds
of a step); beyond that (rare) they come from a stream of the application's own
(``<name>#<key>``), so even then they never depend on the order of events.
"""
from __future__ import annotations

import calendar as pycal
import math
from datetime import date, timedelta
from typing import Callable, Optional

import numpy as np

from ... import documents as docs
from ...calendar import DAY, OfficeClock
from ...rng import Streams
from .params import MAX_DOCUMENTS, LicenceParams

AHEAD = 6  # re-work rounds of a step drawn at arrival
WALKS = 2  # a helper's walks per step: the file to a paper hand-over, and in for the applicant
# (carrying in the documents the applicant prepared for a step is a walk of its own: step:<name>:carry)
INTAKE_SET = None  # the set of documents handed in with the application (steps' sets go by the step's name)
ARRIVALS = ("arrivals:count", "arrivals:level", "arrivals:counter", "arrivals:online")


def attributes(params: LicenceParams) -> dict[str, tuple[int, ...]]:
    """Every attribute an application carries: its stream name and the shape of its
    draws per application.  Depends on the names of the steps only."""
    out = {"applicant:online": (), "applicant:proxy": (),
           "intake:documents": (2, MAX_DOCUMENTS), "intake:accept": (), "intake:check": (MAX_DOCUMENTS,),
           "intake:return": (MAX_DOCUMENTS,), "proxy:assemble": (), "proxy:fix": (),
           "handover:collect": (), "handover:mail": ()}
    for s in params.steps:
        out.update({f"step:{s}:documents": (2, MAX_DOCUMENTS), f"step:{s}:return": (MAX_DOCUMENTS,),
                    f"step:{s}:work": (), f"step:{s}:delay": (), f"step:{s}:visit": (), f"step:{s}:walk": (WALKS,),
                    f"step:{s}:prepare": (), f"step:{s}:carry": (),
                    f"step:{s}:rework": (AHEAD,), f"step:{s}:rework_fix": (AHEAD,),
                    f"step:{s}:rework_work": (AHEAD,)})
    return out


def documents_name(doc_set: Optional[str]) -> str:
    return "intake:documents" if doc_set is INTAKE_SET else f"step:{doc_set}:documents"


def return_name(doc_set: Optional[str]) -> str:
    return "intake:return" if doc_set is INTAKE_SET else f"step:{doc_set}:return"


class Month:
    """One layer's applications of one calendar month, every attribute drawn.

    ``t_counter`` / ``t_online``: calendar minutes (since midnight of the start date)
    at which each would hand it in at the counter (office hours of a working day) or
    online (any hour); ``u``: attribute name -> uniforms, one row per application."""

    __slots__ = ("layer", "year", "month", "n", "level", "t_counter", "t_online", "u", "prefix")

    def __init__(self, layer, year, month, level, t_counter, t_online, u):
        self.layer, self.year, self.month = layer, year, month
        self.n = len(level)
        self.level, self.t_counter, self.t_online, self.u = level, t_counter, t_online, u
        self.prefix = f"{year}-{month:02d}{layer_suffix(layer)}:"

    def drawn(self, i: int) -> "Drawn":
        return Drawn(self, i)


class Drawn:
    """One application's draws: ``key`` (stable across policies: month, layer, index)
    and ``drawn[name]`` (its uniform, or its row of uniforms)."""

    __slots__ = ("month", "i", "key")

    def __init__(self, month: Month, i: int):
        self.month, self.i = month, i
        self.key = month.prefix + str(i)

    def __getitem__(self, name: str):
        return self.month.u[name][self.i]

    def uniforms(self) -> dict[str, tuple]:
        """Every draw of this application, as plain numbers."""
        return {name: tuple(np.ravel(u[self.i]).tolist()) for name, u in self.month.u.items()}

    def later(self) -> dict[str, tuple]:
        """The draws for what may happen later: checks, returns, walks, re-work."""
        return {name: tuple(u[self.i].tolist()) for name, u in self.month.u.items() if u.ndim == 2}


def layer_suffix(layer: int) -> str:
    return "" if layer == 0 else f"@{layer + 1}"


class Population:
    """Draws the applications of one replication, month by month and layer by layer."""

    def __init__(self, params: LicenceParams, streams: Streams, clock: OfficeClock):
        self.p = params
        self.streams = streams
        self.clock = clock
        self.attributes = attributes(params)
        self._layers: dict[int, dict[str, np.random.Generator]] = {}
        self._more: dict[tuple[str, str], tuple[np.random.Generator, list]] = {}

    def _streams(self, layer: int) -> dict[str, np.random.Generator]:
        if layer not in self._layers:
            suffix = layer_suffix(layer)
            self._layers[layer] = {name: self.streams.get(name + suffix) for name in ARRIVALS + tuple(self.attributes)}
        return self._layers[layer]

    def month(self, layer: int, year: int, month: int) -> Month:
        """The month's applications of one layer (those handed in before the start
        date included: the caller drops them)."""
        p, g = self.p, self._streams(layer)
        start = p.calendar.start
        first = date(year, month, 1)
        n_days = pycal.monthrange(year, month)[1]
        mean = p.arrivals.per_year * p.arrivals.month_weights()[month - 1]
        n = int(g["arrivals:count"].poisson(mean))
        level = layer + g["arrivals:level"].random(n)
        # at the counter: a working day of the month, a moment of its office hours
        counter = g["arrivals:counter"].random((n, 2))
        online_at = ((first - start).days + g["arrivals:online"].random(n) * n_days) * DAY
        working = [first + timedelta(days=i) for i in range(n_days) if p.calendar.is_working_day(first + timedelta(days=i))]
        if working:
            pick = np.minimum((counter[:, 0] * len(working)).astype(int), len(working) - 1)
            counter_at = np.array([(working[k] - start).days * DAY + self.clock.clock_minute(o * self.clock.L)
                                   for k, o in zip(pick, counter[:, 1])], dtype=float).reshape(n)
        else:
            counter_at = online_at.copy()
        u = {name: g[name].random((n,) + shape) for name, shape in self.attributes.items()}
        return Month(layer, year, month, level, counter_at, online_at, u)

    def later(self, drawn: Drawn, name: str, j: int) -> float:
        """The application's ``j``-th uniform of ``name``: drawn at arrival, or past those
        from the application's own stream (the same whatever happened before)."""
        row = drawn[name]
        if j < len(row):
            return float(row[j])
        key = (drawn.key, name)
        if key not in self._more:
            self._more[key] = (self.streams.get(f"{name}#{drawn.key}"), [])
        gen, more = self._more[key]
        while len(more) <= j - len(row):
            more.extend(gen.random(AHEAD).tolist())
        return more[j - len(row)]


class Values:
    """What one policy's params make of the draws: channels, gaps and, by inverse
    transform, minutes and days (``value(name, u)``)."""

    def __init__(self, params: LicenceParams):
        p = params
        dists = {"intake:accept": p.intake.accept, "intake:check": p.documents.check,
                 "intake:return": p.documents.return_days,
                 "proxy:assemble": p.proxy.assemble if p.proxy else None,
                 "proxy:fix": p.proxy.fix_days if p.proxy else None,
                 "handover:collect": p.handover.collect_days, "handover:mail": p.handover.mail_days}
        for s, st in p.steps.items():
            dists.update({f"step:{s}:work": st.work, f"step:{s}:rework_work": st.work,
                          f"step:{s}:delay": st.delay_days, f"step:{s}:visit": st.visit_days,
                          f"step:{s}:prepare": st.prepare_days,
                          f"step:{s}:carry": p.proxy.walk if p.proxy else None,
                          f"step:{s}:return": p.documents.return_days,
                          f"step:{s}:walk": p.proxy.walk if p.proxy else None,
                          f"step:{s}:rework_fix": st.rework.fix_days if st.rework else None})
        self.q: dict[str, Optional[Callable[[float], float]]] = {
            name: (d.quantile_fn() if d is not None else None) for name, d in dists.items()}
        self.p = p

    def value(self, name: str, u: float) -> float:
        """The attribute's value for uniform ``u``; 0 where the params give no distribution."""
        q = self.q[name]
        return float(q(u)) if q is not None else 0.0

    def channels(self, m: Month) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(online, proxied, calendar minute handed in) of the month's applications."""
        a = self.p.arrivals
        online = m.u["applicant:online"] < a.online_share
        proxy = self.p.proxy
        proxied = m.u["applicant:proxy"] < proxy.uptake if proxy is not None else np.zeros(m.n, bool)
        # online: at any hour; at the counter, or needed at a handover (a file started
        # ahead, whoever files it): in office hours
        any_hour = online & (self.p.filed_ahead_days() == 0)
        return online, proxied, np.where(any_hour, m.t_online, m.t_counter)

    def gaps(self, m: Month, doc_set: Optional[str]) -> tuple[np.ndarray, np.ndarray]:
        """(major, minor) gaps of the month's applications in one set of documents."""
        spec = self.p.documents if doc_set is INTAKE_SET else self.p.steps[doc_set].documents
        u = m.u[documents_name(doc_set)]
        return docs.nested_gaps(u[:, 0], u[:, 1], spec.required, spec.p_missing, spec.minor_share)


def months(start: date):
    """(year, month) from the start date's month on."""
    d = start.replace(day=1)
    while True:
        yield d.year, d.month
        d = (d + timedelta(days=32)).replace(day=1)


def layers(scale: float) -> range:
    return range(int(math.ceil(scale)))
