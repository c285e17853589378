"""`govsim fit` finds again the distributions a synthetic log was made from.

Tolerances are confidence regions: a Wald test of (mean, cv) on the fit's own standard
errors, Pearson's chi-square for the hourly counts, each at 99% with a Bonferroni
split where one test makes several checks.
"""
from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from govsim.fit import fit_log
from govsim.fit.families import FAMILIES, frozen, rounded_survival
from govsim.fit.mle import Censored, Exact, Rounded, RoundedCensored, choose, rank, weighted
from govsim.fit.patience import MAX_REL_SE
from govsim.fit.synthetic import Hall, Matter, example_hall, simulate

from conftest import REPO

EXAMPLE = REPO / "examples" / "hall_log.csv"
ALPHA = 0.01


def wald(fit, spec: dict) -> tuple[float, int]:
    """Wald statistic of the fit's (mean, cv) against the true ones, and its degrees of freedom."""
    k = fit.cov.shape[0]
    d = np.array([fit.mean - spec["mean"], fit.cv - spec.get("cv", 1.0)][:k])
    return float(d @ np.linalg.solve(fit.cov, d)), k


def assert_recovered(fit, spec: dict, alpha: float = ALPHA) -> None:
    stat, df = wald(fit, spec)
    assert stat < stats.chi2.ppf(1 - alpha, df), (fit.family, fit.mean, fit.cv, fit.se, spec, stat)


def of_family(fits, family):
    return next(f for f in fits if f.family == family)


def pearson_ok(counts: np.ndarray, expected: np.ndarray, alpha: float) -> None:
    """Counts in cells of expectation 0 are 0; the rest pass Pearson's chi-square."""
    assert counts[expected == 0].sum() == 0
    e, c = expected[expected > 0], counts[expected > 0]
    chi2 = float(np.sum((c - e) ** 2 / e))
    assert chi2 < stats.chi2.ppf(1 - alpha, len(e)), (chi2, len(e))


def _script():
    spec = importlib.util.spec_from_file_location("make_example_log", REPO / "examples" / "make_example_log.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_example_is_what_its_script_makes():
    script = _script()
    made = script.make(28, 1.0, script.SEED, dirty=True).to_csv(index=False, lineterminator="\n")
    assert EXAMPLE.read_text(encoding="utf-8") == made


@pytest.fixture(scope="module")
def example():
    return fit_log(EXAMPLE)


def test_the_example_log_gives_back_its_hall(example):
    """Arrivals per weekday-hour, service (mean, cv) of the true family, patience, the
    roster: 3 matters x (arrivals, service, patience) checks share the 1% level."""
    hall = example_hall()
    alpha = ALPHA / 9
    a = example.arrivals
    assert a.weekly  # closed at weekends, busier on Mondays
    for name, m in hall.matters.items():
        k = example.classes.index(name.replace(" ", "_"))
        expected = np.asarray(m.rate_per_hour).reshape(7, 24) * a.days_by_weekday[:, None]
        pearson_ok(a.counts[k], expected, alpha)
        assert_recovered(of_family(example.service[example.classes[k]].fits, m.service["dist"]), m.service, alpha)
        p = example.patience[example.classes[k]]
        if m.patience is None:
            assert p is None
        else:
            assert_recovered(of_family(p.fits, m.patience["dist"]), m.patience, alpha)
    (station,) = example.stations
    assert station.roster() == [0] * 8 + [5] * 4 + [3] + [5] * 4 + [0] * 7


@pytest.mark.parametrize("family,cv", [("exponential", 1.0), ("lognormal", 0.6), ("gamma", 0.6), ("weibull", 0.6)])
@pytest.mark.parametrize("rounded", [False, True], ids=["to the second", "to the minute"])
def test_a_large_sample_chooses_its_own_family(family, cv, rounded):
    """20,000 durations: the true family wins by AIC (for the exponential, the
    one-parameter rule keeps it unless another beats it by 2 AIC units: about 3%
    of samples) and its (mean, cv) are recovered."""
    gen = np.random.default_rng(12)
    x = frozen(family, 9.0, cv).rvs(size=20_000, random_state=gen)
    if rounded:  # both ends of each duration cut down to the minute
        start = gen.uniform(0, 1e4, len(x))
        data = Rounded(*weighted(np.floor(start + x) - np.floor(start)), 1.0)
    else:
        data = Exact(*weighted(x))
    fits = rank(data)
    assert choose(fits).family == family, [(f.family, f.aic - fits[0].aic) for f in fits]
    assert_recovered(choose(fits), {"mean": 9.0, "cv": cv})


def coverage_ok(hits: np.ndarray, level: float) -> None:
    """The share of intervals that cover the truth is the nominal level, within a
    99.9% binomial interval."""
    lo, hi = stats.binom.interval(0.999, len(hits), level)
    assert lo <= hits.sum() <= hi, (hits.mean(), level)


def test_standard_errors_have_their_nominal_coverage():
    """400 samples of 300 lognormal durations: the 95% Wald region of (mean, cv) covers
    the truth 95% of the time (a wrong Hessian or delta method shows here)."""
    gen = np.random.default_rng(5)
    truth = {"mean": 6.0, "cv": 0.8}
    hits = []
    for _ in range(400):
        fit = Exact(*weighted(frozen("lognormal", 6.0, 0.8).rvs(size=300, random_state=gen))).fit("lognormal")
        hits.append(wald(fit, truth)[0] < stats.chi2.ppf(0.95, 2))
    coverage_ok(np.array(hits), 0.95)


@pytest.mark.parametrize("family,cv", [("exponential", 1.0), ("weibull", 0.7), ("lognormal", 1.2)])
@pytest.mark.parametrize("rounded", [False, True], ids=["to the second", "to the minute"])
def test_censored_patience_is_recovered_and_covered(family, cv, rounded):
    """Patience seen only when shorter than the wait (else the wait is a lower bound):
    200 samples of 400 visitors, about half censored; the true family's 95% region covers
    the truth at its level, and a large sample chooses it and recovers it.  To the minute:
    both ends of every wait and abandon cut down to the minute, the served visitors' zero
    waits dropped (as ``patience_data`` does)."""
    gen = np.random.default_rng(8)
    dist = frozen(family, 20.0, cv)

    def sample(n):
        patience, wait = dist.rvs(size=n, random_state=gen), gen.exponential(20.0, n)
        left = patience < wait
        if not rounded:
            return Censored(weighted(patience[left]), weighted(wait[~left]))
        start = gen.uniform(0, 1e4, n)
        read = np.floor(start + np.minimum(patience, wait)) - np.floor(start)
        served = read[~left]
        return RoundedCensored(weighted(read[left]), weighted(served[served > 0]), 0, 1.0)

    truth = {"mean": 20.0, "cv": cv}
    hits = [wald(sample(400).fit(family), truth)[0] < stats.chi2.ppf(0.95, 1 if family == "exponential" else 2)
            for _ in range(200)]
    coverage_ok(np.array(hits), 0.95)
    fits = rank(sample(20_000))
    assert choose(fits, MAX_REL_SE).family == family, [(f.family, f.mean, f.cv, f.aic - fits[0].aic) for f in fits]
    assert_recovered(of_family(fits, family), truth)


@pytest.mark.parametrize("family,cv", [("exponential", 1.0), ("lognormal", 3.0), ("gamma", 0.5), ("weibull", 2.0)])
def test_rounded_survival_is_the_survival_function_averaged_over_the_reading(family, cv):
    """A wait read as w (both ends cut to the minute, the start's phase uniform) ended
    somewhere in w - 1 to w + 1, by a triangle: the closed form against quadrature, below,
    at and far above the mean."""
    dist = frozen(family, 25.0, cv)
    w = np.array([1.0, 2.0, 24.0, 25.0, 26.0, 80.0, 200.0])
    numeric = [integrate.quad(lambda t: dist.sf(t) * (1 - abs(t - x)), x - 1, x + 1, points=[x], epsabs=0)[0]
               for x in w]
    np.testing.assert_allclose(rounded_survival(family, 25.0, cv, w, 1.0), numeric, rtol=1e-8)


def test_patience_to_the_minute_is_fitted_as_rounded(tmp_path):
    """The example hall's log cut to the minute: each matter's patience (truly
    exponential, mean 25 and 40) is the exponential again, its mean within 3 standard
    errors (mean / sqrt(visitors who left), the censored exponential's) of the truth.
    Read as exact times, the short abandons made both a lognormal of cv 3 to 4 and mean
    2.5 to 3 times the truth."""
    log = simulate(example_hall(40), 2)
    for col in ("arrived", "called", "finished"):
        log[col] = log[col].str.replace(r":\d\d$", ":00", regex=True)
    path = tmp_path / "minutes.csv"
    log.to_csv(path, index=False)
    fit = fit_log(path)
    assert fit.cleaned.resolution_s == 60
    for name, m in example_hall().matters.items():
        if m.patience is None:
            continue
        p = fit.patience[name.replace(" ", "_")]
        truth, left = m.patience["mean"], p.counts[0]
        assert p.chosen.family == "exponential", [(f.family, f.mean, f.cv, f.aic) for f in p.fits]
        assert abs(p.chosen.mean - truth) < 3 * truth / np.sqrt(left), (name, p.chosen.mean, left)
        assert isinstance(p.data, RoundedCensored)


def test_time_stamps_to_the_minute_are_fitted_as_rounded(tmp_path):
    """A log whose times are cut to the minute: service read as rounded durations (zeros
    kept), and its parameters recovered; read as exact times they would not be."""
    hall = Hall({"a": Matter([0] * 8 + [30] * 9 + [0] * 7, {"dist": "gamma", "mean": 4.0, "cv": 0.5})},
                [("00:00", 0), ("08:00", 4), ("17:00", 0)], days=20)
    log = simulate(hall, 3)
    for col in ("arrived", "called", "finished"):
        log[col] = log[col].str.replace(r":\d\d$", ":00", regex=True)
    path = tmp_path / "minutes.csv"
    log.to_csv(path, index=False)
    fit = fit_log(path)
    assert fit.cleaned.resolution_s == 60 and fit.service["a"].rounded
    assert not fit.cleaned.counts()  # zero durations are no error at this resolution
    assert_recovered(of_family(fit.service["a"].fits, "gamma"), {"mean": 4.0, "cv": 0.5})
    minutes = fit.service["a"].minutes
    naive = Exact(*weighted(np.maximum(minutes, 1e-3))).fit("gamma")
    assert wald(naive, {"mean": 4.0, "cv": 0.5})[0] > stats.chi2.ppf(1 - ALPHA, 2)


def test_one_daily_profile_when_the_weekdays_do_not_differ(tmp_path):
    day = [0] * 8 + [20, 30, 25, 20, 10, 15, 20, 20, 10] + [0] * 7
    hall = Hall({"a": Matter(day, {"dist": "exponential", "mean": 5.0})}, [("00:00", 0), ("08:00", 3), ("17:00", 0)], 14)
    path = tmp_path / "daily.csv"
    simulate(hall, 4).to_csv(path, index=False)
    fit = fit_log(path)
    assert not fit.arrivals.weekly and fit.arrivals.test[1] > 0
    counts = fit.arrivals.counts[0].sum(axis=0)
    pearson_ok(counts, np.asarray(day, float) * 14, ALPHA)
    assert len(fit.arrivals.rates(0)) == 24


def test_a_hall_open_across_midnight(tmp_path):
    """Open 22:00-02:00: services cross midnight, the roster wraps round it (its first
    entry, at 00:00, has windows on duty) and nothing is set aside."""
    night = [15] * 2 + [0] * 20 + [15] * 2
    hall = Hall({"a": Matter(night, {"dist": "lognormal", "mean": 10.0, "cv": 0.5})},
                [("00:00", 3), ("02:00", 0), ("22:00", 3)], days=10)
    path = tmp_path / "night.csv"
    simulate(hall, 6).to_csv(path, index=False)
    fit = fit_log(path)
    assert not fit.cleaned.counts()
    (station,) = fit.stations
    assert station.roster() == [3, 3] + [0] * 20 + [3, 3]
    assert_recovered(of_family(fit.service["a"].fits, "lognormal"), {"mean": 10.0, "cv": 0.5})


def test_departments_with_their_own_windows_become_stations(tmp_path):
    """Two departments, each with its own windows (and one stray ticket served at the
    other's): two banks, each with its own roster."""
    day = [0] * 8 + [20] * 9 + [0] * 7
    tax = simulate(Hall({"tax": Matter(day, {"dist": "exponential", "mean": 6.0})},
                        [("00:00", 0), ("08:00", 3), ("17:00", 0)], 10, [f"Tax {i}" for i in range(1, 4)]), 1)
    social = simulate(Hall({"social": Matter(day, {"dist": "exponential", "mean": 9.0})},
                           [("00:00", 0), ("08:00", 4), ("12:00", 2), ("13:00", 4), ("17:00", 0)], 10,
                           [f"Social {i}" for i in range(1, 5)]), 2)
    social.loc[social["window"] != "", "window"] = social.loc[social["window"] != "", "window"].where(
        social.index[social["window"] != ""] != social.index[social["window"] != ""][5], "Tax 1")
    path = tmp_path / "two.csv"
    pd.concat([tax, social]).to_csv(path, index=False)
    fit = fit_log(path)
    banks = {s.name: s for s in fit.stations}
    assert set(banks) == {"windows_social", "windows_tax"}
    assert banks["windows_tax"].roster() == [0] * 8 + [3] * 9 + [0] * 7
    assert banks["windows_social"].roster() == [0] * 8 + [4] * 4 + [2] + [4] * 4 + [0] * 7
    assert fit.station_of("tax").name == "windows_tax"
