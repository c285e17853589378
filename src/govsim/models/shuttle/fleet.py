"""The fleet: a vehicle trip from the depot at the park through its pickup points and
back to the park, and the roads and service hours it keeps to.  Nothing here draws a
random number."""
from __future__ import annotations

import heapq
import math
from typing import Callable, Union

import simpy

from ...calendar import DAY
from .params import ShuttleParams
from .park import Park
from .population import Seeker
from .records import DELIVERED, CampaignRecords, Trip

CENTRAL = "central"  # the gathering point's pickup point


class Roads:
    """Travel times, kilometres and service hours of the pickup points."""

    def __init__(self, params: ShuttleParams):
        self.p = params
        self.central = params.dispatch.pooling == "central"

    def travel(self, stop: str) -> float:
        return self.p.central.travel_min if stop == CENTRAL else self.p.townships[stop].travel_min

    def km(self, stop: str) -> float:
        return self.p.central.km if stop == CENTRAL else self.p.townships[stop].km

    def stop_of(self, s: Seeker) -> str:
        return CENTRAL if self.central else s.township

    def first_stop(self, townships: list[str]) -> str:
        return CENTRAL if self.central else townships[0]

    def stops(self, townships: list[str], riders: list[Seeker]) -> list[str]:
        """The pickup points of ``riders`` in driving order."""
        if self.central:
            return [CENTRAL] if riders else []
        present = {s.township for s in riders}
        return [t for t in townships if t in present]

    def boarding_time(self, t: float) -> float:
        """The earliest time at or after ``t`` within boarding hours."""
        sh = self.p.service_hours
        day = math.floor(t / DAY)
        m = t - day * DAY
        if m < sh.first:
            return day * DAY + sh.first
        if m > sh.last:
            return (day + 1) * DAY + sh.first
        return t


class Fleet:
    def __init__(self, env: simpy.Environment, params: ShuttleParams, rec: CampaignRecords, park: Park, trace=None):
        self.env, self.p, self.rec, self.park, self.trace = env, params, rec, park, trace
        self.roads = Roads(params)
        self.seats = params.fleet.seats
        self.vehicles = simpy.Resource(env, capacity=params.fleet.vehicles)
        self.free = list(range(1, params.fleet.vehicles + 1))  # vehicle numbers: the lowest free one goes

    def trip(self, group: str, townships: list[str], reason: str, riders: Union[list, Callable[[], list]]):
        """One vehicle trip: wait for a free vehicle, leave the depot (at the park) so
        as to board within service hours, pick up at each pickup point in driving
        order, set down at the park.  ``riders`` a callable: a timetabled trip, which
        takes whoever it gives when the vehicle reaches its first pickup point."""
        env, p, roads, trace = self.env, self.p, self.roads, self.trace
        trip = Trip(len(self.rec.trips) + 1, group, reason, env.now, self.seats)
        self.rec.trips.append(trip)
        if trace is not None:
            trace.add(trip.case, "call", env.now, resource=group)
        scheduled = callable(riders)
        with self.vehicles.request() as req:
            yield req
            trip.t_granted, trip.vehicle = env.now, heapq.heappop(self.free)
            first = roads.first_stop(townships) if scheduled else roads.stops(townships, riders)[0]
            lead = roads.travel(first)
            depart = env.now if scheduled else roads.boarding_time(env.now + lead) - lead
            if depart > env.now:
                yield env.timeout(depart - env.now)
            trip.t_depot = env.now
            if trace is not None:
                trace.add(trip.case, "depart", env.now, resource=f"vehicle:{trip.vehicle}")
            if scheduled:  # drive to the first pickup point, take who is there
                yield env.timeout(lead)
                riders = riders()
                stops = roads.stops(townships, riders) or [first]
                if stops[0] != first:
                    stops = [first] + stops
                at = env.now
            else:
                stops = roads.stops(townships, riders)
                at = env.now + lead
            km = roads.km(first)
            prev = None
            for stop in stops:
                if prev is not None:
                    at += abs(roads.travel(prev) - roads.travel(stop)) + p.detour_min
                    km += abs(roads.km(prev) - roads.km(stop)) + p.detour_km
                if at > env.now:
                    yield env.timeout(at - env.now)
                here = [s for s in riders if roads.stop_of(s) == stop]
                if trace is not None:
                    trace.add(trip.case, "stop", env.now, resource=stop)
                for s in here:
                    s.t_board, s.trip = env.now, trip.tid
                    if trace is not None:
                        trace.add(s.case, "board", env.now, resource=trip.case)
                if here:
                    trip.stops.append(stop)
                    trip.by_stop[stop] = len(here)
                if math.isnan(trip.t_first_board):
                    trip.t_first_board = env.now
                at = env.now + p.fleet.stop_min
                prev = stop
            at += roads.travel(prev)
            km += roads.km(prev)
            yield env.timeout(at - env.now)
            trip.t_park, trip.riders, trip.km = env.now, len(riders), km
            if trace is not None:
                trace.add(trip.case, "arrive_park", env.now, resource=f"vehicle:{trip.vehicle}")
            for s in riders:
                s.status, s.t_park = DELIVERED, env.now
                if trace is not None:
                    trace.add(s.case, "arrive_park", env.now, resource=trip.case)
                env.process(self.park.visit(s))
            yield env.timeout(p.fleet.unload_min)
            trip.t_free = env.now
            if trace is not None:
                trace.add(trip.case, "back", env.now, resource=f"vehicle:{trip.vehicle}")
            heapq.heappush(self.free, trip.vehicle)
