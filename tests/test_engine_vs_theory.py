"""The network engine against queueing theory (govsim.queueing).

Method, the same for every check: run R independent replications
(``Streams(seed, rep)`` for rep in range(R), one fixed seed per test, chosen once
and never tuned), each long enough with a warm-up of at least 10% of the
horizon, take the per-replication KPI, build a 99% Student-t interval over the
replications (``govsim.stats.t_interval``) and require the theoretical value to
lie inside it.  No tolerance is set by hand: the interval is the tolerance.

Each check has a 1% chance of failing by bad luck if the engine is right, so a
single failure calls for a look (is the theory right? is the run long enough?)
before calling it a bug; the seeds must not be changed to make a check pass.

Replications run in a small process pool (one worker per core).
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from scipy import stats as sps

from govsim import queueing as q
from govsim.experiment import default_jobs
from govsim.models.network import NetworkParams, kpis, simulate
from govsim.models.network.engine import SERVED
from govsim.rng import Streams
from govsim.stats import t_interval

pytestmark = pytest.mark.statistical

CONFIDENCE = 0.99
R = 30  # replications per check


# ----------------------------------------------------------------------------- helpers

def _replicate(spec: dict, seed: int, rep: int, horizon: float, warmup: float, extras: tuple[str, ...]) -> dict:
    """One replication: its KPIs as {(scope, metric): value}, plus optional extras
    computed from the records:

    * ``("station:<name>", "p_wait")``: fraction of counted, served visits that waited;
    * ``("all", "arrivals_by_hour")``: counted arrivals per hour of the day (array of 24).
    """
    params = NetworkParams.model_validate(spec)
    assert not params.cross_check()
    rec = simulate(params, Streams(seed, rep), horizon, warmup)
    out = {(scope, metric): float(value) for scope, metric, value in kpis(rec)}
    if extras:
        a = rec.arrays()
        if "p_wait" in extras:
            counted = (a["v_t0"] >= warmup) & (a["v_outcome"] == SERVED)
            waited = a["v_start"] > a["v_arr"]
            for i, name in enumerate(rec.station_names):
                m = counted & (a["v_station"] == i)
                out[(f"station:{name}", "p_wait")] = float(waited[m].mean())
        if "arrivals_by_hour" in extras:
            t = a["c_arr"][a["c_arr"] >= warmup]
            out[("all", "arrivals_by_hour")] = np.bincount(((t % 1440.0) // 60).astype(int), minlength=24)[:24]
    return out


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(max_workers=default_jobs()) as ex:
        yield ex


def run_reps(pool, spec: dict, seed: int, horizon: float, warmup: float, reps: int = R,
             extras: tuple[str, ...] = ()) -> list[dict]:
    assert warmup >= 0.1 * horizon
    futures = [pool.submit(_replicate, spec, seed, rep, horizon, warmup, extras) for rep in range(reps)]
    return [f.result() for f in futures]


def values(results: list[dict], scope: str, metric: str) -> np.ndarray:
    return np.array([r[(scope, metric)] for r in results], dtype=float)


def assert_theory_in_ci(theory: float, sample, what: str = "") -> None:
    """The theoretical value lies in the 99% t-interval of the per-replication values."""
    mean, lo, hi, n = t_interval(sample, CONFIDENCE)
    assert n >= 10, f"{what}: only {n} replications"
    assert lo <= theory <= hi, (
        f"{what}: theory {theory:.6g} outside the {CONFIDENCE:.0%} interval "
        f"[{lo:.6g}, {hi:.6g}] (mean {mean:.6g}, n={n})")


def check(results: list[dict], scope: str, metric: str, theory: float) -> None:
    assert_theory_in_ci(theory, values(results, scope, metric), f"{scope} {metric}")


def exp(mean: float) -> dict:
    return {"dist": "exponential", "mean": mean}


def single_station(lam: float, service: dict, servers: int = 1, **station) -> dict:
    return {"classes": {"c": {"arrivals": exp(1 / lam), "route": ["s"]}},
            "stations": {"s": {"servers": servers, "service": service, **station}}}


# ----------------------------------------------------------------------------- M/M/1, M/M/c

def test_mm1(pool):
    lam, mu = 0.7, 1.0
    th = q.mm1(lam, mu)
    res = run_reps(pool, single_station(lam, exp(1 / mu)), seed=1101, horizon=80_000, warmup=8_000)
    check(res, "station:s", "wait_mean_min", th.Wq)
    check(res, "station:s", "sojourn_mean_min", th.W)
    check(res, "station:s", "queue_len_mean", th.Lq)
    check(res, "station:s", "utilisation", th.rho)


def test_mmc_erlang_c(pool):
    lam, mu, c = 4.25, 1.0, 5
    th = q.mmc(lam, mu, c)
    res = run_reps(pool, single_station(lam, exp(1 / mu), servers=c), seed=1102, horizon=25_000, warmup=2_500,
                   extras=("p_wait",))
    check(res, "station:s", "wait_mean_min", th.Wq)
    check(res, "station:s", "queue_len_mean", th.Lq)
    check(res, "station:s", "utilisation", th.rho)
    check(res, "station:s", "p_wait", th.p_wait)  # Erlang C itself, from the records
    # P(Wq > t) = C exp(-(c mu - lam) t): the 90% quantile has a closed form when C > 0.1
    assert th.p_wait > 0.1
    check(res, "station:s", "wait_p90_min", q.mmc_wait_quantile(lam, mu, c, 0.9))


def test_pooling_two_mm1_vs_one_mm2(pool):
    lam, mu = 0.8, 1.0  # per class
    th = q.pooling(2 * lam, mu, 2)
    classes = {"a": {"arrivals": exp(1 / lam), "route": ["s1"]},
               "b": {"arrivals": exp(1 / lam), "route": ["s2"]}}
    separate = {"classes": classes,
                "stations": {"s1": {"servers": 1, "service": exp(1 / mu)},
                             "s2": {"servers": 1, "service": exp(1 / mu)}}}
    pooled = {"classes": {k: {**v, "route": ["s1"]} for k, v in classes.items()},
              "stations": {"s1": {"servers": 2, "service": exp(1 / mu)}}}
    seed, horizon, warmup = 1103, 40_000, 4_000
    sep = run_reps(pool, separate, seed, horizon, warmup)
    poo = run_reps(pool, pooled, seed, horizon, warmup)
    check(sep, "station:s1", "wait_mean_min", th.separate.Wq)
    check(sep, "station:s2", "wait_mean_min", th.separate.Wq)
    check(sep, "all", "wait_mean_min", th.separate.Wq)
    check(poo, "station:s1", "wait_mean_min", th.pooled.Wq)
    check(poo, "station:s1", "queue_len_mean", th.pooled.Lq)
    # paired by replication (same seed, so the same arrivals): pooling saves this much
    diff = values(sep, "all", "wait_mean_min") - values(poo, "all", "wait_mean_min")
    assert_theory_in_ci(th.separate.Wq - th.pooled.Wq, diff, "separate minus pooled wait")
    _, lo, _, _ = t_interval(diff, CONFIDENCE)
    assert lo > 0, "pooling should shorten the wait"


# ----------------------------------------------------------------------------- M/M/c/K

@pytest.mark.parametrize("K, seed", [(5, 1104), (0, 1112)], ids=["K=5", "K=0 (Erlang B)"])
def test_mmck_blocking(pool, K, seed):
    lam, mu, c = 3.0, 1.0, 3  # offered load equal to capacity: ~13% blocked with K=5, ~35% with K=0
    th = q.mmck(lam, mu, c, K)
    res = run_reps(pool, single_station(lam, exp(1 / mu), servers=c, max_waiting=K),
                   seed=seed, horizon=20_000, warmup=2_000)
    check(res, "station:s", "blocked_frac", th.p_block)
    check(res, "station:s", "utilisation", th.utilisation)
    if K == 0:
        assert q.erlang_b(c, lam / mu) == pytest.approx(th.p_block)
        assert values(res, "station:s", "wait_mean_min").max() == 0.0
    else:
        check(res, "station:s", "wait_mean_min", th.Wq)  # admitted customers
        check(res, "station:s", "queue_len_mean", th.Lq)


# ----------------------------------------------------------------------------- M/G/1

@pytest.mark.parametrize("service, rho, seed", [
    ({"dist": "deterministic", "value": 1.0}, 0.8, 1105),
    ({"dist": "erlang", "mean": 1.0, "k": 4}, 0.8, 1106),
    ({"dist": "lognormal", "mean": 1.0, "cv": 1.5}, 0.6, 1107),
], ids=["M/D/1", "M/E4/1", "M/LN(cv1.5)/1"])
def test_mg1_pollaczek_khinchine(pool, service, rho, seed):
    dist = NetworkParams.model_validate(single_station(1.0, service)).stations["s"].service
    mean_s, scv = dist.mean(), dist.scv()
    lam = rho / mean_s
    wq = q.mg1_wq(lam, mean_s, scv=scv)
    res = run_reps(pool, single_station(lam, service), seed=seed, horizon=60_000, warmup=6_000)
    check(res, "station:s", "wait_mean_min", wq)
    check(res, "station:s", "queue_len_mean", lam * wq)
    check(res, "station:s", "utilisation", rho)


# ----------------------------------------------------------------------------- priorities

def test_nonpreemptive_priority_mm2_cobham(pool):
    lams, mu, c = [0.4, 0.6, 0.6], 1.0, 2  # total rho = 0.8
    names = ["urgent", "normal", "low"]
    wq = q.priority_mmc_wq(lams, mu, c)
    spec = {"classes": {n: {"arrivals": exp(1 / l), "route": ["s"], "priority": k}
                        for k, (n, l) in enumerate(zip(names, lams))},
            "stations": {"s": {"servers": c, "service": exp(1 / mu), "discipline": "priority"}}}
    res = run_reps(pool, spec, seed=1108, horizon=40_000, warmup=4_000)
    for n, w in zip(names, wq):
        check(res, f"class:{n}", "wait_mean_min", w)
    check(res, "station:s", "wait_mean_min", q.mmc(sum(lams), mu, c).Wq)  # work conservation


def test_nonpreemptive_priority_mg1_cobham_with_service_by_class(pool):
    # M/G/1, two classes with their own service distributions (by_class and default)
    services = {"vip": {"dist": "erlang", "mean": 1.0, "k": 2}, "regular": {"dist": "gamma", "mean": 0.8, "cv": 1.5}}
    lams = {"vip": 0.3, "regular": 0.5}  # rho = 0.3 + 0.4 = 0.7
    spec = {"classes": {n: {"arrivals": exp(1 / lams[n]), "route": ["s"], "priority": k}
                        for k, n in enumerate(["vip", "regular"])},
            "stations": {"s": {"servers": 1, "discipline": "priority",
                               "service": {"default": services["regular"], "by_class": {"vip": services["vip"]}}}}}
    st = NetworkParams.model_validate(spec).stations["s"]
    dists = [st.service_for(n) for n in ["vip", "regular"]]
    wq = q.priority_mg1_wq([lams["vip"], lams["regular"]], [d.mean() for d in dists],
                           [d.variance() + d.mean() ** 2 for d in dists])
    res = run_reps(pool, spec, seed=1113, horizon=60_000, warmup=6_000)
    check(res, "class:vip", "wait_mean_min", wq[0])
    check(res, "class:regular", "wait_mean_min", wq[1])
    check(res, "station:s", "utilisation", 0.7)


# ----------------------------------------------------------------------------- Erlang A

def test_erlang_a_abandonment(pool):
    lam, mu, c, patience = 5.5, 1.0, 5, 5.0  # overloaded (rho 1.1): abandonment keeps it stable
    th = q.erlang_a(lam, mu, c, 1 / patience)
    spec = single_station(lam, exp(1 / mu), servers=c)
    spec["classes"]["c"]["patience"] = exp(patience)
    res = run_reps(pool, spec, seed=1109, horizon=20_000, warmup=2_000)
    check(res, "station:s", "abandon_frac", th.p_abandon)
    check(res, "class:c", "abandon_frac", th.p_abandon)
    check(res, "station:s", "wait_mean_min", th.Wq_served)
    check(res, "station:s", "queue_len_mean", th.Lq)
    check(res, "station:s", "utilisation", th.utilisation)


# ----------------------------------------------------------------------------- Jackson network

def test_jackson_network_with_rework(pool):
    gamma = 1.05
    spec = {"classes": {"c": {"arrivals": exp(1 / gamma), "start": "a",
                              "transitions": {"a": {"b": 1.0}, "b": {"a": 0.25, "exit": 0.75}}}},
            "stations": {"a": {"servers": 2, "service": exp(1.0)},
                         "b": {"servers": 1, "service": exp(0.5)}}}
    th = q.jackson([gamma, 0.0], [[0, 1], [0.25, 0]], mu=[1.0, 2.0], servers=[2, 1])
    res = run_reps(pool, spec, seed=1110, horizon=40_000, warmup=4_000)
    check(res, "all", "sojourn_mean_min", th.sojourn)
    check(res, "all", "wait_mean_min", th.wait)
    check(res, "all", "visits_mean", float(th.visits.sum()))  # 2 x 4/3
    for i, s in enumerate("ab"):
        check(res, f"station:{s}", "utilisation", float(th.rho[i]))
        check(res, f"station:{s}", "wait_mean_min", float(th.Wq[i]))


def test_tandem_line_with_a_fixed_route(pool):
    gamma = 0.7
    spec = {"classes": {"c": {"arrivals": exp(1 / gamma), "route": ["a", "b"]}},
            "stations": {"a": {"servers": 1, "service": exp(1.0)},
                         "b": {"servers": 2, "service": exp(2.0)}}}
    th = q.jackson([gamma, 0.0], [[0, 1], [0, 0]], mu=[1.0, 0.5], servers=[1, 2])
    res = run_reps(pool, spec, seed=1114, horizon=60_000, warmup=6_000)
    check(res, "all", "sojourn_mean_min", th.sojourn)
    check(res, "station:a", "wait_mean_min", float(th.Wq[0]))
    check(res, "station:b", "wait_mean_min", float(th.Wq[1]))
    assert np.all(values(res, "all", "visits_mean") == 2.0)


# ----------------------------------------------------------------------------- time-varying arrivals

RATES = [0, 0, 0, 0, 0, 0, 0, 10, 30, 60, 80, 70, 50, 60, 75, 65, 40, 20, 10, 5, 0, 0, 0, 0]  # per hour


def test_rate_profile_thinning(pool):
    days, warm_days = 60, 6
    spec = {"classes": {"c": {"arrivals": {"rate_per_hour": RATES}, "route": ["s"]}},
            "stations": {"s": {"servers": 1000, "service": {"dist": "deterministic", "value": 5.0}}}}
    res = run_reps(pool, spec, seed=1111, horizon=days * 1440.0, warmup=warm_days * 1440.0,
                   extras=("arrivals_by_hour",))
    counted_days = days - warm_days
    per_day = values(res, "all", "arrived") / counted_days
    assert_theory_in_ci(float(sum(RATES)), per_day, "arrivals per day")
    # the total count over all replications is Poisson: exact 99% interval for its mean
    total = int(values(res, "all", "arrived").sum())
    lo, hi = (sps.chi2.ppf(0.005, 2 * total) / 2, sps.chi2.ppf(0.995, 2 * total + 2) / 2)
    expected = sum(RATES) * counted_days * len(res)
    assert lo <= expected <= hi, f"total arrivals {total}, Poisson 99% interval [{lo:.0f}, {hi:.0f}] vs {expected}"
    # no one waits with this many servers
    assert values(res, "station:s", "wait_mean_min").max() == 0.0
    # arrivals land in the right hours: none in closed hours, and the hourly
    # counts fit the profile (chi-square goodness of fit at the 1% level)
    by_hour = np.sum([r[("all", "arrivals_by_hour")] for r in res], axis=0)
    rates = np.asarray(RATES, dtype=float)
    assert np.all(by_hour[rates == 0] == 0)
    open_ = rates > 0
    expected_h = rates[open_] / rates.sum() * by_hour.sum()
    p = sps.chisquare(by_hour[open_], expected_h).pvalue
    assert p > 1 - CONFIDENCE, f"hourly counts do not fit the profile (p = {p:.2g}): {by_hour.tolist()}"
