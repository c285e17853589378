"""Shapley decomposition of a reform into its parts, on common random numbers."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from govsim.decompose import Decomposition, decomposition_table, shapley, shapley_weights


def test_weights_sum_to_one_over_coalitions():
    n = 4
    w = shapley_weights(n)
    from math import comb
    assert np.isclose(sum(w[s] * comb(n - 1, s) for s in range(n)), 1.0)


def test_additive_effects_are_returned_exactly():
    parts = ("a", "b", "c")
    effect = {"a": 1.0, "b": -2.0, "c": 0.5}
    values = {frozenset(s): np.array([10.0 + sum(effect[p] for p in s)])
              for k in range(4) for s in itertools.combinations(parts, k)}
    phi = shapley(values, parts)
    assert {p: float(v[0]) for p, v in phi.items()} == pytest.approx(effect)


def test_an_interaction_is_split_evenly_and_the_parts_sum_to_the_total():
    # only both together help (v = 6 with a and b, else 0): each gets half
    parts = ("a", "b")
    values = {frozenset(): np.array([0.0, 1.0]), frozenset({"a"}): np.array([0.0, 1.0]),
              frozenset({"b"}): np.array([0.0, 1.0]), frozenset({"a", "b"}): np.array([6.0, 9.0])}
    phi = shapley(values, parts)
    assert np.allclose(phi["a"], [3.0, 4.0]) and np.allclose(phi["b"], [3.0, 4.0])
    assert np.allclose(phi["a"] + phi["b"], values[frozenset(parts)] - values[frozenset()])


def _reps(d: Decomposition, value_of, reps=5, seed=1):
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 0.1, reps)  # common to every policy in a replication: CRN
    rows = []
    for combo in d.combinations():
        for r in range(reps):
            rows.append((d.policy_name(combo), r, 1, "all", "m", value_of(set(combo)) + noise[r]))
    return pd.DataFrame(rows, columns=["policy", "rep", "seed", "scope", "metric", "value"])


def test_the_table_sums_to_the_total_with_intervals_and_order_does_not_matter():
    d = Decomposition("before", "after", ("pool", "notice", "pledge"), ({}, {}, {}))

    def value(s):  # pooling alone small, notice and pledge interact
        return 20 - 2 * ("pool" in s) - 3 * ("notice" in s) - 4 * ("pledge" in s) - 5 * ({"notice", "pledge"} <= s)

    table = decomposition_table(d, _reps(d, value))
    by = table.set_index("part")
    assert by.loc["total", "shapley"] == pytest.approx(-14.0)
    assert by.drop("total")["shapley"].sum() == pytest.approx(by.loc["total", "shapley"])
    assert by.loc["pool", "shapley"] == pytest.approx(-2.0)
    assert by.loc["notice", "shapley"] == pytest.approx(-5.5) and by.loc["pledge", "shapley"] == pytest.approx(-6.5)
    # CRN: the noise is common, so the parts' intervals have no width
    assert (by["ci_high"] - by["ci_low"]).max() < 1e-9
    reordered = Decomposition("before", "after", ("pledge", "pool", "notice"), ({}, {}, {}))
    again = decomposition_table(reordered, _reps(reordered, value)).set_index("part")
    assert again.loc["notice", "shapley"] == pytest.approx(by.loc["notice", "shapley"])


def test_policy_names_of_the_combinations():
    d = Decomposition("before", "after", ("a", "b"), ({}, {}))
    assert [d.policy_name(c) for c in d.combinations()] == ["before", "decompose:a", "decompose:b", "after"]


DECOMPOSE = """\
name: mmc-decompose
model: network
run:
  replications: 6
  seed: 3
  horizon_min: 5000       # short: the decomposition's arithmetic, not queueing theory
  warmup_min: 500
params:
  classes:
    citizen:
      arrivals: {dist: exponential, mean: 0.25}   # 4 a minute
      route: [window]
  stations:
    window:
      servers: 5
      service: {dist: exponential, mean: 1.1}
policies:
  before: {}
  after: {stations: {window: {servers: 6, service: {dist: exponential, mean: 1.0}}}}
decompose:
  from: before
  to: after
  parts:
    staff: {stations: {window: {servers: 6}}}
    speed: {stations: {window: {service: {dist: exponential, mean: 1.0}}}}
"""


def test_a_decompose_block_runs_every_combination_and_the_parts_sum_to_the_reform(write_scenario):
    from govsim.experiment import run_decomposition
    from govsim.experiment import run_experiment
    from govsim.scenario import load_scenario

    sc = load_scenario(write_scenario(DECOMPOSE))
    assert list(sc.decompose_resolved) == ["decompose:staff", "decompose:speed"]
    table = run_decomposition(sc, run_experiment(sc, jobs=1), jobs=1)
    w = table[(table["scope"] == "all") & (table["metric"] == "wait_mean_min")].set_index("part")
    assert w.drop("total")["shapley"].sum() == pytest.approx(w.loc["total", "shapley"])
    assert (w.drop("total")["shapley"] < 0).all()  # both parts shorten the wait


@pytest.mark.parametrize("change, words", [
    (("to: after", "to: afterwards"), "decompose.to: no policy named 'afterwards'"),
    (("staff: {stations: {window: {servers: 6}}}", "staff: {stations: {window: {servers: 7}}}"),
     "the parts together do not make policy 'after': they differ at params.stations.window.servers"),
    (("staff: {stations: {window: {servers: 6}}}", "staff: {stations: {window: {serverz: 6}}}"),
     "decompose.parts.staff.stations.window.serverz: unknown key"),
])
def test_a_bad_decompose_block_is_one_clear_line(write_scenario, change, words):
    from govsim.errors import ScenarioErrors
    from govsim.scenario import load_scenario

    with pytest.raises(ScenarioErrors) as err:
        load_scenario(write_scenario(DECOMPOSE.replace(*change)))
    assert words in err.value.errors[0].one_line()
