"""govsim.arrivals: renewal streams (gaps from a distribution) and thinned streams
(a rate per hour of a repeating profile).  Counts are checked against the rate within
a 95% interval over independent days or streams."""
from __future__ import annotations

from itertools import islice, takewhile

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from govsim.arrivals import ArrivalSpec, RateProfile, arrival_times
from govsim.calendar import DAY
from govsim.rng import stream
from govsim.stats import t_interval

SPEC = TypeAdapter(ArrivalSpec)


def times(spec, rep: int, until: float) -> np.ndarray:
    it = arrival_times(SPEC.validate_python(spec), stream(1, rep, "arrivals"), stream(1, rep, "thinning"))
    return np.array(list(takewhile(lambda t: t < until, it)))


def test_deterministic_gaps_give_exact_times():
    it = arrival_times(SPEC.validate_python({"dist": "deterministic", "value": 2.5}), None, None)
    assert list(islice(it, 4)) == [2.5, 5.0, 7.5, 10.0]


def test_renewal_count_matches_the_rate():
    """Exponential gaps of mean 2 min: 300 arrivals expected in 600 min, per stream."""
    counts = [len(times({"dist": "exponential", "mean": 2.0}, rep, 600.0)) for rep in range(40)]
    _, lo, hi, _ = t_interval(counts)
    assert lo <= 600.0 / 2.0 <= hi


def test_renewal_times_increase():
    t = times({"dist": "lognormal", "mean": 1.0, "cv": 2.0}, 0, 500.0)
    assert len(t) > 100 and (np.diff(t) > 0).all()


RATES = [0.0] * 8 + [30.0] * 4 + [0.0] * 2 + [90.0] * 3 + [0.0] * 7  # per hour, from midnight


def test_thinned_counts_per_hour_match_the_profile():
    days = 60
    t = times({"rate_per_hour": RATES}, 0, days * DAY)
    per_day_hour = np.zeros((days, 24))
    np.add.at(per_day_hour, ((t // DAY).astype(int), ((t % DAY) // 60).astype(int)), 1)
    # one 99.9% statement over all the open hours together (Bonferroni): six 95% intervals
    # miss one about a quarter of the time, while a fault in thinning (an hour shifted,
    # a wrong acceptance) moves an hour's count by tens of its standard errors
    confidence = 1 - 0.001 / sum(r > 0 for r in RATES)
    for hour, rate in enumerate(RATES):
        if rate == 0:
            assert per_day_hour[:, hour].sum() == 0, hour  # closed hours have nobody, ever
        else:
            _, lo, hi, _ = t_interval(per_day_hour[:, hour], confidence)
            assert lo <= rate <= hi, (hour, lo, hi)


def test_a_shorter_profile_repeats_over_its_own_period():
    """Two entries: 60 an hour in the first hour, none in the second, every two hours."""
    t = times({"rate_per_hour": [60.0, 0.0]}, 0, 200 * 120.0)
    assert ((t % 120.0) < 60.0).all()
    per_period = np.bincount((t // 120.0).astype(int), minlength=200)
    _, lo, hi, _ = t_interval(per_period)
    assert lo <= 60.0 <= hi


def test_a_profile_needs_some_arrivals():
    with pytest.raises(ValidationError, match="at least one hour needs a rate above 0"):
        RateProfile(rate_per_hour=[0.0, 0.0])
    assert RateProfile(rate_per_hour=[30.0, 90.0]).mean_rate_per_min() == 1.0
