"""The licence model's population (govsim.models.licence.population) on its own:
every attribute of every application drawn at arrival from its own stream, the same
whatever a policy switches on, turned into values by inverse transform."""
from datetime import datetime, timedelta

import numpy as np

from govsim.models.licence import simulate
from govsim.models.licence.population import AHEAD, Population, Values, attributes
from govsim.rng import Streams
from govsim.stats import t_interval

from test_licence import DET, licence

LOGNORMAL = {"dist": "lognormal", "mean": 60, "cv": 0.5}
PLAIN = {"review": {"department": "office", "work": LOGNORMAL},
         "decide": {"department": "head", "work": DET(5)}}
# the same steps with every feature a policy might switch on
FEATURED = {"review": {"department": "office", "work": LOGNORMAL, "handover": "17:00",
                       "visit_days": {"dist": "uniform", "low": 1, "high": 5},
                       "prepare_days": {"dist": "uniform", "low": 2, "high": 6},
                       "documents": {"required": 7, "p_missing": 0.3, "minor_share": 0.5},
                       "delay_days": {"dist": "uniform", "low": 2, "high": 4},
                       "rework": {"p": 0.4, "fix_days": DET(1)}},
            "decide": {"department": "head", "work": DET(5), "slot": {"at": "10:00", "capacity": 2}}}
HELPERS = {"helpers": 2, "uptake": 0.7, "assemble": DET(60), "fix_days": DET(3), "walk": DET(20)}


def month(params, layer=0, ym=(2022, 3), seed=4, rep=0, before=()):
    """One layer's month; ``before``: (layer, (year, month)) drawn first from the same streams."""
    pop = Population(params, Streams(seed, rep), params.calendar.clock(300))
    for lay, (y, m) in before:
        pop.month(lay, y, m)
    return pop.month(layer, *ym)


def same_month(m1, m2, names):
    assert m1.n == m2.n > 0
    assert np.array_equal(m1.level, m2.level)
    assert np.array_equal(m1.t_counter, m2.t_counter) and np.array_equal(m1.t_online, m2.t_online)
    for name in names:
        assert np.array_equal(m1.u[name], m2.u[name]), name


def test_every_attribute_is_drawn_for_every_application_in_its_shape():
    params = licence(steps=FEATURED)
    m = month(params)
    names = attributes(params)
    assert set(m.u) == set(names)
    for name, shape in names.items():
        assert m.u[name].shape == (m.n,) + shape, name
        assert np.all((0 <= m.u[name]) & (m.u[name] < 1)), name
    # a step is named after itself, never after its place in the list
    assert "step:review:work" in names and "step:decide:rework" in names


def test_the_draws_do_not_depend_on_the_features_a_policy_uses():
    plain = licence(steps=PLAIN)
    featured = licence(steps=FEATURED, proxy=HELPERS, **{"arrivals.online_share": 0.6, "documents.p_missing": 0.2,
                                                          "documents.notice": "one_time", "documents.pledge": True,
                                                          "handover": {"mode": "mail", "mail_days": DET(2)}})
    same_month(month(plain), month(featured), attributes(plain))


def test_an_extra_step_or_a_dropped_one_leaves_the_others_draws_alone():
    base = licence(steps=PLAIN)
    more = licence(steps={"review": PLAIN["review"], "extra": {"department": "third", "work": DET(9)},
                          "decide": PLAIN["decide"]})
    dropped = licence(steps={**PLAIN, "review": {**PLAIN["review"], "enabled": False}})
    same_month(month(base), month(more), attributes(base))
    same_month(month(base), month(dropped), attributes(base))


def test_a_layer_is_the_same_whatever_else_was_drawn_before():
    params = licence(steps=PLAIN)
    alone = month(params, layer=0, ym=(2022, 5))
    after_others = month(params, layer=0, ym=(2022, 5), before=[(1, (2022, 5)), (1, (2022, 6))])
    same_month(alone, after_others, attributes(params))
    second = month(params, layer=1, ym=(2022, 5))
    assert np.all((1 <= second.level) & (second.level < 2)) and np.all((0 <= alone.level) & (alone.level < 1))
    assert not np.array_equal(second.u["step:review:work"][:3], alone.u["step:review:work"][:3])


def test_arrivals_fall_in_their_month_and_counter_ones_in_office_hours():
    params = licence(steps=PLAIN)
    cal = params.calendar
    start = datetime.combine(cal.start, datetime.min.time())
    m = month(params, ym=(2022, 4))
    for t_counter, t_online in zip(m.t_counter, m.t_online):
        at_counter, online = start + timedelta(minutes=t_counter), start + timedelta(minutes=t_online)
        assert (at_counter.year, at_counter.month) == (online.year, online.month) == (2022, 4)
        assert cal.is_working_day(at_counter.date())
        assert cal.hours.is_open(at_counter.hour * 60 + at_counter.minute + at_counter.second / 60)


def test_values_come_from_the_uniforms_by_inverse_transform():
    """Doubling a step's mean work doubles every application's work (lognormal with
    the same cv): a policy meets each applicant at the same quantile."""
    base = licence(steps=PLAIN)
    slower = licence(steps={**PLAIN, "review": {**PLAIN["review"], "work": {**LOGNORMAL, "mean": 120}}})
    m = month(base)
    u = m.u["step:review:work"]
    v1 = np.array([Values(base).value("step:review:work", x) for x in u])
    v2 = np.array([Values(slower).value("step:review:work", x) for x in u])
    assert np.allclose(v2, 2 * v1)
    # and the values have the distribution's mean: inside the 99.9% interval over many applications
    busy = licence(steps=PLAIN, **{"arrivals.per_year": 24000})
    u = month(busy).u["step:review:work"]
    mean, lo, hi, _ = t_interval([Values(busy).value("step:review:work", x) for x in u], 0.999)
    assert lo <= 60 <= hi, (mean, lo, hi)
    # where the params give no distribution the uniform is still drawn and worth nothing
    assert Values(base).value("proxy:assemble", 0.5) == 0.0 and Values(base).value("step:review:delay", 0.9) == 0.0


def test_channels_and_gaps_are_nested_as_their_shares_grow():
    m = month(licence(steps=PLAIN, **{"documents.p_missing": 0.1}))
    low = Values(licence(steps=PLAIN, proxy={**HELPERS, "uptake": 0.3}, **{"arrivals.online_share": 0.2,
                                                                           "documents.p_missing": 0.1}))
    high = Values(licence(steps=PLAIN, proxy={**HELPERS, "uptake": 0.8}, **{"arrivals.online_share": 0.7,
                                                                            "documents.p_missing": 0.3}))
    (on_lo, px_lo, _), (on_hi, px_hi, _) = low.channels(m), high.channels(m)
    assert np.all(on_lo <= on_hi) and np.all(px_lo <= px_hi) and on_hi.sum() > on_lo.sum()
    gaps_lo, gaps_hi = sum(low.gaps(m, None)), sum(high.gaps(m, None))
    assert np.all(gaps_lo <= gaps_hi) and gaps_hi.sum() > gaps_lo.sum()


def test_draws_past_those_made_at_arrival_are_the_applications_own():
    """Re-work rounds beyond AHEAD come from a stream named after the application, so
    they are the same whichever application needed more first (order of events)."""
    params = licence(steps=FEATURED)
    name = "step:review:rework"

    def draws(order):
        pop = Population(params, Streams(4, 0), params.calendar.clock(300))
        m = pop.month(0, 2022, 3)
        apps = [m.drawn(i) for i in range(2)]
        out = {}
        for i in order:
            out[i] = [pop.later(apps[i], name, j) for j in range(AHEAD + 4)]
        return m, out

    m, first = draws([0, 1])
    _, second = draws([1, 0])
    assert first == second
    assert first[0][:AHEAD] == m.u[name][0].tolist()
    assert first[0][AHEAD:] != first[1][AHEAD:]


def test_every_stream_name_is_asked_for_once():
    """Streams refuse a name asked twice: two layers and a step named like the intake
    and the hand-over stages still draw from distinct streams."""
    params = licence(steps={"intake": {"department": "office", "work": DET(5), "documents": {"required": 3,
                                                                                            "p_missing": 1.0}},
                            "handover": {"department": "head", "work": DET(5)}})
    pop = Population(params, Streams(1, 0), params.calendar.clock(300))
    for layer in (0, 1):
        for ym in ((2022, 1), (2022, 2)):
            pop.month(layer, *ym)
    names = attributes(params)
    assert "intake:documents" in names and "step:intake:documents" in names
    # and the engine keeps the two sets of documents apart: none missing at the intake, all three at the step
    apps = [a for a in simulate(params, Streams(1, 0), 20).apps if a.counted]
    assert apps and {a.gaps for a in apps} == {(0, 3)} and {a.supplements for a in apps} == {3}
