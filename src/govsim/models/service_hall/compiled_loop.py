"""The hall's event loop compiled with numba: ``hall.Hall``'s state machine, method for
method, on two arrays (``compiled.py`` fills them from the population and the layout, and
reads the records back).

What makes its records the Python loop's, float for float:
- it draws nothing: every random number comes from the ``Population`` (the visitors'
  attributes, and their later trips' values through the distributions' own quantile
  functions, computed in Python before the loop), so the loop only adds, compares and counts;
- the event calendar and the window queues are heaps with heapq's own sift, keyed as the
  Python ones are (time, order scheduled; priority, time, order of request), and every event
  and request is made in the Python loop's order, so ties fall alike;
- sums are taken in the Python loop's order (a float sum depends on its order).

The whole state is two 2-D arrays, ``FB`` (floats) and ``IB`` (32-bit ints): a row per field or
record column, a column per visitor, record, ticket or resource.  numba passes every array
argument on every call, so two arrays call several times faster than forty (measured: the
loop took 46 ms a replication on a tuple of 43 arrays, 7 ms on two).
"""
from __future__ import annotations

import math

import numpy as np

try:
    import numba
except ImportError:  # optional: pip install 'govsim[fast]'
    numba = None

DAY = 1440.0

# outcomes of a window visit (records.py's names, in this order)
ACCEPTED, STEP_DONE, REJECTED, BALKED, ABANDONED, SENT_HOME = range(6)
# why a visitor comes back
FETCH, GAVE_UP, NEXT_DAY = range(3)
# events
E_ARRIVAL, E_CHANGE, E_SNAPSHOT, E_BELL, E_RETURN, E_HELPER_DONE, E_SERVED, E_PATIENCE, E_APPROVAL_DONE = range(9)
# what a granted request does next
G_NONE, G_WINDOW, G_PROXY, G_HOME, G_APPROVAL = range(5)
# helper work
K_PRECHECK, K_FULL, K_HOME = range(3)

# The loop's whole state is two 2-D arrays, FB (floats) and IB (ints), one row per field
# or record column and one column per visitor, record, ticket or resource: numba passes
# every array argument on every call, so two arrays call several times faster than forty.
# FB's rows
(F_T_ARRIVE, F_BALK_OVER, F_PATIENCE, F_PRECHECK, F_FULL, F_HOME, F_TURNAROUND, F_ONLINE_MIN,  # the Person's
 F_T_FIRST, F_T_ACCEPTED, F_T_APPROVED, F_T_DONE, F_T_ARR, F_T_WAIT, F_T_START, F_TO_APPROVE, F_T_WINDOW,  # the trip's
 FG,  # the float globals (G_* columns)
 FH,  # the calendar's times
 FWV, FWV1, FWV2,  # window visits: joined the queue, service began (NaN: none), ended
 FTR, FTR1,  # trips: arrived, left
 FSV, FSV1,  # services of windows and the back office: began, ended
 FAP, FAP1, FAP2,  # approvals: sent, begun, done
 FHW,  # helper waits
 FQC,  # the waiting line's changes: time
 FJ, FJ1, FJ2,  # approval jobs: minutes, sent, begun
 FFIRST,  # first trips' times, in order
 FBACK,  # the back office's backlog snapshots
 FTL,  # staff changes' times, resource after resource
 FSLOW, FBUNDLES,  # per resource
 FPA, FPB,  # the open periods
 F_FIXED) = range(42)  # then, from bases in IG: SF rows, later trips, extra later trips, queue times
N_F = F_TO_APPROVE + 2  # the visitor rows
# IB's rows
(I_GREEN, I_OTHER, I_ASKS_PROXY, I_FULL_PROCESS, I_HOME_VISIT, I_BOOKS, I_NO_SHOW, I_ONLINE_WHO, I_NSTEPS,
 I_STEP, I_TRIPS, I_RETURNS, I_REJECTIONS, I_PROXIED, I_PLEDGED, I_APPROVALS, I_BOOKED, I_ONLINE, I_KEPT,
 I_BY_HELPER, I_BANK, I_TICKET, I_OUTCOME, I_HAS_APPROVE, I_HELPER, I_HELPER_KIND,
 IG,  # the int globals (GI_* columns)
 IH, IH1, IH2, IH3,  # the calendar: order, kind, a, b
 T_GRANTED, T_CANCELLED, T_RELEASED, T_KIND, T_ARG, T_IN_BELL,  # tickets
 IBELL, IBELL1, IBELL2,  # waiting at the closing bell: ticket, visitor, at the proxy desk
 IWV, IWV1, IWV2, IWV3,  # window visits: visitor, bank, outcome, by a helper
 ITR, ISV, IAP, IHW, IQC, IVIS,  # trips' visitor, services' resource, approvals' and waits' visitor, level, visitors
 IJ, IJ1,  # approval jobs: visitor, ticket
 IORD,  # visitors in order of first trip
 ITL, ITL1,  # staff changes: on duty, priority
 ITLOFF,  # each resource's first change (resources + 1 entries)
 IXOFF,  # each visitor's extra later trips (-1: none)
 IXDEPTH,  # and how many
 IBANKFOR,  # the bank of (department * 4 + green * 2 + other province)
 ITOBO,  # per department: approved in the back office
 R_CAPACITY, R_SLOTS, R_USERS, R_ORDER, R_ON_DUTY, R_QN, R_PTR, R_NBLK, R_WAITING,  # per resource
 I_FIXED) = range(70)  # then, from bases in IG: SI rows, blockers, queue entries
N_I = I_HELPER_KIND + 1
SI_DEPT, SI_MAJOR, SI_MINOR, SI_CMAJOR, SI_CMINOR = range(5)
SF_ACCEPT, SF_APPROVE = range(2)
L_FETCH, L_GAVE_UP, L_TIME, L_CHECK = range(4)  # a later trip's fields (Population.later_table)
# float globals (FB[FG, ...])
(G_NOW, G_BO_QMIN, G_BO_MIN_IN, G_HELPER_BUSY, G_ONLINE_MIN, G_GRACE, G_CLOSE, G_BO_SLOW, G_T_COUNTED,
 G_T_END, G_UNTIL) = range(11)
# int globals (IB[IG, ...])
(GI_OPEN_WORK, GI_STOPPED, GI_HN, GI_ORDER, GI_NEXT_ARRIVAL, GI_STATUS, GI_SEND_HOME, GI_GREEN_FIRST,
 GI_APPOINTMENTS, GI_ONLINE_REVIEW, GI_HOME_VISITS, GI_HELPERS, GI_OFFICE, GI_ONE_TIME, GI_PLEDGE, GI_NT,
 GI_NBELL, GI_NWV, GI_NTR, GI_NSV, GI_NAP, GI_NHW, GI_NQC, GI_NVIS, GI_NJ, GI_QLEVEL, GI_BO_QUEUED, GI_ONLINE_N,
 GI_ONLINE_CAUGHT, GI_CASES_PRE, GI_CASES_FULL, GI_CASES_HOME, GI_NBACKLOG, GI_DAYS_TOTAL, GI_NBANKS,
 GI_OVERFLOW_V, GI_NRES, GI_NPERIODS, GI_NORDER, GI_STEPS, GI_COMEBACKS,
 GI_FSF, GI_FLT, GI_FX, GI_FQ, GI_ISI, GI_IBLK, GI_IQ, GI_BELL_SCRATCH) = range(49)

# GI_STATUS: a buffer outgrown; a visitor beyond the trips drawn ahead; a date beyond 2**62 days
# (a return_days far past any run: Python's integers hold it, the loop's do not)
OVERFLOW, COMEBACK_OVERFLOW, FOR_PYTHON = 1, 2, 3


def available() -> bool:
    return numba is not None


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn) if numba is not None else fn


# -- the event calendar: heapq's heap on arrays, keyed (time, order scheduled) -----------------
@_jit
def _ev_push(FB, IB, t, kind, a, b):
    IB[IG, GI_ORDER] += 1
    pos = IB[IG, GI_HN]
    if pos >= FB.shape[1]:
        IB[IG, GI_STATUS] = OVERFLOW
        return
    IB[IG, GI_HN] = pos + 1
    _ev_sift_up(FB, IB, pos, t, IB[IG, GI_ORDER], kind, a, b)


@_jit
def _ev_sift_up(FB, IB, pos, t, order, kind, a, b):
    """Put (t, order; kind, a, b) at ``pos`` or above it, moving later parents down (heapq._siftdown)."""
    while pos > 0:
        parent = (pos - 1) >> 1
        if t < FB[FH, parent] or (t == FB[FH, parent] and order < IB[IH, parent]):
            FB[FH, pos] = FB[FH, parent]
            IB[IH, pos], IB[IH1, pos], IB[IH2, pos], IB[IH3, pos] = \
                IB[IH, parent], IB[IH1, parent], IB[IH2, parent], IB[IH3, parent]
            pos = parent
        else:
            break
    FB[FH, pos] = t
    IB[IH, pos], IB[IH1, pos], IB[IH2, pos], IB[IH3, pos] = order, kind, a, b


@_jit
def _ev_pop(FB, IB):
    """Remove the calendar's top (read it first): heapq.heappop's sift."""
    n = IB[IG, GI_HN] - 1
    IB[IG, GI_HN] = n
    if n == 0:
        return
    t, o, k, a, b = FB[FH, n], IB[IH, n], IB[IH1, n], IB[IH2, n], IB[IH3, n]
    pos = 0
    child = 1
    while child < n:
        right = child + 1
        if right < n and not (FB[FH, child] < FB[FH, right] or
                              (FB[FH, child] == FB[FH, right] and IB[IH, child] < IB[IH, right])):
            child = right
        FB[FH, pos] = FB[FH, child]
        IB[IH, pos], IB[IH1, pos], IB[IH2, pos], IB[IH3, pos] = IB[IH, child], IB[IH1, child], IB[IH2, child], IB[IH3, child]
        pos = child
        child = 2 * pos + 1
    _ev_sift_up(FB, IB, pos, t, o, k, a, b)


# -- a resource's queue: heapq's heap keyed (priority, time, order of request) -----------------
@_jit
def _q_before(FB, IB, fq, iq, i, p, t, o):
    """Is queue entry i (rows fq of FB, iq.. of IB) before (priority p, time t, order o)?"""
    if IB[iq, i] != p:
        return IB[iq, i] < p
    if FB[fq, i] != t:
        return FB[fq, i] < t
    return IB[iq + 1, i] < o


@_jit
def _q_push(FB, IB, r, p, t, o, ticket):
    pos = IB[R_QN, r]
    if pos >= FB.shape[1]:
        IB[IG, GI_STATUS] = OVERFLOW
        return
    IB[R_QN, r] = pos + 1
    _q_sift_up(FB, IB, IB[IG, GI_FQ] + r, IB[IG, GI_IQ] + 3 * r, pos, p, t, o, ticket)


@_jit
def _q_sift_up(FB, IB, fq, iq, pos, p, t, o, ticket):
    """Put (p, t, o; ticket) at ``pos`` or above it in the queue at rows fq and iq.."""
    while pos > 0:
        parent = (pos - 1) >> 1
        if _q_before(FB, IB, fq, iq, parent, p, t, o):
            break
        FB[fq, pos] = FB[fq, parent]
        IB[iq, pos], IB[iq + 1, pos], IB[iq + 2, pos] = IB[iq, parent], IB[iq + 1, parent], IB[iq + 2, parent]
        pos = parent
    FB[fq, pos] = t
    IB[iq, pos], IB[iq + 1, pos], IB[iq + 2, pos] = p, o, ticket


@_jit
def _q_pop(FB, IB, r):
    """Remove and return the ticket at the top of resource r's queue."""
    fq, iq = IB[IG, GI_FQ] + r, IB[IG, GI_IQ] + 3 * r
    top = IB[iq + 2, 0]
    n = IB[R_QN, r] - 1
    IB[R_QN, r] = n
    if n == 0:
        return top
    p, t, o, k = IB[iq, n], FB[fq, n], IB[iq + 1, n], IB[iq + 2, n]
    pos = 0
    child = 1
    while child < n:
        right = child + 1
        if right < n and not _q_before(FB, IB, fq, iq, child, IB[iq, right], FB[fq, right], IB[iq + 1, right]):
            child = right
        FB[fq, pos] = FB[fq, child]
        IB[iq, pos], IB[iq + 1, pos], IB[iq + 2, pos] = IB[iq, child], IB[iq + 1, child], IB[iq + 2, child]
        pos = child
        child = 2 * pos + 1
    _q_sift_up(FB, IB, fq, iq, pos, p, t, o, k)
    return top


# -- staffed resources (staffing.Staffed) ---------------------------------------------------
@_jit
def _request(FB, IB, r, priority, kind, arg):
    """A request: its ticket, granted at once if a server is free, else queued."""
    ticket = IB[IG, GI_NT]
    if ticket >= IB.shape[1]:
        IB[IG, GI_STATUS] = OVERFLOW
        return 0
    IB[IG, GI_NT] = ticket + 1
    IB[T_GRANTED, ticket] = 0
    IB[T_CANCELLED, ticket] = 0
    IB[T_RELEASED, ticket] = 0
    IB[T_KIND, ticket] = kind
    IB[T_ARG, ticket] = arg
    IB[T_IN_BELL, ticket] = 0
    if IB[R_USERS, r] < IB[R_SLOTS, r]:
        IB[R_USERS, r] += 1
        IB[T_GRANTED, ticket] = 1
    else:
        IB[R_ORDER, r] += 1
        _q_push(FB, IB, r, priority, FB[FG, G_NOW], IB[R_ORDER, r], ticket)
    return ticket


@_jit
def _release(FB, IB, r, ticket):
    IB[T_RELEASED, ticket] = 1
    IB[R_USERS, r] -= 1
    _serve_next(FB, IB, r)


@_jit
def _serve_next(FB, IB, r):
    while IB[R_USERS, r] < IB[R_SLOTS, r] and IB[R_QN, r] > 0:
        ticket = _q_pop(FB, IB, r)
        if IB[T_CANCELLED, ticket]:
            continue
        IB[R_USERS, r] += 1
        IB[T_GRANTED, ticket] = 1
        kind, arg = IB[T_KIND, ticket], IB[T_ARG, ticket]
        if kind == G_WINDOW:
            _window_granted(FB, IB, arg)
        elif kind == G_PROXY:
            _proxy_granted(FB, IB, arg)
        elif kind == G_HOME:
            _helper_work(FB, IB, arg, K_HOME, FB[F_HOME, arg])
        elif kind == G_APPROVAL:
            _approval_begins(FB, IB, arg)


@_jit
def _set(FB, IB, r, on_duty, priority):
    want = IB[R_SLOTS, r] - min(on_duty, IB[R_CAPACITY, r])
    row = IB[IG, GI_IBLK] + r
    while IB[R_NBLK, r] < want:
        if IB[R_NBLK, r] >= IB.shape[1]:
            IB[IG, GI_STATUS] = OVERFLOW
            return
        IB[row, IB[R_NBLK, r]] = _request(FB, IB, r, priority, G_NONE, 0)
        IB[R_NBLK, r] += 1
    while IB[R_NBLK, r] > want:
        IB[R_NBLK, r] -= 1
        ticket = IB[row, IB[R_NBLK, r]]
        if IB[T_GRANTED, ticket]:
            _release(FB, IB, r, ticket)
        else:
            IB[T_CANCELLED, ticket] = 1
    IB[R_ON_DUTY, r] = on_duty


@_jit
def _next_change(FB, IB, r, k):
    """Apply change k (the one due now; -1: none), then those already due; schedule the next."""
    if k >= 0:
        _set(FB, IB, r, IB[ITL, k], IB[ITL1, k])
    now = FB[FG, G_NOW]
    while IB[R_PTR, r] < IB[ITLOFF, r + 1]:
        j = IB[R_PTR, r]
        IB[R_PTR, r] = j + 1
        if FB[FTL, j] > now:
            _ev_push(FB, IB, FB[FTL, j], E_CHANGE, r, j)
            return
        _set(FB, IB, r, IB[ITL, j], IB[ITL1, j])


# -- calendar arithmetic (calendar.py's, operation for operation) --------------------------
@_jit
def _after_open_minutes(FB, IB, t, minutes):
    periods = IB[IG, GI_NPERIODS]
    day = math.floor(t / DAY)
    left = minutes
    per_day = 0.0
    for j in range(periods):
        per_day += FB[FPB, j] - FB[FPA, j]
    while True:
        for j in range(periods):
            lo = max(t, day * DAY + FB[FPA, j])
            hi = day * DAY + FB[FPB, j]
            if hi > lo:
                if hi - lo >= left:
                    return lo + left
                left -= hi - lo
        day += 1
        if left > 2 * per_day and per_day > 0:
            whole = math.floor(left / per_day) - 1
            day += whole
            left -= whole * per_day


@_jit
def _open_overlap(FB, IB, t0, t1):
    day = math.floor(t0 / DAY) * DAY
    total = 0.0
    while day < t1:
        s = 0.0
        for j in range(IB[IG, GI_NPERIODS]):
            s += max(0.0, min(t1, day + FB[FPB, j]) - max(t0, day + FB[FPA, j]))
        total += s
        day += DAY
    return total


# -- records ----------------------------------------------------------------------------------
@_jit
def _counted(FB, t):
    return FB[FG, G_T_COUNTED] <= t < FB[FG, G_T_END]


@_jit
def _slot(FB, IB, counter):
    """The next free column of a record (counter: its GI_ column); -1, overflow noted, if none."""
    n = IB[IG, counter]
    if n >= FB.shape[1] or n >= IB.shape[1]:
        IB[IG, GI_STATUS] = OVERFLOW
        return -1
    IB[IG, counter] = n + 1
    return n


@_jit
def _queue_change(FB, IB, bank, delta):
    IB[IG, GI_QLEVEL] += delta
    n = _slot(FB, IB, GI_NQC)
    if n >= 0:
        FB[FQC, n] = FB[FG, G_NOW]
        IB[IQC, n] = IB[IG, GI_QLEVEL]
    IB[R_WAITING, bank] += delta


@_jit
def _window_visit(FB, IB, v, bank, t_start, outcome):
    n = _slot(FB, IB, GI_NWV)
    if n >= 0:
        FB[FWV, n], FB[FWV1, n], FB[FWV2, n] = FB[F_T_WAIT, v], t_start, FB[FG, G_NOW]
        IB[IWV, n], IB[IWV1, n], IB[IWV2, n], IB[IWV3, n] = v, bank, outcome, IB[I_BY_HELPER, v]


@_jit
def _service(FB, IB, r, t_start, t_end):
    n = _slot(FB, IB, GI_NSV)
    if n >= 0:
        FB[FSV, n], FB[FSV1, n] = t_start, t_end
        IB[ISV, n] = r


@_jit
def _end_trip(FB, IB, v, t_arr):
    n = _slot(FB, IB, GI_NTR)
    if n >= 0:
        FB[FTR, n], FB[FTR1, n] = t_arr, FB[FG, G_NOW]
        IB[ITR, n] = v


@_jit
def _later(FB, IB, v, k, field):
    """``Population.later(person, k)``'s field: drawn ahead, or in the visitor's extra rows;
    NaN, with the loop stopped, where neither holds it (Python adds rows and runs again)."""
    comebacks = IB[IG, GI_COMEBACKS]
    if k < comebacks:
        return FB[IB[IG, GI_FLT] + 4 * k + field, v]
    x = IB[IXOFF, v]
    if x >= 0 and k - comebacks < IB[IXDEPTH, v]:
        return FB[IB[IG, GI_FX] + 4 * (k - comebacks) + field, x]
    IB[IG, GI_STATUS] = COMEBACK_OVERFLOW
    IB[IG, GI_OVERFLOW_V] = v
    IB[IG, GI_STOPPED] = 1
    return np.nan


# -- the journey (hall.Hall's methods, in its order) -----------------------------------------
@_jit
def _one_done(IB):
    IB[IG, GI_OPEN_WORK] -= 1
    if IB[IG, GI_OPEN_WORK] == 0:
        IB[IG, GI_STOPPED] = 1


@_jit
def _helpers(IB):
    return IB[IG, GI_NBANKS] + IB[IG, GI_OFFICE]


@_jit
def _next_arrival(FB, IB, who):
    k = IB[IG, GI_NEXT_ARRIVAL]
    if k < IB[IG, GI_NORDER]:
        IB[IG, GI_NEXT_ARRIVAL] = k + 1
        _ev_push(FB, IB, FB[FFIRST, k], E_ARRIVAL, IB[IORD, k], 0)
    if who >= 0:
        # Hall.keeps_slot: booked, came, and within the grace minutes
        booked = IB[IG, GI_APPOINTMENTS] == 1 and IB[I_BOOKS, who] == 1 and IB[I_NO_SHOW, who] == 0 \
            and FB[FG, G_NOW] - FB[F_T_ARRIVE, who] <= FB[FG, G_GRACE]
        _journey(FB, IB, who, booked)


@_jit
def _journey(FB, IB, v, booked):
    now = FB[FG, G_NOW]
    FB[F_T_FIRST, v] = now
    n = _slot(FB, IB, GI_NVIS)
    if n >= 0:
        IB[IVIS, n] = v
    if IB[IG, GI_ONLINE_REVIEW] == 1 and IB[I_ONLINE_WHO, v] == 1:
        _online_review(FB, IB, v)
    IB[I_BOOKED, v] = 1 if booked else 0
    IB[I_KEPT, v] = 1 if booked else 0
    if IB[IG, GI_HOME_VISITS] == 1 and IB[I_HOME_VISIT, v] == 1 and IB[IG, GI_HELPERS] == 1:
        IB[I_HELPER, v] = _request(FB, IB, _helpers(IB), 0, G_HOME, v)
        if IB[T_GRANTED, IB[I_HELPER, v]]:
            _helper_work(FB, IB, v, K_HOME, FB[F_HOME, v])
        return
    IB[I_TRIPS, v] += 1
    FB[F_T_ARR, v] = now
    if IB[I_ASKS_PROXY, v] == 1 and IB[IG, GI_HELPERS] == 1 and IB[R_ON_DUTY, _helpers(IB)] > 0:
        _proxy_desk(FB, IB, v)
        return
    _at_window(FB, IB, v)


@_jit
def _online_review(FB, IB, v):
    isi, steps = IB[IG, GI_ISI], IB[IG, GI_STEPS]
    caught_major = caught_minor = 0
    for k in range(IB[I_NSTEPS, v]):
        IB[isi + SI_MAJOR * steps + k, v] -= IB[isi + SI_CMAJOR * steps + k, v]
        IB[isi + SI_MINOR * steps + k, v] -= IB[isi + SI_CMINOR * steps + k, v]
        caught_major += IB[isi + SI_CMAJOR * steps + k, v]
        caught_minor += IB[isi + SI_CMINOR * steps + k, v]
    IB[I_ONLINE, v] = 1
    if _counted(FB, FB[FG, G_NOW]):
        FB[FG, G_ONLINE_MIN] += FB[F_ONLINE_MIN, v]
        IB[IG, GI_ONLINE_N] += 1
        IB[IG, GI_ONLINE_CAUGHT] += caught_major + caught_minor


@_jit
def _forward_if_other_province(FB, IB, v):
    if IB[I_OTHER, v]:
        FB[F_T_DONE, v] = FB[F_T_ACCEPTED, v] + DAY * max(0.0, FB[F_TURNAROUND, v])


@_jit
def _windows_done(FB, IB, v, outcome):
    if IB[I_BY_HELPER, v]:
        if _counted(FB, FB[F_T_WINDOW, v]):
            FB[FG, G_HELPER_BUSY] += _open_overlap(FB, IB, FB[F_T_WINDOW, v], FB[FG, G_NOW])
        _forward_if_other_province(FB, IB, v)
        _release(FB, IB, _helpers(IB), IB[I_HELPER, v])
        _one_done(IB)
        return
    _end_trip(FB, IB, v, FB[F_T_ARR, v])
    IB[I_BOOKED, v] = 0
    if outcome == ACCEPTED:
        _forward_if_other_province(FB, IB, v)
        _one_done(IB)
    elif outcome == REJECTED:
        _come_back(FB, IB, v, FETCH)
    elif outcome == SENT_HOME:
        _come_back(FB, IB, v, NEXT_DAY)
    else:
        _come_back(FB, IB, v, GAVE_UP)


@_jit
def _come_back(FB, IB, v, why):
    k = IB[I_RETURNS, v]
    IB[I_RETURNS, v] = k + 1
    if why == FETCH:
        days = _later(FB, IB, v, k, L_FETCH)
    elif why == GAVE_UP:
        days = _later(FB, IB, v, k, L_GAVE_UP)
    else:
        days = 1.0
    time_of_day = _later(FB, IB, v, k, L_TIME)
    if IB[IG, GI_STATUS]:
        return
    now = FB[FG, G_NOW]
    if not now / DAY + days < 2.0 ** 62:  # beyond an int64 day number (or NaN): the Python loop's case
        IB[IG, GI_STATUS] = FOR_PYTHON
        IB[IG, GI_STOPPED] = 1
        return
    day = max(math.floor(now / DAY) + 1, math.floor(now / DAY + days))
    _ev_push(FB, IB, day * DAY + time_of_day, E_RETURN, v, 0)


@_jit
def _bell_add(FB, IB, ticket, v, at_proxy):
    n = _slot(FB, IB, GI_NBELL)
    if n >= 0:
        IB[IBELL, n], IB[IBELL1, n], IB[IBELL2, n] = ticket, v, at_proxy
        IB[T_IN_BELL, ticket] = 1


@_jit
def _proxy_desk(FB, IB, v):
    ticket = _request(FB, IB, _helpers(IB), 0 if IB[I_GREEN, v] else 1, G_PROXY, v)
    IB[I_HELPER, v] = ticket
    if IB[T_GRANTED, ticket]:
        _proxy_granted(FB, IB, v)
    elif IB[IG, GI_SEND_HOME]:
        _bell_add(FB, IB, ticket, v, 1)


@_jit
def _proxy_granted(FB, IB, v):
    IB[T_IN_BELL, IB[I_HELPER, v]] = 0
    IB[I_PROXIED, v] = 1
    n = _slot(FB, IB, GI_NHW)
    if n >= 0:
        FB[FHW, n] = FB[FG, G_NOW] - FB[F_T_ARR, v]
        IB[IHW, n] = v
    _helper_work(FB, IB, v, K_PRECHECK, FB[F_PRECHECK, v])


@_jit
def _gaps(IB, v, lo, hi):
    isi, steps = IB[IG, GI_ISI], IB[IG, GI_STEPS]
    total = 0
    for k in range(lo, hi):
        total += IB[isi + SI_MAJOR * steps + k, v] + IB[isi + SI_MINOR * steps + k, v]
    return total


@_jit
def _clear(IB, v, lo, hi):
    isi, steps = IB[IG, GI_ISI], IB[IG, GI_STEPS]
    for k in range(lo, hi):
        IB[isi + SI_MAJOR * steps + k, v] = 0
        IB[isi + SI_MINOR * steps + k, v] = 0


@_jit
def _precheck_done(FB, IB, v):
    n_steps = IB[I_NSTEPS, v]
    if IB[I_FULL_PROCESS, v]:
        _end_trip(FB, IB, v, FB[F_T_ARR, v])
        _clear(IB, v, 0, n_steps)
        _helper_work(FB, IB, v, K_FULL, FB[F_FULL, v])
        return
    _release(FB, IB, _helpers(IB), IB[I_HELPER, v])
    if _gaps(IB, v, 0, n_steps):
        _clear(IB, v, 0, n_steps)
        _end_trip(FB, IB, v, FB[F_T_ARR, v])
        _come_back(FB, IB, v, FETCH)
    elif FB[FG, G_NOW] % DAY >= FB[FG, G_CLOSE]:
        _end_trip(FB, IB, v, FB[F_T_ARR, v])
        _come_back(FB, IB, v, NEXT_DAY)
    else:
        _at_window(FB, IB, v)


@_jit
def _helper_work(FB, IB, v, kind, minutes):
    now = FB[FG, G_NOW]
    if _counted(FB, now):
        FB[FG, G_HELPER_BUSY] += minutes
        IB[IG, GI_CASES_PRE + kind] += 1
    IB[I_HELPER_KIND, v] = kind
    _ev_push(FB, IB, now + minutes, E_HELPER_DONE, v, 0)


@_jit
def _helper_work_done(FB, IB, v):
    kind = IB[I_HELPER_KIND, v]
    if kind == K_PRECHECK:
        _precheck_done(FB, IB, v)
    elif kind == K_FULL:  # the helper queues at the windows for the visitor
        FB[F_T_WINDOW, v] = FB[FG, G_NOW]
        IB[I_BY_HELPER, v] = 1
        _at_window(FB, IB, v)
    else:  # a home visit done: accepted at home
        _release(FB, IB, _helpers(IB), IB[I_HELPER, v])
        FB[F_T_ACCEPTED, v] = FB[FG, G_NOW]
        _forward_if_other_province(FB, IB, v)
        _one_done(IB)


@_jit
def _at_window(FB, IB, v):
    dept = IB[IB[IG, GI_ISI] + SI_DEPT * IB[IG, GI_STEPS] + IB[I_STEP, v], v]
    bank = IB[IBANKFOR, dept * 4 + IB[I_GREEN, v] * 2 + IB[I_OTHER, v]]
    IB[I_BANK, v] = bank
    now = FB[FG, G_NOW]
    FB[F_T_WAIT, v] = now
    if not IB[I_BY_HELPER, v] and IB[R_WAITING, bank] > FB[F_BALK_OVER, v]:
        _left_without_service(FB, IB, v, BALKED)
        return
    if IB[I_GREEN, v] and IB[IG, GI_GREEN_FIRST]:
        priority = 0
    elif IB[I_BOOKED, v]:
        priority = 1
    else:
        priority = 2
    ticket = _request(FB, IB, bank, priority, G_WINDOW, v)
    IB[I_TICKET, v] = ticket
    if IB[T_GRANTED, ticket]:
        _serve(FB, IB, v)
        return
    _queue_change(FB, IB, bank, 1)
    if not IB[I_BY_HELPER, v]:
        patience = FB[F_PATIENCE, v]
        if patience != np.inf:
            deadline = _after_open_minutes(FB, IB, now, patience)
            closes = math.floor(now / DAY) * DAY + FB[FG, G_CLOSE]
            if IB[IG, GI_SEND_HOME] or deadline < closes:
                _ev_push(FB, IB, deadline, E_PATIENCE, v, ticket)
        if IB[IG, GI_SEND_HOME]:
            _bell_add(FB, IB, ticket, v, 0)


@_jit
def _window_granted(FB, IB, v):
    _queue_change(FB, IB, IB[I_BANK, v], -1)
    IB[T_IN_BELL, IB[I_TICKET, v]] = 0
    _serve(FB, IB, v)


@_jit
def _patience_over(FB, IB, v, ticket):
    if IB[T_GRANTED, ticket] or IB[T_CANCELLED, ticket]:
        return
    IB[T_CANCELLED, ticket] = 1
    IB[T_IN_BELL, ticket] = 0
    _queue_change(FB, IB, IB[I_BANK, v], -1)
    _left_without_service(FB, IB, v, ABANDONED)


@_jit
def _left_without_service(FB, IB, v, outcome):
    _window_visit(FB, IB, v, IB[I_BANK, v], np.nan, outcome)
    _windows_done(FB, IB, v, outcome)


@_jit
def _serve(FB, IB, v):
    now = FB[FG, G_NOW]
    FB[F_T_START, v] = now
    bank = IB[I_BANK, v]
    minutes = _check_documents(FB, IB, v, bank)
    _ev_push(FB, IB, now + minutes * FB[FSLOW, bank], E_SERVED, v, 0)


@_jit
def _served(FB, IB, v):
    bank, outcome, now, ticket = IB[I_BANK, v], IB[I_OUTCOME, v], FB[FG, G_NOW], IB[I_TICKET, v]
    has_approve, to_approve = IB[I_HAS_APPROVE, v], FB[F_TO_APPROVE, v]
    _service(FB, IB, bank, FB[F_T_START, v], now)
    _window_visit(FB, IB, v, bank, FB[F_T_START, v], outcome)
    if outcome == ACCEPTED:
        FB[F_T_ACCEPTED, v] = now
    if has_approve:
        IB[I_APPROVALS, v] += 1
        IB[IG, GI_OPEN_WORK] += 1
    if outcome == STEP_DONE:
        _at_window(FB, IB, v)
    else:
        _windows_done(FB, IB, v, outcome)
    _release(FB, IB, bank, ticket)
    if has_approve:
        _approve(FB, IB, v, to_approve)


@_jit
def _approve(FB, IB, v, minutes):
    now = FB[FG, G_NOW]
    FB[FG, G_BO_QMIN] += minutes
    IB[IG, GI_BO_QUEUED] += 1
    if _counted(FB, now):
        FB[FG, G_BO_MIN_IN] += minutes
    j = _slot(FB, IB, GI_NJ)
    if j < 0:
        return
    FB[FJ, j], FB[FJ1, j], FB[FJ2, j] = minutes, now, 0.0
    IB[IJ, j] = v
    IB[IJ1, j] = _request(FB, IB, IB[IG, GI_NBANKS], 1, G_APPROVAL, j)
    if IB[T_GRANTED, IB[IJ1, j]]:
        _approval_begins(FB, IB, j)


@_jit
def _approval_begins(FB, IB, j):
    minutes = FB[FJ, j]
    IB[IG, GI_BO_QUEUED] -= 1
    # a running sum of floats drifts: an empty queue is 0
    FB[FG, G_BO_QMIN] = FB[FG, G_BO_QMIN] - minutes if IB[IG, GI_BO_QUEUED] else 0.0
    FB[FJ2, j] = FB[FG, G_NOW]
    _ev_push(FB, IB, FB[FJ2, j] + minutes, E_APPROVAL_DONE, j, 0)


@_jit
def _approval_done(FB, IB, j):
    now = FB[FG, G_NOW]
    v = IB[IJ, j]
    _release(FB, IB, IB[IG, GI_NBANKS], IB[IJ1, j])
    _service(FB, IB, IB[IG, GI_NBANKS], FB[FJ2, j], now)
    n = _slot(FB, IB, GI_NAP)
    if n >= 0:
        FB[FAP, n], FB[FAP1, n], FB[FAP2, n] = FB[FJ1, j], FB[FJ2, j], now
        IB[IAP, n] = v
    IB[I_APPROVALS, v] -= 1
    FB[F_T_APPROVED, v] = now
    _one_done(IB)


@_jit
def _check(IB, v, lo, hi):
    """documents.check over steps lo..hi-1: 0 accepted, 1 pledged, 2 rejected."""
    if not _gaps(IB, v, lo, hi):
        return 0
    isi, steps = IB[IG, GI_ISI], IB[IG, GI_STEPS]
    major, minor = isi + SI_MAJOR * steps, isi + SI_MINOR * steps
    if IB[IG, GI_PLEDGE]:
        any_major = False
        for k in range(lo, hi):
            if IB[major + k, v]:
                any_major = True
                break
        if not any_major:
            for k in range(lo, hi):
                IB[minor + k, v] = 0
            return 1
    if IB[IG, GI_ONE_TIME]:
        _clear(IB, v, lo, hi)
    else:  # the first gap found: major ones before minor ones within a set
        for k in range(lo, hi):
            if IB[major + k, v] + IB[minor + k, v]:
                if IB[major + k, v]:
                    IB[major + k, v] -= 1
                else:
                    IB[minor + k, v] -= 1
                break
    return 2


@_jit
def _check_gaps(FB, IB, v, lo, hi):
    """True (the outcome and the check's minutes set) if the window sends the visitor away."""
    outcome = _check(IB, v, lo, hi)
    if outcome == 2:
        k = IB[I_REJECTIONS, v]
        IB[I_REJECTIONS, v] = k + 1
        IB[I_OUTCOME, v] = REJECTED
        IB[I_HAS_APPROVE, v] = 0
        FB[F_TO_APPROVE, v] = _later(FB, IB, v, k, L_CHECK)  # the minutes, passed back in this field
        return True
    if outcome == 1:
        IB[I_PLEDGED, v] = 1
    return False


@_jit
def _check_documents(FB, IB, v, bank):
    """hall.Hall.check_documents: sets the outcome and the approval sent to the back office;
    returns the window minutes (before the bank's slowdown)."""
    step, n_steps = IB[I_STEP, v], IB[I_NSTEPS, v]
    stop = n_steps if FB[FBUNDLES, bank] else step + 1
    office = IB[IG, GI_OFFICE] == 1
    fsf, steps = IB[IG, GI_FSF], IB[IG, GI_STEPS]
    accept, approve = fsf + SF_ACCEPT * steps, fsf + SF_APPROVE * steps
    dept = IB[IG, GI_ISI] + SI_DEPT * steps
    if stop - step == 1:  # one department's step (Hall._check_one_step)
        if _gaps(IB, v, step, step + 1):
            if _check_gaps(FB, IB, v, step, step + 1):
                return FB[F_TO_APPROVE, v]
        IB[I_STEP, v] = step + 1
        IB[I_OUTCOME, v] = ACCEPTED if step + 1 == n_steps else STEP_DONE
        if office and IB[ITOBO, IB[dept + step, v]]:
            IB[I_HAS_APPROVE, v] = 1
            FB[F_TO_APPROVE, v] = FB[FG, G_BO_SLOW] * FB[approve + step, v]
            return FB[accept + step, v]
        IB[I_HAS_APPROVE, v] = 0
        return FB[accept + step, v] + FB[approve + step, v]
    if _gaps(IB, v, step, stop):
        if _check_gaps(FB, IB, v, step, stop):
            return FB[F_TO_APPROVE, v]
    minutes = 0.0
    IB[I_HAS_APPROVE, v] = 0
    if not office:
        for k in range(step, stop):
            minutes += FB[accept + k, v] + FB[approve + k, v]
    else:
        away = False
        for k in range(step, stop):
            out = IB[ITOBO, IB[dept + k, v]]
            minutes += FB[accept + k, v] + (0.0 if out else FB[approve + k, v])
            away = away or out != 0
        if away:
            later = 0.0
            for k in range(step, stop):
                if IB[ITOBO, IB[dept + k, v]]:
                    later += FB[approve + k, v]
            IB[I_HAS_APPROVE, v] = 1
            FB[F_TO_APPROVE, v] = FB[FG, G_BO_SLOW] * later
    IB[I_STEP, v] = stop
    IB[I_OUTCOME, v] = ACCEPTED if stop == n_steps else STEP_DONE
    return minutes


@_jit
def _closing_bell(FB, IB, day):
    """Everyone waiting at closing goes home (those waiting then: later ones wait for tomorrow's bell)."""
    n = IB[IG, GI_NBELL]
    scratch = IB[IG, GI_BELL_SCRATCH]  # the list as it was, copied aside: going home adds to the new one
    for k in range(n):
        IB[scratch, k], IB[scratch + 1, k], IB[scratch + 2, k] = IB[IBELL, k], IB[IBELL1, k], IB[IBELL2, k]
    IB[IG, GI_NBELL] = 0
    for k in range(n):
        ticket, v, at_proxy = IB[scratch, k], IB[scratch + 1, k], IB[scratch + 2, k]
        if not IB[T_IN_BELL, ticket]:
            continue  # served or given up since
        IB[T_IN_BELL, ticket] = 0
        IB[T_CANCELLED, ticket] = 1
        if at_proxy:
            _end_trip(FB, IB, v, FB[F_T_ARR, v])
            _come_back(FB, IB, v, NEXT_DAY)
        else:
            _queue_change(FB, IB, IB[I_BANK, v], -1)
            _left_without_service(FB, IB, v, SENT_HOME)
    if day + 1 < IB[IG, GI_DAYS_TOTAL]:
        _ev_push(FB, IB, (day + 1) * DAY + FB[FG, G_CLOSE], E_BELL, day + 1, 0)


@_jit
def _run(FB, IB, init_prio):
    """Hall.__init__'s scheduling, then Hall.run's loop."""
    for r in range(IB[IG, GI_NRES]):
        _set(FB, IB, r, 0, init_prio[r])
        if IB[R_CAPACITY, r] > 0:
            _next_change(FB, IB, r, -1)
    _next_arrival(FB, IB, -1)
    if IB[IG, GI_OFFICE]:
        _ev_push(FB, IB, FB[FG, G_T_COUNTED], E_SNAPSHOT, 0, 0)
        _ev_push(FB, IB, FB[FG, G_T_END], E_SNAPSHOT, 0, 0)
    if IB[IG, GI_SEND_HOME]:
        _ev_push(FB, IB, FB[FG, G_CLOSE], E_BELL, 0, 0)
    until = FB[FG, G_UNTIL]
    while IB[IG, GI_HN] > 0 and FB[FH, 0] < until and not IB[IG, GI_STOPPED]:
        if IB[IG, GI_STATUS]:
            return
        t, kind, a, b = FB[FH, 0], IB[IH1, 0], IB[IH2, 0], IB[IH3, 0]
        _ev_pop(FB, IB)
        FB[FG, G_NOW] = t
        if kind == E_ARRIVAL:
            _next_arrival(FB, IB, a)
        elif kind == E_SERVED:
            _served(FB, IB, a)
        elif kind == E_PATIENCE:
            _patience_over(FB, IB, a, b)
        elif kind == E_RETURN:  # Hall.return_trip
            IB[I_TRIPS, a] += 1
            FB[F_T_ARR, a] = t
            IB[I_BY_HELPER, a] = 0
            _at_window(FB, IB, a)
        elif kind == E_HELPER_DONE:
            _helper_work_done(FB, IB, a)
        elif kind == E_APPROVAL_DONE:
            _approval_done(FB, IB, a)
        elif kind == E_CHANGE:
            _next_change(FB, IB, a, b)
        elif kind == E_SNAPSHOT:
            n = IB[IG, GI_NBACKLOG]
            FB[FBACK, n] = FB[FG, G_BO_QMIN]
            IB[IG, GI_NBACKLOG] = n + 1
        elif kind == E_BELL:
            _closing_bell(FB, IB, a)
    FB[FG, G_NOW] = until
