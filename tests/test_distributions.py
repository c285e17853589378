import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from govsim.distributions import Distribution
from govsim.rng import stream
from govsim.stats import t_interval

ADAPTER = TypeAdapter(Distribution)

CASES = [
    {"dist": "exponential", "mean": 3.0},
    {"dist": "deterministic", "value": 2.5},
    {"dist": "uniform", "low": 1.0, "high": 4.0},
    {"dist": "triangular", "low": 16.7, "mode": 20.5, "high": 29.2},
    {"dist": "lognormal", "mean": 12.0, "cv": 0.6},
    {"dist": "gamma", "mean": 5.0, "cv": 0.5},
    {"dist": "erlang", "mean": 4.0, "k": 3},
    {"dist": "empirical", "values": [1, 2, 2, 7]},
    {"dist": "weibull", "mean": 6.0, "cv": 0.7},
]


def assert_sample_matches(dist, x: np.ndarray) -> None:
    """Non-negative draws whose mean lies in its 99.9% interval (40 batch means) and whose
    variance is within 5% of the declared one."""
    assert x.min() >= 0
    if dist.variance() == 0:
        assert np.all(x == dist.mean())
        return
    mean, lo, hi, _ = t_interval(x.reshape(40, -1).mean(axis=1), 0.999)
    assert lo <= dist.mean() <= hi
    assert x.var() == pytest.approx(dist.variance(), rel=0.05)


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s["dist"])
def test_sample_mean_and_variance_match_the_declared_ones(spec):
    dist = ADAPTER.validate_python(spec)
    it = dist.iterator(stream(7, 0, "test"))
    assert_sample_matches(dist, np.array([next(it) for _ in range(40_000)]))


def test_lognormal_is_parameterised_by_its_own_mean_and_cv():
    dist = ADAPTER.validate_python({"dist": "lognormal", "mean": 10, "cv": 1.0})
    assert dist.mean() == 10
    assert math.isclose(dist.scv(), 1.0)


@pytest.mark.parametrize("spec", [
    {"dist": "exponential", "mean": -1},
    {"dist": "exponential", "mean": 0},
    {"dist": "uniform", "low": 3, "high": 1},
    {"dist": "triangular", "low": 1, "mode": 5, "high": 3},
    {"dist": "erlang", "mean": 2, "k": 0},
    {"dist": "erlang", "mean": 2, "k": 1.5},
    {"dist": "empirical", "values": []},
    {"dist": "empirical", "values": [1, -2]},
    {"dist": "exponential", "mean": 1, "cv": 2},
    {"dist": "weibull", "mean": 1},
    {"dist": "weibull", "mean": 1, "cv": 0},
    {"dist": "weibull", "mean": 0, "cv": 1},
])
def test_bad_parameters_are_rejected(spec):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(spec)


def test_the_same_stream_gives_the_same_draws():
    dist = ADAPTER.validate_python({"dist": "gamma", "mean": 5.0, "cv": 0.5})
    a = dist.iterator(stream(1, 3, "service:x"))
    b = dist.iterator(stream(1, 3, "service:x"))
    c = dist.iterator(stream(1, 4, "service:x"))
    first = [next(a) for _ in range(5000)]
    assert first == [next(b) for _ in range(5000)]
    assert first != [next(c) for _ in range(5000)]


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s["dist"])
def test_inverse_transform_gives_the_same_distribution(spec):
    """quantile_fn turns one uniform into a draw (used for common random numbers)."""
    dist = ADAPTER.validate_python(spec)
    q = dist.quantile_fn()
    u = stream(11, 0, "u").random(40_000)
    assert_sample_matches(dist, np.array([q(v) for v in u]))
    assert all(q(a) <= q(b) for a, b in zip(u[:200], u[1:201]) if a <= b)  # monotone


@pytest.mark.parametrize("cv", [0.3, 1.0, 2.5])
def test_weibull_is_parameterised_by_its_own_mean_and_cv(cv):
    """Its shape and scale reproduce the mean and cv (scipy's moments); cv 1 is the exponential."""
    from scipy import stats

    dist = ADAPTER.validate_python({"dist": "weibull", "mean": 8.0, "cv": cv})
    k, scale = dist.shape_scale()
    m, v = stats.weibull_min(k, scale=scale).stats("mv")
    assert math.isclose(m, 8.0, rel_tol=1e-9) and math.isclose(math.sqrt(v) / m, cv, rel_tol=1e-9)
    q = dist.quantile_fn()
    assert math.isclose(q(0.9), stats.weibull_min(k, scale=scale).ppf(0.9), rel_tol=1e-9)
    if cv == 1.0:
        assert math.isclose(q(0.9), ADAPTER.validate_python({"dist": "exponential", "mean": 8.0}).quantile_fn()(0.9))


# -- quantile_array: the vectorised quantile the populations use is quantile_fn, bit for bit --


FAMILIES = [
    {"dist": "exponential", "mean": 3.0},
    {"dist": "deterministic", "value": 2.5},
    {"dist": "uniform", "low": 1.0, "high": 4.0},
    {"dist": "uniform", "low": 2.0, "high": 2.0},
    {"dist": "triangular", "low": 16.7, "mode": 20.5, "high": 29.2},
    {"dist": "triangular", "low": 1, "mode": 1, "high": 9},
    {"dist": "triangular", "low": 1, "mode": 9, "high": 9},
    {"dist": "lognormal", "mean": 12.0, "cv": 0.6},
    {"dist": "lognormal", "mean": 0.3, "cv": 3.0},
    {"dist": "gamma", "mean": 5.0, "cv": 0.5},
    {"dist": "gamma", "mean": 5.0, "cv": 2.5},
    {"dist": "erlang", "mean": 4.0, "k": 3},
    {"dist": "erlang", "mean": 4.0, "k": 1},
    {"dist": "empirical", "values": [1, 2, 2, 7]},
    {"dist": "empirical", "values": [3.5]},
    {"dist": "weibull", "mean": 6.0, "cv": 0.7},
    {"dist": "weibull", "mean": 6.0, "cv": 0.002},
    {"dist": "weibull", "mean": 6.0, "cv": 100},
]
EDGES = [0.0, 5e-324, 1e-300, 2.0**-53, 1e-10, 0.02425, 0.075, 0.5 - 0.425, 0.5, 0.5 + 0.425, 0.925,
         0.97575, 1 - 1e-10, 1 - 2.0**-52, 1 - 2.0**-53, np.nextafter(1.0, 0.0)]


def uniforms():
    rng = np.random.default_rng(2024)
    tiny = 10.0 ** rng.uniform(-300, -1, 5_000)  # both tails, where the formulas change
    u = np.concatenate([EDGES, rng.random(50_000), tiny, 1 - tiny])
    u = u[u < 1]  # random() never gives 1
    return u[: len(u) // 4 * 4]


@pytest.mark.parametrize("spec", FAMILIES, ids=lambda s: s["dist"])
def test_quantile_array_is_quantile_fn_bit_for_bit(spec):
    dist, u = ADAPTER.validate_python(spec), uniforms()
    q = dist.quantile_fn()
    scalar = np.array([q(x) for x in u.tolist()])
    vector = dist.quantile_array(u)
    assert vector.dtype == np.float64 and vector.shape == u.shape
    assert np.array_equal(vector.view(np.uint64), scalar.view(np.uint64))  # bits, -0.0 included
    assert np.array_equal(dist.quantile_array(u.reshape(-1, 4)), vector.reshape(-1, 4))
