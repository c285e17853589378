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


@pytest.fixture
def write_scenario(tmp_path):
    """Write scenario text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
