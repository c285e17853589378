"""The offered load of each station, from the params alone: a station offered more work
than its servers can do has no steady state, so its waits grow with the run's length.

Load = sum over classes of (arrival rate x visits to the station x mean service time),
over the servers on duty on average over the run.  Visits come from a class's route, or
from the traffic equations of its transitions (v = e_start + v P).  Long-run averages
throughout: a rate profile's mean, the demand factors' mean over the run's days, a roster's
mean servers; a peak hour above capacity is normal, an average above it is not.
"""
from __future__ import annotations

import numpy as np

from ...arrivals import RateProfile
from ...calendar import DAY
from .params import EXIT, CustomerClass, NetworkParams


def visits(c: CustomerClass) -> dict[str, float]:
    """Mean visits of one customer of class ``c`` to each station."""
    if c.route is not None:
        out: dict[str, float] = {}
        for s in c.route:
            out[s] = out.get(s, 0.0) + 1.0
        return out
    nodes = sorted({c.start, *c.transitions, *(t for row in c.transitions.values() for t in row)} - {EXIT})
    index = {s: i for i, s in enumerate(nodes)}
    p = np.zeros((len(nodes), len(nodes)))
    for frm, row in c.transitions.items():
        for to, prob in row.items():
            if to != EXIT:
                p[index[frm], index[to]] += prob
    start = np.zeros(len(nodes))
    start[index[c.start]] = 1.0
    v = np.linalg.solve(np.eye(len(nodes)) - p.T, start)  # every station reaches exit (checked): solvable
    return {s: float(v[index[s]]) for s in nodes}


def offered_loads(params: NetworkParams, horizon: float) -> dict[str, float]:
    """Each visited station's load over ``horizon`` minutes (inf: visited, no server ever on
    duty); stations whose queue cannot grow without bound are left out: a waiting room
    (``max_waiting``) blocks the excess, patience for every class there sheds it."""
    factors = params.day_factors(horizon)
    demand = float(np.mean(factors[: max(1, int(np.ceil(horizon / DAY)))])) if factors else 1.0
    work: dict[str, float] = {}
    impatient: dict[str, bool] = {}
    for cname, c in params.classes.items():
        rate = c.arrivals.mean_rate_per_min() if isinstance(c.arrivals, RateProfile) else 1.0 / c.arrivals.mean()
        for s, n in visits(c).items():
            service = params.stations[s].service_for(cname)
            work[s] = work.get(s, 0.0) + demand * rate * n * (service.mean() if service is not None else 0.0)
            impatient[s] = impatient.get(s, True) and c.patience is not None
    out = {}
    for s, w in work.items():
        station = params.stations[s]
        if station.max_waiting is not None or impatient[s]:
            continue
        servers = _mean_servers(station, params, horizon)
        out[s] = w / servers if servers > 0 else (np.inf if w > 0 else 0.0)
    return out


def _mean_servers(station, params: NetworkParams, horizon: float) -> float:
    steps = station.roster_steps(params.first_day().weekday(), horizon)
    times = [t for t, _ in steps] + [horizon]
    return sum(n * (b - a) for (a, n), b in zip(steps, times[1:])) / horizon if horizon > 0 else float(steps[0][1])


def overload_warnings(params: NetworkParams, horizon: float) -> list[str]:
    """One line per station offered at least as much work as its servers can do."""
    out = []
    for s, load in offered_loads(params, horizon).items():
        if load >= 1.0:
            offered = ("work, and no server is ever on duty" if load == np.inf
                       else f"{load:.0%} of what its servers can do on average")
            out.append(f"station '{s}' is offered {offered}: its queue grows without bound, so its waits "
                       "depend on the run's length, not on a steady state")
    return out
