"""Every customer of one replication, drawn before the run: when each arrives, and for
each visit of its journey the station, the service minutes and the patience.

Common random numbers by construction: customer n of a class takes, from its class's
streams ``service:``, ``routing:`` and ``patience:``, the n-th group of one uniform per
planned visit (the route's length, or PLANNED_VISITS on a probabilistic route); a journey
past its planned visits continues on a stream of its own,
``overflow:<class>:<n>:<visits so far>``.  A visit's service time is its station's
distribution at the visit's uniform (inverse transform), its next station follows from
its routing uniform, so neither depends on what happens in the queues: every policy sees
the same customers with the same needs, and the event loop (``engine``) only decides who
waits for whom.  Draws a customer never uses (visits after it abandoned) change nothing.

The arrays are the engine's input, shared by its pure-Python and compiled event loops.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from ...arrivals import RateProfile
from ...rng import BLOCK, Streams
from .demand import class_arrivals
from .params import NetworkParams

PLANNED_VISITS = 12  # uniforms drawn ahead for a customer on a probabilistic route; later visits draw more


@dataclass
class Population:
    """Customers in class order, then arrival order: customer c is the ``index()[c]``-th
    arrival of class ``cls[c]``; its visits are ``v_off[c] .. v_off[c] + v_len[c] - 1`` of
    the visit arrays (its whole journey as drawn, to its exit)."""

    class_names: list[str]
    first: np.ndarray  # class k's customers are first[k] .. first[k + 1] - 1
    after: list[float]  # each class's first arrival past the horizon (it stays on the calendar)
    t0: np.ndarray  # arrival to the network
    cls: np.ndarray
    v_off: np.ndarray
    v_len: np.ndarray
    station: np.ndarray  # per visit
    service: np.ndarray  # per visit: minutes
    patience: np.ndarray  # per visit: minutes, NaN for a class without patience (empty when no class has any)
    # kept only when asked for (``draw(..., keep_draws=True)``): the uniforms behind it all
    uniforms: list = field(default_factory=list)  # per class: (service, routing, patience) arrays, or None
    overflow: dict = field(default_factory=dict)  # customer -> its overflow (service, routing, patience) rows

    def __len__(self) -> int:
        return len(self.t0)

    def index(self) -> np.ndarray:
        """Each customer's place among its class's arrivals (0 for the first)."""
        return np.arange(len(self), dtype=np.int64) - self.first[self.cls]

    def draws(self) -> list[tuple]:
        """Each customer's (class, index, service, routing and patience uniforms), the
        overflow included: what common random numbers are about."""
        if not self.uniforms and len(self):
            raise ValueError("drawn without keep_draws=True")
        out = []
        for c, i in enumerate(self.index().tolist()):
            us, ur, up = (None if a is None else a[i].tolist() for a in self.uniforms[self.cls[c]])
            for have, more in zip((us, ur, up), self.overflow.get(c, ())):
                if have is not None:
                    have.extend(more)
            out.append((int(self.cls[c]), i, us, ur, up))
        return out


def draw(params: NetworkParams, streams: Streams, horizon: float, keep_draws: bool = False) -> Population:
    class_names, station_names = list(params.classes), list(params.stations)
    s_index = {n: i for i, n in enumerate(station_names)}
    factors = params.day_factors(horizon)
    parts, after, uniforms, overflow = [], [], [], {}
    base = 0
    for k, cname in enumerate(class_names):
        c = params.classes[cname]
        times, beyond = _arrivals(c.arrivals, streams, cname, factors, horizon)
        after.append(beyond)
        n = len(times)
        service_d = [params.stations[s].service_for(cname) for s in station_names]
        service_q = [None if d is None else d.quantile_fn() for d in service_d]
        patience_q = c.patience.quantile_fn() if c.patience else None
        svc, rte, pat = (streams.get(f"{kind}:{cname}") for kind in ("service", "routing", "patience"))
        if c.route is not None:
            route = [s_index[s] for s in c.route]
            planned = len(route)
            us = svc.random(n * planned).reshape(n, planned)
            up = pat.random(n * planned).reshape(n, planned) if patience_q else None
            uniforms.append((us, None, up))
            parts.append(_fixed_route(route, us, up, service_d, service_q, c.patience, patience_q, times))
        else:
            tables = {}
            for frm, row in c.transitions.items():
                cum = np.cumsum(list(row.values())).tolist()
                cum[-1] = 1.0  # guard against rounding: the last target catches the rest
                tables[s_index[frm]] = (cum, [s_index.get(to, -1) for to in row])  # -1: exit
            us = svc.random(n * PLANNED_VISITS).reshape(n, PLANNED_VISITS)
            ur = rte.random(n * PLANNED_VISITS).reshape(n, PLANNED_VISITS)
            up = pat.random(n * PLANNED_VISITS).reshape(n, PLANNED_VISITS) if patience_q else None
            uniforms.append((us, ur, up))
            parts.append(_journeys(s_index[c.start], tables, us, ur, up, service_q, patience_q, times,
                                   lambda i, have, name=cname, b=base: _extend(streams, name, i, b, have, overflow)))
        base += n
    sizes = [len(p[0]) for p in parts]
    first = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    v_len = np.concatenate([p[1] for p in parts]).astype(np.int64) if parts else np.zeros(0, np.int64)
    v_off = np.concatenate(([0], np.cumsum(v_len)[:-1])).astype(np.int64) if len(v_len) else v_len
    if all(p[4] is None for p in parts):
        patience = np.zeros(0)
    else:  # NaN for the visits of classes without patience
        patience = np.concatenate([np.full(len(p[2]), np.nan) if p[4] is None else p[4] for p in parts])
    return Population(
        class_names=class_names, first=first, after=after,
        t0=np.concatenate([p[0] for p in parts]),
        cls=np.repeat(np.arange(len(class_names), dtype=np.int64), sizes),
        v_off=v_off, v_len=v_len,
        station=np.concatenate([p[2] for p in parts]).astype(np.int64),
        service=np.concatenate([p[3] for p in parts]).astype(float),
        patience=patience.astype(float),
        uniforms=uniforms if keep_draws else [], overflow=overflow if keep_draws else {})


def _arrivals(spec, streams: Streams, cname: str, factors, horizon: float) -> tuple[np.ndarray, float]:
    """Arrival times up to the horizon, and the first one after it.  The plain cases are
    drawn a block at a time with the same draws and the same sums (a running total is
    a cumulative sum) as the scalar iterators of govsim.arrivals."""
    if factors is None:
        gen, thin = streams.get(f"arrivals:{cname}"), streams.get(f"arrivals-thinning:{cname}")
        blocks = _thinned_blocks(spec, gen, thin) if isinstance(spec, RateProfile) else _renewal_blocks(spec, gen)
        out = []
        for times in blocks:
            cut = int(np.searchsorted(times, horizon, side="right"))
            out.append(times[:cut])
            if cut < len(times):
                return np.concatenate(out), float(times[cut])
    out = []
    for t in class_arrivals(spec, streams, cname, factors):
        if t > horizon:
            return np.asarray(out, dtype=float), t
        out.append(t)


def _renewal_blocks(spec, gen):
    t = 0.0
    while True:
        times = np.cumsum(np.concatenate(([t], spec.draw_block(gen, BLOCK))))[1:]
        t = times[-1]
        yield times


def _thinned_blocks(profile: RateProfile, gen, thin_gen):
    """Lewis-Shedler thinning (as govsim.arrivals does it, a block of candidates at a time)."""
    rates = np.asarray(profile.rate_per_hour, dtype=float) / 60.0
    period, peak = 60.0 * len(rates), float(rates.max())
    accept = rates / peak
    t = 0.0
    while True:
        times = np.cumsum(np.concatenate(([t], gen.exponential(1.0 / peak, BLOCK))))[1:]
        u = thin_gen.random(BLOCK)
        t = times[-1]
        hour = np.minimum((times % period) // 60.0, len(rates) - 1).astype(np.int64)
        yield times[u < accept[hour]]


def _fixed_route(route, us, up, service_d, service_q, patience_d, patience_q, times):
    n, planned = us.shape
    service = np.empty((n, planned))
    for j, s in enumerate(route):  # the station's quantile function at each customer's uniform
        service[:, j] = _quantiles(service_d[s], service_q[s], us[:, j])
    patience = _quantiles(patience_d, patience_q, up.ravel()) if patience_q else None
    return (times, np.full(n, planned), np.tile(np.asarray(route, dtype=np.int64), n), service.ravel(), patience)


def _quantiles(dist, fn, u: np.ndarray) -> np.ndarray:
    """``fn`` (the distribution's quantile function) at each uniform: the same floats as
    calling it one by one, a whole array at a time where that is exact."""
    if dist.dist == "deterministic":
        return np.full(len(u), fn(0.5))
    if dist.dist == "uniform":  # a + w u: one multiplication and one addition, as fn does them
        a, w = dist.low, dist.high - dist.low
        return a + w * u
    if dist.dist == "exponential":  # numpy's log1p may differ from math's in the last bit: numba calls libm's
        from . import compiled
        if compiled.available():
            return compiled.exponential_quantiles(u, dist.mean_)
    return np.array(list(map(fn, u.tolist())), dtype=float)


def _journeys(start, tables, us, ur, up, service_q, patience_q, times, extend):
    """Each customer's journey from ``start`` to the exit, drawn from its routing uniforms."""
    stations, service, patience, lengths = [], [], [], []
    for i in range(len(times)):
        su, ru = us[i].tolist(), ur[i].tolist()
        pu = up[i].tolist() if up is not None else None
        s, j = start, 0
        while s >= 0:
            if j >= len(su):
                extend(i, (su, ru, pu))
            stations.append(s)
            service.append(service_q[s](su[j]))
            if pu is not None:
                patience.append(patience_q(pu[j]))
            cum, targets = tables[s]
            s = targets[bisect_right(cum, ru[j]) if len(cum) > 1 else 0]
            j += 1
        lengths.append(j)
    return (times, np.asarray(lengths, dtype=np.int64), np.asarray(stations, dtype=np.int64),
            np.asarray(service, dtype=float), np.asarray(patience, dtype=float) if up is not None else None)


def _extend(streams: Streams, cname: str, i: int, base: int, have: tuple, overflow: dict) -> None:
    """Another PLANNED_VISITS of service, routing and patience uniforms for customer ``i`` of
    class ``cname``, past its planned visits: from a stream of its own (class, arrival index,
    visits so far), never one shared with others, and all three whichever are used."""
    more = streams.get(f"overflow:{cname}:{i}:{len(have[0])}").random((3, PLANNED_VISITS)).tolist()
    for lst, new in zip(have, more):
        if lst is not None:
            lst.extend(new)
    rows = overflow.setdefault(base + i, ([], [], []))
    for lst, new in zip(rows, more):
        lst.extend(new)
