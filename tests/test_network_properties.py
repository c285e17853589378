"""Properties that hold for any network (hypothesis): conservation and bounds, the event
log against the KPIs, and common random numbers under options that never act."""
import math
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsim.model_api import Trace
from govsim.models.network import NetworkParams, engine, kpis, population, simulate
from govsim.rng import Streams

dists = st.one_of(
    st.floats(0.2, 5).map(lambda m: {"dist": "exponential", "mean": m}),
    st.floats(0, 5).map(lambda v: {"dist": "deterministic", "value": v}),
    st.tuples(st.floats(0, 3), st.floats(0.1, 3)).map(lambda t: {"dist": "uniform", "low": t[0], "high": t[0] + t[1]}),
    st.tuples(st.floats(0.2, 5), st.floats(0.1, 2)).map(lambda t: {"dist": "lognormal", "mean": t[0], "cv": t[1]}),
)


@st.composite
def rosters(draw):
    """A daily roster whose changes fall inside the run (HORIZON minutes), someone on duty."""
    minutes = sorted(draw(st.sets(st.integers(1, 299), max_size=4)))
    counts = draw(st.lists(st.integers(0, 3), min_size=len(minutes) + 1, max_size=len(minutes) + 1))
    if not any(counts):
        counts[0] = 1
    return [[f"{m // 60:02d}:{m % 60:02d}", n] for m, n in zip([0] + minutes, counts)]


@st.composite
def networks(draw):
    stations = [f"s{i}" for i in range(draw(st.integers(1, 3)))]
    spec_stations = {}
    for s in stations:
        spec = {"servers": draw(st.integers(1, 3) | rosters()), "service": draw(dists),
                "discipline": draw(st.sampled_from(["fifo", "priority"]))}
        if draw(st.booleans()):
            spec["max_waiting"] = draw(st.integers(0, 4))
        spec_stations[s] = spec
    classes = {}
    for k in range(draw(st.integers(1, 3))):
        spec = {"arrivals": draw(dists.filter(lambda d: d.get("mean", d.get("value", d.get("high", 1))) > 0.1)),
                "priority": draw(st.integers(0, 2))}
        if draw(st.booleans()):
            spec["route"] = draw(st.lists(st.sampled_from(stations), min_size=1, max_size=4))
        else:
            start = draw(st.sampled_from(stations))
            back = draw(st.floats(0, 0.6))
            spec["start"] = start
            spec["transitions"] = {s: {start: back, "exit": 1 - back} for s in stations}
        if draw(st.booleans()):
            spec["patience"] = draw(dists)
        classes[f"c{k}"] = spec
    return NetworkParams.model_validate({"classes": classes, "stations": spec_stations})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=networks(), seed=st.integers(0, 2**31), warmup=st.floats(0, 100))
def test_conservation_and_bounds(params, seed, warmup):
    assert not params.cross_check()
    m = {(scope, metric): v for scope, metric, v in kpis(simulate(params, Streams(seed, 0), 300.0, warmup))}
    scopes = {scope for scope, _ in m}
    for scope in scopes:
        # arrived = served + abandoned + blocked + still inside
        assert m[scope, "arrived"] == (m[scope, "served"] + m[scope, "abandoned"] + m[scope, "blocked"]
                                       + m[scope, "in_system_end"]), scope
        for frac in ("abandon_frac", "blocked_frac"):
            assert math.isnan(m[scope, frac]) or 0 <= m[scope, frac] <= 1
        if m[scope, "served"] > 0:
            assert m[scope, "wait_mean_min"] >= 0 and m[scope, "wait_p90_min"] >= 0
            assert m[scope, "wait_mean_min"] <= m[scope, "sojourn_mean_min"] + 1e-9
        else:
            assert math.isnan(m[scope, "wait_mean_min"])
        assert m[scope, "queue_len_mean"] >= 0
        if (scope, "utilisation") in m:  # busy over on-duty time (a roster's overrun included): never above 1
            staffed = m[scope, "staffed_hours_per_day"]
            assert staffed >= 0 and math.isnan(m[scope, "utilisation"]) == (staffed == 0)
            assert staffed == 0 or -1e-12 <= m[scope, "utilisation"] <= 1 + 1e-9
    classes = [s for s in scopes if s.startswith("class:")]
    assert sum(m[c, "arrived"] for c in classes) == m["all", "arrived"]
    assert sum(m[c, "served"] for c in classes) == m["all", "served"]
    assert abs(sum(m[c, "queue_len_mean"] for c in classes) - m["all", "queue_len_mean"]) < 1e-9


HORIZON = 300.0


def traced(params, seed, warmup=0.0):
    """KPI rows, the event log and every customer's draws (class, index, service, routing
    and patience uniforms, overflow included): the population is drawn before the run, so
    drawing it again for the same replication gives the run's own draws."""
    trace = Trace()
    rows = kpis(simulate(params, Streams(seed, 0), HORIZON, warmup, trace))
    return rows, trace.rows, population.draw(params, Streams(seed, 0), HORIZON, keep_draws=True).draws()


def same_rows(a, b):
    return len(a) == len(b) and all(
        (s, m) == (t, n) and (v == w or (math.isnan(v) and math.isnan(w))) for (s, m, v), (t, n, w) in zip(a, b))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=networks(), seed=st.integers(0, 2**31))
def test_the_event_log_counts_what_the_kpis_count(params, seed):
    rows, log, _ = traced(params, seed)
    m = {(scope, metric): v for scope, metric, v in rows}
    assert same_rows(rows, kpis(simulate(params, Streams(seed, 0), HORIZON, 0.0))), "tracing changes nothing"
    count = Counter((activity, transition, resource) for _, activity, _, transition, resource in log)
    stations, classes = list(params.stations), list(params.classes)
    for s in stations:
        scope = f"station:{s}"
        assert count["serve", "complete", s] == m[scope, "served"]
        assert count["abandon", "complete", s] == m[scope, "abandoned"]
        assert count["block", "complete", s] == m[scope, "blocked"]
        # a visit begins on arrival at the class's first station or on being routed there
        firsts = sum(1 for case, activity, *_ in log if activity == "arrive"
                     and _first(params.classes[case.split(":")[0]]) == s)
        assert firsts + count["route", "complete", s] == m[scope, "arrived"]
    for scope, prefix in [("all", "")] + [(f"class:{c}", f"{c}:") for c in classes]:
        mine = Counter(activity for case, activity, *_ in log if case.startswith(prefix))
        assert mine["arrive"] == m[scope, "arrived"]
        assert mine["abandon"] == m[scope, "abandoned"] and mine["block"] == m[scope, "blocked"]
        assert mine["leave"] - mine["abandon"] - mine["block"] == m[scope, "served"]
        assert mine["arrive"] - mine["leave"] == m[scope, "in_system_end"]
    # every case begins with its arrival, ends (if it ends) with leaving, and time runs forward
    by_case = {}
    for case, activity, minutes, *_ in log:
        by_case.setdefault(case, []).append((activity, minutes))
    for events in by_case.values():
        assert events[0][0] == "arrive" and all(a != "arrive" for a, _ in events[1:])
        assert all(a != "leave" for a, _ in events[:-1])
    times = [minutes for _, _, minutes, *_ in log]
    assert times == sorted(times)


def _first(c):
    return c.route[0] if c.route is not None else c.start


def _with(params, change):
    spec = params.model_dump(mode="json", exclude_none=True, by_alias=True)
    change(spec)
    out = NetworkParams.model_validate(spec)
    assert not out.cross_check()
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=networks(), seed=st.integers(0, 2**31), warmup=st.floats(0, 100), data=st.data())
def test_options_that_never_act_change_no_draw_and_no_number(params, seed, warmup, data):
    """Common random numbers: a station nobody is sent to, patience longer than the run, a
    waiting room that never fills, a roster that keeps one count or demand factors of 1
    leave every customer's draws, every event and every KPI as they were."""
    what = data.draw(st.sampled_from(["extra station", "patience", "max_waiting", "constant roster", "demand of one"]))
    if what == "extra station":
        names = list(params.stations)
        at = data.draw(st.integers(0, len(names)))  # anywhere in the list: no station's position matters
        extra = {"servers": data.draw(st.integers(1, 3)), "service": {"dist": "exponential", "mean": 1.0}}

        def change(spec):
            items = list(spec["stations"].items())
            spec["stations"] = dict(items[:at] + [("extra", extra)] + items[at:])
        base = params
    elif what == "patience":
        cls = data.draw(st.sampled_from(list(params.classes)))
        base = _with(params, lambda spec: spec["classes"][cls].pop("patience", None))

        def change(spec):
            spec["classes"][cls]["patience"] = {"dist": "uniform", "low": 2 * HORIZON, "high": 3 * HORIZON}
    elif what == "constant roster":  # a number written as a roster that never changes it
        station = data.draw(st.sampled_from(list(params.stations)))
        n = data.draw(st.integers(1, 3))
        base = _with(params, lambda spec: spec["stations"][station].update(servers=n))
        hours = data.draw(st.lists(st.integers(1, 23), max_size=3, unique=True))

        def change(spec):
            spec["stations"][station]["servers"] = [["00:00", n]] + [[f"{h:02d}:00", n] for h in sorted(hours)]
    elif what == "demand of one":  # factors of 1 written out
        base = params
        days = data.draw(st.lists(st.sampled_from(["mon", "tue", "sat"]), max_size=3, unique=True))

        def change(spec):
            spec["demand_factors"] = {"weekday": {d: 1.0 for d in days}, "month": {"jan": 1}}
    else:
        station = data.draw(st.sampled_from(list(params.stations)))
        base = _with(params, lambda spec: spec["stations"][station].pop("max_waiting", None))

        def change(spec):
            spec["stations"][station]["max_waiting"] = 10**9
    rows, log, draws = traced(base, seed, warmup)
    rows2, log2, draws2 = traced(_with(base, change), seed, warmup)
    assert same_rows(rows, [r for r in rows2 if r[0] != "station:extra"])
    assert log == log2
    if what == "patience":  # patience uniforms are drawn only for a class with patience
        draws, draws2 = [d[:4] for d in draws], [d[:4] for d in draws2]
    assert draws == draws2


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), servers=st.integers(2, 4))
def test_a_customer_past_its_planned_visits_keeps_its_draws_under_any_policy(seed, servers):
    """Visits past the twelfth draw from the customer's own stream: neither another
    policy's order of events (more servers) nor patience switched on shifts them."""
    # 20 visits on average, so most of the ~15 customers pass their twelfth
    spec = {"classes": {"c": {"arrivals": {"dist": "exponential", "mean": 20.0}, "start": "desk",
                              "transitions": {"desk": {"desk": 0.95, "exit": 0.05}}}},
            "stations": {"desk": {"servers": 1, "service": {"dist": "exponential", "mean": 0.5}}}}
    base = NetworkParams.model_validate(spec)
    more = _with(base, lambda s: s["stations"]["desk"].update(servers=servers))
    patient = _with(base, lambda s: s["classes"]["c"].update(
        patience={"dist": "uniform", "low": 2 * HORIZON, "high": 3 * HORIZON}))
    _, _, draws = traced(base, seed)
    assert max(len(us) for _, _, us, _, _ in draws) > engine.PLANNED_VISITS  # the case in question arises
    for other in (more, patient):
        _, _, other_draws = traced(other, seed)
        assert len(other_draws) == len(draws)
        for (_, i, us, ur, _), (_, j, us2, ur2, _) in zip(draws, other_draws):
            n = min(len(us), len(us2))
            assert i == j and us[:n] == us2[:n] and ur[:n] == ur2[:n]


def test_a_patience_past_the_end_leaves_every_number_to_the_last_bit():
    """Found by the test above: customers in service at the end were recorded in the calendar's
    order, which a patience event past the end (never run, still in the calendar) reshuffles;
    a class's queue length then moved in its last bit.  They are recorded by customer number."""
    spec = {"classes": {"c0": {"arrivals": {"dist": "exponential", "mean": 3.0}, "route": ["s0"]},
                        "c1": {"arrivals": {"dist": "exponential", "mean": 1.0}, "start": "s0",
                               "transitions": {"s0": {"s0": 0.0, "exit": 1.0}, "s1": {"s0": 0.0, "exit": 1.0}},
                               "patience": {"dist": "exponential", "mean": 1.0}}},
            "stations": {"s0": {"servers": [["00:00", 0], ["04:10", 3]], "service": {"dist": "deterministic", "value": 1.75}},
                         "s1": {"servers": 1, "service": {"dist": "exponential", "mean": 1.0}}}}
    base = NetworkParams.model_validate(spec)
    late = _with(base, lambda s: s["classes"]["c0"].update(patience={"dist": "uniform", "low": 2 * HORIZON,
                                                                     "high": 3 * HORIZON}))
    rows, log, _ = traced(base, 0)
    rows2, log2, _ = traced(late, 0)
    assert log == log2
    assert same_rows(rows, rows2)
