from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"

MMC_DEMO = """\
name: mmc-demo
model: network
run:
  replications: 10
  seed: 1
  horizon_min: 20000      # simulated minutes per replication
  warmup_min: 2000        # customers arriving before this are not counted
params:
  classes:
    citizen:
      arrivals: {dist: exponential, mean: 0.2353}   # minutes between arrivals
      route: [window]
  stations:
    window:
      servers: 5
      service: {dist: exponential, mean: 1.0}
policies:
  base: {}
  six_windows: {stations: {window: {servers: 6}}}
"""


def short_hall(folder: Path, days: int = 3) -> Path:
    """The shipped Hongjiang hall study cut to a few working days without warm-up, written
    into ``folder``: every policy and chart of the study, in seconds (the report's tests)."""
    import re

    text = (SCENARIOS / "hongjiang_hall.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s+days:\s*)\d+", rf"\g<1>{days}", text, count=1)
    text = re.sub(r"(?m)^(\s+warmup_days:\s*)\d+", r"\g<1>0", text, count=1)
    path = folder / "hongjiang_hall.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def write_scenario(tmp_path):
    """Write scenario text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def params_with(model, base: dict, **changes):
    """``base`` params with dotted-path changes (``**{"layout.kind": "integrated"}``),
    validated by ``model`` and free of cross-field problems."""
    import copy

    spec = copy.deepcopy(base)
    for path, value in changes.items():
        node = spec
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    params = model.model_validate(spec)
    assert not params.cross_check(), params.cross_check()
    return params


def assert_bad_scenario(source: Path, old: str, new: str, marker: str, field: str, words: str, tmp_path: Path):
    """Break a shipped scenario (``old`` -> ``new``) and check `govsim run` reports it as
    one line ``file:line: field: ...`` on the line holding ``marker``, exit code 2,
    no traceback and no output folder."""
    from typer.testing import CliRunner

    from govsim.cli import app

    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = next(i + 1 for i, text in enumerate(path.read_text(encoding="utf-8").splitlines()) if marker in text)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:{line}: {field}: "), lines[0]
    assert words in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()
    return lines[0]
