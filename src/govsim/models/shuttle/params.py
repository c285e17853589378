"""Parameters of the job shuttle (``model: shuttle``).

Townships with pickup points, job seekers signing up over the campaign days, a
fleet of vehicles, a dispatch rule, and the industrial park's employers.  Every
time of day is "HH:MM"; durations carry their unit in the field name.
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ...calendar import DAY, Clock
from ...distributions import Distribution
from ...model_api import Count, Name, Positive, PositiveCount, Prob

NonNeg = Annotated[float, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Township(_Strict):
    """A township's pickup point (door to bus: 出家门上车门) and its job seekers."""

    signups_per_day: NonNeg = Field(description="job seekers signing up a campaign day, on average over the campaign")
    preregistered: Count = Field(
        0, description="seekers registered beforehand (invited, or listed by cadres during the festival): they "
        "come in on the first day, through the sign-up hours, on top of signups_per_day")
    travel_min: Positive = Field(description="vehicle minutes between the pickup point and the park")
    km: Positive = Field(description="road kilometres between the pickup point and the park")


class Signups(_Strict):
    hours: tuple[Clock, Clock] = Field(("08:00", "20:00"), description="['08:00', '20:00']: when sign-ups come in "
                                       "(by phone or at the township office), uniformly")
    by_week: Annotated[list[NonNeg], Field(min_length=1)] = Field(
        [1.0], description="relative sign-up rate in each campaign week; the last entry holds for later weeks")

    def day_weights(self, days: int) -> list[float]:
        """Relative sign-up rate of each campaign day, scaled to a mean of 1."""
        w = [self.by_week[min(d // 7, len(self.by_week) - 1)] for d in range(days)]
        total = sum(w)
        return [x * days / total for x in w] if total > 0 else [0.0] * days


class Seekers(_Strict):
    show_up: Prob = Field(description="chance a signed-up seeker still comes when called (the rest are no-shows)")
    patience_days: Optional[Distribution] = Field(
        None, description="days a seeker waits for a vehicle before giving up (found out when called); omit: no limit")


class Fleet(_Strict):
    vehicles: PositiveCount = Field(description="vehicles available to the campaign at once")
    seats: PositiveCount = Field(description="seats per vehicle")
    cost_per_trip_yuan: NonNeg = Field(0.0, description="fixed charge per trip (driver, hire)")
    cost_per_km_yuan: NonNeg = Field(0.0, description="charge per kilometre driven, empty legs included")
    stop_min: NonNeg = Field(5.0, description="minutes at each pickup point to board")
    unload_min: NonNeg = Field(5.0, description="minutes at the park to set down before the vehicle is free")


class ServiceHours(_Strict):
    first: Clock = Field(description="earliest boarding at a pickup point, 'HH:MM'")
    last: Clock = Field(description="latest boarding at a pickup point, 'HH:MM'")


class Dispatch(_Strict):
    rule: Literal["timetable", "when_full", "hybrid"] = Field(
        description="timetable: fixed departures; when_full: a vehicle is called once a full load has confirmed; "
        "hybrid: once min_load have confirmed or the first on the list has waited max_wait_h, whichever first")
    pooling: Literal["township", "route", "central"] = Field(
        "township", description="township: one pickup point per trip; route: a multi-stop run through the "
        "neighbouring townships of a route; central: seekers make their own way to one gathering point")
    min_load: Optional[PositiveCount] = Field(None, description="hybrid: leave once this many have confirmed")
    max_wait_h: Optional[Positive] = Field(
        None, description="hybrid: or once the first on the list has waited this long")
    departures: list[Clock] = Field(default_factory=list, description="timetable: boarding times at the (first) "
                                    "pickup point, each service day")
    headway_min: Optional[Positive] = Field(None, description="timetable: instead of departures, one every "
                                            "headway_min from service_hours.first to last")
    every_days: PositiveCount = Field(1, description="timetable: departures every n-th day, pickup points "
                                      "staggered (7: each township has its weekly bus day)")
    run_empty: bool = Field(False, description="timetable: a departure runs even when nobody is listed")
    final_sweep: bool = Field(False, description="at the last boarding time (service_hours.last) of the last "
                              "service day everyone still listed is called, whatever the rule")


class Central(_Strict):
    travel_min: Positive = Field(description="vehicle minutes from the gathering point to the park")
    km: Positive = Field(description="road kilometres from the gathering point to the park")
    own_travel_factor: NonNeg = Field(
        1.0, description="a seeker's own trip to the gathering point takes the township's travel_min times this "
        "(0: they sign up on arrival there)")


class Campaign(_Strict):
    extra_days: Count = Field(
        0, description="days vehicles keep running after sign-ups close (run.days); whoever is still listed "
        "then is counted as still waiting")


class EmployerGroup(_Strict):
    count: PositiveCount = Field(description="employers of this kind in the park")
    recruiters: PositiveCount = Field(description="recruiters interviewing at once at each of them")
    attractiveness: Positive = Field(1.0, description="relative chance a seeker puts one of them on their list")
    p_intention: Prob = Field(description="chance an interview ends in a hiring intention (就业意向)")


class Park(_Strict):
    opens: Clock = Field(description="employers start interviewing, 'HH:MM'")
    closes: Clock = Field(description="employers stop taking new interviews, 'HH:MM'")
    employers: Annotated[dict[Name, EmployerGroup], Field(min_length=1)]
    walk_min: Distribution = Field(description="minutes from the drop-off, or between employers, to an employer's gate")
    interview_min: Distribution = Field(description="minutes of one interview")
    max_employers: PositiveCount = Field(description="employers a seeker visits at most")
    try_another: Prob = Field(description="chance a seeker with no intention yet tries another employer")


class ShuttleParams(_Strict):
    townships: Annotated[dict[Name, Township], Field(min_length=1)]
    signups: Signups = Field(default_factory=Signups)
    seekers: Seekers
    fleet: Fleet
    service_hours: ServiceHours
    dispatch: Dispatch
    routes: dict[Name, Annotated[list[Name], Field(min_length=1)]] = Field(
        default_factory=dict, description="route pooling: name -> townships in driving order, farthest from the "
        "park first; each township on exactly one route")
    detour_min: NonNeg = Field(0.0, description="route pooling: extra minutes per extra stop (side roads)")
    detour_km: NonNeg = Field(0.0, description="route pooling: extra kilometres per extra stop")
    central: Optional[Central] = Field(None, description="central pooling: the gathering point")
    campaign: Campaign = Field(default_factory=Campaign)
    park: Park

    def departure_times(self) -> list[int]:
        """Timetable boarding times of a day, minutes after midnight."""
        d = self.dispatch
        if d.headway_min is None:
            return sorted(set(int(t) % int(DAY) for t in d.departures))
        out, t = set(), float(self.service_hours.first)
        while t <= self.service_hours.last + 1e-9:
            out.add(round(t, 6) % DAY)
            t += d.headway_min
        return sorted(out)

    def cross_check(self) -> list[tuple[tuple, str]]:
        issues: list[tuple[tuple, str]] = []
        d, sh = self.dispatch, self.service_hours
        if not sh.first < sh.last:
            issues.append((("service_hours",), "first must be before last"))
        lo, hi = self.signups.hours
        if not lo < hi:
            issues.append((("signups", "hours"), "the first time must be before the second"))
        if not self.park.opens < self.park.closes:
            issues.append((("park",), "opens must be before closes"))
        if not any(t.signups_per_day > 0 or t.preregistered > 0 for t in self.townships.values()):
            issues.append((("townships",), "no township has sign-ups"))
        if max(self.signups.by_week) <= 0 and any(t.signups_per_day > 0 for t in self.townships.values()):
            issues.append((("signups", "by_week"), "at least one week needs a rate above 0"))
        if d.rule == "hybrid":
            if d.min_load is None:
                issues.append((("dispatch", "min_load"), "the hybrid rule needs min_load"))
            elif d.min_load > self.fleet.seats:
                issues.append((("dispatch", "min_load"),
                               f"{d.min_load} is more than the {self.fleet.seats} seats of a vehicle"))
            if d.max_wait_h is None:
                issues.append((("dispatch", "max_wait_h"), "the hybrid rule needs max_wait_h"))
        if d.rule == "timetable":
            if d.departures and d.headway_min is not None:
                issues.append((("dispatch", "headway_min"), "give departures or headway_min, not both"))
            elif not d.departures and d.headway_min is None:
                issues.append((("dispatch", "departures"), "the timetable needs departures or headway_min"))
            else:
                for i, t in enumerate(d.departures):
                    if not sh.first <= t <= sh.last:
                        issues.append((("dispatch", "departures", i), "outside service_hours"))
                        break
        if d.pooling == "central" and self.central is None:
            issues.append((("central",), "central pooling needs the gathering point (central: {travel_min, km})"))
        if d.pooling == "route":
            if not self.routes:
                issues.append((("routes",), "route pooling needs routes"))
            seen: dict[str, str] = {}
            for rname, stops in self.routes.items():
                for i, t in enumerate(stops):
                    if t not in self.townships:
                        issues.append((("routes", rname, i), f"no township named '{t}'"))
                    elif t in seen:
                        issues.append((("routes", rname, i), f"'{t}' is already on route '{seen[t]}'"))
                    else:
                        seen[t] = rname
            route_problem = any(path[:1] == ("routes",) for path, _ in issues)
            if self.routes and not route_problem:  # a misspelt stop is one mistake, not two
                missing = [t for t in self.townships if t not in seen]
                if missing:
                    issues.append((("routes",), f"township '{missing[0]}' is on no route"))
        return issues

    # -- the pickup groups a dispatch rule works on --------------------------------
    def groups(self) -> dict[str, list[str]]:
        """Pickup group -> townships in driving order (farthest first)."""
        pooling = self.dispatch.pooling
        if pooling == "township":
            return {t: [t] for t in self.townships}
        if pooling == "central":
            return {"central": list(self.townships)}
        return {r: list(stops) for r, stops in self.routes.items()}

