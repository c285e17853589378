"""The sequential relative-precision rule (Law 9.4.1) behind --replications auto."""
from __future__ import annotations

import math

import numpy as np
import pytest

from govsim.precision import FIRST, ROUND, adjusted, judge, next_round, relative_half_width


def test_the_target_is_adjusted_for_judging_against_the_estimate():
    assert math.isclose(adjusted(0.05), 0.05 / 1.05)


def test_relative_half_width_of_known_values():
    x = [9.0, 11.0, 10.0, 10.0]  # mean 10, sd 0.8165, t(0.975, 3) = 3.1824
    assert math.isclose(relative_half_width(x), 3.1824463 * 0.8164966 / 2 / 10, rel_tol=1e-6)
    assert relative_half_width([5.0]) == math.inf
    assert relative_half_width([3.0, 3.0, 3.0]) == 0.0  # a metric that never varies is exact
    assert relative_half_width([-1.0, 1.0]) == math.inf  # mean 0: relative precision is unreachable


def test_a_share_is_judged_against_the_larger_of_it_and_its_complement():
    """Blocking in 1 customer of 50,000, 0 in most replications: against its own mean its
    interval is hopeless (and all zeros but one would never stop); against 1 - p it is as
    precise as the share of customers not blocked, the same fact."""
    rare = [0.0] * 9 + [2e-4]
    assert relative_half_width(rare) > 1.0
    assert relative_half_width(rare, share=True) == pytest.approx(
        relative_half_width([1.0 - x for x in rare]), rel=1e-9)
    assert relative_half_width(rare, share=True) < adjusted(0.05)
    common = [0.8, 0.82, 0.79, 0.81]  # above one half: the share itself, as before
    assert relative_half_width(common, share=True) == relative_half_width(common)
    v = judge({"p: blocked_frac": rare, "p: wait_mean_min": [9.0, 11.0, 10.0, 10.0]}, 0.05,
              shares=frozenset({"p: blocked_frac"}))
    assert v.worst_metric == "p: wait_mean_min"


def test_judge_names_the_worst_metric():
    v = judge({"a": [9.0, 11.0, 10.0, 10.0], "b": [10.0, 10.1, 9.9, 10.0]}, gamma=0.05)
    assert not v.enough and v.worst_metric == "a"
    assert judge({"b": [10.0, 10.1, 9.9, 10.0]}, gamma=0.05).enough


def test_rounds_start_with_a_first_batch_then_fixed_rounds_and_stop_at_the_cap():
    assert next_round(0, 100) == FIRST
    assert next_round(FIRST, 100) == ROUND
    assert next_round(99, 100) == 1
    assert next_round(100, 100) == 0


def test_on_values_of_known_variance_the_rule_stops_near_the_theoretical_count():
    """Normal values with mean 100 and sd 20: the rule needs about
    (z * sd / (gamma' * mean))^2 = (1.96 * 0.2 / 0.0476)^2 = 68 values; over many
    independent sequences the stopping count's median is within 20% of it (the sample
    sd's spread at n ~ 68 moves the count by about +-17%), and the relative error of the
    final mean exceeds gamma in at most about 5% of them: the procedure's promise."""
    rng = np.random.default_rng(7)
    gamma, mean, sd = 0.05, 100.0, 20.0
    expected = (1.959964 * sd / (adjusted(gamma) * mean)) ** 2
    stops, misses = [], 0
    for _ in range(400):
        x = list(rng.normal(mean, sd, FIRST))
        while not judge({"m": x}, gamma).enough:
            x.append(rng.normal(mean, sd))
        stops.append(len(x))
        misses += abs(np.mean(x) - mean) / mean > gamma
    assert abs(np.median(stops) - expected) <= 0.2 * expected, (np.median(stops), expected)
    # binomial(400, 0.05): mean 20, sd 4.4; three sd above
    assert misses <= 20 + 3 * 4.4, misses


@pytest.mark.statistical
def test_auto_replications_stop_at_the_stated_precision_on_a_queue_of_known_variance(write_scenario):
    """40 servers offered 4 erlangs: nobody waits (Erlang C ~ 1e-25), so the wait metrics
    are exactly 0 and the time in system is the service alone: the mean of ~4000
    exponential services over T = 1000 counted minutes, relative sd 1/sqrt(4000) = 0.0158.
    The utilisation, a share of 0.1, is judged against 0.9 (its complement): relative sd
    sqrt(2 / (a T)) * 0.1 / 0.9 = 0.0025, far inside.  For gamma = 0.005 (gamma' =
    0.004975) the rule needs about (1.96 * 0.0158 / 0.004975)^2 = 39 replications."""
    from govsim.precision import run_until_precise
    from govsim.scenario import load_scenario

    from conftest import MMC_DEMO

    text = (MMC_DEMO.replace("servers: 5", "servers: 40").replace("mean: 0.2353", "mean: 0.25")
            .replace("horizon_min: 20000", "horizon_min: 1100").replace("warmup_min: 2000", "warmup_min: 100"))
    sc = load_scenario(write_scenario(text))
    reps, verdict, n = run_until_precise(sc, ["base"], gamma=0.005, max_replications=200, jobs=2)
    assert verdict.enough and verdict.worst <= verdict.target
    assert verdict.worst_metric == "base: sojourn_mean_min"
    expected = (1.959964 * (1 / 4000) ** 0.5 / (0.005 / 1.005)) ** 2
    # the stopping count's spread at n ~ 39 is about +-25% (the sample sd's); allow 2x either way
    assert expected / 2 <= n <= expected * 2, (n, expected)
    sojourn = reps[(reps["scope"] == "all") & (reps["metric"] == "sojourn_mean_min")]["value"]
    assert len(sojourn) == n and abs(sojourn.mean() - 1.0) <= 2 * 0.005  # the promise, with a margin of 2 gammas


def test_auto_replications_give_the_same_table_whatever_the_workers(write_scenario):
    from govsim.precision import run_until_precise
    from govsim.scenario import load_scenario

    from conftest import MMC_DEMO

    sc = load_scenario(write_scenario(MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 1500")
                                      .replace("warmup_min: 2000", "warmup_min: 150")))
    one = run_until_precise(sc, ["base", "six_windows"], gamma=0.1, max_replications=30, jobs=1)
    two = run_until_precise(sc, ["base", "six_windows"], gamma=0.1, max_replications=30, jobs=2)
    assert one[2] == two[2] and one[0].equals(two[0])
