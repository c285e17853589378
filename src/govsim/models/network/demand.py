"""Arrivals with demand factors by day (weekday and month), drawn so that common random
numbers hold across policies that change the factors.

- A class whose gaps follow a distribution (a renewal process) runs on *operational
  time*: its arrival epochs are drawn as given and each is moved to the calendar time
  at which the integrated factor reaches it, so a day with factor 1.3 packs 1.3 days'
  worth of arrivals.  The same customers come, in the same order, with the same draws;
  only their times move (a Poisson process becomes one with rate x factor, exactly).
- A class with an hourly rate profile keeps Lewis-Shedler thinning, on the Poisson
  plane: layer j (its own pair of streams) offers candidates at the peak rate, each
  kept when its uniform u has j + u < rate(t) x factor / peak.  Layer 0 is the profile
  as given (the same streams and draws); a factor below 1 keeps a subset of those
  customers, one above 1 adds customers from further layers.  More demand is then a
  superset of less, customer for customer.

Every day's factor 1 gives the arrivals as given, draw for draw (no factors at all).
"""
from __future__ import annotations

import heapq
import math
from typing import Iterator, Optional

import numpy as np

from ...arrivals import RateProfile, arrival_times
from ...calendar import DAY
from ...rng import BLOCK, Streams


def class_arrivals(spec, streams: Streams, cname: str, factors: Optional[list[float]]) -> Iterator[float]:
    """Arrival times of class ``cname``; ``factors``: each day's demand factor, or None."""
    gen, thin = streams.get(f"arrivals:{cname}"), streams.get(f"arrivals-thinning:{cname}")
    if factors is None:
        return arrival_times(spec, gen, thin)
    if isinstance(spec, RateProfile):
        layers = [_layer(spec, gen, thin, factors, 0)]
        for j in range(1, max(1, math.ceil(max(factors)))):
            layers.append(_layer(spec, streams.get(f"arrivals-layer:{cname}:{j}"),
                                 streams.get(f"arrivals-layer-thinning:{cname}:{j}"), factors, j))
        return layers[0] if len(layers) == 1 else heapq.merge(*layers)
    return _operational_time(arrival_times(spec, gen, thin), factors)


def _factor(factors: list[float], day: int) -> float:
    # past the run's last day (only the arrival after the horizon gets there): as given
    return factors[day] if day < len(factors) else 1.0


def _layer(profile: RateProfile, gen, thin_gen, factors: list[float], j: int) -> Iterator[float]:
    """Candidates at the profile's peak rate, kept when j + u < rate(t) factor(day) / peak;
    a block of candidates at a time (the gaps and uniforms in the order drawn)."""
    rates = np.asarray(profile.rate_per_hour, dtype=float) / 60.0  # per minute
    period, peak = 60.0 * len(rates), float(rates.max())
    accept = rates / peak
    by_day = np.asarray(list(factors) + [1.0])  # past the run's last day: as given
    end = len(factors) * DAY  # there layer 0 goes on, the others end
    t = 0.0
    while True:
        times = np.cumsum(np.concatenate(([t], gen.exponential(1.0 / peak, BLOCK))))[1:]
        u = thin_gen.random(BLOCK)
        t = float(times[-1])
        hour = np.minimum((times % period) // 60.0, len(rates) - 1).astype(np.int64)  # edge of the period
        day = np.minimum(times // DAY, len(factors)).astype(np.int64)
        keep = u + j < accept[hour] * by_day[day]
        if j:
            keep &= times < end
        yield from times[keep].tolist()
        if j and t >= end:
            return


def _operational_time(epochs: Iterator[float], factors: list[float]) -> Iterator[float]:
    """Each epoch tau moved to the calendar time t where the integral of the day factors
    from 0 to t reaches tau (days with factor 0 are skipped)."""
    day, start, f = 0, 0.0, _factor(factors, 0)  # start: the integral up to this day's midnight
    for tau in epochs:
        while f == 0.0 or tau > start + f * DAY:
            start += f * DAY
            day += 1
            f = _factor(factors, day)
        yield day * DAY + (tau - start) / f
