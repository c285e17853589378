"""The ``uncertain:`` block: paths with wildcards, whole-value replacement, and bad
entries reported as one line with file, line and field (exit 2, nothing written)."""
from __future__ import annotations

import re

import pytest

from govsim.uncertain import expand, ordered_wrongly, value_text, with_changes

from conftest import SCENARIOS, assert_bad_scenario
from govsim.scenario import load_scenario

HALL = SCENARIOS / "hongjiang_hall.yaml"
PARAMS = {"matters": {"a": {"share": 0.5, "minor_share": 0.4}, "b": {"share": 0.5, "minor_share": 0.5}},
          "layout": {"kind": "separate"}}


def _knows(prefix, key):
    return prefix == ("layout",) and key == "generalist_slowdown"


def test_a_wildcard_expands_to_every_key_at_its_level():
    assert expand("matters.*.minor_share", PARAMS, _knows) == [("matters", "a", "minor_share"),
                                                                ("matters", "b", "minor_share")]


def test_a_field_params_leaves_at_its_default_can_be_uncertain():
    assert expand("layout.generalist_slowdown", PARAMS, _knows) == [("layout", "generalist_slowdown")]


@pytest.mark.parametrize("path, words", [("matters.*.minor_shar", "no field 'minor_shar'"),
                                          ("layout.kind.*", "'*' matches nothing at params.layout.kind.*"),
                                          ("nothing", "no field 'nothing'")])
def test_a_path_that_names_nothing_says_where(path, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        expand(path, PARAMS, _knows)


def test_changes_replace_the_whole_value_and_leave_the_original_alone():
    dist = {"dist": "uniform", "low": 1, "high": 2}
    out = with_changes(PARAMS, {("matters", "a", "minor_share"): 0.3, ("layout", "extra"): dist})
    assert out["matters"]["a"]["minor_share"] == 0.3 and out["layout"]["extra"] == dist
    assert PARAMS["matters"]["a"]["minor_share"] == 0.4 and "extra" not in PARAMS["layout"]


def test_order_matters_for_numbers_only():
    assert ordered_wrongly(0.7, 0.3) and not ordered_wrongly(0.3, 0.7)
    assert not ordered_wrongly({"dist": "exponential", "mean": 5}, {"dist": "exponential", "mean": 3})
    assert value_text(0.3) == "0.3" and value_text({"dist": "exponential", "mean": 5}) == '{"dist": "exponential", "mean": 5}'


def test_the_shipped_hall_declares_its_uncertain_inputs_with_reasons():
    sc = load_scenario(HALL)
    assert sc.uncertain, "the hall study declares the ranges of its assumed inputs"
    assert all(u.reason.strip() and u.paths for u in sc.uncertain)


def test_a_variant_puts_the_policy_overlay_on_top_of_the_changed_base():
    sc = load_scenario(HALL)
    u = next(u for u in sc.uncertain if "minor_share" in u.path)
    low = sc.variant("integrated", u.changes("low"))
    assert all(m.minor_share == u.low for m in low.matters.values())
    assert low.documents.pledge is True  # the policy's own overlay still applies


UNCERTAIN_BLOCK = "baselines:"


@pytest.mark.parametrize("entry, field, words", [
    ("  - {path: matters.*.minor_shar, low: 0.3, high: 0.7, reason: r}", "uncertain[0].path", "no field 'minor_shar'"),
    ("  - {path: departments.*.nothing.*, low: 1, high: 2, reason: r}", "uncertain[0].path", "no field 'nothing'"),
    ("  - {path: matters.*.minor_share, low: 0.7, high: 0.3, reason: r}", "uncertain[0].low", "above high"),
    ("  - {path: matters.*.minor_share, low: 0.3, high: 0.7}", "uncertain[0].reason", "required"),
    ("  - {path: matters.*.minor_share, low: 0.3, high: 1.7, reason: r}", "uncertain[0].high",
     "makes policy 'separate' invalid"),
])
def test_bad_uncertain_entries_are_one_line_with_file_line_and_field(entry, field, words, tmp_path):
    text = HALL.read_text(encoding="utf-8")
    marker = entry.strip()
    # replace the scenario's own uncertain block by the one bad entry
    start = text.index("\nuncertain:\n")
    end = text.index("\n" + UNCERTAIN_BLOCK)
    broken = text[:start] + "\nuncertain:\n" + entry + text[end:]
    source = tmp_path / "src" / HALL.name
    source.parent.mkdir()
    source.write_text(broken, encoding="utf-8")
    assert_bad_scenario(source, marker, marker, marker, field, words, tmp_path)


def test_several_paths_set_together_and_every_shipped_scenario_declares_its_uncertain_inputs():
    sc = load_scenario(SCENARIOS / "anren_shuttle.yaml")
    seats = next(u for u in sc.uncertain if "fleet.seats" in u.path)
    assert seats.path == "fleet.seats+dispatch.min_load"
    low = sc.variant("reported", seats.changes("low"))
    assert low.fleet.seats == low.dispatch.min_load == seats.low
    for path in sorted(SCENARIOS.glob("*.yaml")):
        declared = load_scenario(path).uncertain
        assert declared and all(u.reason.strip() for u in declared), f"{path.name} declares no uncertain inputs"
