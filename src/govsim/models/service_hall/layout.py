"""The hall's resources and who goes where: the window banks a layout opens, the back
office, the proxy helpers' duty hours, and the bank a visitor's next department sends it to."""
from __future__ import annotations

from typing import Optional

from ...calendar import DAY
from ...eventloop import EventLoop
from ...staffing import AFTER_VISITORS, BEFORE_VISITORS, Change, Staffed, hall_timetable
from .params import HallParams, max_on_duty, windows_of_day
from .records import BackOffice, Bank

COMPREHENSIVE, GREEN_CHANNEL, CROSS_PROVINCE = "comprehensive", "green_channel", "cross_province"


class Layout:
    def __init__(self, params: HallParams, loop: EventLoop, days: int):
        self.p = params
        self.periods = params.hours.periods()
        self._weekdays: list[int] = []  # the weekday of each simulated day, for the rosters
        # at closing, staff serve whoever is waiting first (serve_waiting), or go (send_home)
        self.closing_priority = AFTER_VISITORS if params.hours.closing_rule == "serve_waiting" else BEFORE_VISITORS
        self.bank_of: dict[str, str] = {}  # department -> the bank that accepts its matters
        self._bank_cache: dict[tuple[str, bool, bool], Bank] = {}  # (department, green, other province) -> bank
        self.banks = self._open_banks(loop, days)
        # with a back office, the approval of a department outside the zones waits there; a
        # zone (and a hall without one) approves at the window while the visitor waits
        self.back_office: Optional[BackOffice] = None
        lay = params.layout
        if lay.back_office and max_on_duty(lay.back_office_staff):
            # office hours and lunch as the windows (or its roster); at closing the approval in
            # hand is finished and the rest waits for the morning
            staffed = self.rostered(loop, lay.back_office_staff, BEFORE_VISITORS, days)
            self.back_office = BackOffice(staffed.capacity, lay.back_office_slowdown, staffed)
        self.to_back_office = {d: self.back_office is not None and not dept.zone
                               for d, dept in params.departments.items()}
        self.helpers: Optional[Staffed] = None
        if params.proxy is not None:
            pr = params.proxy
            self.helpers = Staffed(loop, pr.full_time + pr.part_time, self._helper_timetable(), days)

    def _open_banks(self, loop: EventLoop, days: int) -> dict[str, Bank]:
        p, lay, close = self.p, self.p.layout, self.closing_priority
        spec: dict[str, tuple[object, float, bool]] = {}  # name -> (windows or roster, slowdown, bundles)
        for dname, dept in p.departments.items():
            if lay.kind == "separate" or dept.zone:
                spec[dname] = (dept.windows, 1.0, False)
                self.bank_of[dname] = dname
            else:
                self.bank_of[dname] = COMPREHENSIVE
        integrated = lay.kind == "integrated"
        if integrated:
            spec[COMPREHENSIVE] = (lay.comprehensive_windows, lay.generalist_slowdown, True)
        if lay.green_channel == "dedicated":
            spec[GREEN_CHANNEL] = (lay.dedicated_windows, lay.generalist_slowdown if integrated else 1.0, integrated)
        if max_on_duty(lay.cross_province_windows):
            spec[CROSS_PROVINCE] = (lay.cross_province_windows, 1.0, True)
        banks = {}
        for name, (roster, slowdown, bundles) in spec.items():
            staffed = self.rostered(loop, roster, close, days)
            banks[name] = Bank(name, staffed.capacity, slowdown, bundles, staffed)
        return banks

    def rostered(self, loop: EventLoop, roster, close_priority: int, days: int) -> "Rostered":
        """Windows (or staff) on duty by the roster, within the opening hours."""
        tables = [day_changes(roster, w, self.periods, close_priority) for w in range(7)]
        if len(self._weekdays) < days:  # Hours.weekday sorts the open days at each call: once per day is enough
            self._weekdays = [self.p.hours.weekday(day) for day in range(days)]
        return Rostered(loop, max_on_duty(roster), tables, self._weekdays.__getitem__, days)

    def _helper_timetable(self) -> list[Change]:
        pr = self.p.proxy
        points = sorted({m for a, b in self.periods for m in (a, b)} | {m for a, b in pr.part_time_hours for m in (a, b)})

        def on_duty(m):
            if not any(a <= m < b for a, b in self.periods):
                return 0
            return pr.full_time + (pr.part_time if any(a <= m < b for a, b in pr.part_time_hours) else 0)

        close = self.periods[-1][1]
        return [Change(m, on_duty(m), self.closing_priority if m == close else BEFORE_VISITORS) for m in points]

    def bank_for(self, who, step: int) -> Bank:
        """The bank for step ``step`` of a visitor's matter (``who``: its Person)."""
        key = (who.steps[step], who.green, who.other_province)
        bank = self._bank_cache.get(key)
        if bank is None:
            bank = self._bank_cache[key] = self.bank_of_kind(*key)
        return bank

    def bank_of_kind(self, dept: str, green: bool, other_province: bool) -> Bank:
        """The bank for a step at department ``dept`` of a visitor in the green channel or
        not, from another province or not."""
        banks = self.banks
        if other_province and CROSS_PROVINCE in banks:
            return banks[CROSS_PROVINCE]
        if green and GREEN_CHANNEL in banks and not self.p.departments[dept].zone:
            return banks[GREEN_CHANNEL]
        return banks[self.bank_of[dept]]


class Rostered(Staffed):
    """Servers on duty by a timetable per weekday (``tables[weekday]``); ``weekday(day)``
    gives the weekday of simulated day ``day``.  ``steps`` is the number on duty as
    steps [(t, n), ...] from time 0, for the bookkeeping of staffed time."""

    def __init__(self, loop: EventLoop, capacity: int, tables: list[list[Change]], weekday, days: int):
        self.tables, self.weekday = tables, weekday
        self.steps = [(0.0, 0)] + [(day * DAY + c.minute, c.on_duty) for day in range(days)
                                   for c in tables[weekday(day)]]
        super().__init__(loop, capacity, tables[weekday(0)], days)

    def _timeline(self, timetable: list[Change], days: int):
        for day in range(days):
            for change in self.tables[self.weekday(day)]:
                yield day * DAY + change.minute, change


def day_changes(roster, weekday: int, periods: list[tuple[int, int]], close_priority: int) -> list[Change]:
    """A day's changes of the servers on duty: the roster's count while the hall is open,
    none while it is closed.  Servers going off duty finish the visitor in front of them
    first (before anyone waiting); at closing ``close_priority`` says whether those waiting
    are served first.  A plain number gives ``hall_timetable``."""
    if isinstance(roster, int):
        return hall_timetable(periods, roster, close_priority)
    table = windows_of_day(roster, weekday)
    if not table:
        return []
    close = periods[-1][1]
    points = sorted({m for a, b in periods for m in (a, b)} | {m for m, _ in table})
    out, last = [], 0
    for m in points:
        open_now = any(a <= m < b for a, b in periods)
        n = [c for t, c in table if t <= m][-1] if open_now else 0
        if n != last:
            out.append(Change(m, n, close_priority if m == close else BEFORE_VISITORS))
            last = n
    return out
