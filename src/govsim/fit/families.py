"""The four candidate families, each by its own mean and cv (as govsim's scenarios
write them): scipy distributions, closed-form or one-dimensional maximum-likelihood
estimates from weighted data, and the integrated distribution and survival functions
that rounded time stamps call for.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

from ..distributions import weibull_shape

FAMILIES = ("exponential", "lognormal", "gamma", "weibull")
N_PARAMS = {"exponential": 1, "lognormal": 2, "gamma": 2, "weibull": 2}


def _weibull_cv(k: float) -> float:
    return math.sqrt(math.expm1(special.gammaln(1 + 2 / k) - 2 * special.gammaln(1 + 1 / k)))


def frozen(family: str, mean: float, cv: float = 1.0):
    """The scipy distribution with this mean and cv (cv ignored for the exponential)."""
    if family == "exponential":
        return stats.expon(scale=mean)
    if family == "lognormal":
        s2 = math.log1p(cv * cv)
        return stats.lognorm(math.sqrt(s2), scale=mean * math.exp(-s2 / 2))
    if family == "gamma":
        return stats.gamma(1 / cv**2, scale=mean * cv**2)
    k = weibull_shape(cv)
    return stats.weibull_min(k, scale=mean / math.exp(special.gammaln(1 + 1 / k)))


def mle_complete(family: str, x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood (mean, cv) from positive values ``x`` seen ``w`` times each."""
    n = w.sum()
    m = float(np.dot(w, x) / n)
    if family == "exponential":
        return m, 1.0
    lx = np.log(x)
    ml = float(np.dot(w, lx) / n)
    if family == "lognormal":
        s2 = float(np.dot(w, (lx - ml) ** 2) / n)
        return math.exp(ml + s2 / 2), math.sqrt(math.expm1(s2))
    if family == "gamma":  # log a - digamma(a) = log(mean) - mean(log x)
        s = max(math.log(m) - ml, 1e-12)
        a = optimize.brentq(lambda a: math.log(a) - special.digamma(a) - s, 1e-6, 1e8)
        return m, 1 / math.sqrt(a)
    top = lx.max()  # Weibull: the shape solves the profile score; values scaled for overflow

    def score(k):
        e = w * np.exp(k * (lx - top))
        return 1 / k + ml - float(np.dot(e, lx) / e.sum())

    lo, hi = 0.13, 640.0  # the shapes distributions.Weibull accepts
    k = lo if score(lo) < 0 else hi if score(hi) > 0 else optimize.brentq(score, lo, hi, xtol=1e-12)
    scale = math.exp(top) * float(np.dot(w, np.exp(k * (lx - top))) / n) ** (1 / k)
    return scale * math.exp(special.gammaln(1 + 1 / k)), _weibull_cv(k)


def _tails(family: str, mean: float, cv: float, x: np.ndarray):
    """F, S and the partial means below and above x (for x > 0)."""
    if family in ("exponential", "gamma"):
        a = 1.0 if family == "exponential" else 1 / cv**2
        z = x / (mean / a)
        return (special.gammainc(a, z), special.gammaincc(a, z),
                mean * special.gammainc(a + 1, z), mean * special.gammaincc(a + 1, z))
    if family == "lognormal":
        s = math.sqrt(math.log1p(cv * cv))
        mu = math.log(mean) - s * s / 2
        u = (np.log(x) - mu) / s
        return special.ndtr(u), special.ndtr(-u), mean * special.ndtr(u - s), mean * special.ndtr(s - u)
    k = weibull_shape(cv)
    z = (x / (mean / math.exp(special.gammaln(1 + 1 / k)))) ** k
    return -np.expm1(-z), np.exp(-z), mean * special.gammainc(1 + 1 / k, z), mean * special.gammaincc(1 + 1 / k, z)


def rounded_probabilities(family: str, mean: float, cv: float, d: np.ndarray, r: float) -> np.ndarray:
    """P(a duration reads d) when both its ends were cut down to a multiple of r (time
    stamps to the minute): the second difference of the integrated distribution
    function, [G(d+r) - 2G(d) + G(d-r)] / r with G(x) = integral of F from 0 to x.
    Below the mean G itself is used, above it the integral of the survival function
    H = G - x + mean, each where it does not lose digits."""
    pts = np.concatenate([d - r, d, d + r])
    pos = np.maximum(pts, 1e-300)
    f, s, low, high = _tails(family, mean, cv, pos)
    g = np.where(pts > 0, pts * f - low, 0.0)
    h = np.where(pts > 0, high - pts * s, mean - pts)
    n = len(d)
    second = lambda v: v[2 * n:] - 2 * v[n:2 * n] + v[:n]  # noqa: E731
    return np.maximum(np.where(d < mean, second(g), second(h)) / r, 1e-300)


def _second_tails(family: str, mean: float, cv: float, x: np.ndarray):
    """E[T^2] and its parts below and above x (for x > 0): each family's T^2 has the
    partial moments of its own kind, one order up from ``_tails``."""
    if family in ("exponential", "gamma"):
        a = 1.0 if family == "exponential" else 1 / cv**2
        m2 = mean * mean * (a + 1) / a
        z = x / (mean / a)
        return m2, m2 * special.gammainc(a + 2, z), m2 * special.gammaincc(a + 2, z)
    if family == "lognormal":
        s = math.sqrt(math.log1p(cv * cv))
        u = (np.log(x) - (math.log(mean) - s * s / 2)) / s
        m2 = mean * mean * (1 + cv * cv)
        return m2, m2 * special.ndtr(u - 2 * s), m2 * special.ndtr(2 * s - u)
    k = weibull_shape(cv)
    lam = mean / math.exp(special.gammaln(1 + 1 / k))
    m2 = lam * lam * math.exp(special.gammaln(1 + 2 / k))
    z = (x / lam) ** k
    return m2, m2 * special.gammainc(1 + 2 / k, z), m2 * special.gammaincc(1 + 2 / k, z)


def rounded_survival(family: str, mean: float, cv: float, w: np.ndarray, r: float) -> np.ndarray:
    """P(patience outlasts a wait that read w) when both ends of the wait were cut down to
    a multiple of r: the survival function averaged over where such a wait ends, a
    triangle from w - r to w + r (the start's phase uniform, the waits' density flat over
    it).  That is the second difference of a second integral of S, over r squared: below
    the mean the one from 0, x^2 S/2 + x E[T; T<x] - E[T^2; T<x]/2, above it the one from
    infinity, E[(T - x)+^2]/2 (as ``rounded_probabilities``, each where it keeps its digits;
    for x <= 0, S is 1)."""
    pts = np.concatenate([w - r, w, w + r])
    pos = np.maximum(pts, 1e-300)
    _, s, low, high = _tails(family, mean, cv, pos)
    m2, low2, high2 = _second_tails(family, mean, cv, pos)
    from_zero = np.where(pts > 0, pts * pts * s / 2 + pts * low - low2 / 2, pts * pts / 2)
    to_infinity = np.where(pts > 0, high2 / 2 - pts * high + pts * pts * s / 2, m2 / 2 - pts * mean + pts * pts / 2)
    n = len(w)
    second = lambda v: v[2 * n:] - 2 * v[n:2 * n] + v[:n]  # noqa: E731
    return np.maximum(np.where(w < mean, second(from_zero), second(to_infinity)) / (r * r), 1e-300)


def log_pdf_sf(family: str, mean: float, cv: float, x: np.ndarray, lx: np.ndarray, want_sf: bool):
    """log density (or log survival, ``want_sf``) at x > 0 with lx = log x: written out,
    as scipy.stats' general machinery costs more than the sums in a fit's inner loop."""
    if family == "exponential":
        return -x / mean if want_sf else -math.log(mean) - x / mean
    if family == "lognormal":
        s = math.sqrt(math.log1p(cv * cv))
        mu = math.log(mean) - s * s / 2
        z = (lx - mu) / s
        return special.log_ndtr(-z) if want_sf else -lx - math.log(s * math.sqrt(2 * math.pi)) - z * z / 2
    if family == "gamma":
        a = 1 / cv**2
        theta = mean / a
        if want_sf:
            with np.errstate(divide="ignore"):
                return np.log(special.gammaincc(a, x / theta))
        return (a - 1) * lx - x / theta - special.gammaln(a) - a * math.log(theta)
    k = weibull_shape(cv)
    lam = mean / math.exp(special.gammaln(1 + 1 / k))
    z = np.exp(k * (lx - math.log(lam)))
    return -z if want_sf else math.log(k / lam) + (k - 1) * (lx - math.log(lam)) - z
