"""Common random numbers in the licence model, as metamorphic pairs: two set-ups that
mean the same thing (a feature absent, or present and never triggered) give identical
rows, replication by replication; and what an application draws never depends on the
order of events another policy brings."""
import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsim.models.licence import LicenceModel, LicenceParams, kpis, simulate
from govsim.models.licence.population import attributes
from govsim.models.licence.records import DELAY
from govsim.rng import Streams
from govsim.scenario import RunSettings

from conftest import params_with
from test_licence import BASE, DET

REPS = range(3)
RUN = RunSettings(days=50, warmup_days=10)

# a congested workflow: gaps found one at a time, a paper hand-over, an inspection
# booked ahead with little room, a morning sign-off, few staff
SPEC = copy.deepcopy(BASE)
SPEC.update({
    "arrivals": {"per_year": 600, "online_share": 0.3},
    "departments": {"window": {"staff": 1}, "office": {"staff": 1}, "head": {"staff": 1}, "third": {"staff": 1}},
    "documents": {**BASE["documents"], "required": 8, "p_missing": 0.1, "minor_share": 0.0,
                  "check": {"dist": "lognormal", "mean": 5, "cv": 0.5},
                  "return_days": {"dist": "uniform", "low": 1, "high": 4}},
    "steps": {
        "review": {"department": "office", "handover": "17:00", "work": {"dist": "lognormal", "mean": 60, "cv": 0.5}},
        "inspection": {"department": "third", "slot": {"at": "09:00", "capacity": 3, "lead_days": 1},
                       "work": {"dist": "lognormal", "mean": 120, "cv": 0.4}},
        "decide": {"department": "head", "handover": "17:00", "slot": {"at": "10:00"}, "work": DET(10)},
    },
    "handover": {"mode": "in_person", "collect_days": {"dist": "uniform", "low": 0, "high": 2}},
    "promise": {"days": 5},
})
FIX = {"dist": "uniform", "low": 1, "high": 3}
IDLE_HELPERS = {"helpers": 2, "uptake": 0.0, "assemble": DET(60), "fix_days": DET(3), "walk": DET(20)}


def params(**changes) -> LicenceParams:
    return params_with(LicenceParams, SPEC, **changes)


def rows(p, rep, run=RUN):
    return {(s, m): v for s, m, v in LicenceModel().run(p, Streams(11, rep), run)}


def same(x: float, y: float) -> bool:
    return x == y or (x != x and y != y)  # NaN (no application in a scope) on both sides


def assert_same_rows(plain, featured, extra_scopes=(), skip=()):
    """Every row of ``plain`` equal in ``featured``, which adds only rows of ``extra_scopes``."""
    for rep in REPS:
        a, b = rows(plain, rep), rows(featured, rep)
        assert a.keys() <= b.keys()
        assert all(s.startswith(extra_scopes) for s, _ in b.keys() - a.keys()) if extra_scopes else a.keys() == b.keys()
        differ = {k: (a[k], b[k]) for k in a if k not in skip and not same(a[k], b[k])}
        assert not differ, (rep, differ)


def test_helpers_nobody_uses_change_nothing():
    assert_same_rows(params(), params(proxy=IDLE_HELPERS), extra_scopes=("channel:", "helpers"))


def test_rework_that_never_happens_changes_nothing():
    assert_same_rows(params(), params(**{"steps.inspection.rework": {"p": 0.0, "fix_days": FIX}}))


def test_a_set_of_documents_with_none_required_changes_nothing():
    assert_same_rows(params(), params(**{"steps.review.documents": {"required": 0, "p_missing": 0.5}}))


def test_a_dropped_step_is_as_if_it_were_not_there():
    steps = SPEC["steps"]
    dropped = {"review": steps["review"], "expert": {"department": "office", "work": DET(300), "enabled": False},
               "inspection": steps["inspection"], "decide": steps["decide"]}
    assert_same_rows(params(), params(steps=dropped))


def test_preparation_that_takes_no_time_for_applicants_online_changes_nothing():
    # nothing to wait for and no trip to hand it in: the step's other draws stay put
    online = {"arrivals.online_share": 1.0}
    assert_same_rows(params(**online), params(**online, **{"steps.review.prepare_days": DET(0)}))


def test_pledges_with_no_minor_gaps_change_nothing():
    assert_same_rows(params(), params(**{"documents.pledge": True}))


def test_a_slot_capacity_never_reached_changes_nothing():
    assert_same_rows(params(), params(**{"steps.decide.slot.capacity": 10_000}))


def test_a_department_with_no_work_changes_nothing_but_the_total_capacity():
    # the office-wide utilisation divides by every department's staff, so it alone moves
    assert_same_rows(params(), params(**{"departments.archive": {"staff": 3}}), extra_scopes=("department:archive",),
                     skip={("all", "utilisation")})


def test_demand_reruns_leave_the_base_rows_alone():
    assert_same_rows(params(), params(stress=[1.5, 2.0]), extra_scopes=("demand:",))


def test_what_an_application_draws_does_not_depend_on_the_order_of_events():
    """Staffing changes who is served first, never which numbers each application
    gets: its supplements, the days it takes to bring documents, its re-work rounds
    and the days to put them right, however many (re-work with p = 0.8 often needs
    more rounds than are drawn at arrival)."""
    heavy = {"documents.required": 30, "documents.p_missing": 0.4,  # ~12 gaps found one at a time
             "steps.inspection.rework": {"p": 0.8, "fix_days": FIX}, "arrivals.per_year": 150}
    few = params(**heavy)
    many = params(**heavy, **{f"departments.{d}.staff": 4 for d in ("window", "office", "third", "head")})
    k = 2  # the inspection's stage
    rounds = 0
    for rep in REPS:
        by_case = [{a.case: a for a in simulate(p, Streams(11, rep), 40).apps if a.t_end == a.t_end}
                   for p in (few, many)]
        common = by_case[0].keys() & by_case[1].keys()
        assert len(common) > 10
        for case in common:
            a, b = by_case[0][case], by_case[1][case]
            assert a.supplements == b.supplements
            assert a.times[0][DELAY] == pytest.approx(b.times[0][DELAY], abs=1e-6)  # days to bring documents
            assert a.later_used.get("step:inspection:rework") == b.later_used.get("step:inspection:rework")
            assert a.times[k][DELAY] == pytest.approx(b.times[k][DELAY], abs=1e-6)  # days to put things right
            rounds = max(rounds, a.later_used.get("step:inspection:rework", 0))
    assert rounds > 6  # past the rounds drawn at arrival


# -- at random: features that are present and never triggered ----------------------------------

@st.composite
def never_triggered(draw):
    """Overlays on SPEC that switch on something nobody meets."""
    changes = {}
    if draw(st.booleans()):
        changes["proxy"] = {**IDLE_HELPERS, "helpers": draw(st.integers(1, 5))}
    if draw(st.booleans()):
        changes["steps.inspection.rework"] = {"p": 0.0, "fix_days": FIX}
    if draw(st.booleans()):
        step = draw(st.sampled_from(["review", "decide"]))
        changes[f"steps.{step}.documents"] = {"required": 0, "p_missing": draw(st.floats(0, 1))}
    if draw(st.booleans()):
        changes["documents.pledge"] = True
    if draw(st.booleans()):
        changes["steps.decide.slot.capacity"] = draw(st.integers(1000, 10**6))
    if draw(st.booleans()):
        names = list(SPEC["steps"])
        at = draw(st.integers(0, len(names)))
        steps = {n: SPEC["steps"][n] for n in names[:at]}
        steps["dropped"] = {"department": "office", "work": DET(99), "enabled": False}
        steps.update({n: SPEC["steps"][n] for n in names[at:]})
        changes["steps"] = steps
    return changes


def _with(changes):
    # a full "steps" replacement goes first, then dotted changes inside it
    spec = copy.deepcopy(SPEC)
    if "steps" in changes:
        spec["steps"] = copy.deepcopy(changes["steps"])
    rest = {k: v for k, v in changes.items() if k != "steps"}
    return params_with(LicenceParams, spec, **rest)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=never_triggered(), rep=st.integers(0, 50))
def test_never_triggered_features_change_no_draw_and_no_row(changes, rep):
    plain, featured = params(), _with(changes)
    recs = [simulate(p, Streams(7, rep), 30, 5) for p in (plain, featured)]
    names = set(attributes(plain))
    assert [a.case for a in recs[0].apps] == [a.case for a in recs[1].apps]
    for a, b in zip(recs[0].apps, recs[1].apps):
        ua, ub = a.drawn.uniforms(), b.drawn.uniforms()
        assert {n: ua[n] for n in names} == {n: ub[n] for n in names}
        assert (a.t_cal, a.gaps, a.online, a.proxied) == (b.t_cal, b.gaps[:len(a.gaps)], b.online, b.proxied)
    plain_rows = {(s, m): v for s, m, v in kpis(recs[0], plain)}
    featured_rows = {(s, m): v for s, m, v in kpis(recs[1], featured)}
    extra = {s for s, _ in featured_rows.keys() - plain_rows.keys()}
    assert extra <= {"channel:proxy", "channel:self", "helpers"}, extra
    differ = {k: (v, featured_rows[k]) for k, v in plain_rows.items() if not same(v, featured_rows[k])}
    assert not differ, differ
