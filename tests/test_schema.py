"""`govsim schema` agrees with the files: every shipped scenario validates against it,
as an editor using the schema would check it."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from govsim import yamlio
from govsim.schema import scenario_schema

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_validates_against_its_models_schema(path):
    data, _ = yamlio.load(path.read_text(encoding="utf-8"))  # as govsim reads it: dates stay text
    for schema in (scenario_schema(data["model"]), scenario_schema()):
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors[:5])


def test_a_time_of_day_is_a_string_in_the_schema_and_a_number_is_refused():
    schema = scenario_schema("service_hall")
    validator = jsonschema.Draft202012Validator(schema)
    data, _ = yamlio.load((SCENARIOS[0].parent / "hongjiang_hall.yaml").read_text(encoding="utf-8"))
    data["params"]["hours"]["open"] = 510
    assert any("open" in map(str, e.path) for e in validator.iter_errors(data))
