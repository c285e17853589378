"""MSER-5 warm-up detection, checked on an M/M/1 queue started empty against its exact
transient (govsim.queueing.birth_death_transient)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from govsim import queueing as q
from govsim.models.network import NetworkParams, simulate
from govsim.rng import Streams
from govsim.warmup import mser


def test_mser_on_a_step_finds_the_step_exactly():
    x = np.r_[np.full(50, 10.0), np.zeros(450)] + np.tile([0.1, -0.1], 250)
    t = mser(x)
    assert t.index == 50 and not t.too_short


def _mser_by_definition(x, batch=5):
    """The statistic computed as written, one truncation at a time."""
    z = np.asarray(x, float)[: len(x) // batch * batch].reshape(-1, batch).mean(axis=1)
    return np.array([np.sum((z[d:] - z[d:].mean()) ** 2) / (len(z) - d) ** 2 for d in range(len(z))])


@pytest.mark.parametrize("offset", [0.0, 1e6, 1e8])
def test_mser_is_the_statistic_as_defined_whatever_the_level_of_the_series(offset):
    """A count around a million (say, customers served so far) has the same warm-up as the
    same series around 0: a difference of large sums must not cancel to noise."""
    rng = np.random.default_rng(7)
    x = offset + 50.0 * np.exp(-np.arange(2000) / 150.0) + rng.normal(0.0, 1.0, 2000)
    t = mser(x)
    exact = _mser_by_definition(x)
    assert t.index == 5 * int(np.argmin(exact[: len(exact) // 2 + 1]))
    np.testing.assert_allclose(t.statistic, exact, rtol=1e-6, atol=1e-12 * np.max(exact))


def test_a_series_that_never_settles_is_reported_too_short():
    x = np.linspace(100.0, 0.0, 400)  # a trend to the very end
    assert mser(x).too_short


def test_too_few_observations_is_a_clear_error():
    with pytest.raises(ValueError, match="too few observations"):
        mser([1.0] * 10)


def test_birth_death_transient_reaches_the_stationary_distribution():
    lam, mu, n_max = 0.5, 1.0, 60
    birth, death = [lam] * n_max, [mu] * n_max
    p = q.birth_death_transient(birth, death, np.eye(n_max + 1)[0], [0.0, 1.0, 200.0])
    assert np.allclose(p[0], np.eye(n_max + 1)[0])
    assert np.allclose(p[-1], q.birth_death_stationary(birth, death), atol=1e-9)
    assert 0 < (p[1] * np.arange(n_max + 1)).sum() < lam / (mu - lam)  # rising towards L = 1


@pytest.mark.statistical
def test_mser5_finds_the_warmup_of_an_mm1_started_empty():
    """A 60-server queue offered 45 erlangs (service 1 minute), from empty, over 100
    minutes: long enough to settle, short enough that the warm-up matters.  The pooled series is the number in system averaged over
    BIN minutes and R replications.  MSER-5's cut t is judged against the exact mean
    E[L(t)] (transient of the birth-death chain):

    * enough: the exact bias left in the mean of what is kept, |mean of E[L] over [t, T]
      - L_inf|, is within the standard error of that mean (estimated from the data) —
      the truncation removed the bias down to the noise;
    * not wasteful: the mean squared error of the truncated mean, exact bias squared
      plus variance (the variance scales as 1 / (T - t), estimated from the data at the
      cut), is within 25% of the best any cut could give: the interval is at most ~12%
      wider than with the ideal warm-up.  (Cutting late costs only data; cutting early
      leaves bias, which the first check catches.)
    """
    lam, mu, c, R, T, BIN = 45.0, 1.0, 60, 40, 100.0, 1.0
    spec = {"classes": {"c": {"arrivals": {"dist": "exponential", "mean": 1 / lam}, "route": ["s"]}},
            "stations": {"s": {"servers": c, "service": {"dist": "exponential", "mean": 1 / mu}}}}
    params = NetworkParams.model_validate(spec)
    edges = np.arange(0.0, T + BIN, BIN)
    per_rep = []
    for rep in range(R):
        a = simulate(params, Streams(2024, rep), T, 0.0).arrays()
        arr, end = a["c_arr"], np.where(np.isnan(a["c_end"]), T, a["c_end"])
        # minutes each customer spends in each bin, summed: the area under L(t)
        area = np.clip(np.minimum(end[:, None], edges[None, 1:]) - np.maximum(arr[:, None], edges[None, :-1]), 0, None)
        per_rep.append(area.sum(axis=0) / BIN)
    per_rep = np.array(per_rep)
    series = per_rep.mean(axis=0)
    cut = mser(series)
    assert not cut.too_short
    t_cut = cut.index * BIN

    n_max = 150  # P(n > 150) for 45 erlangs: nothing
    grid = np.arange(0.0, T + 0.1, 0.1)
    deaths = [min(n + 1, c) * mu for n in range(n_max)]
    p = q.birth_death_transient([lam] * n_max, deaths, np.eye(n_max + 1)[0], grid)
    exact = p @ np.arange(n_max + 1)
    l_inf = q.birth_death_stationary([lam] * n_max, deaths) @ np.arange(n_max + 1)
    kept = per_rep[:, cut.index:].mean(axis=1)
    se_kept = kept.std(ddof=1) / np.sqrt(R)
    step = int(round(1 / (grid[1] - grid[0])))  # grid points per minute
    bias_kept = abs(exact[int(t_cut) * step:].mean() - l_inf)
    assert bias_kept <= se_kept, (t_cut, bias_kept, se_kept)

    cuts = np.arange(0.0, T / 2 + BIN, BIN)
    bias = np.array([exact[int(k) * step:].mean() - l_inf for k in cuts])
    mse = bias ** 2 + se_kept ** 2 * (T - t_cut) / (T - cuts)
    at_cut = mse[int(t_cut / BIN)]
    assert at_cut <= 1.25 * mse.min(), (t_cut, cuts[np.argmin(mse)], at_cut, mse.min())
    # the run is short enough for the warm-up to matter: keeping everything would fail
    assert abs(exact.mean() - l_inf) > se_kept and mse[0] > 1.25 * mse.min()


def test_open_cases_from_an_event_log_exactly():
    from govsim.warmup import open_cases

    events = [("a", "arrive", 0.0, "complete", ""), ("b", "arrive", 1.0, "complete", ""),
              ("a", "leave", 3.0, "complete", ""), ("c", "arrive", 3.5, "complete", "")]  # c never leaves
    edges = np.array([0.0, 2.0, 4.0])
    # b and c have not left: open to the end.  bin [0,2): a 2 + b 1 -> 1.5;
    # bin [2,4): a 1 + b 2 + c 0.5 -> 1.75
    assert np.allclose(open_cases(events, edges), [1.5, 1.75])


def test_suggest_a_warmup_for_a_queue_started_empty(write_scenario):
    """45 erlangs on 60 servers from empty over 100 minutes (the transient of
    test_mser5_finds_the_warmup_of_an_mm1_started_empty): the suggestion is past the
    first few minutes of filling up and within the first half of the run."""
    from govsim.scenario import load_scenario
    from govsim.warmup import suggest

    from conftest import MMC_DEMO

    text = (MMC_DEMO.replace("servers: 5", "servers: 60").replace("mean: 0.2353", "mean: 0.02222")
            .replace("horizon_min: 20000", "horizon_min: 100").replace("warmup_min: 2000", "warmup_min: 10")
            .replace("replications: 10", "replications: 20"))
    s = suggest(load_scenario(write_scenario(text)), "base", jobs=2)
    assert s.unit == "min" and not s.cut.too_short
    assert 1.0 <= s.value <= 50.0
    assert s.series[0] < 0.5 * s.series[-20:].mean()  # it did start empty


def test_a_case_is_open_until_a_final_event_completes_and_after_service_events_do_not_count():
    from govsim.warmup import open_cases

    events = [("a", "arrive", 0.0, "complete", ""), ("a", "leave", 1.0, "complete", ""),
              ("a", "approve", 1.5, "start", "office"), ("a", "approve", 2.0, "complete", "office"),
              ("b", "arrive", 0.0, "complete", ""), ("b", "leave", 1.0, "complete", ""),
              ("b", "home_region_done", 3.5, "complete", ""),  # after the hall: b closed at 1
              ("c", "arrive", 0.0, "complete", ""), ("c", "approve", 3.0, "start", "office")]  # c still open
    edges = np.array([0.0, 2.0, 4.0])
    final, after = ("leave", "approve"), ("home_region_done",)
    # bin [0,2): a 2 + b 1 + c 2 -> 2.5; bin [2,4): c 2 -> 1
    assert np.allclose(open_cases(events, edges, final, after), [2.5, 1.0])


def test_every_matter_of_a_hall_run_ends_in_its_event_log():
    """The hall drains until every matter is through: in its event log each case's last
    event (the home region's answer aside) is one of the model's final activities, done.
    (Before, the warm-up counted cases ending in an approval, a home visit or the home
    region's answer as open for ever, and said the hall never settles.)"""
    from govsim.experiment import run_experiment
    from govsim.model_api import COMPLETE
    from govsim.scenario import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "hongjiang_hall.yaml").with_run(
        replications=1, days=8, warmup_days=2)
    model = sc.model
    for policy in ("separate", "integrated_proxy_green"):  # approvals, helpers, home visits, other provinces
        _, events = run_experiment(sc, [policy], 1, trace=True)
        last = {}
        for case, activity, _t, transition, _resource in next(iter(events.values())):
            if activity not in model.after_service_activities:
                last[case] = (activity, transition)
        assert last and {a for a, tr in last.values() if tr == COMPLETE} <= set(model.final_activities), policy
        assert all(tr == COMPLETE for _, tr in last.values()), policy


def test_the_shipped_hall_warmup_covers_the_suggested_one():
    """`govsim warmup` on the shipped hall study settles, and at or before the warm-up the
    scenario assumes (10 working days: the longest fetch and a comeback)."""
    from govsim.scenario import load_scenario
    from govsim.warmup import suggest

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "hongjiang_hall.yaml").with_run(
        replications=3)
    s = suggest(sc, "integrated", jobs=1)
    assert not s.cut.too_short and 0 < s.value <= sc.run.warmup_days, s.value


@pytest.mark.parametrize("name", ["anren_shuttle", "anren_secretaries_visit"])
def test_every_seeker_and_trip_of_a_shuttle_run_ends_in_its_event_log(name):
    from govsim.experiment import run_experiment
    from govsim.model_api import COMPLETE
    from govsim.scenario import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / f"{name}.yaml").with_run(replications=1)
    _, events = run_experiment(sc, [sc.baseline_policy], 1, trace=True)
    last = {case: (activity, transition) for case, activity, _t, transition, _r in next(iter(events.values()))}
    assert last and all(a in sc.model.final_activities and tr == COMPLETE for a, tr in last.values()), \
        {v for v in last.values() if v[0] not in sc.model.final_activities}


def test_the_licence_warmup_counts_working_days_on_its_calendar():
    """The licence logs calendar minutes (weekends and nights included): its per-day series
    runs over the run's working days, each from one opening to the next, to the last one."""
    from govsim.scenario import load_scenario
    from govsim.warmup import suggest

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "hongjiang_health_licence.yaml").with_run(
        replications=2)
    starts = sc.model.day_starts(sc.resolved[sc.baseline_policy], sc.run.days)
    gaps = np.diff(starts) / 1440
    assert len(starts) == sc.run.days + 1 and set(np.round(gaps, 9)) >= {1.0, 3.0}  # a weekday; Friday to Monday
    assert starts[-1] / 1440 > sc.run.days * 7 / 5 - 5  # with its weekends: about 48 weeks
    s = suggest(sc, sc.baseline_policy, jobs=1)
    assert len(s.series) == sc.run.days and s.series[-20:].min() > 0  # applications open to the end
    assert not s.cut.too_short and s.unit == "days" and s.value == s.cut.index
