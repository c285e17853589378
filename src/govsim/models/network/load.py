"""The offered load of each station, from the params alone: a station offered more work
than its servers can do has no steady state, so its waits grow with the run's length.

Load = the work brought over the run (sum over classes of arrivals x visits to the
station x mean service time) over the server-minutes on duty in it.  Visits come from a
class's route, or from the traffic equations of its transitions (v = e_start + v P, over
the stations reachable from its start).  Arrivals and servers are both integrated over
the run, [0, horizon): a rate profile hour by hour times its day's demand factor, a
roster step by step; a peak hour above capacity is normal, the whole run above it is not.
"""
from __future__ import annotations

import numpy as np

from ...arrivals import RateProfile
from ...calendar import DAY
from .kpis import step_area
from .params import EXIT, CustomerClass, NetworkParams, _reachable


def visits(c: CustomerClass) -> dict[str, float]:
    """Mean visits of one customer of class ``c`` to each station."""
    if c.route is not None:
        out: dict[str, float] = {}
        for s in c.route:
            out[s] = out.get(s, 0.0) + 1.0
        return out
    nodes = sorted(_reachable(c.start, c.transitions) - {EXIT})  # each reaches exit (checked): solvable
    index = {s: i for i, s in enumerate(nodes)}
    p = np.zeros((len(nodes), len(nodes)))
    for frm in nodes:
        for to, prob in c.transitions.get(frm, {}).items():
            if to != EXIT:
                p[index[frm], index[to]] += prob
    start = np.zeros(len(nodes))
    start[index[c.start]] = 1.0
    v = np.linalg.solve(np.eye(len(nodes)) - p.T, start)
    return {s: float(v[index[s]]) for s in nodes}


def offered_loads(params: NetworkParams, horizon: float) -> dict[str, float]:
    """Each visited station's load over ``horizon`` minutes (inf: visited, no server ever on
    duty); stations whose queue cannot grow without bound are left out: a waiting room
    (``max_waiting``) blocks the excess, patience for every class there sheds it."""
    factors = params.day_factors(horizon)
    work: dict[str, float] = {}
    impatient: dict[str, bool] = {}
    for cname, c in params.classes.items():
        rate = mean_rate(c.arrivals, factors, horizon)
        for s, n in visits(c).items():
            service = params.stations[s].service_for(cname)
            work[s] = work.get(s, 0.0) + rate * n * (service.mean() if service is not None else 0.0)
            impatient[s] = impatient.get(s, True) and c.patience is not None
    out = {}
    for s, w in work.items():
        station = params.stations[s]
        if station.max_waiting is not None or impatient[s]:
            continue
        servers = _mean_servers(station, params, horizon)
        out[s] = w / servers if servers > 0 else (np.inf if w > 0 else 0.0)
    return out


def mean_rate(arrivals, factors, horizon: float) -> float:
    """Arrivals per minute on average over [0, horizon): hour by hour, the profile's rate
    (or one over the mean gap) times that day's demand factor."""
    starts = np.arange(0.0, horizon, 60.0)
    widths = np.minimum(60.0, horizon - starts)
    if isinstance(arrivals, RateProfile):
        rates = np.asarray(arrivals.rate_per_hour, dtype=float) / 60.0
        base = rates[(starts // 60.0).astype(np.int64) % len(rates)]
    else:
        base = np.full(len(starts), 1.0 / arrivals.mean())
    if factors:
        base = base * np.asarray(factors, dtype=float)[np.minimum(starts // DAY, len(factors) - 1).astype(np.int64)]
    return float(np.sum(base * widths) / horizon) if horizon > 0 else 0.0


def _mean_servers(station, params: NetworkParams, horizon: float) -> float:
    steps = station.roster_steps(params.first_day().weekday(), horizon)
    return step_area(steps, 0.0, horizon) / horizon if horizon > 0 else float(steps[0][1])


WORDS = {
    "en": ("station '{s}' is offered {offered}: its queue grows without bound, so its waits depend on the run's "
           "length, not on a steady state", "work, and no server is ever on duty",
           "{load:.0%} of what its servers can do on average"),
    "zh": ("服务台“{s}”承接的工作量为{offered}：其队列会无限增长，等候时间取决于运行时长，而非稳态",
           "有工作量但从无服务人员在岗", "其服务人员平均处理能力的 {load:.0%}"),
}


def overload_warnings(params: NetworkParams, horizon: float, lang: str = "en") -> list[str]:
    """One line per station offered at least as much work as its servers can do, in ``lang``."""
    line, never, share = WORDS.get(lang, WORDS["en"])
    out = []
    for s, load in offered_loads(params, horizon).items():
        if load >= 1.0:
            out.append(line.format(s=s, offered=never if load == np.inf else share.format(load=load)))
    return out
