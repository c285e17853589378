"""Parameters of the generic open queueing network (``model: network``)."""
from __future__ import annotations

import math
from typing import Annotated, Literal, Optional, Union

from pydantic import Discriminator, Field, Tag

from ...arrivals import ArrivalSpec, RateProfile
from ...distributions import Distribution
from ...model_api import Name, StrictParams

EXIT = "exit"



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
    servers: Annotated[int, Field(ge=1, strict=True)] = Field(description="number of parallel servers (windows, staff)")
    service: ServiceSpec = Field(description="service time in minutes, one distribution or {default, by_class}")
    discipline: Literal["fifo", "priority"] = "fifo"
    max_waiting: Optional[Annotated[int, Field(ge=0, strict=True)]] = Field(
        default=None, description="arrivals finding this many waiting are blocked; omit for no limit")

    def service_for(self, cls: str):
        if isinstance(self.service, ServiceByClass):
            return self.service.for_class(cls)
        return self.service


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
            if isinstance(st.service, ServiceByClass):
                for cname in st.service.by_class:
                    if cname not in self.classes:
                        issues.append((("stations", sname, "service", "by_class", cname), f"no class named '{cname}'"))
        return issues


def _reachable(start: str, transitions: dict) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for to, p in transitions.get(todo.pop(), {}).items():
            if p > 0 and to not in seen:
                seen.add(to)
                todo.append(to)
    return seen
