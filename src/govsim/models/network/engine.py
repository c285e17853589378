"""Event-driven simulation of an open queueing network.

A plain event calendar (a binary heap of ``(time, seq, kind, customer)``) instead of
simpy processes: the network's logic is three events (arrival, end of service,
abandonment), and keeping them as data rather than generators makes the run
several times faster, which matters when a study needs hundreds of replications.
``seq`` breaks ties in time by scheduling order, so runs are deterministic.

The run records one row per station visit and one per customer (columnar lists);
the KPIs are computed afterwards from those records (see ``kpis.py``).  Given a
``Trace``, it also logs every customer's events (case ``<class>:<n>``, the n-th
arrival of its class): arrive, queue, serve (start, complete), abandon, block, route
(resource: the next station), leave.  Every such call sits behind ``if trace is not
None``, so an untraced run pays one test per event.
"""
from __future__ import annotations

import heapq
import itertools
from itertools import islice
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ...arrivals import arrival_times
from ...model_api import START
from ...rng import Streams
from .params import NetworkParams

ARRIVAL, DEPARTURE, ABANDON = 0, 1, 2
PLANNED_VISITS = 12  # uniforms drawn ahead for a customer on a probabilistic route; later visits draw more

# outcome codes, for visits and for customers
SERVED, ABANDONED, BLOCKED, WAITING_AT_END, IN_SERVICE_AT_END = 0, 1, 2, 3, 4

WAITING, IN_SERVICE, GONE = 0, 1, 2  # a customer's state at its current station


class Customer:
    __slots__ = ("cls", "idx", "t0", "hop", "station", "t_arr", "t_start", "state", "wait", "visits", "us", "ur", "up",
                 "case")  # case: set only when tracing

    def __init__(self, cls: int, idx: int, t0: float, us: list, ur, up):
        self.cls = cls
        self.idx = idx  # n-th arrival of its class: its identity under every policy
        # one uniform per planned visit, drawn at arrival: service, routing, patience
        self.us, self.ur, self.up = us, ur, up
        self.t0 = t0  # arrival to the network
        self.hop = 0  # index into a fixed route
        self.station = -1
        self.t_arr = t0  # arrival at the current station
        self.t_start = 0.0
        self.state = WAITING
        self.wait = 0.0  # summed over the journey
        self.visits = 0


@dataclass
class Records:
    """Columnar output of one replication."""

    station_names: list[str]
    class_names: list[str]
    servers: list[int]
    horizon: float
    warmup: float
    used: list[bool]  # stations some class can visit; idle ones stay out of overall utilisation
    # per visit
    v_station: list = field(default_factory=list)
    v_class: list = field(default_factory=list)
    v_t0: list = field(default_factory=list)
    v_arr: list = field(default_factory=list)
    v_start: list = field(default_factory=list)
    v_end: list = field(default_factory=list)
    v_outcome: list = field(default_factory=list)
    # per customer
    c_class: list = field(default_factory=list)
    c_arr: list = field(default_factory=list)
    c_end: list = field(default_factory=list)
    c_wait: list = field(default_factory=list)
    c_visits: list = field(default_factory=list)
    c_outcome: list = field(default_factory=list)

    def arrays(self) -> dict[str, np.ndarray]:
        names = [n for n in self.__dataclass_fields__ if n[:2] in ("v_", "c_")]
        return {n: np.asarray(getattr(self, n)) for n in names}


class _Station:
    __slots__ = ("idx", "servers", "busy", "queue", "n_waiting", "max_waiting", "priority", "service")

    def __init__(self, idx, servers, max_waiting, priority, service):
        self.idx = idx
        self.servers = servers
        self.busy = 0
        self.queue = [] if priority else deque()
        self.n_waiting = 0  # the queue may also hold abandoned customers (lazy deletion)
        self.max_waiting = max_waiting
        self.priority = priority
        self.service = service  # per class index: iterator of service times


def simulate(params: NetworkParams, streams: Streams, horizon: float, warmup: float, trace=None) -> Records:
    return _NetworkRun(params, streams, horizon, warmup, trace).run()


class _NetworkRun:
    def __init__(self, params: NetworkParams, streams: Streams, horizon: float, warmup: float, trace=None):
        self.horizon = float(horizon)
        self.streams, self.trace = streams, trace
        self.class_names = class_names = list(params.classes)
        self.station_names = station_names = list(params.stations)
        s_index = {n: i for i, n in enumerate(station_names)}
        visited = params.visited_stations()
        self.rec = Records(station_names, class_names, [params.stations[s].servers for s in station_names],
                           self.horizon, float(warmup), [s in visited for s in station_names])

        self.stations = []
        for i, sname in enumerate(station_names):
            st = params.stations[sname]
            service = []
            for cname in class_names:
                dist = st.service_for(cname)
                service.append(dist.quantile_fn() if dist else None)
            self.stations.append(_Station(i, st.servers, st.max_waiting, st.discipline == "priority", service))

        # Common random numbers: each customer brings, from its class's streams, one
        # uniform per visit for its service time (turned into minutes by the station's
        # distribution), its routing and its patience.  Which station a policy sends it
        # to, who else abandons or is blocked, never changes which numbers it gets
        # (visits past the planned ones draw from the customer's own stream: ``_extend``).
        self.arrivals, self.routes, self.tables, self.first = [], [], [], []
        self.uniforms, self.patience, self.prio, self.planned = [], [], [], []
        for cname in class_names:
            c = params.classes[cname]
            self.arrivals.append(arrival_times(c.arrivals, streams.get(f"arrivals:{cname}"),
                                               streams.get(f"arrivals-thinning:{cname}")))
            self.prio.append(c.priority)
            self.patience.append(c.patience.quantile_fn() if c.patience else None)
            self.uniforms.append((streams.uniforms(f"service:{cname}"), streams.uniforms(f"routing:{cname}"),
                                  streams.uniforms(f"patience:{cname}")))
            if c.route is not None:
                self.routes.append([s_index[s] for s in c.route])
                self.tables.append(None)
                self.first.append(s_index[c.route[0]])
                self.planned.append(len(c.route))
            else:
                table = {}
                for frm, row in c.transitions.items():
                    targets = [s_index.get(to, -1) for to in row]  # -1: exit
                    cum = np.cumsum(list(row.values())).tolist()
                    cum[-1] = 1.0  # guard against rounding: the last target catches the rest
                    table[s_index[frm]] = (cum, targets)
                self.routes.append(None)
                self.tables.append(table)
                self.first.append(s_index[c.start])
                self.planned.append(PLANNED_VISITS)
        self.counters = [itertools.count() for _ in class_names]
        self.heap: list = []
        self.seq = itertools.count()

    # -- the run ---------------------------------------------------------------
    def run(self) -> Records:
        heap, push, pop, seq = self.heap, heapq.heappush, heapq.heappop, self.seq
        horizon = self.horizon
        for k, times in enumerate(self.arrivals):
            push(heap, (next(times), next(seq), ARRIVAL, k))
        rec = self.rec
        c_class, c_arr, c_end = rec.c_class, rec.c_arr, rec.c_end
        c_wait, c_visits, c_outcome = rec.c_wait, rec.c_visits, rec.c_outcome
        routes, tables, first, arrivals = self.routes, self.tables, self.first, self.arrivals
        uniforms, planned, patience, counters = self.uniforms, self.planned, self.patience, self.counters
        stations, visit = self.stations, self._visit
        trace, names, class_names = self.trace, self.station_names, self.class_names

        while heap and heap[0][0] <= horizon:
            t, _, kind, obj = pop(heap)
            if kind == DEPARTURE:
                cust = obj
                st = stations[cust.station]
                if trace is not None:
                    trace.add(cust.case, "serve", t, resource=names[st.idx])
                self._record_visit(cust, t, SERVED)
                self._next_from_queue(st, t)
                # route onwards
                k = cust.cls
                route = routes[k]
                if route is not None:
                    cust.hop += 1
                    nxt = route[cust.hop] if cust.hop < len(route) else -1
                else:
                    cum, targets = tables[k][st.idx]
                    nxt = targets[bisect_right(cum, self._u(cust, cust.ur)) if len(cum) > 1 else 0]
                if nxt < 0:
                    c_class.append(k); c_arr.append(cust.t0); c_end.append(t)
                    c_wait.append(cust.wait); c_visits.append(cust.visits); c_outcome.append(SERVED)
                    if trace is not None:
                        trace.add(cust.case, "leave", t)
                else:
                    if trace is not None:
                        trace.add(cust.case, "route", t, resource=names[nxt])
                    visit(cust, stations[nxt], t)
            elif kind == ARRIVAL:
                k = obj
                push(heap, (next(arrivals[k]), next(seq), ARRIVAL, k))
                svc, rte, pat = uniforms[k]
                n = planned[k]
                cust = Customer(k, next(counters[k]), t, [next(svc)] if n == 1 else list(islice(svc, n)),
                                list(islice(rte, n)) if tables[k] else None,
                                list(islice(pat, n)) if patience[k] else None)
                if trace is not None:
                    cust.case = f"{class_names[k]}:{cust.idx}"
                    trace.add(cust.case, "arrive", t)
                visit(cust, stations[first[k]], t)
            else:  # ABANDON
                cust, token = obj
                if cust.state == WAITING and cust.visits == token:
                    cust.state = GONE
                    stations[cust.station].n_waiting -= 1
                    self._record_visit(cust, t, ABANDONED)
                    self._leave(cust, t, ABANDONED)
                    if trace is not None:
                        trace.add(cust.case, "abandon", t, resource=names[cust.station])
                        trace.add(cust.case, "leave", t)
        self._close(horizon)
        return rec

    def _visit(self, cust: Customer, st: _Station, t: float) -> None:
        cust.station = st.idx
        cust.t_arr = t
        cust.visits += 1
        k = cust.cls
        patience = self.patience[k]
        p = patience(self._u(cust, cust.up)) if patience is not None else None
        if st.busy < st.servers:
            self._start(cust, st, t)
            return
        if st.max_waiting is not None and st.n_waiting >= st.max_waiting:
            cust.state = GONE
            self._record_visit(cust, t, BLOCKED, start=t)
            self._leave(cust, t, BLOCKED)
            if self.trace is not None:
                self.trace.add(cust.case, "block", t, resource=self.station_names[st.idx])
                self.trace.add(cust.case, "leave", t)
            return
        cust.state = WAITING
        st.n_waiting += 1
        if self.trace is not None:
            self.trace.add(cust.case, "queue", t, resource=self.station_names[st.idx])
        if st.priority:
            heapq.heappush(st.queue, (self.prio[k], next(self.seq), cust))
        else:
            st.queue.append(cust)
        if p is not None:
            heapq.heappush(self.heap, (t + p, next(self.seq), ABANDON, (cust, cust.visits)))

    def _start(self, cust: Customer, st: _Station, t: float) -> None:
        st.busy += 1
        cust.state = IN_SERVICE
        cust.t_start = t
        cust.wait += t - cust.t_arr
        if self.trace is not None:
            self.trace.add(cust.case, "serve", t, START, self.station_names[st.idx])
        j = cust.visits - 1
        us = cust.us
        if j >= len(us):
            self._extend(cust)
        u = us[j]
        heapq.heappush(self.heap, (t + st.service[cust.cls](u), next(self.seq), DEPARTURE, cust))

    def _u(self, cust: Customer, planned: list) -> float:
        """The customer's uniform for its current visit, from ``planned`` (its routing or
        patience draws), extended past the planned visits (rare)."""
        j = cust.visits - 1
        if j >= len(planned):
            self._extend(cust)
        return planned[j]

    def _extend(self, cust: Customer) -> None:
        """Another PLANNED_VISITS of service, routing and patience uniforms for a customer
        past its planned visits, from a stream of its own (class, arrival index, visits
        so far): never from one shared with others, whose order would follow the events,
        and all three drawn whichever the policy uses."""
        name = f"overflow:{self.class_names[cust.cls]}:{cust.idx}:{len(cust.us)}"
        more = self.streams.get(name).random((3, PLANNED_VISITS)).tolist()
        for have, new in zip((cust.us, cust.ur, cust.up), more):
            if have is not None:
                have.extend(new)

    def _next_from_queue(self, st: _Station, t: float) -> None:
        st.busy -= 1
        q = st.queue
        while st.n_waiting:
            cust = heapq.heappop(q)[2] if st.priority else q.popleft()
            if cust.state == WAITING:
                st.n_waiting -= 1
                self._start(cust, st, t)
                return

    def _record_visit(self, cust: Customer, t: float, outcome: int, start: float = np.nan) -> None:
        rec = self.rec
        rec.v_station.append(cust.station)
        rec.v_class.append(cust.cls)
        rec.v_t0.append(cust.t0)
        rec.v_arr.append(cust.t_arr)
        rec.v_start.append(cust.t_start if outcome == SERVED or outcome == IN_SERVICE_AT_END else start)
        rec.v_end.append(t)
        rec.v_outcome.append(outcome)

    def _leave(self, cust: Customer, t: float, outcome: int) -> None:
        rec = self.rec
        rec.c_class.append(cust.cls)
        rec.c_arr.append(cust.t0)
        rec.c_end.append(t)
        rec.c_wait.append(cust.wait)
        rec.c_visits.append(cust.visits)
        rec.c_outcome.append(outcome)

    def _close(self, horizon: float) -> None:
        """Record the customers still inside when the run stops."""
        for _, _, kind, obj in self.heap:
            if kind == DEPARTURE:
                self._record_visit(obj, horizon, IN_SERVICE_AT_END)
                self._leave(obj, horizon, WAITING_AT_END)
        for st in self.stations:
            waiting = (entry[2] for entry in st.queue) if st.priority else st.queue
            for cust in waiting:
                if cust.state == WAITING:
                    self._record_visit(cust, horizon, WAITING_AT_END)
                    self._leave(cust, horizon, WAITING_AT_END)
