"""Common random numbers in the service hall: two set-ups that mean the same thing give
identical rows, replication by replication (an option off vs on but never triggered,
an extra choice nobody takes)."""
import math

from hypothesis import given, settings, strategies as st

from govsim.models.service_hall import HallParams, kpis, simulate
from govsim.rng import Streams

from conftest import params_with
from test_service_hall import BASE

PATIENT = {"dist": "lognormal", "mean": 30, "cv": 0.5}
NEVER = {"dist": "uniform", "low": 1e9, "high": 2e9}  # more than any queue, longer than any run
HELPERS = {"full_time": 1, "precheck": {"dist": "exponential", "mean": 10},
           "full_process": {"dist": "exponential", "mean": 60}, "home_visit": {"dist": "exponential", "mean": 60}}
# busy enough that visitors give up and come back, so shifted patience draws would show
IMPATIENT = {"impatience": {"patience": PATIENT, "return_days": {"dist": "uniform", "low": 1, "high": 3}},
             "demand.visitors_per_day": 140}


STAFF = {("all", "staff_total"), ("all", "staff_hours_per_day")}  # what idle staff change


def hall(**changes):
    return params_with(HallParams, BASE, **{**IMPATIENT, **changes})


def rows(params, rep, days=6, warmup_days=1):
    return {(s, m): v for s, m, v in kpis(simulate(params, Streams(11, rep), days, warmup_days), params)}


def same(x, y):
    return x == y or (math.isnan(x) and math.isnan(y))


def assert_identical_rows(a, b, only_in_b=(), paid=False, reps=3):
    """Every row of ``a`` equal in ``b``, every replication; ``b`` may add rows of the
    scopes in ``only_in_b`` (what it reports about its unused option) and, when its
    unused option is ``paid`` staff, count more staff."""
    for rep in range(reps):
        ra, rb = rows(a, rep), rows(b, rep)
        assert ra.keys() <= rb.keys()
        assert {s for s, _ in rb.keys() - ra.keys()} <= set(only_in_b)
        differ = [(k, ra[k], rb[k]) for k in ra if not same(ra[k], rb[k])]
        assert {k for k, *_ in differ} == (STAFF if paid else set()), (rep, len(differ), differ[:5])
        assert ra["all", "abandon_frac"] > 0  # patience mattered: shifted draws would have shown


def test_a_balking_threshold_no_queue_reaches_changes_nothing():
    assert_identical_rows(hall(), hall(**{"impatience.balk_over": NEVER}))


def test_helpers_nobody_asks_for_change_nothing():
    with_helpers = hall(proxy=HELPERS, home_visits=True)
    assert_identical_rows(hall(), with_helpers, only_in_b=("helpers", "channel:home_visit"), paid=True)


def test_a_cross_province_block_without_such_matters_changes_nothing():
    cross = {"turnaround_days": {"dist": "triangular", "low": 2, "mode": 5, "high": 10}}
    assert_identical_rows(hall(), hall(cross_province=cross))


def test_a_green_channel_group_nobody_belongs_to_changes_nothing():
    groups = {"veteran": {"share": 0.0, "green_channel": True, "asks_proxy": 1.0}, **BASE["groups"]}
    assert_identical_rows(hall(), hall(groups=groups), only_in_b=("group:veteran",))


def test_a_cross_province_bank_nobody_needs_changes_only_its_own_rows():
    """Its windows sit idle: the hall's staff and window utilisation change, nothing else moves."""
    cross = {"turnaround_days": {"dist": "deterministic", "value": 3}}
    a, b = hall(cross_province=cross), hall(cross_province=cross, **{"layout.cross_province_windows": 1})
    for rep in range(2):
        ra, rb = rows(a, rep), rows(b, rep)
        assert {s for s, _ in rb.keys() - ra.keys()} == {"bank:cross_province"}
        differ = {k for k in ra if not same(ra[k], rb[k])}
        assert differ == {("all", "window_utilisation"), ("all", "staff_utilisation")} | STAFF, differ


# -- never-triggered options switched at random -------------------------------------------
ONLINE_NOBODY = {"share": 0.0, "staff": 1, "minutes": {"dist": "exponential", "mean": 15}, "catches": 0.7}
BOOKING_NOBODY = {"share": 0.0, "no_show": 0.1, "early_min": 5, "lateness": {"dist": "uniform", "low": 0, "high": 15}}


def with_options(balk, patience, proxy, home_visits, cross, zero_group_at, zero_matter, back_office_staff=0,
                 channels=(False, False, False)):
    """``channels``: appointments nobody books, an online review nobody uses (its team is
    staff all the same), a roster that keeps one count (the plain number)."""
    spec = {"impatience.balk_over": NEVER} if balk else {}
    booking, online, roster = channels
    if booking:
        spec["appointments"] = BOOKING_NOBODY
    if online:
        spec["online_review"] = ONLINE_NOBODY
    if roster:
        spec["departments.a.windows"] = [["00:00", 1], ["12:30", 1]]
    if back_office_staff:  # staff and their pace set for a back office the layout does not open
        spec.update({"layout.back_office_staff": back_office_staff, "layout.back_office_slowdown": 1.5})
    if patience:
        spec["impatience.patience"] = {"dist": "exponential", "mean": 1e9}
    if proxy:
        spec.update(proxy=HELPERS, home_visits=home_visits)
    if cross:
        spec["cross_province"] = {"turnaround_days": {"dist": "deterministic", "value": 2}}
    if zero_group_at is not None:
        groups = list(BASE["groups"].items())
        groups.insert(zero_group_at, ("nobody", {"share": 0.0, "green_channel": True, "asks_proxy": 1.0,
                                                 "full_process": 1.0, "home_visit": 1.0}))
        spec["groups"] = dict(groups)
    if zero_matter:
        spec["matters.md"] = {**BASE["matters"]["ma"], "share": 0.0, "departments": ["a", "b"]}
    return params_with(HallParams, BASE, **{"impatience": {"return_days": {"dist": "uniform", "low": 1, "high": 3}},
                                            "demand.visitors_per_day": 60, **spec})


OPTIONS = st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(),
                    st.one_of(st.none(), st.integers(0, 2)), st.booleans(), st.integers(0, 3),
                    st.tuples(st.booleans(), st.booleans(), st.booleans()))
# a Person's attributes that only exist with their feature (inf or nan without it)
OF_A_FEATURE = {"balk_over", "patience", "precheck_min", "full_process_min", "home_visit_min", "turnaround_days",
                "lateness", "online_min"}
# what a channel nobody uses may change: how many gaps a review would catch, whether a booking would be kept
# (drawn always, their chances set by the block)
OF_A_CHANCE = {"caught_major", "caught_minor", "no_show"}


@settings(max_examples=6, deadline=None, derandomize=True)
@given(a=OPTIONS, b=OPTIONS, seed=st.integers(0, 2**16))
def test_never_triggered_options_leave_every_visitor_and_every_row_alone(a, b, seed):
    from govsim.models.service_hall.population import Population

    pa, pb = with_options(*a), with_options(*b)
    popa, popb = Population(pa, Streams(seed, 0), 3), Population(pb, Streams(seed, 0), 3)
    assert len(popa.people) == len(popb.people) > 0
    for x, y in zip(popa.people, popb.people):
        for name in x.__slots__:
            u, v = getattr(x, name), getattr(y, name)
            if name in OF_A_CHANCE:
                continue
            if name not in OF_A_FEATURE or (math.isfinite(u) and math.isfinite(v)):
                assert u == v, (name, x, y)
    common = popa.uniforms.keys() & popb.uniforms.keys()
    assert all("md" in n.split(":") for n in popa.uniforms.keys() ^ popb.uniforms.keys())  # the extra matter's own
    assert all((popa.uniforms[n] == popb.uniforms[n]).all() for n in common)
    ra = {(s, m): v for s, m, v in kpis(simulate(pa, Streams(seed, 0), 3, 0), pa)}
    rb = {(s, m): v for s, m, v in kpis(simulate(pb, Streams(seed, 0), 3, 0), pb)}
    extra = {"helpers", "channel:home_visit", "group:nobody", "matter:md", "channel:other_province", "online_review",
             "channel:online_review", "channel:appointment"}
    assert {s for s, _ in ra.keys() ^ rb.keys()} <= extra
    staff_differ = a[2] + a[8][1] != b[2] + b[8][1]  # idle helpers and an idle online team (1 each) are staff
    differ = {k for k in ra.keys() & rb.keys() if not same(ra[k], rb[k])}
    assert differ == (STAFF if staff_differ else set())
