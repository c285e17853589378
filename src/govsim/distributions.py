"""Distributions built from scenario dicts such as ``{dist: lognormal, mean: 12, cv: 0.6}``.

Each is a validated pydantic model that knows its mean and variance (for analytic
checks) and turns a random stream into an endless iterator of draws.  All values
are durations in minutes, so none may be negative.
"""
from __future__ import annotations

import math
import operator
import statistics
from itertools import repeat
from statistics import NormalDist
from typing import Annotated, Callable, Iterator, Literal, Union

import numpy as np
from scipy.special import gammaincinv, gammaln
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, model_validator

from .rng import blocks

NonNegFloat = Annotated[float, Field(ge=0)]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def mean(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def variance(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def scv(self) -> float:
        """Squared coefficient of variation."""
        m = self.mean()
        return self.variance() / (m * m) if m > 0 else 0.0

    def draw_block(self, gen: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def iterator(self, gen: np.random.Generator) -> Iterator[float]:
        return blocks(lambda n: self.draw_block(gen, n))

    def quantile_fn(self) -> Callable[[float], float]:  # pragma: no cover - abstract
        """``u -> F^-1(u)`` for u in [0, 1): inverse-transform sampling, so that one
        uniform drawn for a customer's visit gives its service time at whichever
        station a policy sends it to (common random numbers across routings)."""
        raise NotImplementedError

    def quantile_array(self, u: np.ndarray) -> np.ndarray:
        """``quantile_fn`` at every uniform of ``u`` at once, bit for bit the same floats
        (a family without a faster way maps its scalar quantile)."""
        return _each(self.quantile_fn(), u)


def _each(fn: Callable[..., float], x: np.ndarray, *args: float) -> np.ndarray:
    """``fn(value, *args)`` for every value of ``x``, in C through ``map``.  The quantiles
    call Python's ``math`` (the platform's libm) element by element because numpy's own
    log1p, exp and pow may round differently in the last bit (SIMD code), and vectorised
    values must equal ``quantile_fn``'s."""
    values = map(fn, x.ravel().tolist(), *(repeat(a) for a in args))
    return np.fromiter(values, float, x.size).reshape(x.shape)


# The standard normal quantile that NormalDist().inv_cdf(p) returns (mu 0, sigma 1),
# called without the method's overhead; the public method where the private name is gone.
_std_normal_inv_cdf = getattr(statistics, "_normal_dist_inv_cdf", None)


class Exponential(_Dist):
    dist: Literal["exponential"]
    mean_: PositiveFloat = Field(alias="mean")

    def mean(self):
        return self.mean_

    def variance(self):
        return self.mean_**2

    def draw_block(self, gen, n):
        return gen.exponential(self.mean_, n)

    def quantile_fn(self):
        m = self.mean_
        return lambda u: -m * math.log1p(-u)

    def quantile_array(self, u):
        return -self.mean_ * _each(math.log1p, -u)


class Deterministic(_Dist):
    dist: Literal["deterministic"]
    value: NonNegFloat

    def mean(self):
        return self.value

    def variance(self):
        return 0.0

    def draw_block(self, gen, n):
        return np.full(n, self.value)

    def quantile_fn(self):
        v = self.value
        return lambda u: v

    def quantile_array(self, u):
        return np.full(np.shape(u), self.value)


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: NonNegFloat
    high: NonNegFloat

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError("high must be at least low")
        return self

    def mean(self):
        return (self.low + self.high) / 2

    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def draw_block(self, gen, n):
        return gen.uniform(self.low, self.high, n)

    def quantile_fn(self):
        a, w = self.low, self.high - self.low
        return lambda u: a + w * u

    def quantile_array(self, u):
        a, w = self.low, self.high - self.low
        return a + w * u


class Triangular(_Dist):
    dist: Literal["triangular"]
    low: NonNegFloat
    mode: NonNegFloat
    high: NonNegFloat

    @model_validator(mode="after")
    def _order(self):
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError("need low <= mode <= high and low < high")
        return self

    def mean(self):
        return (self.low + self.mode + self.high) / 3

    def variance(self):
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def draw_block(self, gen, n):
        return gen.triangular(self.low, self.mode, self.high, n)

    def quantile_fn(self):
        a, c, b = self.low, self.mode, self.high
        cut = (c - a) / (b - a)
        left, right = (b - a) * (c - a), (b - a) * (b - c)
        return lambda u: a + math.sqrt(u * left) if u < cut else b - math.sqrt((1 - u) * right)

    def quantile_array(self, u):
        # sqrt is correctly rounded everywhere (IEEE 754), so numpy's equals math's
        a, c, b = self.low, self.mode, self.high
        cut = (c - a) / (b - a)
        left, right = (b - a) * (c - a), (b - a) * (b - c)
        return np.where(u < cut, a + np.sqrt(u * left), b - np.sqrt((1 - u) * right))


class Lognormal(_Dist):
    """Parameterised by its own mean and coefficient of variation, as planners quote them."""

    dist: Literal["lognormal"]
    mean_: PositiveFloat = Field(alias="mean")
    cv: PositiveFloat

    def mean(self):
        return self.mean_

    def variance(self):
        return (self.cv * self.mean_) ** 2

    def draw_block(self, gen, n):
        s2 = math.log1p(self.cv**2)
        return gen.lognormal(math.log(self.mean_) - s2 / 2, math.sqrt(s2), n)

    def quantile_fn(self):
        s2 = math.log1p(self.cv**2)
        mu, s, inv = math.log(self.mean_) - s2 / 2, math.sqrt(s2), NormalDist().inv_cdf
        return lambda u: math.exp(mu + s * inv(u if u > 0 else 5e-324))

    def quantile_array(self, u):
        s2 = math.log1p(self.cv**2)
        mu, s = math.log(self.mean_) - s2 / 2, math.sqrt(s2)
        p = np.where(u > 0, u, 5e-324)
        if _std_normal_inv_cdf is None:  # pragma: no cover - a Python without the private helper
            z = _each(NormalDist().inv_cdf, p)
        else:
            z = _each(_std_normal_inv_cdf, p, 0.0, 1.0)
        return _each(math.exp, mu + s * z)


class Gamma(_Dist):
    dist: Literal["gamma"]
    mean_: PositiveFloat = Field(alias="mean")
    cv: PositiveFloat

    def mean(self):
        return self.mean_

    def variance(self):
        return (self.cv * self.mean_) ** 2

    def draw_block(self, gen, n):
        return gen.gamma(1 / self.cv**2, self.mean_ * self.cv**2, n)

    def quantile_fn(self):
        k, scale = 1 / self.cv**2, self.mean_ * self.cv**2
        return lambda u: float(gammaincinv(k, u)) * scale

    def quantile_array(self, u):  # the same ufunc loop as one value at a time
        return gammaincinv(1 / self.cv**2, u) * (self.mean_ * self.cv**2)


class Erlang(_Dist):
    dist: Literal["erlang"]
    mean_: PositiveFloat = Field(alias="mean")
    k: Annotated[int, Field(ge=1, strict=True)]

    def mean(self):
        return self.mean_

    def variance(self):
        return self.mean_**2 / self.k

    def draw_block(self, gen, n):
        return gen.gamma(self.k, self.mean_ / self.k, n)

    def quantile_fn(self):
        k, scale = self.k, self.mean_ / self.k
        return lambda u: float(gammaincinv(k, u)) * scale

    def quantile_array(self, u):
        return gammaincinv(self.k, u) * (self.mean_ / self.k)


class Empirical(_Dist):
    """Resamples the listed observations with equal weight."""

    dist: Literal["empirical"]
    values: Annotated[list[NonNegFloat], Field(min_length=1)]

    def mean(self):
        return float(np.mean(self.values))

    def variance(self):
        return float(np.var(self.values))

    def draw_block(self, gen, n):
        return gen.choice(np.asarray(self.values, dtype=float), n)

    def quantile_fn(self):
        values = sorted(self.values)
        n = len(values)
        return lambda u: values[int(u * n)]

    def quantile_array(self, u):
        values = np.array(sorted(self.values), dtype=float)
        return values[(u * len(values)).astype(np.intp)]  # truncation, as int() does


class Weibull(_Dist):
    """Parameterised by its own mean and coefficient of variation, like lognormal and
    gamma, so that a planner edits every family the same way; the shape follows from
    the cv (cv 1 is the exponential)."""

    dist: Literal["weibull"]
    mean_: PositiveFloat = Field(alias="mean")
    cv: Annotated[float, Field(ge=0.002, le=100)]  # shapes 0.13 to 640: beyond, no plausible duration

    def shape_scale(self) -> tuple[float, float]:
        k = weibull_shape(self.cv)
        return k, self.mean_ / math.exp(gammaln(1 + 1 / k))

    def mean(self):
        return self.mean_

    def variance(self):
        return (self.cv * self.mean_) ** 2

    def draw_block(self, gen, n):
        k, scale = self.shape_scale()
        return scale * gen.weibull(k, n)

    def quantile_fn(self):
        k, scale = self.shape_scale()
        inv = 1 / k
        return lambda u: scale * (-math.log1p(-u)) ** inv

    def quantile_array(self, u):
        k, scale = self.shape_scale()
        return scale * _each(operator.pow, -_each(math.log1p, -u), 1 / k)


def weibull_shape(cv: float) -> float:
    """The Weibull shape k whose coefficient of variation is ``cv`` (cv falls as k rises)."""
    from scipy.optimize import brentq  # here: importing scipy.optimize takes 0.2 s, and few scenarios use a Weibull

    target = math.log1p(cv * cv)

    def gap(log_k):
        k = math.exp(log_k)
        return gammaln(1 + 2 / k) - 2 * gammaln(1 + 1 / k) - target

    return math.exp(brentq(gap, math.log(0.1), math.log(1000.0), xtol=1e-12))


Distribution = Annotated[
    Union[Exponential, Deterministic, Uniform, Triangular, Lognormal, Gamma, Erlang, Empirical, Weibull],
    Field(discriminator="dist"),
]

DIST_NAMES = ["exponential", "deterministic", "uniform", "triangular", "lognormal", "gamma", "erlang", "empirical", "weibull"]
