"""The job-fair population alone: every attribute from its own named stream, one value
per pool member, turned into values by quantiles; nothing a policy adds shifts it."""
import numpy as np
import pytest

from govsim.models.job_fair.fairs import who_comes
from govsim.models.job_fair.population import (PER_BOOTH, PERSON, arrival_minutes, booth_names, draw_fair, draw_fits,
                                               visitors)
from govsim.rng import Streams
from govsim.stats import t_interval

from test_job_fair import BASE, fairs

GHOST = {"count": 2, "recruiters": 3, "attractiveness": 1e-12, "fit_factor": 4.0}


def everyone(params, township="b", n=1, seed=5, rep=0, **fit_change):
    """Every pool member of the township's n-th fair as if all came."""
    streams = Streams(seed, rep)
    fit = draw_fits(params, streams)[township]
    draws = draw_fair(params, streams, township, n)
    who = np.arange(params.townships[township].pool)
    return fit, draws, visitors(params, draws, fit, who, np.zeros(len(who), bool))


def by_name(params, vis):
    names = booth_names(params)
    return [[names[b] for b in plan] for plan in vis.plan]


# ----------------------------------------------------------------------------- streams

def test_each_attribute_is_its_own_stream_named_after_the_fair_and_the_booth():
    p = fairs()
    draws = draw_fair(p, Streams(5, 0), "b", 1)
    size = BASE["townships"]["b"]["pool"]
    for a in PERSON:
        assert np.array_equal(draws.person[a], Streams(5, 0).get(f"fair:b:1:{a}").random(size)), a
    names = booth_names(p)
    assert names == ["key#0", "key#1"] + [f"other#{j}" for j in range(5)]
    for a in PER_BOOTH:
        assert draws.booth[a].shape == (size, len(names))
        for col, name in enumerate(names):
            assert np.array_equal(draws.booth[a][:, col], Streams(5, 0).get(f"fair:b:1:booth:{name}:{a}").random(size))


def test_a_fair_takes_each_stream_once_so_a_second_draw_of_it_is_refused():
    p, streams = fairs(), Streams(5, 0)
    draw_fair(p, streams, "a", 0)
    draw_fair(p, streams, "a", 1)  # another fair: other names
    with pytest.raises(RuntimeError, match="asked for twice"):
        draw_fair(p, streams, "a", 0)


# ----------------------------------------------------------------------------- what a policy may change

def test_a_person_keeps_every_value_when_the_pool_grows():
    small, large = fairs(), fairs(**{"townships.b.pool": 900})
    fit_s, d_s, v_s = everyone(small)
    fit_l, d_l, v_l = everyone(large)
    n = BASE["townships"]["b"]["pool"]
    assert np.array_equal(fit_s, fit_l[:n])
    for a in PERSON:
        assert np.array_equal(d_s.person[a], d_l.person[a][:n])
    assert v_s.plan == v_l.plan[:n] and v_s.talk_min == v_l.talk_min[:n] and v_s.intends == v_l.intends[:n]
    assert np.array_equal(v_s.arrival, v_l.arrival[:n]) and np.array_equal(v_s.patience_min, v_l.patience_min[:n])


def test_a_booth_kind_nobody_chooses_leaves_every_visitors_plan_talks_and_luck_as_they_were():
    base = fairs()
    ghost = fairs(**{"booths": {"ghost": GHOST, **BASE["booths"]}})  # first: every other booth's index moves
    _, d_b, v_b = everyone(base)
    _, d_g, v_g = everyone(ghost)
    cols = [booth_names(ghost).index(name) for name in booth_names(base)]
    for a in PER_BOOTH:
        assert np.array_equal(d_b.booth[a], d_g.booth[a][:, cols])
    assert by_name(base, v_b) == by_name(ghost, v_g)
    assert v_b.talk_min == v_g.talk_min and v_b.intends == v_g.intends
    assert np.array_equal(v_b.balk_over, v_g.balk_over) and np.array_equal(v_b.arrival, v_g.arrival)


def test_a_changed_distribution_moves_every_persons_value_the_same_way():
    """Values are quantiles of the person's own uniforms: a longer mean talk makes every
    talk longer in proportion (lognormal with the same cv), a higher mean fit raises
    every fit; drawing from the distribution directly would reshuffle them."""
    base = fairs()
    longer = fairs(**{"visitors.talk_min": {"dist": "lognormal", "mean": 12, "cv": 0.5},
                      "visitors.patience_min": {"dist": "lognormal", "mean": 30, "cv": 0.5}})
    _, _, v_b = everyone(base)
    _, _, v_l = everyone(longer)
    assert by_name(base, v_b) == by_name(longer, v_l)
    ratio = np.concatenate([np.array(a) / np.array(b) for a, b in zip(v_l.talk_min, v_b.talk_min)])
    assert np.allclose(ratio, 1.5, rtol=1e-9)
    assert np.allclose(v_l.patience_min / v_b.patience_min, 2.0, rtol=1e-9)
    fit_b, *_ = everyone(base)
    fit_h, *_ = everyone(fairs(**{"visitors.fit": {"mean": 0.3, "concentration": 3}}))
    assert (fit_h > fit_b).all()


def test_a_higher_fit_factor_never_takes_an_intention_away():
    base = fairs()
    kinder = fairs(**{"booths.other.fit_factor": 1.5})
    _, _, v_b = everyone(base)
    _, _, v_k = everyone(kinder)
    flat_b, flat_k = sum(v_b.intends, []), sum(v_k.intends, [])
    assert all(k >= b for b, k in zip(flat_b, flat_k))
    assert sum(flat_k) > sum(flat_b)


# ----------------------------------------------------------------------------- the values

def test_values_are_the_distributions_quantiles():
    p = fairs(**{"visitors.booths": {"dist": "deterministic", "value": 3},
                 "visitors.talk_min": {"dist": "deterministic", "value": 6.5},
                 "visitors.balk_over": {"dist": "uniform", "low": 4, "high": 12}})
    _, draws, v = everyone(p)
    assert {len(plan) for plan in v.plan} == {3}
    assert {t for talks in v.talk_min for t in talks} == {6.5}
    assert np.allclose(v.balk_over, 4 + 8 * draws.person["balk"])
    assert all(len(set(plan)) == len(plan) for plan in v.plan)
    many = fairs(**{"visitors.booths": {"dist": "deterministic", "value": 40}})
    assert {len(plan) for plan in everyone(many)[2].plan} == {7}  # no more booths than there are


def test_the_plan_ranks_booths_by_their_keys_over_attractiveness():
    p = fairs()
    _, draws, v = everyone(p)
    attract = np.array([2.5] * 2 + [1.0] * 5)
    keys = -np.log1p(-draws.booth["order"]) / attract
    for r, plan in enumerate(v.plan):
        assert list(keys[r, plan]) == sorted(keys[r, plan])
        assert keys[r, plan].max() <= np.delete(keys[r], plan).min(initial=np.inf)
    first = np.array([plan[0] for plan in v.plan])
    # key booths (2 of 7, 2.5 times as attractive) come first for 5/10 of visitors; 99% interval
    mean, lo, hi, _ = t_interval((first < 2).astype(float), 0.99)
    assert lo < 5 / 10 < hi, (mean, lo, hi)


def test_fits_have_the_beta_mean():
    fit, *_ = everyone(fairs(), township="a")
    mean, lo, hi, _ = t_interval(fit, 0.99)
    assert lo < 0.17 < hi, (mean, lo, hi)
    assert ((fit > 0) & (fit < 1)).all()


def test_arrival_minutes_invert_the_profile_exactly():
    segments = [(510.0, 540.0, 0.5), (540.0, 600.0, 0.25), (600.0, 660.0, 0.25)]
    u = np.array([0.0, 0.25, 0.5, 0.625, 0.75, 0.875, 0.999999])
    assert np.allclose(arrival_minutes(segments, u), [510, 525, 540, 570, 600, 630, 659.99976])


def test_who_comes_only_among_the_eligible_and_the_cadres_reach_exactly_their_contacts():
    p = fairs(**{"attendance.walk_in": 0.0, "attendance.mobilisation.comes": 1.0})
    fit, draws, _ = everyone(p)
    eligible = np.arange(len(fit)) % 3 != 0
    who, mob = who_comes(p.attendance, draws, eligible, fit)
    assert len(who) == 60 and mob.all() and eligible[who].all()
    few = eligible & (np.arange(len(fit)) < 40)
    assert len(who_comes(p.attendance, draws, few, fit)[0]) == few.sum()
