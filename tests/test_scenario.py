"""Loading, validating and resolving scenario files."""
import pytest

from govsim.errors import ScenarioErrors
from govsim.scenario import deep_merge, load_scenario

from conftest import MMC_DEMO


def test_the_issue_example_loads_with_its_policies(write_scenario):
    sc = load_scenario(write_scenario(MMC_DEMO))
    assert sc.policy_names == ["base", "six_windows"]
    assert sc.baseline_policy == "base"
    assert sc.resolved["six_windows"].stations["window"].servers == 6
    assert sc.resolved["base"].stations["window"].servers == 5
    assert sc.run.replications == 10 and sc.run.warmup_min == 2000


def test_empty_policy_resolves_to_the_base_params(write_scenario):
    sc = load_scenario(write_scenario(MMC_DEMO))
    assert sc.resolved_dict("base") == sc.resolved_dict("base")
    assert sc.resolved["base"] == sc.model.params_model.model_validate(sc.params)


def test_no_policies_means_one_policy_named_base(write_scenario):
    text = MMC_DEMO.split("policies:")[0]
    sc = load_scenario(write_scenario(text))
    assert sc.policy_names == ["base"]


def test_baseline_policy_can_be_named(write_scenario):
    sc = load_scenario(write_scenario(MMC_DEMO + "baseline_policy: six_windows\n"))
    assert sc.baseline_policy == "six_windows"


def test_deep_merge_merges_mappings_and_replaces_distributions_and_lists():
    base = {"s": {"servers": 1, "service": {"dist": "exponential", "mean": 1}}, "route": ["a", "b"]}
    out = deep_merge(base, {"s": {"service": {"dist": "lognormal", "mean": 2, "cv": 0.5}}, "route": ["b"]})
    assert out == {"s": {"servers": 1, "service": {"dist": "lognormal", "mean": 2, "cv": 0.5}}, "route": ["b"]}
    assert base["s"]["service"] == {"dist": "exponential", "mean": 1}  # untouched


def test_a_policy_may_change_only_one_field_of_a_distribution(write_scenario):
    text = MMC_DEMO.replace("six_windows: {stations: {window: {servers: 6}}}",
                            "slower: {stations: {window: {service: {mean: 1.2}}}}")
    sc = load_scenario(write_scenario(text))
    assert sc.resolved["slower"].stations["window"].service.mean() == 1.2


def errors_of(write_scenario, text):
    with pytest.raises(ScenarioErrors) as info:
        load_scenario(write_scenario(text))
    return [e.one_line() for e in info.value.errors]


def test_every_error_in_a_policy_points_into_that_policy(write_scenario):
    text = MMC_DEMO.replace("six_windows: {stations: {window: {servers: 6}}}",
                            "six_windows: {stations: {window: {servers: 0}}}")
    (line,) = errors_of(write_scenario, text)
    assert line.endswith(":19: policies.six_windows.stations.window.servers: input should be greater than or equal to 1 (got 0)")


def test_validate_reports_several_independent_problems(write_scenario):
    text = MMC_DEMO.replace("servers: 5", "servers: -1").replace("route: [window]", "route: [window]\n      colour: red")
    lines = errors_of(write_scenario, text)
    assert len(lines) == 2


BASELINE = """
baselines:
  - id: T1
    source: "a made-up figure: six windows cut waits by at least half"
    policy: six_windows
    compare_to: base
    metric: wait_mean_min
    at_most: -0.5
"""


def test_baselines_are_loaded_and_checked(write_scenario):
    sc = load_scenario(write_scenario(MMC_DEMO + BASELINE))
    assert sc.baselines[0].id == "T1" and sc.baselines[0].expected_text() == "<= -0.5"


@pytest.mark.parametrize("change,words", [
    ("policy: six_windows", "policy: seven_windows"),
    ("metric: wait_mean_min", "metric: wait_mean"),
    ("at_most: -0.5", "at_most: -0.5\n    at_least: -0.9"),
])
def test_bad_baselines_are_reported(write_scenario, change, words):
    lines = errors_of(write_scenario, MMC_DEMO + BASELINE.replace(change, words))
    assert len(lines) == 1 and "baselines[0]" in lines[0]


def test_a_policy_may_set_a_field_params_leaves_at_its_default(write_scenario):
    # stations.window has no max_waiting or patience in params; a policy may still set them
    text = MMC_DEMO.replace("  six_windows: {stations: {window: {servers: 6}}}",
                            "  six_windows: {stations: {window: {servers: 6, max_waiting: 3}}}")
    sc = load_scenario(write_scenario(text))
    assert sc.resolved["six_windows"].stations["window"].max_waiting == 3
    assert sc.resolved["base"].stations["window"].max_waiting != 3


def test_a_policy_key_the_model_does_not_define_is_refused_with_a_hint(write_scenario):
    text = MMC_DEMO.replace("  six_windows: {stations: {window: {servers: 6}}}",
                            "  six_windows: {stations: {window: {max_waitng: 3}}}")
    with pytest.raises(ScenarioErrors) as err:
        load_scenario(write_scenario(text))
    line = err.value.errors[0].one_line()
    assert "policies.six_windows.stations.window.max_waitng" in line
    assert "did you mean 'max_waiting'" in line


def test_display_names_in_a_labels_block(write_scenario):
    text = MMC_DEMO + ("labels:\n  policy:\n    six_windows: {en: Six windows, zh: 六个窗口}\n"
                       "  class:\n    citizen: {zh: 市民}\n")
    sc = load_scenario(write_scenario(text))
    assert sc.labels["policy"]["six_windows"].get("zh") == "六个窗口"
    assert sc.labels["class"]["citizen"].get("en") is None and sc.labels["class"]["citizen"].get("zh") == "市民"


@pytest.mark.parametrize("block, words", [
    ("labels:\n  policy:\n    seven_windows: {zh: 七个窗口}\n", "labels.policy.seven_windows: no policy named 'seven_windows'"),
    ("labels:\n  clas:\n    citizen: {zh: 市民}\n", "labels.clas: unknown kind of name (did you mean 'class'?)"),
    ("labels:\n  matter:\n    citizen: {zh: 市民}\n", "labels.matter: this model's params have no matters"),
    ("labels:\n  class:\n    citizen: {}\n", "give en, zh or both"),
])
def test_display_names_must_name_something(write_scenario, block, words):
    with pytest.raises(ScenarioErrors) as err:
        load_scenario(write_scenario(MMC_DEMO + block))
    assert words in err.value.errors[0].one_line()


def test_a_chinese_identifier_is_refused_with_a_pointer_to_labels(write_scenario):
    with pytest.raises(ScenarioErrors) as err:
        load_scenario(write_scenario(MMC_DEMO.replace("    citizen:", "    市民:")))
    line = err.value.errors[0].one_line()
    assert "params.classes.市民: identifiers are ASCII" in line and "labels:" in line
