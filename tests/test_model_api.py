"""Every registered model, present or future, against the contract in govsim.model_api."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pydantic import BaseModel

from govsim.labels import LabelConflict, vocabulary
from govsim.model_api import Breakdown, Model, Profile, Stacked, Trace
from govsim.models import MODELS, get_model
from govsim.rng import Streams
from govsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _a_scenario_of(name: str) -> Path:
    for path in sorted(SCENARIOS.glob("*.yaml")):
        if f"model: {name}" in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no shipped scenario uses model {name!r}: every model ships at least one")


def _short(model: Model):
    """A shipped scenario of the model, cut to a short run (the contract, not the numbers)."""
    scenario = load_scenario(_a_scenario_of(model.name))
    if model.runs_in_days:
        return scenario.with_run(days=min(scenario.run.days, 5), warmup_days=0)
    return scenario.with_run(horizon_min=min(scenario.run.horizon, 3000.0), warmup_min=0)


@pytest.fixture(params=sorted(MODELS))
def model(request) -> Model:
    return get_model(request.param)


def test_every_model_is_a_model_subclass_under_its_own_name(model):
    assert isinstance(model, Model)
    assert MODELS[model.name] is type(model)
    assert type(model).simulate is not Model.simulate, "a model writes simulate()"


def test_class_attributes_are_filled_in(model):
    assert model.description and "\n" not in model.description
    assert issubclass(model.params_model, BaseModel)
    assert hasattr(model.params_model, "cross_check")
    assert model.metrics and len(set(model.metrics)) == len(model.metrics)
    assert set(model.key_metrics) <= set(model.metrics), "key metrics are among the metrics"
    for spec in model.figures:
        assert isinstance(spec, (Breakdown, Profile, Stacked))
        wanted = spec.metrics if isinstance(spec, Stacked) else (spec.metric,)
        assert set(wanted) <= set(model.metrics), f"figure {spec.name} draws a metric the model does not report"


def test_every_metric_has_an_english_and_a_chinese_label(model):
    voc = vocabulary(model)
    for metric in model.metrics:
        assert metric in voc.metrics, f"{model.name}: no English label for {metric}"
        assert metric in voc.metrics_zh, f"{model.name}: no Chinese label for {metric}"
    for metric in model.labels:
        assert metric in model.metrics, f"{model.name} labels {metric}, which it does not report"


def test_no_two_metrics_of_a_model_read_alike(model):
    """Sentences name a metric without its unit ("mean lead time ... and mean lead time"):
    two of a model's metrics never share a label, in either language."""
    voc = vocabulary(model)
    for lang in ("en", "zh"):
        seen = {}
        for metric in model.metrics:
            label = voc.metric_label(metric, with_unit=False, lang=lang)
            assert label not in seen, f"{model.name} ({lang}): {seen.get(label)} and {metric} both read {label!r}"
            seen[label] = metric


def test_logic_text_exists_in_english(model):
    text, in_lang = model.logic_text("en")
    assert text.strip() and in_lang


def test_check_run_asks_a_day_model_for_days(model):
    scenario = load_scenario(_a_scenario_of(model.name))
    assert model.check_run(scenario.run) == []
    if model.runs_in_days:
        without_days = scenario.run.model_copy(update={"days": None})
        assert model.check_run(without_days), "a model that runs in days refuses a run without days"


def test_simulate_signature_and_one_short_replication(model):
    params = inspect.signature(type(model).simulate).parameters
    assert list(params)[:5] == ["self", "params", "streams", "run", "trace"]
    assert params["trace"].default is None
    scenario = _short(model)
    base = scenario.resolved[scenario.baseline_policy]
    rows = model.run(base, Streams(scenario.run.seed, 0), scenario.run)
    assert rows and all(isinstance(s, str) and isinstance(m, str) for s, m, _ in rows)
    assert {m for _, m, _ in rows} <= set(model.metrics), "every reported metric is declared"
    again = model.run(base, Streams(scenario.run.seed, 0), scenario.run)
    assert rows == again, "same seed and replication, same rows"


def test_simulate_fills_a_trace_when_given_one_and_the_rows_do_not_change(model):
    scenario = _short(model)
    base = scenario.resolved[scenario.baseline_policy]
    trace = Trace()
    traced = model.run(base, Streams(scenario.run.seed, 0), scenario.run, trace)
    assert trace.rows, f"{model.name} records no event"
    assert traced == model.run(base, Streams(scenario.run.seed, 0), scenario.run), "tracing changes nothing"
    times = [t for _, _, t, _, _ in trace.rows]
    assert min(times) >= 0
    assert {tr for *_, tr, _ in trace.rows} <= {"start", "complete"}


def test_a_model_giving_a_common_metric_another_label_is_refused():
    class Clashing(Model):
        name = "clashing"
        labels = {"wait_mean_min": ("Average delay", "hours")}

    with pytest.raises(LabelConflict, match="wait_mean_min"):
        vocabulary(Clashing)


def test_two_models_may_give_their_own_metric_the_same_name():
    hall, licence = MODELS["service_hall"], MODELS["licence"]
    assert vocabulary(hall).metric_label("open_end") != vocabulary(licence).metric_label("open_end")


def test_every_key_metric_says_which_way_is_better(model):
    """The report's badges say better or worse from a metric's direction: every key metric
    declares one ("neither" for a metric good or bad only in context, like utilisation)."""
    voc = vocabulary(model)
    for metric in model.key_metrics:
        assert voc.direction(metric) in ("lower", "higher", "neither"), f"{model.name}: no direction for {metric}"
    for metric, direction in type(model).directions.items():
        assert metric in model.metrics, f"{model.name} gives a direction to {metric}, which it does not report"
        assert direction in ("lower", "higher", "neither"), (model.name, metric, direction)


def test_a_direction_must_be_lower_higher_or_neither():
    class Sloppy(Model):
        name = "sloppy"
        directions = {"widgets": "more"}

    with pytest.raises(ValueError, match="direction of 'widgets' must be one of lower, higher, neither"):
        vocabulary(Sloppy)

    class Contrary(Model):
        name = "contrary"
        directions = {"wait_mean_min": "higher"}  # a common metric keeps its common direction

    with pytest.raises(LabelConflict, match="wait_mean_min"):
        vocabulary(Contrary)


def test_logic_text_exists_in_chinese(model):
    text, in_lang = model.logic_text("zh")
    assert in_lang and text.strip()
    assert f"model: {model.name}" in text and sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 30
