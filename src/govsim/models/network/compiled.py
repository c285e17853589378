"""The network's event loop compiled with numba: the same loop as ``engine.run_python``,
on arrays, with the same records float for float (``tests/test_network_compiled.py``).

What makes the two the same: both take every random number from the same population
(``population.draw``: arrival times, and per visit the station, the service minutes and
the patience, computed in Python by the distributions' own quantile functions), so the
loop only adds and compares; the event calendar here is a copy of Python's ``heapq``
(the same sift-up and sift-down, hence the same order of ties and the same array order,
which decides the order of the records of customers still inside at the horizon).

numba is optional (``pip install 'govsim[fast]'``); without it ``available()`` is False
and ``engine.simulate`` runs the Python loop.  The first call compiles (a few seconds);
numba caches the machine code beside this file for later processes.
"""
from __future__ import annotations

import math

import numpy as np

from .records import (ABANDON, ABANDONED, ARRIVAL, BLOCKED, CUSTOMER_COLUMNS, DEPARTURE, GONE, IN_SERVICE,
                      IN_SERVICE_AT_END, SERVED, SHIFT, VISIT_COLUMNS, WAITING, WAITING_AT_END)

try:
    import numba
except ImportError:  # optional: pip install 'govsim[fast]'
    numba = None



def available() -> bool:
    return numba is not None


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn) if numba is not None else fn


@_jit
def exponential_quantiles(u, mean):
    """``-mean * log1p(-u)`` for each uniform, as the exponential's quantile function
    computes it (libm's log1p, as Python's math module calls it)."""
    out = np.empty(len(u))
    for i in range(len(u)):
        out[i] = -mean * math.log1p(-u[i])
    return out


# -- a binary heap on arrays, exactly heapq's: keys (k1, k2) compared as a tuple ------------
@_jit
def _sift_down(k1, k2, p1, p2, p3, pos, a, b, x, y, z):
    """Put (a, b; x, y, z) at ``pos`` or above it, moving larger parents down (heapq._siftdown)."""
    while pos > 0:
        parent = (pos - 1) >> 1
        if a < k1[parent] or (a == k1[parent] and b < k2[parent]):
            k1[pos], k2[pos], p1[pos], p2[pos], p3[pos] = k1[parent], k2[parent], p1[parent], p2[parent], p3[parent]
            pos = parent
        else:
            break
    k1[pos], k2[pos], p1[pos], p2[pos], p3[pos] = a, b, x, y, z


@_jit
def _heap_push(k1, k2, p1, p2, p3, n, a, b, x, y, z):
    _sift_down(k1, k2, p1, p2, p3, n, a, b, x, y, z)
    return n + 1


@_jit
def _heap_pop(k1, k2, p1, p2, p3, n):
    """Remove the top (read it first); heapq.heappop's sift: the smaller child up to a leaf,
    then the last entry down from there."""
    n -= 1
    if n == 0:
        return 0
    pos = 0
    child = 1
    last = n
    while child < n:
        right = child + 1
        if right < n and not (k1[child] < k1[right] or (k1[child] == k1[right] and k2[child] < k2[right])):
            child = right
        k1[pos], k2[pos], p1[pos], p2[pos], p3[pos] = k1[child], k2[child], p1[child], p2[child], p3[child]
        pos = child
        child = 2 * pos + 1
    _sift_down(k1, k2, p1, p2, p3, pos, k1[last], k2[last], p1[last], p2[last], p3[last])
    return n


@_jit
def _fill(s, t, busy, servers, n_waiting, is_prio, q_off, qk1, qk2, qc, qd1, qd2, qn, head, tail, q_next, state,
          t_start, t_arr, wait, service, v_off, visits, ht, hs, hk, ho, hx, hn, seq):
    """Start the next in line at station ``s`` while a server on duty is free (stale entries
    of customers who abandoned are dropped on the way).  Returns the calendar's size and seq."""
    while busy[s] < servers[s] and n_waiting[s] > 0:
        if is_prio[s]:
            base = q_off[s]
            d = qc[base]
            qn[s] = _heap_pop(qk1[base:], qk2[base:], qc[base:], qd1[base:], qd2[base:], qn[s])
        else:
            d = head[s]
            head[s] = q_next[d]
            if head[s] < 0:
                tail[s] = -1
        if state[d] == WAITING:
            n_waiting[s] -= 1
            busy[s] += 1
            state[d] = IN_SERVICE
            t_start[d] = t
            wait[d] += t - t_arr[d]
            hn = _heap_push(ht, hs, hk, ho, hx, hn, t + service[v_off[d] + visits[d] - 1], seq, DEPARTURE, d, 0)
            seq += 1
    return hn, seq


@_jit
def _loop(t0, cls, v_off, v_len, station, service, patience, first, after, has_patience, prio,
          max_waiting, is_prio, r_t, r_n, r_off, q_off, horizon):
    n_cust, n_cls, n_st = len(t0), len(first) - 1, len(max_waiting)
    n_vis = len(station)
    # the event calendar
    cap = n_vis + n_cls + n_st + 1
    for s in range(n_st):
        top = 0
        for i in range(r_off[s], r_off[s + 1]):
            top = max(top, r_n[i])
        cap += top
    ht, hs = np.empty(cap), np.empty(cap, np.int64)
    hk, ho, hx = np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap, np.int64)
    hn = 0
    seq = 0
    # queues: FIFO as linked lists through the customers, priority as heaps (prio, seq, customer)
    head, tail = np.full(n_st, -1, np.int64), np.full(n_st, -1, np.int64)
    q_next = np.full(n_cust, -1, np.int64)
    qk1, qk2 = np.empty(q_off[n_st]), np.empty(q_off[n_st], np.int64)
    qc, qd1, qd2 = np.empty(q_off[n_st], np.int64), np.empty(q_off[n_st], np.int64), np.empty(q_off[n_st], np.int64)
    qn = np.zeros(n_st, np.int64)
    servers, step = np.empty(n_st, np.int64), np.zeros(n_st, np.int64)
    for s in range(n_st):
        servers[s] = r_n[r_off[s]]
    busy, n_waiting = np.zeros(n_st, np.int64), np.zeros(n_st, np.int64)
    last_over = np.zeros(n_st, np.int64)
    t_arr, t_start, wait = np.zeros(n_cust), np.zeros(n_cust), np.zeros(n_cust)
    state, visits = np.zeros(n_cust, np.int64), np.zeros(n_cust, np.int64)
    nxt_cust = first[:-1].copy()
    # records
    vs, vk, vo = np.empty(n_vis, np.int64), np.empty(n_vis, np.int64), np.empty(n_vis, np.int64)
    vt0, va, vst, ve = np.empty(n_vis), np.empty(n_vis), np.empty(n_vis), np.empty(n_vis)
    nv = 0
    ck, cv, co = np.empty(n_cust, np.int64), np.empty(n_cust, np.int64), np.empty(n_cust, np.int64)
    ca, ce, cw = np.empty(n_cust), np.empty(n_cust), np.empty(n_cust)
    nc = 0
    os_, ot, on = np.empty(n_vis + len(r_t), np.int64), np.empty(n_vis + len(r_t)), np.empty(n_vis + len(r_t), np.int64)
    no = 0

    for k in range(n_cls):
        hn = _heap_push(ht, hs, hk, ho, hx, hn, t0[first[k]] if first[k] < first[k + 1] else after[k], seq,
                        ARRIVAL, k, 0)
        seq += 1
    for s in range(n_st):
        if r_off[s + 1] - r_off[s] > 1:
            hn = _heap_push(ht, hs, hk, ho, hx, hn, r_t[r_off[s] + 1], seq, SHIFT, s, 0)
            seq += 1

    while hn > 0 and ht[0] <= horizon:
        t, kind, what, token = ht[0], hk[0], ho[0], hx[0]
        hn = _heap_pop(ht, hs, hk, ho, hx, hn)
        # who goes where: (c, s) to start service, (c2, s2) to visit a station
        c2 = -1
        s2 = -1
        if kind == DEPARTURE:
            c = what
            j = visits[c]
            s = station[v_off[c] + j - 1]
            vs[nv], vk[nv], vt0[nv], va[nv], vst[nv], ve[nv], vo[nv] = s, cls[c], t0[c], t_arr[c], t_start[c], t, SERVED
            nv += 1
            busy[s] -= 1
            if busy[s] >= servers[s]:  # off duty since the roster dropped: this server leaves
                os_[no], ot[no], on[no] = s, t, busy[s] - servers[s]
                no += 1
                last_over[s] = busy[s] - servers[s]
            elif n_waiting[s] > 0:  # the next in line (someone waits only while all on duty are busy)
                hn, seq = _fill(s, t, busy, servers, n_waiting, is_prio, q_off, qk1, qk2, qc, qd1, qd2, qn, head, tail,
                                q_next, state, t_start, t_arr, wait, service, v_off, visits, ht, hs, hk, ho, hx, hn, seq)
            if j < v_len[c]:
                c2, s2 = c, station[v_off[c] + j]
            else:
                ck[nc], ca[nc], ce[nc], cw[nc], cv[nc], co[nc] = cls[c], t0[c], t, wait[c], visits[c], SERVED
                nc += 1
        elif kind == ARRIVAL:
            k = what
            c = nxt_cust[k]
            nxt_cust[k] = c + 1
            hn = _heap_push(ht, hs, hk, ho, hx, hn, t0[c + 1] if c + 1 < first[k + 1] else after[k], seq,
                            ARRIVAL, k, 0)
            seq += 1
            c2, s2 = c, station[v_off[c]]
        elif kind == SHIFT:
            s = what
            step[s] += 1
            n = r_n[r_off[s] + step[s]]
            servers[s] = n
            # servers coming on duty take the next in line
            hn, seq = _fill(s, t, busy, servers, n_waiting, is_prio, q_off, qk1, qk2, qc, qd1, qd2, qn, head, tail,
                            q_next, state, t_start, t_arr, wait, service, v_off, visits, ht, hs, hk, ho, hx, hn, seq)
            extra = max(busy[s] - n, 0)  # servers going off duty finish their customers first
            if extra != last_over[s]:
                os_[no], ot[no], on[no] = s, t, extra
                no += 1
                last_over[s] = extra
            if step[s] + 1 < r_off[s + 1] - r_off[s]:
                hn = _heap_push(ht, hs, hk, ho, hx, hn, r_t[r_off[s] + step[s] + 1], seq, SHIFT, s, 0)
                seq += 1
        else:  # ABANDON
            c = what
            if state[c] == WAITING and visits[c] == token:
                s = station[v_off[c] + token - 1]
                state[c] = GONE
                n_waiting[s] -= 1
                vs[nv], vk[nv], vt0[nv], va[nv], vst[nv], ve[nv], vo[nv] = s, cls[c], t0[c], t_arr[c], np.nan, t, ABANDONED
                nv += 1
                ck[nc], ca[nc], ce[nc], cw[nc], cv[nc], co[nc] = cls[c], t0[c], t, wait[c], visits[c], ABANDONED
                nc += 1
        if c2 >= 0:  # a visit: served at once, blocked, or in the queue
            c, s = c2, s2
            t_arr[c] = t
            j = visits[c]
            visits[c] = j + 1
            if busy[s] < servers[s]:
                busy[s] += 1
                state[c] = IN_SERVICE
                t_start[c] = t
                wait[c] += t - t_arr[c]
                hn = _heap_push(ht, hs, hk, ho, hx, hn, t + service[v_off[c] + j], seq, DEPARTURE, c, 0)
                seq += 1
            elif 0 <= max_waiting[s] <= n_waiting[s]:
                state[c] = GONE
                vs[nv], vk[nv], vt0[nv], va[nv], vst[nv], ve[nv], vo[nv] = s, cls[c], t0[c], t, t, t, BLOCKED
                nv += 1
                ck[nc], ca[nc], ce[nc], cw[nc], cv[nc], co[nc] = cls[c], t0[c], t, wait[c], visits[c], BLOCKED
                nc += 1
            else:
                state[c] = WAITING
                n_waiting[s] += 1
                if is_prio[s]:
                    base = q_off[s]
                    qn[s] = _heap_push(qk1[base:], qk2[base:], qc[base:], qd1[base:], qd2[base:], qn[s],
                                       float(prio[cls[c]]), seq, c, 0, 0)
                    seq += 1
                else:
                    q_next[c] = -1
                    if tail[s] < 0:
                        head[s] = c
                    else:
                        q_next[tail[s]] = c
                    tail[s] = c
                if has_patience[cls[c]]:
                    hn = _heap_push(ht, hs, hk, ho, hx, hn, t + patience[v_off[c] + j], seq, ABANDON, c, j + 1)
                    seq += 1

    # the customers still inside when the run stops: in service (by customer number: the
    # calendar's own order depends on events that never came, such as a patience past the
    # end), then waiting
    in_service = np.empty(hn, np.int64)
    n_in = 0
    for i in range(hn):
        if hk[i] == DEPARTURE:
            in_service[n_in] = ho[i]
            n_in += 1
    for c in np.sort(in_service[:n_in]):
        s = station[v_off[c] + visits[c] - 1]
        vs[nv], vk[nv], vt0[nv], va[nv], vst[nv], ve[nv], vo[nv] = (s, cls[c], t0[c], t_arr[c], t_start[c], horizon,
                                                                     IN_SERVICE_AT_END)
        nv += 1
        ck[nc], ca[nc], ce[nc], cw[nc], cv[nc], co[nc] = cls[c], t0[c], horizon, wait[c], visits[c], WAITING_AT_END
        nc += 1
    for s in range(n_st):
        i = 0
        c = head[s]
        while True:
            if is_prio[s]:
                if i >= qn[s]:
                    break
                c = qc[q_off[s] + i]
                i += 1
            elif c < 0:
                break
            if state[c] == WAITING:
                vs[nv], vk[nv], vt0[nv], va[nv], vst[nv], ve[nv], vo[nv] = (s, cls[c], t0[c], t_arr[c], np.nan,
                                                                             horizon, WAITING_AT_END)
                nv += 1
                ck[nc], ca[nc], ce[nc], cw[nc], cv[nc], co[nc] = cls[c], t0[c], horizon, wait[c], visits[c], WAITING_AT_END
                nc += 1
            if not is_prio[s]:
                c = q_next[c]
    return (vs[:nv], vk[:nv], vt0[:nv], va[:nv], vst[:nv], ve[:nv], vo[:nv],
            ck[:nc], ca[:nc], ce[:nc], cw[:nc], cv[:nc], co[:nc], os_[:no], ot[:no], on[:no])


def run(pop, net, horizon: float):
    """Record columns and each station's overrun steps, as ``engine.run_python`` gives them."""
    n_st = len(net.station_names)
    r_t = np.array([t for steps in net.rosters for t, _ in steps], dtype=float)
    r_n = np.array([n for steps in net.rosters for _, n in steps], dtype=np.int64)
    r_off = np.concatenate(([0], np.cumsum([len(steps) for steps in net.rosters]))).astype(np.int64)
    # room in each priority station's queue: every visit to it, at most
    room = np.bincount(pop.station, minlength=n_st) * np.asarray(net.priority_station, dtype=np.int64)
    q_off = np.concatenate(([0], np.cumsum(room))).astype(np.int64)
    out = _loop(pop.t0, pop.cls, pop.v_off, pop.v_len, pop.station, pop.service, pop.patience, pop.first,
                np.asarray(pop.after, dtype=float), np.asarray(net.has_patience, dtype=np.bool_),
                np.asarray(net.prio, dtype=np.int64), np.asarray(net.max_waiting, dtype=np.int64),
                np.asarray(net.priority_station, dtype=np.bool_), r_t, r_n, r_off, q_off, float(horizon))
    columns = dict(zip(VISIT_COLUMNS + CUSTOMER_COLUMNS, out[:13]))
    overrun = [[(0.0, 0)] for _ in range(n_st)]
    for s, t, n in zip(out[13].tolist(), out[14].tolist(), out[15].tolist()):
        overrun[s].append((t, n))
    return columns, overrun
