"""The sequential relative-precision rule (Law 9.4.1) behind --replications auto."""
from __future__ import annotations

import math

import numpy as np

from govsim.precision import FIRST, adjusted, judge, next_round, relative_half_width


def test_the_target_is_adjusted_for_judging_against_the_estimate():
    assert math.isclose(adjusted(0.05), 0.05 / 1.05)


def test_relative_half_width_of_known_values():
    x = [9.0, 11.0, 10.0, 10.0]  # mean 10, sd 0.8165, t(0.975, 3) = 3.1824
    assert math.isclose(relative_half_width(x), 3.1824463 * 0.8164966 / 2 / 10, rel_tol=1e-6)
    assert relative_half_width([5.0]) == math.inf
    assert relative_half_width([3.0, 3.0, 3.0]) == 0.0  # a metric that never varies is exact
    assert relative_half_width([-1.0, 1.0]) == math.inf  # mean 0: relative precision is unreachable


def test_judge_names_the_worst_metric():
    v = judge({"a": [9.0, 11.0, 10.0, 10.0], "b": [10.0, 10.1, 9.9, 10.0]}, gamma=0.05)
    assert not v.enough and v.worst_metric == "a"
    assert judge({"b": [10.0, 10.1, 9.9, 10.0]}, gamma=0.05).enough


def test_rounds_start_with_a_first_batch_then_one_round_of_workers_and_stop_at_the_cap():
    assert next_round(0, 2, 100) == FIRST
    assert next_round(FIRST, 2, 100) == 2
    assert next_round(99, 2, 100) == 1
    assert next_round(100, 2, 100) == 0


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
