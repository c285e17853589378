"""Parameters of a government service hall (``model: service_hall``)."""
from __future__ import annotations

import math
from typing import Annotated, Literal, Optional, Union

from pydantic import Discriminator, Field, Tag

from ...calendar import WEEKDAYS, Clock, OpeningHours, Weekday
from ...distributions import Distribution
from ...model_api import Count, Name, NonNeg, Positive, Prob, StrictParams
from ...documents import Documents  # the document-check rules, shared with the licence model
from ...staffing import Timetable, WeeklyRoster, _roster_kind, day_timetable, roster_problems

# a bank's windows: a number, a daily timetable [["00:00", 4], ["12:00", 2], ...], or one per weekday
Windows = Annotated[Union[Annotated[Count, Tag("number")], Annotated[Timetable, Tag("timetable")],
                          Annotated[WeeklyRoster, Tag("by weekday")]], Discriminator(_roster_kind)]
ROSTER_TEXT = ('; or a roster: [["00:00", 4], ["12:00", 2], ["14:30", 4]] (windows on duty from each time on, '
               'within the opening hours), or {weekdays: ..., sat: ...} per weekday')
WORKING_WEEK = ["mon", "tue", "wed", "thu", "fri"]


class Hours(OpeningHours):
    closing_rule: Literal["serve_waiting", "send_home"] = Field(
        "serve_waiting", description="visitors still waiting at closing: served after hours, or sent home "
        "to come back the next working day")
    days: Annotated[list[Weekday], Field(min_length=1)] = Field(
        default_factory=lambda: list(WORKING_WEEK), description="weekdays the hall opens (the same hours each); "
        "the simulated days are these days in turn: [mon, tue, wed, thu, fri, sat] opens on Saturday")
    first_day: Weekday = Field("mon", description="weekday of day 0 of a run (the first open day on or after it)")

    def weekday(self, day: int) -> int:
        """Weekday (0 = Monday) of simulated day ``day``: the open days follow one another."""
        open_days = sorted({WEEKDAYS.index(d) for d in self.days})
        first = WEEKDAYS.index(self.first_day)
        k0 = next((k for k, w in enumerate(open_days) if w >= first), 0)
        return open_days[(k0 + day) % len(open_days)]

    def weekend_open(self) -> bool:
        return any(d in ("sat", "sun") for d in self.days)


class WeekdayFactors(StrictParams):
    """Demand on each weekday relative to visitors_per_day (1: as given)."""

    mon: NonNeg = 1.0
    tue: NonNeg = 1.0
    wed: NonNeg = 1.0
    thu: NonNeg = 1.0
    fri: NonNeg = 1.0
    sat: NonNeg = 1.0
    sun: NonNeg = 1.0


class Demand(StrictParams):
    visitors_per_day: Annotated[float, Field(gt=0)] = Field(description="matters brought to the hall per working day")
    by_hour: dict[Clock, NonNeg] = Field(
        description="relative arrival rate by hour of day: {'09:00': 1.4, ...}; each entry covers the hour it "
        "starts; arrivals fall only while windows are open")

    by_weekday: WeekdayFactors = Field(
        default_factory=lambda: WeekdayFactors(), description="demand on each weekday relative to visitors_per_day: "
        "{mon: 1.2, fri: 0.9, sat: 0.5}; a day left out keeps 1")

    def factor(self, weekday: int) -> float:
        return getattr(self.by_weekday, WEEKDAYS[weekday])

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
    windows: Windows = Field(description="its own windows in the separate layout (and always, for a zone)" + ROSTER_TEXT)
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
    comprehensive_windows: Windows = Field(0, description="integrated: windows accepting any non-zone matter" + ROSTER_TEXT)
    generalist_slowdown: Annotated[float, Field(ge=0.5)] = Field(
        1.0, description="integrated: factor on window minutes at comprehensive windows")
    back_office: bool = Field(
        False, description="front desk accepts, back office approves: the visitor leaves at acceptance and the "
        "approval of every department outside the zones queues for the back-office staff (a zone approves at its "
        "own windows)")
    back_office_staff: Windows = Field(
        0, description="with back_office: staff approving in the back office, in opening hours (not at windows)"
        + ROSTER_TEXT)
    back_office_slowdown: Annotated[float, Field(ge=0.5)] = Field(
        1.0, description="with back_office: factor on the approval minutes there (staff approving other "
        "departments' matters)")
    green_channel: Literal["off", "priority", "dedicated"] = Field(
        "off", description="green-channel visitors served first, or at dedicated windows")
    dedicated_windows: Windows = Field(0, description="green_channel dedicated: its windows, any non-zone matter"
                                      + ROSTER_TEXT)
    cross_province_windows: Windows = Field(
        0, description="windows for matters of other provinces (0: they queue as usual)" + ROSTER_TEXT)


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


class OnlineReview(StrictParams):
    """网上预审: documents checked online before the first trip."""

    share: Prob = Field(description="share of applicants who send their documents for online review first")
    staff: Count = Field(description="the online review team (counted in staff_total, on duty in opening hours); "
                                     "0 only with share 0")
    minutes: Distribution = Field(description="the team's minutes per application reviewed")
    catches: Prob = Field(description="chance the review finds any one missing document, major or minor: the "
                                      "applicant fetches it before the first trip; a gap it misses is found at the "
                                      "window as usual")


class Appointments(StrictParams):
    """预约: a share books a slot and is called ahead of walk-ins at the next free window."""

    share: Prob = Field(description="share of first trips booked ahead (the visitor's arrival time is its slot)")
    no_show: Prob = Field(description="share of bookings not kept: the visitor comes the next working day as a walk-in")
    early_min: NonNeg = Field(0.0, description="minutes before its slot a booked visitor aims to arrive")
    lateness: Distribution = Field(description="minutes after that aim it arrives: it comes at slot - early_min + "
                                               "lateness")
    grace_min: NonNeg = Field(15.0, description="a booked visitor later than this after the slot queues as a walk-in")


class Cost(StrictParams):
    """Staff cost per hour on duty (wages and overheads), for cost per day and per matter."""

    window_hour_yuan: NonNeg = Field(description="a staffed window for an hour")
    back_office_hour_yuan: NonNeg = Field(0.0, description="a back-office staff member for an hour")
    helper_hour_yuan: NonNeg = Field(0.0, description="a proxy helper on duty for an hour")
    online_hour_yuan: NonNeg = Field(0.0, description="a member of the online review team for an hour")


class ServiceLevel(StrictParams):
    wait_min: Annotated[list[Positive], Field(min_length=1)] = Field(
        description="thresholds in minutes: the share of window visits served within each is reported "
                    "(scope wait_within:<N>min)")


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
    online_review: Optional[OnlineReview] = Field(None, description="online pre-review (网上预审); null for none")
    appointments: Optional[Appointments] = Field(None, description="appointments (预约); null for none")
    cost: Optional[Cost] = Field(None, description="staff cost per hour: gives staff_cost_yuan_per_day, "
                                                   "staff_cost_yuan_per_week and cost_per_matter_yuan")
    service_level: Optional[ServiceLevel] = None
    full_time_week_h: Optional[Positive] = Field(
        None, description="hours a full-time member of staff works in a week: staff_total counts the staff-hours "
        "of a week in these (set it once in params, so policies that change the opening hours compare at the "
        "same full-time week); default: the hall's own opening hours over its open days")

    def rosters(self) -> dict[tuple, object]:
        """Every window count or roster, by its path in the params."""
        out = {("departments", d, "windows"): dept.windows for d, dept in self.departments.items()}
        for key in ("comprehensive_windows", "back_office_staff", "dedicated_windows", "cross_province_windows"):
            out[("layout", key)] = getattr(self.layout, key)
        return out

    def open_weekdays(self) -> list[int]:
        return sorted({WEEKDAYS.index(d) for d in self.hours.days})

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
        for path, roster in self.rosters().items():
            issues += [(path + sub, msg) for sub, msg in roster_problems(roster) if msg != "no server is ever on duty"]
        for dname, d in self.departments.items():
            needed = lay.kind == "separate" or d.zone
            has_matters = any(dname in m.departments for m in self.matters.values())
            if needed and has_matters and not max_on_duty(d.windows):
                issues.append((("departments", dname, "windows"), "its matters need at least one window"))
        general = any(not self.departments[d].zone for m in self.matters.values() for d in m.departments
                      if d in self.departments)  # some matter outside the zones
        if lay.kind == "integrated" and not max_on_duty(lay.comprehensive_windows) and general:
            issues.append((("layout", "comprehensive_windows"), "the integrated layout needs at least one"))
        if lay.back_office and not max_on_duty(lay.back_office_staff) and general:
            issues.append((("layout", "back_office_staff"), "a back office needs staff to approve its matters"))
        if lay.green_channel == "dedicated" and not max_on_duty(lay.dedicated_windows):
            issues.append((("layout", "dedicated_windows"), "a dedicated green channel needs at least one window"))
        if any(m.other_province > 0 for m in self.matters.values()) and self.cross_province is None:
            issues.append((("cross_province",), "matters of other provinces need cross_province settings"))
        if self.proxy is not None and self.proxy.full_time + self.proxy.part_time == 0:
            issues.append((("proxy",), "no helpers: give full_time or part_time, or set proxy to null"))
        if self.proxy is not None and self.proxy.part_time and not self.proxy.part_time_hours:
            issues.append((("proxy", "part_time_hours"), "part-time helpers need their hours"))
        if self.home_visits and self.proxy is None:
            issues.append((("home_visits",), "home visits are made by proxy helpers: add proxy"))
        if self.online_review is not None and self.online_review.share > 0 and self.online_review.staff == 0:
            issues.append((("online_review", "staff"), "an online review with applicants needs staff"))
        periods = self.hours.periods()
        for path, roster in self.rosters().items():
            if isinstance(roster, WeeklyRoster) and max_on_duty(roster) and not any(
                    n for w in self.open_weekdays() for m, n in windows_of_day(roster, w)):
                issues.append((path, "no window on duty on any day the hall opens (hours.days)"))
        for w in range(7):
            if self.demand.factor(w) > 0 and w not in self.open_weekdays() and \
                    WEEKDAYS[w] in self.demand.by_weekday.model_fields_set:
                issues.append((("demand", "by_weekday", WEEKDAYS[w]), "demand on a day the hall is closed (hours.days)"))
        if not any(self.demand.factor(w) > 0 for w in self.open_weekdays()):
            issues.append((("demand", "by_weekday"), "no open day has demand"))
        for start, weight in self.demand.by_hour.items():
            if weight > 0 and not any(start < b and a < start + 60 for a, b in periods):
                issues.append((("demand", "by_hour"), f"demand at {start // 60:02d}:{start % 60:02d} while the windows are closed"))
                break
        else:
            if not self.demand.segments(periods):
                issues.append((("demand", "by_hour"), "no open hour has demand"))
        return issues


def max_on_duty(roster) -> int:
    """The most windows a roster ever has on duty (the plain number for a number)."""
    if isinstance(roster, int):
        return roster
    return max((n for w in range(7) for _, n in windows_of_day(roster, w)), default=0)


def windows_of_day(roster, weekday: int) -> list[tuple[int, int]]:
    """(minute, windows) from midnight of a day that is weekday ``weekday``; none where a
    roster by weekday leaves the day out (reported by cross_check)."""
    if isinstance(roster, WeeklyRoster) and roster.day(weekday) is None:
        return []
    return day_timetable(roster, weekday)
