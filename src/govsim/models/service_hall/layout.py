"""The hall's resources and who goes where: the window banks a layout opens, the back
office, the proxy helpers' duty hours, and the bank a visitor's next department sends it to."""
from __future__ import annotations

from typing import Optional

import simpy

from ...staffing import AFTER_VISITORS, BEFORE_VISITORS, Change, Staffed, hall_timetable
from .params import HallParams
from .records import BackOffice, Bank

COMPREHENSIVE, GREEN_CHANNEL, CROSS_PROVINCE = "comprehensive", "green_channel", "cross_province"


class Layout:
    def __init__(self, params: HallParams, env: simpy.Environment, days: int):
        self.p = params
        self.periods = params.hours.periods()
        # at closing, staff serve whoever is waiting first (serve_waiting), or go (send_home)
        self.closing_priority = AFTER_VISITORS if params.hours.closing_rule == "serve_waiting" else BEFORE_VISITORS
        self.bank_of: dict[str, str] = {}  # department -> the bank that accepts its matters
        self.banks = self._open_banks(env, days)
        # with a back office, the approval of a department outside the zones waits there; a
        # zone (and a hall without one) approves at the window while the visitor waits
        self.back_office: Optional[BackOffice] = None
        lay = params.layout
        if lay.back_office and lay.back_office_staff:
            n = lay.back_office_staff
            # office hours and lunch as the windows; at closing the approval in hand is finished
            # and the rest waits for the morning
            self.back_office = BackOffice(n, lay.back_office_slowdown,
                                          Staffed(env, n, hall_timetable(self.periods, n, BEFORE_VISITORS), days))
        self.to_back_office = {d: self.back_office is not None and not dept.zone
                               for d, dept in params.departments.items()}
        self.helpers: Optional[Staffed] = None
        if params.proxy is not None:
            pr = params.proxy
            self.helpers = Staffed(env, pr.full_time + pr.part_time, self._helper_timetable(), days)

    def _open_banks(self, env: simpy.Environment, days: int) -> dict[str, Bank]:
        p, lay, close = self.p, self.p.layout, self.closing_priority
        spec: dict[str, tuple[int, float, bool]] = {}  # name -> (windows, slowdown, bundles)
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
        if lay.cross_province_windows:
            spec[CROSS_PROVINCE] = (lay.cross_province_windows, 1.0, True)
        return {name: Bank(name, n, slowdown, bundles, Staffed(env, n, hall_timetable(self.periods, n, close), days))
                for name, (n, slowdown, bundles) in spec.items()}

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
        banks = self.banks
        if who.other_province and CROSS_PROVINCE in banks:
            return banks[CROSS_PROVINCE]
        dept = who.steps[step]
        if who.green and GREEN_CHANNEL in banks and not self.p.departments[dept].zone:
            return banks[GREEN_CHANNEL]
        return banks[self.bank_of[dept]]
