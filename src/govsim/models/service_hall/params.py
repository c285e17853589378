"""Parameters of a government service hall (``model: service_hall``)."""
from __future__ import annotations

import math
from typing import Annotated, Literal, Optional

from pydantic import Field

from ...calendar import Clock, OpeningHours
from ...distributions import Distribution
from ...model_api import Count, Name, NonNeg, Positive, Prob, StrictParams
from ...documents import Documents  # the document-check rules, shared with the licence model




class Hours(OpeningHours):
    closing_rule: Literal["serve_waiting", "send_home"] = Field(
        "serve_waiting", description="visitors still waiting at closing: served after hours, or sent home "
        "to come back the next working day")


class Demand(StrictParams):
    visitors_per_day: Annotated[float, Field(gt=0)] = Field(description="matters brought to the hall per working day")
    by_hour: dict[Clock, NonNeg] = Field(
        description="relative arrival rate by hour of day: {'09:00': 1.4, ...}; each entry covers the hour it "
        "starts; arrivals fall only while windows are open")

    def segments(self, periods: list[tuple[int, int]]) -> list[tuple[float, float, float]]:
        """(start, end, arrivals per minute) for the open part of each hour, scaled so
        that a day brings ``visitors_per_day`` on average."""
        raw = []
        for start, weight in sorted(self.by_hour.items()):
            for a, b in periods:
                lo, hi = max(start, a), min(start + 60, b)
                if hi > lo and weight > 0:
                    raw.append((float(lo), float(hi), weight))
        expected = sum((hi - lo) * w for lo, hi, w in raw)
        return [(lo, hi, self.visitors_per_day * w / expected) for lo, hi, w in raw] if expected else []


class Group(StrictParams):
    """Who the visitor is: drives priority and the proxy and home-visit channels."""

    share: Prob = Field(description="share of visitors")
    green_channel: bool = Field(False, description="elderly or disabled: eligible for the green channel")
    asks_proxy: Prob = Field(0.0, description="chance the visitor asks a proxy helper when helpers are on duty")
    full_process: Prob = Field(0.0, description="chance a proxied case is handled full-process by the helper")
    home_visit: Prob = Field(0.0, description="chance of limited mobility: served at home when home visits are on")


class Department(StrictParams):
    windows: Count = Field(description="its own windows in the separate layout (and always, for a zone)")
    zone: bool = Field(False, description="a special zone: keeps its own windows in the integrated layout too")


class Matter(StrictParams):
    departments: Annotated[list[Name], Field(min_length=1)] = Field(
        description="departments that must accept it, in order; several make a 'one thing' bundle (一件事)")
    share: Prob = Field(description="share of the hall's demand")
    accept: Distribution = Field(description="window minutes per department to check and accept a complete application")
    approve: Distribution = Field(description="window minutes per department of approval when there is no back office")
    documents: Count = Field(description="required documents per department")
    p_missing: Prob = Field(description="chance that any one document is missing or wrong")
    minor_share: Prob = Field(0.0, description="share of gaps minor enough to accept against a pledge")
    other_province: Prob = Field(0.0, description="share of these matters that belong to another province")


class Layout(StrictParams):
    kind: Literal["separate", "integrated"] = Field(description="separate department windows, or one integrated bank")
    comprehensive_windows: Count = Field(0, description="integrated: windows accepting any non-zone matter")
    generalist_slowdown: Annotated[float, Field(ge=0.5)] = Field(
        1.0, description="integrated: factor on window minutes at comprehensive windows")
    back_office: bool = Field(
        False, description="front desk accepts, back office approves: the visitor leaves at acceptance and the "
        "approval of every department outside the zones queues for the back-office staff (a zone approves at its "
        "own windows)")
    back_office_staff: Count = Field(
        0, description="with back_office: staff approving in the back office, in opening hours (not at windows)")
    back_office_slowdown: Annotated[float, Field(ge=0.5)] = Field(
        1.0, description="with back_office: factor on the approval minutes there (staff approving other "
        "departments' matters)")
    green_channel: Literal["off", "priority", "dedicated"] = Field(
        "off", description="green-channel visitors served first, or at dedicated windows")
    dedicated_windows: Count = Field(0, description="green_channel dedicated: its windows, any non-zone matter")
    cross_province_windows: Count = Field(0, description="windows for matters of other provinces (0: they queue as usual)")


class Proxy(StrictParams):
    full_time: Count = Field(0, description="helpers on duty all opening hours")
    part_time: Count = Field(0, description="helpers on duty in part_time_hours")
    part_time_hours: list[tuple[Clock, Clock]] = Field(default_factory=list, description="[['09:00', '12:00']]")
    precheck: Distribution = Field(description="helper minutes to pre-check a visitor's documents")
    full_process: Distribution = Field(description="helper minutes of a full-process case, before the window")
    home_visit: Distribution = Field(description="helper minutes of a home visit, travel included")


class Promise(StrictParams):
    """What the hall promises: the matter accepted within a time limit (承诺时限)."""

    limit_h: Positive = Field(
        description="hours on the working-day clock (nights count, weekends and holidays do not) from the first "
        "trip to acceptance within which the hall promises to accept a matter; the share within it is reported")


class CrossProvince(StrictParams):
    turnaround_days: Distribution = Field(description="working days for the home region to handle a forwarded matter")


class Impatience(StrictParams):
    balk_over: Optional[Distribution] = Field(
        None, description="a visitor leaves at once if more than this many are waiting at their windows")
    patience: Optional[Distribution] = Field(None, description="minutes a visitor waits before giving up")
    return_days: Distribution = Field(description="working days until a visitor who gave up comes back")


class HallParams(StrictParams):
    hours: Hours
    demand: Demand
    groups: Annotated[dict[Name, Group], Field(min_length=1)]
    departments: Annotated[dict[Name, Department], Field(min_length=1)]
    matters: Annotated[dict[Name, Matter], Field(min_length=1)]
    layout: Layout
    documents: Documents
    proxy: Optional[Proxy] = Field(None, description="proxy helpers (帮办代办); omit or null for none")
    home_visits: bool = Field(False, description="helpers visit visitors of limited mobility at home")
    cross_province: Optional[CrossProvince] = None
    promise: Optional[Promise] = Field(None, description="a promised acceptance time limit to report the share within")
    impatience: Optional[Impatience] = None

    def cross_check(self) -> list[tuple[tuple, str]]:
        issues: list[tuple[tuple, str]] = []
        for what, items in (("groups", self.groups), ("matters", self.matters)):
            total = sum(x.share for x in items.values())
            if not math.isclose(total, 1.0, abs_tol=1e-6):
                issues.append(((what,), f"shares sum to {total:g}, not 1"))
        for name, m in self.matters.items():
            for i, d in enumerate(m.departments):
                if d not in self.departments:
                    issues.append((("matters", name, "departments", i), f"no department named '{d}'"))
                elif self.departments[d].zone and len(m.departments) > 1:
                    issues.append((("matters", name, "departments"), f"'{d}' is a zone: a zone's matters belong to it alone"))
        lay = self.layout
        for dname, d in self.departments.items():
            needed = lay.kind == "separate" or d.zone
            has_matters = any(dname in m.departments for m in self.matters.values())
            if needed and has_matters and d.windows == 0:
                issues.append((("departments", dname, "windows"), "its matters need at least one window"))
        general = any(not self.departments[d].zone for m in self.matters.values() for d in m.departments
                      if d in self.departments)  # some matter outside the zones
        if lay.kind == "integrated" and lay.comprehensive_windows == 0 and general:
            issues.append((("layout", "comprehensive_windows"), "the integrated layout needs at least one"))
        if lay.back_office and lay.back_office_staff == 0 and general:
            issues.append((("layout", "back_office_staff"), "a back office needs staff to approve its matters"))
        if lay.green_channel == "dedicated" and lay.dedicated_windows == 0:
            issues.append((("layout", "dedicated_windows"), "a dedicated green channel needs at least one window"))
        if any(m.other_province > 0 for m in self.matters.values()) and self.cross_province is None:
            issues.append((("cross_province",), "matters of other provinces need cross_province settings"))
        if self.proxy is not None and self.proxy.full_time + self.proxy.part_time == 0:
            issues.append((("proxy",), "no helpers: give full_time or part_time, or set proxy to null"))
        if self.proxy is not None and self.proxy.part_time and not self.proxy.part_time_hours:
            issues.append((("proxy", "part_time_hours"), "part-time helpers need their hours"))
        if self.home_visits and self.proxy is None:
            issues.append((("home_visits",), "home visits are made by proxy helpers: add proxy"))
        periods = self.hours.periods()
        for start, weight in self.demand.by_hour.items():
            if weight > 0 and not any(start < b and a < start + 60 for a, b in periods):
                issues.append((("demand", "by_hour"), f"demand at {start // 60:02d}:{start % 60:02d} while the windows are closed"))
                break
        else:
            if not self.demand.segments(periods):
                issues.append((("demand", "by_hour"), "no open hour has demand"))
        return issues
