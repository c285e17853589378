"""Common random numbers in the job-fair model, as metamorphic pairs: two set-ups that
mean the same thing (a booth nobody chooses, an option never triggered) give the
same visitors and the same rows, replication by replication."""
import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsim.models.job_fair import JobFairParams, kpis, simulate
from govsim.models.job_fair.population import booth_names, draw_fair, draw_fits, visitors
from govsim.rng import Streams

from conftest import params_with
from test_job_fair import BASE, DAYS, fairs

GHOST = {"count": 2, "recruiters": 3, "attractiveness": 1e-12, "fit_factor": 4.0}


def outcome(params, seed, rep, days):
    """A replication's rows and records, booths by name (their indices move when a kind is added)."""
    rec = simulate(params, Streams(seed, rep), days)
    rows = {(s, m): v for s, m, v in kpis(rec, params)}
    names = rec.booth_names
    records = {
        "attendances": list(zip(rec.a_fair, rec.a_township, rec.a_person, rec.a_mobilised, rec.a_talks,
                                rec.a_intention)),
        "approaches": list(zip([names[b] for b in rec.b_booth], rec.b_outcome, rec.b_wait, rec.b_intention)),
        "busy": {n: float(x) for n, x in zip(names, rec.busy) if x},
        "queue": rec.queue_area.tolist(),
        "with_intention": rec.with_intention,
    }
    return rows, records


def attributes(params, seed, rep, days):
    """Every pool member's values at every fair of the campaign, booths by name."""
    streams = Streams(seed, rep)
    fits = draw_fits(params, streams)
    names = booth_names(params)
    out = {t: f.tolist() for t, f in fits.items()}
    for _, t, n in params.schedule(days):
        draws = draw_fair(params, streams, t, n)
        who = np.arange(params.townships[t].pool)
        v = visitors(params, draws, fits[t], who, np.zeros(len(who), bool))
        out[t, n] = (v.arrival.tolist(), [[names[b] for b in plan] for plan in v.plan], v.talk_min, v.intends,
                     v.balk_over.tolist(), v.patience_min.tolist())
    return out


def assert_same(base, other, seed=11, reps=3, days=DAYS):
    """Identical rows and records replication by replication; booth kinds only ``other``
    has show no approach, and only the recruiter capacity they add may differ."""
    added = set(other.booths) - set(base.booths)
    for rep in range(reps):
        rows_b, rec_b = outcome(base, seed, rep, days)
        rows_o, rec_o = outcome(other, seed, rep, days)
        np.testing.assert_equal(rec_o, rec_b)
        their_own = {f"booths:{g}" for g in added}
        shared = {k: v for k, v in rows_o.items()
                  if k[0] not in their_own and not (added and k == ("all", "recruiter_utilisation"))}
        np.testing.assert_equal(shared, {k: v for k, v in rows_b.items() if k in shared})
        assert set(rows_b) <= set(rows_o)
        for g in added:
            assert rows_o[f"booths:{g}", "talks"] == 0 and np.isnan(rows_o[f"booths:{g}", "booth_balk_frac"])
    np.testing.assert_equal(attributes(other, seed, 0, days), attributes(base, seed, 0, days))


# ----------------------------------------------------------------------------- pairs

def test_a_booth_kind_nobody_chooses_changes_nothing_even_listed_first():
    """Before draws were keyed by booth name, such a booth shifted every visitor's plan,
    talks and luck (BASE, seed 11, replications 0-2: intentions 197, 193, 182 became
    200, 199, 200)."""
    assert_same(fairs(), fairs(**{"booths": {"ghost": GHOST, **BASE["booths"]}}))


def test_the_comparison_tells_a_booth_people_do_choose():
    chosen = {**GHOST, "attractiveness": 1.0}
    with pytest.raises(AssertionError):
        assert_same(fairs(), fairs(**{"booths": {**BASE["booths"], "ghost": chosen}}), reps=1)


def test_more_booths_of_a_kind_nobody_chooses_change_nothing():
    one = fairs(**{"booths": {**BASE["booths"], "ghost": {**GHOST, "count": 1}}})
    three = fairs(**{"booths": {**BASE["booths"], "ghost": {**GHOST, "count": 3}}})
    for rep in range(3):
        a, b = outcome(one, 11, rep, DAYS), outcome(three, 11, rep, DAYS)
        np.testing.assert_equal(b[1], a[1])
        np.testing.assert_equal({k: v for k, v in b[0].items() if k[1] != "recruiter_utilisation"},
                                {k: v for k, v in a[0].items() if k[1] != "recruiter_utilisation"})


def test_mobilisation_that_brings_nobody_is_no_mobilisation():
    none = fairs(**{"attendance.mobilisation.contacts": 0})
    asks_in_vain = fairs(**{"attendance.mobilisation.contacts": 90, "attendance.mobilisation.comes": 0.0})
    assert_same(none, asks_in_vain)


def test_arrival_rates_outside_the_opening_hours_change_nothing():
    hours = {**BASE["fairs"]["arrivals_by_hour"], "06:00": 4.0, "12:00": 3.0, "13:00": 1.0}
    assert_same(fairs(), fairs(**{"fairs.arrivals_by_hour": hours}))


def test_going_on_after_an_intention_nobody_reaches_changes_nothing():
    hopeless = {"visitors.fit": {"mean": 1e-6, "concentration": 2}}
    assert_same(fairs(**hopeless), fairs(**hopeless, **{"visitors.after_intention": "continue"}))


# ----------------------------------------------------------------------------- at random

dists = st.one_of(
    st.tuples(st.floats(2, 12), st.floats(0.2, 1.0)).map(lambda t: {"dist": "lognormal", "mean": t[0], "cv": t[1]}),
    st.floats(1, 12).map(lambda m: {"dist": "exponential", "mean": m}),
    st.tuples(st.floats(0, 6), st.floats(0.5, 8)).map(lambda t: {"dist": "uniform", "low": t[0], "high": t[0] + t[1]}),
)


@st.composite
def campaigns(draw):
    n_towns = draw(st.integers(1, 3))
    kinds = {f"k{j}": {"count": draw(st.integers(1, 3)), "recruiters": draw(st.integers(1, 2)),
                       "attractiveness": draw(st.floats(0.2, 3)), "fit_factor": draw(st.floats(0.5, 2))}
             for j in range(draw(st.integers(1, 2)))}
    real = sum(k["count"] for k in kinds.values())
    return {
        "townships": {f"t{i}": {"pool": draw(st.integers(10 if i == 0 else 0, 80))} for i in range(n_towns)},
        "fairs": {"count": draw(st.integers(1, 4)), "allocation": draw(st.sampled_from(["by_pool", "even"])),
                  "opens": "08:30", "closes": "11:00",
                  "arrivals_by_hour": {"08:00": draw(st.floats(0.5, 3)), "09:00": draw(st.floats(0, 2)),
                                       "10:00": draw(st.floats(0, 1))}},
        "booths": kinds,
        "attendance": {"walk_in": draw(st.floats(0.05, 0.6)),
                       "mobilisation": {"contacts": draw(st.sampled_from([0, 0, 5, 20])),
                                        "comes": draw(st.floats(0.2, 1)), "targeting": draw(st.floats(0, 3))}},
        "visitors": {"fit": {"mean": draw(st.floats(0.05, 0.6)), "concentration": draw(st.floats(1, 10))},
                     "booths": {"dist": "uniform", "low": 1, "high": draw(st.integers(1, real))},
                     "talk_min": draw(dists), "balk_over": draw(dists), "patience_min": draw(dists),
                     "after_intention": draw(st.sampled_from(["leave", "continue"]))},
    }


@st.composite
def unused_additions(draw, spec):
    """The same campaign with booth kinds nobody chooses, at random places in the list,
    and options that never come into play."""
    other = copy.deepcopy(spec)
    booths = list(spec["booths"].items())
    for g in range(draw(st.integers(1, 2))):
        ghost = {"count": draw(st.integers(1, 3)), "recruiters": draw(st.integers(1, 3)),
                 "attractiveness": 1e-12, "fit_factor": draw(st.floats(0.5, 5))}
        booths.insert(draw(st.integers(0, len(booths))), (f"ghost{g}", ghost))
    other["booths"] = dict(booths)
    mob = other["attendance"]["mobilisation"]
    if mob["contacts"] == 0 and draw(st.booleans()):  # the cadres ask, but no one they ask comes
        mob.update(contacts=draw(st.integers(1, 50)), comes=0.0)
    if draw(st.booleans()):  # arrival rates for hours the fair is closed
        other["fairs"]["arrivals_by_hour"].update({"07:00": draw(st.floats(0, 5)), "11:00": draw(st.floats(0, 5))})
    if spec["fairs"]["count"] == len(spec["townships"]):  # one fair each: the allocation rule never acts
        other["fairs"]["allocation"] = draw(st.sampled_from(["by_pool", "even"]))
    return other


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**31))
def test_booths_nobody_chooses_and_options_never_triggered_change_no_visitor_and_no_row(data, seed):
    spec = data.draw(campaigns())
    base = params_with(JobFairParams, spec)
    other = params_with(JobFairParams, data.draw(unused_additions(spec)))
    assert_same(base, other, seed=seed, reps=2, days=20)
