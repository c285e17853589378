"""Arrival processes: renewal streams and piecewise-constant daily rate profiles.

Each process is an endless iterator of absolute arrival times in minutes, so a
model only ever asks "when is the next one?".
"""
from __future__ import annotations

from typing import Annotated, Iterator, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from .distributions import Distribution
from .rng import blocks

NonNegFloat = Annotated[float, Field(ge=0)]


class RateProfile(BaseModel):
    """Arrivals per hour, one entry per hour from midnight; the profile repeats
    every ``len(rate_per_hour)`` hours (24 entries make a daily profile)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rate_per_hour: Annotated[list[NonNegFloat], Field(min_length=1)]

    @model_validator(mode="after")
    def _some_arrivals(self):
        if max(self.rate_per_hour) <= 0:
            raise ValueError("at least one hour needs a rate above 0")
        return self

    def mean_rate_per_min(self) -> float:
        return float(np.mean(self.rate_per_hour)) / 60.0


def _arrival_kind(value) -> str:
    if isinstance(value, dict):
        return "rate profile" if "rate_per_hour" in value else "gap distribution"
    if isinstance(value, RateProfile):
        return "rate profile"
    return "gap distribution"


ArrivalSpec = Annotated[
    Union[Annotated[Distribution, Tag("gap distribution")], Annotated[RateProfile, Tag("rate profile")]],
    Discriminator(_arrival_kind),
]


def arrival_times(spec, gen: np.random.Generator, thin_gen: np.random.Generator) -> Iterator[float]:
    """Absolute arrival times from ``spec`` (a distribution of gaps or a RateProfile)."""
    if isinstance(spec, RateProfile):
        return _thinned(spec, gen, thin_gen)
    return _renewal(spec.iterator(gen))


def _renewal(gaps: Iterator[float]) -> Iterator[float]:
    t = 0.0
    for gap in gaps:
        t += gap
        yield t


def _thinned(profile: RateProfile, gen, thin_gen) -> Iterator[float]:
    """Lewis–Shedler thinning: candidates at the peak rate, each kept with
    probability rate(t)/peak."""
    rates = np.asarray(profile.rate_per_hour, dtype=float) / 60.0  # per minute
    period = 60.0 * len(rates)
    peak = float(rates.max())
    accept = (rates / peak).tolist()
    n_hours = len(rates)
    gaps = blocks(lambda n: gen.exponential(1.0 / peak, n))
    u = blocks(lambda n: thin_gen.random(n))
    t = 0.0
    for gap in gaps:
        t += gap
        hour = int((t % period) // 60.0)
        if hour >= n_hours:  # floating-point edge at the end of the period
            hour = n_hours - 1
        if next(u) < accept[hour]:
            yield t
