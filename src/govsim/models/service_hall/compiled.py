"""The hall on its compiled event loop (``compiled_loop``): the population's and the
layout's arrays in, the same ``HallRecords`` as ``hall.Hall(...).run()`` out (the visitors,
window visits and trips as ``columns``, their objects made only when read).

``hall.simulate`` runs it when numba is installed and no trace is asked for
(``GOVSIM_ENGINE=python`` asks for the Python loop); ``tests/test_service_hall_compiled.py``
holds the two to the same records and KPIs.  A visitor coming back more often than the
later trips drawn ahead (``population.COMEBACKS``) stops the loop, which runs again with that
visitor's next trips from ``Population.later``; a record outgrowing its room runs again with
twice the room.

numba is optional (``pip install 'govsim[fast]'``); without it ``available()`` is False.
The first call compiles (about 30 s); numba caches the machine code beside the module.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from . import compiled_loop as loop
from .compiled_loop import available  # noqa: F401 (hall.simulate asks it)
from .records import DRAIN_DAYS


OUTCOME_NAMES = ("accepted", "step_done", "rejected", "balked", "abandoned", "sent_home")
PERSON_FLOATS = ("t_arrive", "balk_over", "patience", "precheck_min", "full_process_min", "home_visit_min",
                 "turnaround_days", "online_min")  # rows loop.F_T_ARRIVE .. F_ONLINE_MIN
PERSON_INTS = ("green", "other_province", "asks_proxy", "full_process", "home_visit", "books", "no_show", "online")
PERSON_STEPS = ("major", "minor", "caught_major", "caught_minor")  # loop.SI_MAJOR .. SI_CMINOR
BELL_ROWS = 3


def _person_columns(population) -> dict:
    """The visitors' attributes as the loop's rows (from ``Population.arrays``), and their
    later trips' values through the distributions' own quantile functions
    (``Population.later``'s, bit for bit); kept on the population, as every policy meeting
    it reads the same."""
    cols = getattr(population, "_compiled_columns", None)
    if cols is not None:
        return cols
    from .population import COMEBACKS
    a = population.arrays
    n = len(population)
    steps = max(a["major"].shape[1], 1) if n else 1
    f = np.array([a[name] for name in PERSON_FLOATS], dtype=float).reshape(len(PERSON_FLOATS), n)
    n_steps = np.array([len(spec.departments) for spec in population.params.matters.values()], np.int64)
    i = np.array([a[name] for name in PERSON_INTS] + [n_steps[a["matter"]]], dtype=np.int64).reshape(-1, n)
    si = np.zeros((5 * steps, n), np.int64)
    sf = np.zeros((2 * steps, n))
    for row, name in enumerate(PERSON_STEPS):
        si[(loop.SI_MAJOR + row) * steps:(loop.SI_MAJOR + row + 1) * steps] = a[name].T
    sf[loop.SF_ACCEPT * steps:(loop.SF_ACCEPT + 1) * steps] = a["accept_min"].T
    sf[loop.SF_APPROVE * steps:(loop.SF_APPROVE + 1) * steps] = a["approve_min"].T
    cols = {"f": f, "i": i, "si": si, "sf": sf, "steps": steps, "comebacks": COMEBACKS, "group": a["group"],
            "matter_code": a["matter"], "lateness": a["lateness"], "lt": population.later_table()}
    population._compiled_columns = cols
    return cols


def _extra_rows(population) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The later trips beyond COMEBACKS of the visitors known to need them: (rows 4 k + field,
    a column per such visitor; each visitor's column or -1; how many trips each has)."""
    extra = getattr(population, "_compiled_extra", {})
    xoff = np.full(len(population), -1, np.int64)
    xdepth = np.zeros(len(population), np.int64)
    depth = max((len(rows) for rows in extra.values()), default=0)
    table = np.full((4 * depth, len(extra)), np.nan)
    for x, (v, rows) in enumerate(extra.items()):
        table[:4 * len(rows), x] = np.asarray(rows).ravel()
        xoff[v], xdepth[v] = x, len(rows)
    return table, xoff, xdepth


def _add_extra_rows(population, IB) -> bool:
    """More later trips from ``Population.later`` itself, after the loop stopped at a visitor
    beyond the trips it holds: twice as many for it, and for every visitor as near the end of
    its own (in a hall that sends many home each day, many come back that often, and each
    stop costs a run).  False where a visitor would need more than ``MOST_TRIPS`` (the rows
    would take more memory than the Python loop's objects: that loop runs it)."""
    from .population import COMEBACKS
    extra = population.__dict__.setdefault("_compiled_extra", {})
    n = len(population)
    back = np.maximum(IB[loop.I_RETURNS, :n], IB[loop.I_REJECTIONS, :n]).tolist()
    stopped = int(IB[loop.IG, loop.GI_OVERFLOW_V])
    people = population.people
    for v, k in enumerate(back):
        held = COMEBACKS + len(extra.get(v, ()))
        if v == stopped or 2 * k >= held:
            more = min(max(2 * held, k + COMEBACKS), MOST_TRIPS)
            if more <= held:
                return False
            rows = [population.later(people[v], j) for j in range(COMEBACKS, more)]
            extra[v] = [(r.fetch_days, r.gave_up_days, r.time_of_day, r.check_min) for r in rows]
    return True


def _timelines(resources, days_total: int):
    """Each resource's changes of staff over the run (``Staffed.changes``), laid end to end,
    and the priority of the blockers that close it until its first change."""
    t, on_duty, priority, off = [], [], [], [0]
    for staffed in resources:
        for minute, change in staffed.changes(days_total):
            t.append(minute)
            on_duty.append(change.on_duty)
            priority.append(change.priority)
        off.append(len(t))
    return t, on_duty, priority, off, [staffed.first_priority for staffed in resources]


ROOM = 2  # columns of each record per visitor (a replication of the shipped study needs at most 1.8)
MOST_ROOM = 16  # beyond this, the Python loop (the arrays would take far more memory than its objects)
MOST_RUNS = 5  # runs of the loop for one replication (each stop for more trips or room costs one)
MOST_TRIPS = 24  # later trips a visitor may make in the loop: 4 rows of the float array each beyond the first 6


def simulate(params, population, days: int, warmup_days: int, room: int = ROOM, objects: bool = False):
    """One replication as ``hall.Hall(params, population, days, warmup_days).run()``: the
    same ``HallRecords`` (with ``objects``, its visitors, window visits and trips made at
    once); None where the Python loop should run it: no visitor at all, a return date beyond
    the loop's integers, or a hall so overloaded that the loop would run again and again
    (a record outgrowing ``MOST_ROOM`` columns a visitor, or more than ``MOST_RUNS`` runs)."""
    if not len(population):
        return None
    for _ in range(MOST_RUNS):
        FB, IB, layout, banks, first_priority = _arrays(params, population, days, warmup_days, room)
        loop._run(FB, IB, first_priority)
        status = IB[loop.IG, loop.GI_STATUS]
        if status == loop.COMEBACK_OVERFLOW:  # a visitor came back more often than its trips drawn ahead
            if not _add_extra_rows(population, IB):
                return None
        elif status == loop.OVERFLOW:  # a record outgrew its room (columns per visitor): twice the room
            if 2 * room > MOST_ROOM:
                return None
            room *= 2
        elif status == loop.FOR_PYTHON:
            return None
        else:
            return _records(FB, IB, params, population, layout, banks, days, warmup_days, objects)
    return None


def _arrays(params, population, days: int, warmup_days: int, room: int):
    """The loop's two arrays, filled as ``Hall.__init__`` finds the hall: (FB, IB, the
    layout, its banks, the first blockers' priority of each resource)."""
    from ...eventloop import EventLoop
    from .layout import Layout

    cols = _person_columns(population)
    n, steps = len(population), cols["steps"]
    days_total = days + DRAIN_DAYS
    layout = Layout(params, EventLoop(), days_total)  # its own calendar: only its resources are read
    banks = list(layout.banks.values())
    resources = [bank.staffed for bank in banks] + \
        ([layout.back_office.staffed] if layout.back_office is not None else []) + \
        ([layout.helpers] if layout.helpers is not None else [])
    timelines = _timelines(resources, days_total)
    extra, xoff, xdepth = _extra_rows(population)
    # the rows whose number depends on the run: each after the fixed rows
    fsf = loop.F_FIXED
    flt = fsf + 2 * steps
    fx = flt + 4 * cols["comebacks"]
    fq = fx + extra.shape[0]
    isi = loop.I_FIXED
    iblk = isi + 5 * steps
    iq = iblk + len(resources)
    scratch = iq + 3 * len(resources)
    width = max(room * n + 256, len(timelines[0]), len(resources) + 1, 4 * len(params.departments),
                extra.shape[1], max(s.slots for s in resources) + 1)
    FB = np.empty((fq + len(resources), width))
    IB = np.empty((scratch + BELL_ROWS, width), np.int32)  # counts, codes and ids: all far below 2**31
    IB[loop.IG, :] = 0
    for column, value in {loop.GI_STEPS: steps, loop.GI_COMEBACKS: cols["comebacks"], loop.GI_FSF: fsf,
                          loop.GI_FLT: flt, loop.GI_FX: fx, loop.GI_FQ: fq, loop.GI_ISI: isi, loop.GI_IBLK: iblk,
                          loop.GI_IQ: iq, loop.GI_BELL_SCRATCH: scratch}.items():
        IB[loop.IG, column] = value
    _fill_visitors(FB, IB, params, cols, n, extra, xoff, xdepth)
    first_priority = _fill_resources(FB, IB, params, layout, banks, resources, timelines)
    _fill_globals(FB, IB, params, layout, len(resources), n, days, warmup_days, days_total)
    return FB, IB, layout, banks, first_priority


def _fill_visitors(FB, IB, params, cols, n, extra, xoff, xdepth) -> None:
    """The visitors' rows: their attributes, steps, later trips, and order of first trips."""
    g = IB[loop.IG]
    steps, isi = g[loop.GI_STEPS], g[loop.GI_ISI]
    FB[:loop.N_F, :n] = np.nan
    FB[:len(PERSON_FLOATS), :n] = cols["f"]
    for row in (loop.F_T_FIRST, loop.F_T_APPROVED, loop.F_T_ARR, loop.F_T_WAIT, loop.F_T_START, loop.F_T_WINDOW):
        FB[row, :n] = 0.0  # as a new Visitor has them
    IB[:loop.N_I, :n] = 0
    IB[[loop.I_BANK, loop.I_OUTCOME, loop.I_HELPER_KIND], :n] = -1  # none yet
    IB[:len(PERSON_INTS) + 1, :n] = cols["i"]
    IB[isi:isi + 5 * steps, :n] = cols["si"]
    code = {d: k for k, d in enumerate(params.departments)}
    depts = np.zeros((len(params.matters), steps), np.int64)  # each matter's departments as codes
    for row, spec in enumerate(params.matters.values()):
        depts[row, :len(spec.departments)] = [code[d] for d in spec.departments]
    IB[isi + loop.SI_DEPT * steps:isi + (loop.SI_DEPT + 1) * steps, :n] = depts[cols["matter_code"]].T
    FB[g[loop.GI_FSF]:g[loop.GI_FLT], :n] = cols["sf"]
    FB[g[loop.GI_FLT]:g[loop.GI_FX], :n] = cols["lt"]
    FB[g[loop.GI_FX]:g[loop.GI_FQ], :extra.shape[1]] = extra
    IB[loop.IXOFF, :n] = xoff
    IB[loop.IXDEPTH, :n] = xdepth
    # the first trips, by time then visitor number (Hall.first_trip)
    book = params.appointments
    first_t = t_arrive = cols["f"][loop.F_T_ARRIVE]
    if book is not None:
        books, no_show = cols["i"][loop.I_BOOKS].astype(bool), cols["i"][loop.I_NO_SHOW].astype(bool)
        first_t = np.where(books, t_arrive + np.where(no_show, 1440.0, cols["lateness"] - book.early_min), t_arrive)
    order = np.lexsort((np.arange(n), first_t))
    FB[loop.FFIRST, :n] = first_t[order]
    IB[loop.IORD, :n] = order


def _fill_resources(FB, IB, params, layout, banks, resources, timelines) -> np.ndarray:
    """The resources' rows (banks in the layout's order, the back office, the helpers), the
    bank of each department for each kind of visitor; returns the first blockers' priorities."""
    t, on_duty, priority, off, first_priority = timelines
    n_res = len(resources)
    FB[loop.FTL, :len(t)] = t
    IB[loop.ITL, :len(t)], IB[loop.ITL1, :len(t)] = on_duty, priority
    IB[loop.ITLOFF, :n_res + 1] = off
    IB[loop.R_CAPACITY:loop.R_WAITING + 1, :n_res] = 0
    for r, staffed in enumerate(resources):
        IB[loop.R_CAPACITY, r], IB[loop.R_SLOTS, r], IB[loop.R_PTR, r] = staffed.capacity, staffed.slots, off[r]
        IB[loop.R_ON_DUTY, r] = staffed.capacity
    for r, bank in enumerate(banks):
        FB[loop.FSLOW, r], FB[loop.FBUNDLES, r] = bank.slowdown, bank.bundles
    bank_index = {id(b): k for k, b in enumerate(banks)}
    for k, d in enumerate(params.departments):
        for green in (0, 1):
            for other in (0, 1):
                bank = layout.bank_of_kind(d, bool(green), bool(other))
                IB[loop.IBANKFOR, k * 4 + green * 2 + other] = bank_index[id(bank)]
    IB[loop.ITOBO, :len(params.departments)] = [layout.to_back_office[d] for d in params.departments]
    return np.array(first_priority, np.int64)


def _fill_globals(FB, IB, params, layout, n_res, n, days, warmup_days, days_total) -> None:
    periods = params.hours.periods()
    book = params.appointments
    FB[loop.FPA, :len(periods)] = [a for a, _ in periods]
    FB[loop.FPB, :len(periods)] = [b for _, b in periods]
    FB[loop.FG, :] = 0.0
    FB[loop.FG, loop.G_GRACE] = book.grace_min if book is not None else 0.0
    FB[loop.FG, loop.G_CLOSE] = periods[-1][1]
    FB[loop.FG, loop.G_BO_SLOW] = layout.back_office.slowdown if layout.back_office is not None else 1.0
    FB[loop.FG, loop.G_T_COUNTED], FB[loop.FG, loop.G_T_END] = warmup_days * 1440, days * 1440
    FB[loop.FG, loop.G_UNTIL] = days_total * 1440
    for column, value in {
            loop.GI_OPEN_WORK: n, loop.GI_NORDER: n, loop.GI_NPERIODS: len(periods), loop.GI_DAYS_TOTAL: days_total,
            loop.GI_NBANKS: len(layout.banks), loop.GI_NRES: n_res,
            loop.GI_SEND_HOME: params.hours.closing_rule == "send_home",
            loop.GI_GREEN_FIRST: params.layout.green_channel == "priority", loop.GI_APPOINTMENTS: book is not None,
            loop.GI_ONLINE_REVIEW: params.online_review is not None, loop.GI_HOME_VISITS: bool(params.home_visits),
            loop.GI_HELPERS: layout.helpers is not None, loop.GI_OFFICE: layout.back_office is not None,
            loop.GI_ONE_TIME: params.documents.notice == "one_time", loop.GI_PLEDGE: params.documents.pledge}.items():
        IB[loop.IG, column] = value


def _records(FB, IB, params, population, layout, banks, days, warmup_days, objects: bool = False):
    """The loop's arrays as the HallRecords the Python loop leaves: the visitors, window
    visits and trips as ``columns`` (what the KPIs read), or with ``objects`` as the Python
    loop's objects too (to compare the two)."""
    from .records import OBJECT_RECORDS, HallRecords
    g = IB[loop.IG]
    cols = _person_columns(population)
    rec = HallRecords(days, warmup_days, params.hours.periods(), banks=layout.banks, back_office=layout.back_office)
    vis = IB[loop.IVIS, :g[loop.GI_NVIS]]
    nwv, ntr = g[loop.GI_NWV], g[loop.GI_NTR]
    names = np.array([b.name for b in banks], dtype=object)
    outcome = IB[loop.IWV2, :nwv]
    rec.columns = {
        "vid": vis.astype(np.int64) + 1, "group": cols["group"][vis], "matter": cols["matter_code"][vis],
        "home_visit": IB[loop.I_HOME_VISIT, vis] != 0, "other_province": IB[loop.I_OTHER, vis] != 0,
        "proxied": IB[loop.I_PROXIED, vis] != 0, "trips": IB[loop.I_TRIPS, vis].astype(float),
        "pledged": IB[loop.I_PLEDGED, vis] != 0, "online": IB[loop.I_ONLINE, vis] != 0, "kept_slot": IB[loop.I_KEPT, vis] != 0,
        "t_first": FB[loop.F_T_FIRST, vis], "t_accepted": FB[loop.F_T_ACCEPTED, vis], "t_done": FB[loop.F_T_DONE, vis],
        "approvals": IB[loop.I_APPROVALS, vis].astype(np.int64), "t_approved": FB[loop.F_T_APPROVED, vis],
        "wv_vid": IB[loop.IWV, :nwv].astype(np.int64) + 1, "wv_bank": names[IB[loop.IWV1, :nwv]], "wv_t_arr": FB[loop.FWV, :nwv].copy(),
        "wv_t_start": FB[loop.FWV1, :nwv].copy(), "wv_served": outcome <= loop.REJECTED,
        "wv_by_helper": IB[loop.IWV3, :nwv] != 0, "wv_balked": outcome == loop.BALKED, "wv_abandoned": outcome == loop.ABANDONED,
        "wv_sent_home": outcome == loop.SENT_HOME,
        "trip_vid": IB[loop.ITR, :ntr].astype(np.int64) + 1, "trip_len": FB[loop.FTR1, :ntr] - FB[loop.FTR, :ntr]}
    # the Python loop's objects, made when first read (a test's look inside), or now
    for name in OBJECT_RECORDS:
        del rec.__dict__[name]
    rec._make_objects = partial(_objects, FB, IB, population, banks)  # not holding rec: no reference cycle
    if objects:
        rec.visitors
    nsv = g[loop.GI_NSV]
    res, starts, ends = IB[loop.ISV, :nsv], FB[loop.FSV, :nsv], FB[loop.FSV1, :nsv]
    owners = list(banks) + ([layout.back_office] if layout.back_office is not None else [])
    for r, owner in enumerate(owners):
        mine = res == r
        owner.services = np.column_stack([starts[mine], ends[mine]]).ravel().tolist()
    office = layout.back_office
    if office is not None:
        nap = g[loop.GI_NAP]
        office.approvals = list(zip((IB[loop.IAP, :nap] + 1).tolist(), *FB[loop.FAP:loop.FAP2 + 1, :nap].tolist()))
        office.backlog = FB[loop.FBACK, :g[loop.GI_NBACKLOG]].tolist()
        office.queued_min, office.queued = float(FB[loop.FG, loop.G_BO_QMIN]), int(g[loop.GI_BO_QUEUED])
        office.minutes_in = float(FB[loop.FG, loop.G_BO_MIN_IN])
        office.backlog += [office.queued_min] * (2 - len(office.backlog))
    rec.helper_busy = float(FB[loop.FG, loop.G_HELPER_BUSY])
    nhw = g[loop.GI_NHW]
    rec.helper_waits = list(zip((IB[loop.IHW, :nhw] + 1).tolist(), FB[loop.FHW, :nhw].tolist()))
    rec.helper_cases = {"precheck": int(g[loop.GI_CASES_PRE]), "full_process": int(g[loop.GI_CASES_FULL]),
                        "home_visit": int(g[loop.GI_CASES_HOME])}
    rec.online_min, rec.online_reviews = float(FB[loop.FG, loop.G_ONLINE_MIN]), int(g[loop.GI_ONLINE_N])
    rec.online_caught = int(g[loop.GI_ONLINE_CAUGHT])
    nqc = g[loop.GI_NQC]
    q = rec.queue
    q._times += FB[loop.FQC, :nqc].tolist()
    q._levels += IB[loop.IQC, :nqc].tolist()
    q.level = int(g[loop.GI_QLEVEL])
    if nqc:
        q._last = float(FB[loop.FQC, nqc - 1])
    q.advance((days + DRAIN_DAYS) * 1440)
    for r, bank in enumerate(banks):
        bank.waiting = int(IB[loop.R_WAITING, r])
    rec.finish()
    return rec


def _objects(FB, IB, population, banks, rec) -> None:
    """The visitors, window visits and trips as the Python loop's objects (a visitor's
    tickets excepted: the loop's are numbers in its arrays)."""
    from .records import Visitor, WindowVisit
    g, people = IB[loop.IG], population.people
    steps, isi = g[loop.GI_STEPS], g[loop.GI_ISI]
    kinds = ("precheck", "full_process", "home_visit")
    rec.visitors = []
    for v in IB[loop.IVIS, :g[loop.GI_NVIS]].tolist():
        x = Visitor.of(people[v])
        n_steps = len(x.who.steps)
        x.major = IB[isi + loop.SI_MAJOR * steps:isi + loop.SI_MAJOR * steps + n_steps, v].tolist()
        x.minor = IB[isi + loop.SI_MINOR * steps:isi + loop.SI_MINOR * steps + n_steps, v].tolist()
        x.step, x.trips, x.returns = int(IB[loop.I_STEP, v]), int(IB[loop.I_TRIPS, v]), int(IB[loop.I_RETURNS, v])
        x.rejections, x.approvals = int(IB[loop.I_REJECTIONS, v]), int(IB[loop.I_APPROVALS, v])
        x.proxied, x.pledged, x.online = bool(IB[loop.I_PROXIED, v]), bool(IB[loop.I_PLEDGED, v]), bool(IB[loop.I_ONLINE, v])
        x.booked, x.kept_slot, x.by_helper = bool(IB[loop.I_BOOKED, v]), bool(IB[loop.I_KEPT, v]), bool(IB[loop.I_BY_HELPER, v])
        x.t_first, x.t_accepted = float(FB[loop.F_T_FIRST, v]), float(FB[loop.F_T_ACCEPTED, v])
        x.t_done, x.t_approved = float(FB[loop.F_T_DONE, v]), float(FB[loop.F_T_APPROVED, v])
        x.t_arr, x.t_wait, x.t_start = float(FB[loop.F_T_ARR, v]), float(FB[loop.F_T_WAIT, v]), float(FB[loop.F_T_START, v])
        x.t_window = float(FB[loop.F_T_WINDOW, v])
        bank, outcome, kind = IB[loop.I_BANK, v], IB[loop.I_OUTCOME, v], IB[loop.I_HELPER_KIND, v]  # -1: none yet
        x.bank = banks[bank] if bank >= 0 else None
        x.outcome = OUTCOME_NAMES[outcome] if outcome >= 0 else ""
        x.to_approve = float(FB[loop.F_TO_APPROVE, v]) if outcome >= 0 and IB[loop.I_HAS_APPROVE, v] else None
        x.helper_kind = kinds[kind] if kind >= 0 else ""
        rec.visitors.append(x)
    names = [b.name for b in banks]
    nwv, ntr = g[loop.GI_NWV], g[loop.GI_NTR]
    rec.window_visits = [WindowVisit(v + 1, names[b], a, s, e, OUTCOME_NAMES[o], bool(h))
                         for v, b, o, h, a, s, e in zip(*IB[loop.IWV:loop.IWV3 + 1, :nwv].tolist(),
                                                        *FB[loop.FWV:loop.FWV2 + 1, :nwv].tolist())]
    rec.trips = [(v + 1, a, b) for v, a, b in zip(IB[loop.ITR, :ntr].tolist(),
                                                   *FB[loop.FTR:loop.FTR1 + 1, :ntr].tolist())]
