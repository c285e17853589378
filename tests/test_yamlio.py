import pytest

from govsim import yamlio


def test_lines_of_keys_and_items():
    data, lines = yamlio.load("a:\n  b: 1\n  c:\n    - x\n    - y\nd: 2\n")
    assert data == {"a": {"b": 1, "c": ["x", "y"]}, "d": 2}
    assert lines[("a",)] == 1
    assert lines[("a", "b")] == 2
    assert lines[("a", "c", 1)] == 5
    assert lines[("d",)] == 6


def test_line_of_falls_back_to_nearest_ancestor():
    _, lines = yamlio.load("a:\n  b: {c: 1}\n")
    assert yamlio.line_of(lines, ("a", "b", "missing", "deeper")) == 2


def test_duplicate_key_is_an_error_with_its_line():
    with pytest.raises(yamlio.YamlProblem) as info:
        yamlio.load("a: 1\nb: 2\na: 3\n")
    assert info.value.line == 3
    assert "twice" in info.value.message


def test_object_construction_tags_are_refused():
    with pytest.raises(yamlio.YamlProblem) as info:
        yamlio.load("a: !!python/object/apply:os.system ['echo hacked']\n")
    assert info.value.line == 1


def test_syntax_error_names_a_line():
    with pytest.raises(yamlio.YamlProblem) as info:
        yamlio.load("a: {b: 1\nc: 2\n")
    assert info.value.line is not None
    assert "not valid YAML" in info.value.message


def test_clock_times_stay_text_and_dates_too():
    data, _ = yamlio.load("open: 08:30\nlunch: [12:00, 14:30]\nstart: 2022-01-04\nn: 12\n")
    assert data == {"open": "08:30", "lunch": ["12:00", "14:30"], "start": "2022-01-04", "n": 12}


def test_a_tab_is_named_in_plain_words():
    with pytest.raises(yamlio.YamlProblem) as info:
        yamlio.load("a:\n\tb: 1\n")
    assert "tab" in info.value.message and "spaces" in info.value.message


def test_plain_copy_is_a_deep_copy_of_loaded_data():
    from govsim.yamlio import load, plain_copy

    data, _ = load("a: {b: [1, {c: 2.5}], d: text, e: null, f: true}\ng: !!set {x, y}\n")
    copied = plain_copy(data)
    assert copied == data
    copied["a"]["b"][1]["c"] = 9
    copied["a"]["b"].append(3)
    copied["g"].add("z")
    assert data["a"]["b"] == [1, {"c": 2.5}] and data["g"] == {"x", "y"}
