"""Properties that hold for any network (hypothesis): conservation and bounds."""
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsim.models.network import NetworkParams, kpis, simulate
from govsim.rng import Streams

dists = st.one_of(
    st.floats(0.2, 5).map(lambda m: {"dist": "exponential", "mean": m}),
    st.floats(0, 5).map(lambda v: {"dist": "deterministic", "value": v}),
    st.tuples(st.floats(0, 3), st.floats(0.1, 3)).map(lambda t: {"dist": "uniform", "low": t[0], "high": t[0] + t[1]}),
    st.tuples(st.floats(0.2, 5), st.floats(0.1, 2)).map(lambda t: {"dist": "lognormal", "mean": t[0], "cv": t[1]}),
)


@st.composite
def networks(draw):
    stations = [f"s{i}" for i in range(draw(st.integers(1, 3)))]
    spec_stations = {}
    for s in stations:
        spec = {"servers": draw(st.integers(1, 3)), "service": draw(dists),
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
        if (scope, "utilisation") in m:
            assert -1e-12 <= m[scope, "utilisation"] <= 1 + 1e-9
    classes = [s for s in scopes if s.startswith("class:")]
    assert sum(m[c, "arrived"] for c in classes) == m["all", "arrived"]
    assert sum(m[c, "served"] for c in classes) == m["all", "served"]
    assert abs(sum(m[c, "queue_len_mean"] for c in classes) - m["all", "queue_len_mean"]) < 1e-9
