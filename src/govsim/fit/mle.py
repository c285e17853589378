"""Maximum likelihood over the four families, ranked by AIC.

Four kinds of data: durations read exactly (time stamps to the second), durations
read from time stamps cut to the minute (``rounded_probabilities``), censored times
(patience: an abandon is seen exactly, a served visitor's wait only says its patience
was longer), and censored times read from time stamps cut to the minute
(``rounded_survival`` too).  All data
come as distinct values with counts, so a million rows cost what a few thousand do.
Standard errors come from the observed information (a numerical Hessian of the
log-likelihood in log mean and log cv, turned into mean and cv by the delta method).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from scipy import optimize, stats

from .families import FAMILIES, N_PARAMS, frozen, log_pdf_sf, mle_complete, rounded_probabilities, rounded_survival

SIMPLER_WITHIN = 2.0  # AIC units: a difference below this is no real support (Burnham & Anderson)
CV_RANGE = (0.002, 100.0)  # as distributions.Weibull accepts
STEP = 1e-3  # of the numerical Hessian, in log mean and log cv
KS_EXACT_UP_TO = 10_000


@dataclass
class Fit:
    family: str
    mean: float
    cv: float
    loglik: float
    n: int
    cov: np.ndarray  # of (mean, cv); 1 x 1 (mean) for the exponential
    gof: str = ""  # which goodness-of-fit statistic
    gof_stat: float = math.nan
    gof_p: float = math.nan

    @property
    def k(self) -> int:
        return N_PARAMS[self.family]

    @property
    def aic(self) -> float:
        return 2 * self.k - 2 * self.loglik

    @property
    def se(self) -> tuple[float, float]:
        d = np.sqrt(np.maximum(np.diag(self.cov), 0))
        return float(d[0]), float(d[1]) if len(d) > 1 else 0.0

    def dist(self):
        return frozen(self.family, self.mean, self.cv)

    def spec(self) -> dict:
        """As a scenario writes it."""
        out = {"dist": self.family, "mean": self.mean}
        if self.family != "exponential":
            out["cv"] = self.cv
        return out


def _params(family: str, theta) -> tuple[float, float]:
    mean = math.exp(theta[0])
    cv = 1.0 if family == "exponential" else min(max(math.exp(theta[1]), CV_RANGE[0]), CV_RANGE[1])
    return mean, cv


def _theta(family: str, mean: float, cv: float) -> np.ndarray:
    return np.array([math.log(mean)] if family == "exponential" else [math.log(mean), math.log(cv)])


def _hessian(f: Callable, x: np.ndarray) -> np.ndarray:
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            e_i, e_j = np.eye(n)[i] * STEP, np.eye(n)[j] * STEP
            h[i, j] = h[j, i] = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)) / (4 * STEP**2)
    return h


class Likelihood:
    """Data for the fits: subclasses give the negative log-likelihood and a start."""

    n: int

    def nll(self, family: str, mean: float, cv: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def start(self, family: str) -> tuple[float, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def exact_mle(self) -> bool:
        return False

    def gof(self, fit: Fit) -> tuple[str, float, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, family: str) -> Fit:
        f = lambda th: self.nll(family, *_params(family, th))  # noqa: E731
        theta = _theta(family, *self.start(family))
        if not self.exact_mle():
            theta = optimize.minimize(f, theta, method="Nelder-Mead",
                                      options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 2000}).x
        mean, cv = _params(family, theta)
        jac = np.diag([mean, cv][: len(theta)])
        try:
            cov = jac @ np.linalg.inv(_hessian(f, theta)) @ jac
        except np.linalg.LinAlgError:
            cov = np.full((len(theta), len(theta)), np.nan)
        out = Fit(family, mean, cv, -f(theta), self.n, cov)
        out.gof, out.gof_stat, out.gof_p = self.gof(out)
        return out


class Exact(Likelihood):
    """Positive durations read exactly, ``x`` seen ``w`` times each; the MLE is closed
    form or one-dimensional (``families.mle_complete``); goodness of fit by
    Kolmogorov–Smirnov (its p-value is optimistic, the parameters being estimated)."""

    def __init__(self, x: np.ndarray, w: np.ndarray):
        self.x, self.w, self.n = x, w, int(w.sum())
        self.lx = np.log(x)

    def exact_mle(self) -> bool:
        return True

    def start(self, family):
        return mle_complete(family, self.x, self.w)

    def nll(self, family, mean, cv):
        return -float(np.dot(self.w, log_pdf_sf(family, mean, cv, self.x, self.lx, False)))

    def gof(self, fit):
        cdf = fit.dist().cdf(self.x)
        ecdf = np.cumsum(self.w) / self.n
        d = max(float(np.max(ecdf - cdf)), float(np.max(cdf - np.concatenate([[0.0], ecdf[:-1]]))))
        exact_p = self.n <= KS_EXACT_UP_TO  # beyond, the asymptotic law (the exact one is slow and no different)
        return "Kolmogorov-Smirnov D", d, float(stats.kstwo.sf(d, self.n) if exact_p else stats.kstwobign.sf(d * math.sqrt(self.n)))


class Rounded(Likelihood):
    """Durations read from time stamps cut to a multiple of ``r`` minutes: ``d`` seen
    ``w`` times each, zeros included; goodness of fit by chi-square over the values read."""

    def __init__(self, d: np.ndarray, w: np.ndarray, r: float):
        self.d, self.w, self.r, self.n = d, w, r, int(w.sum())

    def start(self, family):
        return mle_complete(family, np.maximum(self.d, self.r / 2), self.w)

    def nll(self, family, mean, cv):
        return -float(np.dot(self.w, np.log(rounded_probabilities(family, mean, cv, self.d, self.r))))

    def gof(self, fit):
        expected = self.n * rounded_probabilities(fit.family, fit.mean, fit.cv, self.d, self.r)
        seen = self.w.astype(float)
        obs, exp, acc_o, acc_e = [], [], 0.0, 0.0
        for o, e in zip(seen, expected):  # merge neighbours until each bin expects at least 5
            acc_o, acc_e = acc_o + o, acc_e + e
            if acc_e >= 5:
                obs.append(acc_o); exp.append(acc_e)
                acc_o = acc_e = 0.0
        if obs:
            obs[-1] += acc_o
            exp[-1] += acc_e + max(self.n - sum(exp) - acc_e, 0.0)  # the tail beyond the largest value read
        df = len(obs) - 1 - fit.k
        if df < 1:
            return "chi-square", math.nan, math.nan
        chi2 = float(np.sum((np.array(obs) - exp) ** 2 / np.array(exp)))
        return "chi-square", chi2, float(stats.chi2.sf(chi2, df))


class Censored(Likelihood):
    """Patience: ``exact`` times seen (left unserved) and ``right`` lower bounds (served,
    or sent home, after that wait), each as (values, counts); ``batch``: how many of the
    right-censored were sent home."""

    def __init__(self, exact, right, batch: int = 0):
        self.exact, self.right, self.batch = exact, right, batch
        self.n = int(exact[1].sum())  # events; the censored add information, not events
        self.logs = (np.log(exact[0]), np.log(right[0]))

    def start(self, family):
        total = sum(float(np.dot(v, w)) for v, w in (self.exact, self.right))
        mean = total / max(self.n, 1)
        if family == "exponential" or len(self.exact[0]) < 2:
            return mean, 1.0
        return mean, mle_complete(family, *self.exact)[1]

    def nll(self, family, mean, cv):
        out = 0.0
        for (v, w), lv, sf in ((self.exact, self.logs[0], False), (self.right, self.logs[1], True)):
            if len(v):
                out += float(np.dot(w, log_pdf_sf(family, mean, cv, v, lv, sf)))
        return -out if math.isfinite(out) else 1e300

    def gof(self, fit):
        t, s = kaplan_meier(self.exact, self.right)
        if not len(t):
            return "largest gap to Kaplan-Meier", math.nan, math.nan
        return "largest gap to Kaplan-Meier", float(np.max(np.abs(s - fit.dist().sf(t)))), math.nan


class RoundedCensored(Censored):
    """Patience from time stamps cut to a multiple of ``r`` minutes: an abandon read as d
    (``exact`` holds the reads, zeros included) lies somewhere in d - r to d + r, as a
    rounded service time does (``rounded_probabilities``); a wait read as w > 0 says the
    patience outlasted a wait somewhere in w - r to w + r (``rounded_survival``).  Read
    as exact, short abandons mislead: a 0 is read half as often as a 1 (only a patience
    below r can read 0, and not always), a hazard that seems to start low, which a
    lognormal of huge cv fits best."""

    def __init__(self, exact, right, batch: int, r: float):
        self.exact, self.right, self.batch, self.r = exact, right, batch, r
        self.n = int(exact[1].sum())

    def start(self, family):  # the reads as exact times, a zero as half a tick
        v, w = self.exact
        return Censored((np.maximum(v, self.r / 2), w), self.right, self.batch).start(family)

    def nll(self, family, mean, cv):
        out = 0.0
        for (v, w), probability in ((self.exact, rounded_probabilities), (self.right, rounded_survival)):
            if len(v):
                out += float(np.dot(w, np.log(probability(family, mean, cv, v, self.r))))
        return -out if math.isfinite(out) else 1e300


def kaplan_meier(exact, right) -> tuple[np.ndarray, np.ndarray]:
    """Survival just after each distinct event time, from exact times and right-censored
    ones (a censored time equal to an event time counts as still at risk)."""
    (te, we), (tr, wr) = exact, right
    if not len(te):
        return np.array([]), np.array([])
    times = np.unique(te)
    events = np.bincount(np.searchsorted(times, te), weights=we, minlength=len(times))
    exact_at_risk = we.sum() - np.concatenate([[0.0], np.cumsum(events)[:-1]])
    order = np.argsort(tr)
    below = np.concatenate([[0.0], np.cumsum(wr[order])])[np.searchsorted(tr[order], times, side="left")]
    at_risk = exact_at_risk + (wr.sum() - below)
    return times, np.cumprod(1 - events / at_risk)


def rank(data: Likelihood, families=FAMILIES) -> list[Fit]:
    """Every family's fit, best AIC first."""
    return sorted((data.fit(f) for f in families), key=lambda f: f.aic)


def choose(fits: list[Fit], max_rel_se: float = math.inf) -> Fit:
    """The lowest AIC, unless the exponential (one parameter fewer) is within
    ``SIMPLER_WITHIN`` of it: then the simpler family.  Families whose mean has a
    standard error above ``max_rel_se`` times the mean are passed over (censored data
    that never reach the tail cannot pin a two-parameter mean down; the exponential's
    is always pinned: events over exposure)."""
    usable = [f for f in fits if f.family == "exponential" or f.se[0] <= max_rel_se * f.mean]
    best = usable[0] if usable else fits[0]
    simple: Optional[Fit] = next((f for f in usable if f.family == "exponential"), None)
    if simple is not None and simple.aic - best.aic < SIMPLER_WITHIN:
        return simple
    return best


def weighted(values: np.ndarray, decimals: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (rounded to ``decimals`` to merge float noise) and their counts."""
    v, w = np.unique(np.round(values, decimals), return_counts=True)
    return v, w.astype(float)
