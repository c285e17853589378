"""The generated reference pages (docs/reference/<model>.md) list every input and are current."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govsim.models import MODELS
from govsim.reference import reference_markdown

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference"


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_the_reference_page_is_current(kind):
    page = REFERENCE / f"{kind}.md"
    assert page.exists(), f"regenerate: govsim schema {kind} --markdown > {page}"
    assert page.read_text(encoding="utf-8") == reference_markdown(kind), (
        f"docs/reference/{kind}.md is stale: govsim schema {kind} --markdown > docs/reference/{kind}.md")


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_every_field_of_the_params_is_on_the_page(kind):
    page = reference_markdown(kind)
    for field, info in MODELS[kind].params_model.model_fields.items():
        assert f"`params.{field}`" in page
        if info.is_required():
            row = next(line for line in page.splitlines() if line.startswith(f"| `params.{field}` |"))
            assert "| yes |" in row


def test_nested_keys_defaults_and_types_are_shown():
    page = reference_markdown("service_hall")
    assert "| `params.layout.green_channel` | one of \"off\" \\| \"priority\" \\| \"dedicated\" | `\"off\"` |" in page
    assert "`params.matters.<name>.p_missing` | number in [0, 1] |" in page
    assert "`params.hours.open` | time of day 'HH:MM' |" in page


def test_the_command_prints_the_page_and_refuses_without_a_model():
    cmd = [sys.executable, "-m", "govsim", "schema"]
    out = subprocess.run(cmd + ["network", "--markdown"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == reference_markdown("network")
    bad = subprocess.run(cmd + ["--markdown"], capture_output=True, text=True)
    assert bad.returncode == 2 and "needs a model kind" in bad.stderr
