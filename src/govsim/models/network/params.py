"""Parameters of the generic open queueing network (``model: network``)."""
from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Annotated, Literal, Optional, Union

from pydantic import Discriminator, Field, Tag, create_model

from ...arrivals import ArrivalSpec, RateProfile
from ...calendar import DAY, WEEKDAYS
from ...distributions import Distribution
from ...model_api import Name, NonNeg, StrictParams
from ...staffing import Roster, roster_problems, roster_steps

EXIT = "exit"
FIRST_DAY = date(2022, 1, 3)  # day 0 of a run unless params.start_date says otherwise: a Monday
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class ServiceByClass(StrictParams):
    """Service time that depends on the customer's class."""

    default: Optional[Distribution] = None
    by_class: dict[Name, Distribution] = Field(default_factory=dict)

    def for_class(self, cls: str):
        return self.by_class.get(cls, self.default)


def _service_kind(value) -> str:
    if isinstance(value, dict):
        return "single distribution" if "dist" in value else "distribution by class"
    return "distribution by class" if isinstance(value, ServiceByClass) else "single distribution"


ServiceSpec = Annotated[
    Union[Annotated[Distribution, Tag("single distribution")], Annotated[ServiceByClass, Tag("distribution by class")]],
    Discriminator(_service_kind),
]


class Station(StrictParams):
    servers: Roster = Field(description=(
        'parallel servers (windows, staff): a number, or a daily roster [["00:00", 0], ["08:00", 6], ["12:00", 3], '
        '...] (each count holds from its time on), or a roster per weekday {mon: ..., ..., weekdays: ..., weekend: '
        '...}; a server going off duty first finishes the customer it is serving'))
    service: ServiceSpec = Field(description="service time in minutes, one distribution or {default, by_class}")
    discipline: Literal["fifo", "priority"] = "fifo"
    max_waiting: Optional[Annotated[int, Field(ge=0, strict=True)]] = Field(
        default=None, description="arrivals finding this many waiting are blocked; omit for no limit")
    cost_per_server_hour_yuan: Optional[Annotated[float, Field(ge=0)]] = Field(
        default=None, description="staff cost of one server on duty for an hour (wages and overheads), yuan; "
        "gives staff_cost_yuan_per_day and cost_per_customer_yuan")

    def service_for(self, cls: str):
        if isinstance(self.service, ServiceByClass):
            return self.service.for_class(cls)
        return self.service

    def roster_steps(self, first_weekday: int, horizon: float) -> list[tuple[float, int]]:
        """Servers on duty as steps [(t, servers), ...] from 0 to ``horizon``."""
        return roster_steps(self.servers, first_weekday, horizon)


def _factors(name: str, keys: tuple[str, ...], doc: str):
    """A block of relative demand factors, one per key, each 1 unless given."""
    return create_model(name, __base__=StrictParams, __doc__=doc, **{k: (NonNeg, 1.0) for k in keys})


WeekdayFactors = _factors("WeekdayFactors", WEEKDAYS, "Demand on each weekday relative to the rates as given.")
MonthFactors = _factors("MonthFactors", MONTHS, "Demand in each month relative to the rates as given.")


class DemandFactors(StrictParams):
    """Every class's arrival rate times the day's weekday factor times its month's factor."""

    weekday: WeekdayFactors = Field(default_factory=WeekdayFactors, description="factor per weekday, mon ... sun")
    month: MonthFactors = Field(default_factory=MonthFactors, description="factor per month, jan ... dec")

    def by_day(self, first: date, days: int) -> list[float]:
        """The factor of each day of the run, day 0 being ``first``."""
        out = []
        for d in range(days):
            day = first + timedelta(days=d)
            out.append(getattr(self.weekday, WEEKDAYS[day.weekday()]) * getattr(self.month, MONTHS[day.month - 1]))
        return out


class CustomerClass(StrictParams):
    arrivals: ArrivalSpec = Field(description="gap between arrivals in minutes, or {rate_per_hour: [...]}")
    route: Optional[Annotated[list[Name], Field(min_length=1)]] = Field(
        default=None, description="fixed path through stations")
    start: Optional[Name] = Field(default=None, description="first station, with transitions")
    transitions: Optional[dict[Name, dict[Name, Annotated[float, Field(ge=0, le=1)]]]] = Field(
        default=None, description="from-station -> {to-station or exit: probability}")
    priority: Annotated[int, Field(strict=True)] = Field(default=0, description="smaller is served first")
    patience: Optional[Distribution] = Field(
        default=None, description="minutes a customer waits in a queue before abandoning")


class NetworkParams(StrictParams):
    classes: Annotated[dict[Name, CustomerClass], Field(min_length=1)]
    stations: Annotated[dict[Name, Station], Field(min_length=1)]
    start_date: Optional[date] = Field(default=None, description=(
        "the date of day 0 of a run (its weekday and month pick rosters and demand factors), YYYY-MM-DD; "
        "omitted: Monday 3 January 2022"))
    service_level_wait_min: list[Annotated[float, Field(ge=0)]] = Field(default_factory=list, description=(
        "service-level thresholds, minutes: for each N, the share of customers served after waiting at most N "
        "(scope wait_within:<N>min, metric wait_within_share; abandoned and blocked ones were not)"))
    demand_factors: Optional[DemandFactors] = Field(default=None, description=(
        "arrival rates by weekday and month relative to the rates as given: {weekday: {mon: 1.3, ...}, "
        "month: {dec: 0.8, ...}}; a day or month left out keeps 1"))

    def first_day(self) -> date:
        return self.start_date or FIRST_DAY

    def day_factors(self, horizon: float) -> Optional[list[float]]:
        """Each day's demand factor over a run of ``horizon`` minutes, or None where every
        day's is 1 (the arrivals as given, draw for draw)."""
        if self.demand_factors is None:
            return None
        factors = self.demand_factors.by_day(self.first_day(), int(horizon // DAY) + 2)
        return None if all(f == 1.0 for f in factors) else factors

    def visited_stations(self) -> set[str]:
        """Stations that some class can reach."""
        out: set[str] = set()
        for c in self.classes.values():
            if c.route is not None:
                out.update(c.route)
            elif c.start is not None:
                out.update(_reachable(c.start, c.transitions or {}))
        return out - {EXIT}

    def cross_check(self) -> list[tuple[tuple, str]]:
        """Checks that span fields; each issue is (path under params, message)."""
        issues: list[tuple[tuple, str]] = []
        stations = set(self.stations)
        if EXIT in stations:
            issues.append((("stations", EXIT), f"'{EXIT}' is reserved for leaving the network"))
        for cname, c in self.classes.items():
            base = ("classes", cname)
            if not isinstance(c.arrivals, RateProfile) and c.arrivals.mean() <= 0:
                issues.append((base + ("arrivals",), "the mean gap between arrivals must be above 0"))
            if (c.route is None) == (c.start is None):
                issues.append((base, "give either 'route' or 'start' with 'transitions'"))
                continue
            if c.route is not None:
                if c.transitions is not None:
                    issues.append((base + ("transitions",), "'transitions' goes with 'start', not 'route'"))
                for i, s in enumerate(c.route):
                    if s not in stations:
                        issues.append((base + ("route", i), f"no station named '{s}'"))
                visited = c.route
            else:
                if c.start not in stations:
                    issues.append((base + ("start",), f"no station named '{c.start}'"))
                if not c.transitions:
                    issues.append((base, "'start' needs 'transitions'"))
                    continue
                for frm, row in c.transitions.items():
                    if frm not in stations:
                        issues.append((base + ("transitions", frm), f"no station named '{frm}'"))
                    for to in row:
                        if to != EXIT and to not in stations:
                            issues.append((base + ("transitions", frm, to), f"no station named '{to}'"))
                    total = sum(row.values())
                    if not math.isclose(total, 1.0, abs_tol=1e-9):
                        issues.append((base + ("transitions", frm), f"probabilities sum to {total:g}, not 1"))
                reachable = _reachable(c.start, c.transitions)
                for s in sorted(reachable - set(c.transitions) - {EXIT}):
                    if s in stations:
                        issues.append((base + ("transitions",), f"station '{s}' is reached but has no row"))
                trapped = sorted(n for n in reachable - {EXIT} if n in c.transitions
                                 and EXIT not in _reachable(n, c.transitions))
                if trapped:
                    issues.append((base + ("transitions",), f"customers at '{trapped[0]}' can never reach 'exit'"))
                visited = sorted(reachable - {EXIT})
            for s in visited:
                st = self.stations.get(s)
                if st is not None and st.service_for(cname) is None:
                    issues.append((("stations", s, "service"), f"no service time for class '{cname}' (add 'default' or a by_class entry)"))
        for sname, st in self.stations.items():
            for sub, msg in roster_problems(st.servers):
                issues.append((("stations", sname, "servers") + sub, msg))
            if isinstance(st.service, ServiceByClass):
                for cname in st.service.by_class:
                    if cname not in self.classes:
                        issues.append((("stations", sname, "service", "by_class", cname), f"no class named '{cname}'"))
        if self.demand_factors is not None:
            for key, names in (("weekday", WEEKDAYS), ("month", MONTHS)):
                block = getattr(self.demand_factors, key)
                if all(getattr(block, n) == 0 for n in names):
                    issues.append((("demand_factors", key), f"every {key}'s factor is 0: no one would ever arrive"))
        return issues


def _reachable(start: str, transitions: dict) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for to, p in transitions.get(todo.pop(), {}).items():
            if p > 0 and to not in seen:
                seen.add(to)
                todo.append(to)
    return seen
