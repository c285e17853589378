"""The hall's population alone: every visitor's attributes, drawn before the hall opens."""
import math
from dataclasses import fields

import numpy as np
import pytest

from govsim.models.service_hall import HallParams
from govsim.models.service_hall import kpis
from govsim.models.service_hall.hall import Hall
from govsim.models.service_hall.population import (COMEBACKS, Person, Population, binomial_quantile,
                                                   population_of)
from govsim.models.service_hall import population as population_module
from govsim.rng import Streams

from conftest import params_with
from test_service_hall import BASE

FULL = {  # every feature's block present, so no attribute is left undefined
    "proxy": {"full_time": 1, "precheck": {"dist": "exponential", "mean": 10},
              "full_process": {"dist": "exponential", "mean": 60}, "home_visit": {"dist": "exponential", "mean": 60}},
    "cross_province": {"turnaround_days": {"dist": "uniform", "low": 2, "high": 6}},
    "impatience": {"balk_over": {"dist": "uniform", "low": 5, "high": 10},
                   "patience": {"dist": "lognormal", "mean": 30, "cv": 0.5},
                   "return_days": {"dist": "uniform", "low": 1, "high": 3}},
    "matters.mb.departments": ["b", "c"],  # a bundle: two steps
    "matters.mc.other_province": 0.3,
    "appointments": {"share": 0.3, "no_show": 0.1, "lateness": {"dist": "uniform", "low": 0, "high": 15}},
    "online_review": {"share": 0.4, "staff": 1, "minutes": {"dist": "exponential", "mean": 15}, "catches": 0.6},
    "matters.ma.p_missing": 0.4,  # gaps enough for the online review to catch some
}


def hall(**changes):
    return params_with(HallParams, BASE, **{**FULL, **changes})


def people(params, seed=5, rep=0, days=4):
    return Population(params, Streams(seed, rep), days).people


def column(persons, name):
    return [getattr(p, name) for p in persons]


def test_shape_numbering_and_arrival_order():
    params = hall()
    pop = Population(params, Streams(5, 0), 4)
    persons = pop.people
    assert [p.vid for p in persons] == list(range(1, len(persons) + 1))
    times = column(persons, "t_arrive")
    assert times == sorted(times) and 0 < times[0] and times[-1] < 4 * 1440
    for name, m in params.matters.items():
        mine = [p for p in persons if p.matter == name]
        assert [p.index for p in mine] == list(range(len(mine))) and mine
        assert {p.steps for p in mine} == {tuple(m.departments)}
        for p in mine:
            assert len(p.major) == len(p.minor) == len(p.accept_min) == len(p.approve_min) == len(p.steps)
            assert 0 <= p.major[0] + p.minor[0] <= m.documents
    assert all(p.green == (p.group == "elderly") for p in persons)
    assert all(math.isfinite(getattr(p, f.name)) for p in persons for f in fields(Person)
               if isinstance(getattr(p, f.name), float))


def test_same_seed_and_replication_same_people_other_replication_other_people():
    a, b, c = people(hall()), people(hall()), people(hall(), rep=1)
    assert a == b
    assert column(a, "accept_min") != column(c, "accept_min")[:len(a)]


@pytest.mark.parametrize("change,attribute", [
    ({"impatience.patience": {"dist": "exponential", "mean": 45}}, "patience"),
    ({"impatience.balk_over": None}, "balk_over"),
    ({"proxy.precheck": {"dist": "deterministic", "value": 3}}, "precheck_min"),
    ({"cross_province.turnaround_days": {"dist": "deterministic", "value": 4}}, "turnaround_days"),
    ({"matters.ma.accept": {"dist": "deterministic", "value": 4}}, "accept_min"),
    ({"groups.citizen.asks_proxy": 0.6}, "asks_proxy"),
    ({"appointments.share": 0.7}, "books"),
    ({"appointments.no_show": 0.5}, "no_show"),
    ({"appointments.lateness": {"dist": "deterministic", "value": 2}}, "lateness"),
    ({"online_review.share": 0.8}, "online"),
    ({"online_review.minutes": {"dist": "deterministic", "value": 9}}, "online_min"),
    ({"online_review.catches": 1.0}, ("caught_major", "caught_minor")),
])
def test_an_attributes_draws_are_its_own(change, attribute):
    """Changing how one attribute is drawn, or dropping its feature, changes that
    attribute and no other, for every visitor."""
    before, after = people(hall()), people(hall(**change))
    assert len(before) == len(after)
    changed = set()
    for x, y in zip(before, after):
        changed |= {f.name for f in fields(Person) if getattr(x, f.name) != getattr(y, f.name)}
    assert changed == {attribute} if isinstance(attribute, str) else changed and changed <= set(attribute)


def test_more_documents_or_a_higher_gap_rate_never_mean_fewer_gaps():
    """Gap counts come from one uniform each through the binomial quantile, so the same
    visitor has at least as many gaps when a matter needs more documents."""
    few, more = people(hall()), people(hall(**{"matters.ma.documents": 6, "matters.ma.p_missing": 0.3}))
    pairs = [(x, y) for x, y in zip(few, more) if x.matter == "ma"]
    assert all(y.major[0] + y.minor[0] >= x.major[0] + x.minor[0] for x, y in pairs)
    assert any(y.major[0] + y.minor[0] > x.major[0] + x.minor[0] for x, y in pairs)


@pytest.mark.parametrize("trials,p", [(5, 0.05), (5, 0.5), (8, 0.9), (3, 0.0), (3, 1.0), (0, 0.3)])
def test_binomial_quantile_gives_the_binomial_distribution(trials, p):
    """Over an even grid of M uniforms each count's share is its probability within 1/M."""
    m = 100_000
    counts = binomial_quantile((np.arange(m) + 0.5) / m, trials, p)
    share = np.bincount(counts, minlength=trials + 1) / m
    pmf = [math.comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(trials + 1)]
    assert np.allclose(share, pmf, atol=1.0 / m + 1e-12)


def test_later_trips_are_the_visitors_own_whatever_the_order_they_are_asked_in():
    params = hall()
    first, second = Population(params, Streams(5, 0), 4), Population(params, Streams(5, 0), 4)
    a, b = first.people[0], first.people[1]
    beyond = range(3 * COMEBACKS)  # far past the draws made ahead: the visitor's own stream
    forward = [(first.later(a, i), first.later(b, i)) for i in beyond]
    b_first = [second.later(b, i) for i in reversed(beyond)][::-1]
    assert [y for _, y in forward] == b_first
    assert [x for x, _ in forward] == [second.later(a, i) for i in beyond]
    assert len({x.gave_up_days for x, _ in forward}) == len(beyond)  # fresh draws each trip
    lo, hi = 9 * 60, 17 * 60
    assert all(lo <= x.time_of_day < hi and not 12 * 60 <= x.time_of_day < 13 * 60 for x, _ in forward)
    assert all(1 <= x.gave_up_days <= 3 and x.fetch_days == 2 for x, _ in forward)


def test_a_visitors_later_trips_do_not_depend_on_the_impatience_block():
    with_block, without = Population(hall(), Streams(5, 0), 4), Population(hall(impatience=None), Streams(5, 0), 4)
    p, q = with_block.people[3], without.people[3]
    for i in range(COMEBACKS + 2):
        x, y = with_block.later(p, i), without.later(q, i)
        assert (x.fetch_days, x.time_of_day, x.check_min) == (y.fetch_days, y.time_of_day, y.check_min)
        assert math.isnan(y.gave_up_days) and not math.isnan(x.gave_up_days)


# -- kept populations (population_of) -----------------------------------------------------

def test_policies_that_change_only_the_hall_are_handed_the_population_drawn_afresh():
    population_module.forget()
    integrated = hall(**{"layout.kind": "integrated", "documents.pledge": True, "documents.notice": "one_time"})
    first = population_of(hall(), Streams(5, 0), 4)
    assert population_of(integrated, Streams(5, 0), 4) is first
    assert first.people == Population(integrated, Streams(5, 0), 4).people


@pytest.mark.parametrize("changes", [{"appointments": None}, {"matters.ma.share": 0.4, "matters.mb.share": 0.4},
                                     {"impatience.patience.mean": 20}, {"documents.return_days.value": 3}])
def test_params_the_population_is_drawn_from_give_their_own(changes):
    population_module.forget()
    base, other = hall(), hall(**changes)
    assert population_of(other, Streams(5, 0), 4) is not population_of(base, Streams(5, 0), 4)
    assert population_of(base, Streams(5, 1), 4) is not population_of(base, Streams(5, 0), 4)
    assert population_of(other, Streams(5, 0), 4).people == Population(other, Streams(5, 0), 4).people


def test_a_run_leaves_a_kept_population_as_drawn():
    """A policy run on a population another policy has run on gets what it gets on a fresh one
    (later trips beyond the COMEBACKS drawn ahead come from the visitor's own stream too)."""
    first = hall(**{"documents.notice": "one_at_a_time", "matters.ma.p_missing": 0.9, "matters.ma.documents": 9})
    second = hall(**{"layout.kind": "integrated", "documents.pledge": True,
                     "matters.ma.p_missing": 0.9, "matters.ma.documents": 9})

    def run(params, population):
        return kpis(Hall(params, population, 6, 1).run(), params)

    population_module.forget()
    kept = population_of(first, Streams(5, 0), 6)
    run(first, kept)
    assert kept._overflow  # the first run drew later trips beyond those drawn ahead
    assert population_of(second, Streams(5, 0), 6) is kept
    assert run(second, kept) == run(second, Population(second, Streams(5, 0), 6))


# one change to each param a Population does not read (population.NOT_DRAWN_FROM)
NOT_DRAWN = {
    "departments": {"departments.a.windows": 3},
    "layout": {"layout.kind": "integrated"},
    "home_visits": {"home_visits": True},
    "promise": {"promise": {"limit_h": 24}},
    "cost": {"cost": {"window_hour_yuan": 60}},
    "service_level": {"service_level": {"wait_min": [10]}},
    "full_time_week_h": {"full_time_week_h": 40},
    "documents.notice": {"documents.notice": "one_time"},
    "documents.pledge": {"documents.pledge": True},
    "hours.closing_rule": {"hours.closing_rule": "send_home"},
}


def test_every_param_left_out_of_the_key_is_one_the_population_does_not_read():
    """Each entry of NOT_DRAWN_FROM changed alone: the same visitors and later trips, drawn
    afresh (so a wrong exclusion, a param the population does read, would show here)."""
    from govsim.models.service_hall.population import NOT_DRAWN_FROM

    listed = {f"{k}.{sub}" for k, v in NOT_DRAWN_FROM.items() if isinstance(v, set) for sub in v}
    listed |= {k for k, v in NOT_DRAWN_FROM.items() if v is True}
    assert listed == set(NOT_DRAWN), "a test change for every exclusion"
    base = Population(hall(), Streams(5, 0), 4)
    for name, changes in NOT_DRAWN.items():
        other = Population(hall(**changes), Streams(5, 0), 4)
        assert other.people == base.people, name
        assert all(other.later(p, i) == base.later(p, i) for p in base.people[:50] for i in (0, COMEBACKS)), name
