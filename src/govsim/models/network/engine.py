"""Event-driven simulation of an open queueing network.

Every customer is drawn before the run (``population``: arrival time, and per visit the
station, service minutes and patience), so the run only decides who waits for whom.  It
is a plain event calendar (a binary heap of ``(time, seq, kind, what)``), not simpy
processes: three events (arrival, end of service, abandonment) and a fourth where a
station keeps a roster (servers come on or go off duty).  ``seq`` breaks ties in time
by scheduling order, so runs are deterministic.

A roster is non-preemptive: when fewer servers are on duty than are busy, each extra one
finishes its customer and then leaves (the station records those overrun minutes, which
count as staffed time); a server coming on duty takes the next in line.

The run records one row per station visit and one per customer (columns); the KPIs are
computed afterwards from those records (``kpis.py``).  Two event loops run it and give
the same records, float for float: this module's, in Python, and ``compiled``'s, the same
loop compiled with numba where numba is installed (several times faster).  Given a
``Trace``, the Python loop also logs every customer's events (case ``<class>:<n>``, the
n-th arrival of its class): arrive, queue, serve (start, complete), abandon, block, route
(resource: the next station), leave; every such call sits behind ``if trace is not
None``, so an untraced run pays one test per event.
"""
from __future__ import annotations

import heapq
import itertools
from collections import deque

import numpy as np

from ...eventloop import chosen_loop
from ...model_api import START
from ...rng import Streams
from . import population
from .params import NetworkParams
from .population import PLANNED_VISITS, Population  # noqa: F401  (PLANNED_VISITS: re-exported)
from .records import (ABANDON, ABANDONED, ARRIVAL, BLOCKED, CUSTOMER_COLUMNS, DEPARTURE, GONE, IN_SERVICE,  # noqa: F401
                      IN_SERVICE_AT_END, INT_COLUMNS, SERVED, SHIFT, VISIT_COLUMNS, WAITING, WAITING_AT_END, Records)


class Network:
    """What the event loops need of the params, as plain lists (station and class indices)."""

    def __init__(self, params: NetworkParams, horizon: float):
        self.station_names = list(params.stations)
        self.class_names = list(params.classes)
        first_weekday = params.first_day().weekday()
        stations = [params.stations[s] for s in self.station_names]
        self.rosters = [st.roster_steps(first_weekday, horizon) for st in stations]
        self.max_waiting = [-1 if st.max_waiting is None else st.max_waiting for st in stations]
        self.priority_station = [st.discipline == "priority" for st in stations]
        self.prio = [params.classes[c].priority for c in self.class_names]
        self.has_patience = [params.classes[c].patience is not None for c in self.class_names]
        visited = params.visited_stations()
        self.used = [s in visited for s in self.station_names]


def _compiled_available() -> bool:
    from . import compiled
    return compiled.available()


def simulate(params: NetworkParams, streams: Streams, horizon: float, warmup: float, trace=None,
             engine: str = "auto") -> Records:
    """One replication.  ``engine``: "python", "compiled" (numba) or "auto" (compiled when
    numba is installed and no trace is asked for; ``GOVSIM_ENGINE=python`` forces Python)."""
    horizon = float(horizon)
    pop = population.draw(params, streams, horizon)
    net = Network(params, horizon)
    if chosen_loop(engine, trace, _compiled_available) == "compiled":
        from . import compiled
        columns, overrun = compiled.run(pop, net, horizon)
    else:
        columns, overrun = run_python(pop, net, horizon, trace)
    return Records(net.station_names, net.class_names, net.rosters, horizon, float(warmup), net.used,
                   overrun, columns)


def run_python(pop: Population, net: Network, horizon: float, trace=None):
    """The event loop in Python: record columns and each station's overrun steps."""
    heap: list = []
    push, pop_ = heapq.heappush, heapq.heappop
    seq = itertools.count().__next__
    n_cust = len(pop)
    # per customer and per visit: memoryviews index like lists, with no Python object per entry
    t0, cls, v_off, v_len, station, service, patience = (
        memoryview(a) for a in (pop.t0, pop.cls, pop.v_off, pop.v_len, pop.station, pop.service, pop.patience))
    first, after = pop.first.tolist(), pop.after
    has_patience, prio, max_waiting = net.has_patience, net.prio, net.max_waiting
    names, class_names = net.station_names, net.class_names
    n_st = len(names)
    rosters = net.rosters
    servers = [r[0][1] for r in rosters]
    step = [0] * n_st
    busy = [0] * n_st
    n_waiting = [0] * n_st
    queues = [[] if p else deque() for p in net.priority_station]
    is_prio = net.priority_station
    overrun = [[(0.0, 0)] for _ in range(n_st)]
    # per customer: arrival at its current station, service start, state, wait so far, visits so far
    t_arr, t_start = [0.0] * n_cust, [0.0] * n_cust
    state, wait, visits = [WAITING] * n_cust, [0.0] * n_cust, [0] * n_cust
    case = [f"{class_names[cls[c]]}:{i}" for c, i in enumerate(pop.index().tolist())] if trace is not None else None
    # records name the customer; its class and arrival time are looked up at the end
    cols = {name: [] for name in ("v_station", "v_cust", "v_arr", "v_start", "v_end", "v_outcome",
                                  "c_cust", "c_end", "c_wait", "c_visits", "c_outcome")}
    vs, vc, va, vst, ve, vo, cc, ce, cw, cv, co = (lst.append for lst in cols.values())
    nxt_cust = first[:-1]  # the next customer of each class to arrive

    for k in range(len(class_names)):
        push(heap, (t0[first[k]] if first[k] < first[k + 1] else after[k], seq(), ARRIVAL, k))
    for s in range(n_st):
        if len(rosters[s]) > 1:
            push(heap, (rosters[s][1][0], seq(), SHIFT, s))

    def start(c, s, t):
        busy[s] += 1
        state[c] = IN_SERVICE
        t_start[c] = t
        wait[c] += t - t_arr[c]
        if trace is not None:
            trace.add(case[c], "serve", t, START, names[s])
        push(heap, (t + service[v_off[c] + visits[c] - 1], seq(), DEPARTURE, c))

    def next_waiting(s):
        q = queues[s]
        while n_waiting[s]:
            c = heapq.heappop(q)[2] if is_prio[s] else q.popleft()
            if state[c] == WAITING:
                n_waiting[s] -= 1
                return c
        return -1

    def leave(c, t, outcome):
        cc(c); ce(t); cw(wait[c]); cv(visits[c]); co(outcome)

    def visit(c, s, t):
        t_arr[c] = t
        j = visits[c]
        visits[c] = j + 1
        if busy[s] < servers[s]:
            start(c, s, t)
        elif 0 <= max_waiting[s] <= n_waiting[s]:
            state[c] = GONE
            vs(s); vc(c); va(t); vst(t); ve(t); vo(BLOCKED)
            leave(c, t, BLOCKED)
            if trace is not None:
                trace.add(case[c], "block", t, resource=names[s])
                trace.add(case[c], "leave", t)
        else:
            state[c] = WAITING
            n_waiting[s] += 1
            if trace is not None:
                trace.add(case[c], "queue", t, resource=names[s])
            if is_prio[s]:
                heapq.heappush(queues[s], (prio[cls[c]], seq(), c))
            else:
                queues[s].append(c)
            if has_patience[cls[c]]:
                push(heap, (t + patience[v_off[c] + j], seq(), ABANDON, (c, j + 1)))

    while heap and heap[0][0] <= horizon:
        t, _, kind, what = pop_(heap)
        if kind == DEPARTURE:
            c = what
            j = visits[c]
            s = station[v_off[c] + j - 1]
            if trace is not None:
                trace.add(case[c], "serve", t, resource=names[s])
            vs(s); vc(c); va(t_arr[c]); vst(t_start[c]); ve(t); vo(SERVED)
            busy[s] -= 1
            if busy[s] >= servers[s]:  # off duty since the roster dropped: this server leaves
                overrun[s].append((t, busy[s] - servers[s]))
            elif n_waiting[s]:
                d = next_waiting(s)
                if d >= 0:
                    start(d, s, t)
            if j < v_len[c]:
                s = station[v_off[c] + j]
                if trace is not None:
                    trace.add(case[c], "route", t, resource=names[s])
                visit(c, s, t)
            else:
                leave(c, t, SERVED)
                if trace is not None:
                    trace.add(case[c], "leave", t)
        elif kind == ARRIVAL:
            k = what
            c = nxt_cust[k]
            nxt_cust[k] = c + 1
            push(heap, (t0[c + 1] if c + 1 < first[k + 1] else after[k], seq(), ARRIVAL, k))
            if trace is not None:
                trace.add(case[c], "arrive", t)
            visit(c, station[v_off[c]], t)
        elif kind == SHIFT:  # the roster's next step
            s = what
            step[s] += 1
            servers[s] = n = rosters[s][step[s]][1]
            while busy[s] < n:  # servers coming on duty take the next in line
                d = next_waiting(s)
                if d < 0:
                    break
                start(d, s, t)
            extra = max(busy[s] - n, 0)  # servers going off duty finish their customers first
            if extra != overrun[s][-1][1]:
                overrun[s].append((t, extra))
            if step[s] + 1 < len(rosters[s]):
                push(heap, (rosters[s][step[s] + 1][0], seq(), SHIFT, s))
        else:  # ABANDON
            c, token = what
            if state[c] == WAITING and visits[c] == token:
                s = station[v_off[c] + token - 1]
                state[c] = GONE
                n_waiting[s] -= 1
                vs(s); vc(c); va(t_arr[c]); vst(np.nan); ve(t); vo(ABANDONED)
                leave(c, t, ABANDONED)
                if trace is not None:
                    trace.add(case[c], "abandon", t, resource=names[s])
                    trace.add(case[c], "leave", t)

    # the customers still inside when the run stops: in service (by customer number: the
    # calendar's own order depends on events that never came, such as a patience past the
    # end), then waiting
    for c in sorted(c for _, _, kind, c in heap if kind == DEPARTURE):
        s = station[v_off[c] + visits[c] - 1]
        vs(s); vc(c); va(t_arr[c]); vst(t_start[c]); ve(horizon); vo(IN_SERVICE_AT_END)
        leave(c, horizon, WAITING_AT_END)
    for s in range(n_st):
        for c in ((entry[2] for entry in queues[s]) if is_prio[s] else queues[s]):
            if state[c] == WAITING:
                vs(s); vc(c); va(t_arr[c]); vst(np.nan); ve(horizon); vo(WAITING_AT_END)
                leave(c, horizon, WAITING_AT_END)
    arrays = {}
    for n, lst in cols.items():  # one column at a time, so that the lists and the arrays are never all there at once
        arrays[n] = np.asarray(lst, dtype=np.int64 if n in INT_COLUMNS | {"v_cust", "c_cust"} else float)
        lst.clear()
    v_cust, c_cust = arrays.pop("v_cust"), arrays.pop("c_cust")
    arrays.update(v_class=pop.cls[v_cust], v_t0=pop.t0[v_cust], c_class=pop.cls[c_cust], c_arr=pop.t0[c_cust])
    return {n: arrays[n] for n in VISIT_COLUMNS + CUSTOMER_COLUMNS}, overrun
