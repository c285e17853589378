"""Service times (finished - called) per class: the four families by maximum
likelihood, ranked by AIC; too few served tickets and the class takes its station's
fit over every matter (``default`` in the scenario)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from .families import FAMILIES
from .mle import Exact, Fit, Rounded, choose, rank, weighted

MIN_SERVED = 10
MIN_DISTINCT = 3  # fewer distinct durations cannot tell a shape: exponential only


@dataclass
class ServiceFit:
    fits: list[Fit]  # best AIC first
    chosen: Fit
    minutes: np.ndarray  # the durations fitted (for the report's histogram and QQ plot)
    rounded: bool  # time stamps to the minute: the rounded likelihood


def fit_service(minutes: np.ndarray, resolution_s: int) -> Optional[ServiceFit]:
    if len(minutes) < MIN_SERVED:
        return None
    rounded = resolution_s >= 60
    v, w = weighted(minutes)
    data = Rounded(v, w, resolution_s / 60) if rounded else Exact(v, w)
    families = FAMILIES if len(v) >= MIN_DISTINCT else ("exponential",)
    fits = rank(data, families)
    return ServiceFit(fits, choose(fits), minutes, rounded)
