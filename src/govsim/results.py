"""Writing a run's results folder, all at once or not at all.

Everything is first written into a hidden sibling folder and renamed into place
at the end, so an interrupted or failed run never leaves a half-written folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
from importlib import metadata as importlib_metadata
from pathlib import Path

import pandas as pd
import yaml

from . import __version__
from .baselines import evaluate
from .errors import ResultsError
from .report.figures import write_figures
from .scenario import Scenario
from .stats import compare, summarize

MARKER = "govsim_version"  # a key of metadata.json: proves a folder is ours to replace
LIBRARIES = ["numpy", "pandas", "scipy", "simpy", "pydantic", "matplotlib", "PyYAML", "typer", "rich"]


def check_output_folder(out: Path) -> None:
    """Refuse to replace a folder that govsim did not write (``--out ~`` must not wipe a home)."""
    if out.exists() and not out.is_dir():
        raise ResultsError(f"{out}: exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()):
        meta = out / "metadata.json"
        try:
            ours = MARKER in json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            ours = False
        if not ours:
            raise ResultsError(f"{out}: folder exists and is not a govsim results folder; choose another --out")


def write_results(out: Path, scenario: Scenario, reps: pd.DataFrame, policies: list[str], run_info: dict) -> dict:
    """Write tables, resolved scenario, metadata and figures into ``out``; return the tables."""
    baseline = scenario.baseline_policy
    summary = summarize(reps)
    comparison = compare(reps, baseline)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _csv(reps, tmp / "replications.csv")
        _csv(summary, tmp / "summary.csv")
        _csv(comparison, tmp / "comparison.csv")
        if scenario.baselines:
            checked = evaluate(scenario.baselines, reps)
            _csv(checked, tmp / "baselines.csv")
        resolved = {
            "name": scenario.name,
            "model": scenario.model.name,
            "run": scenario.run.model_dump(exclude_none=True),
            "baseline_policy": baseline,
            "policies": {p: scenario.resolved_dict(p) for p in policies},
        }
        (tmp / "scenario.resolved.yaml").write_text(
            yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True), encoding="utf-8")
        meta = _metadata(scenario, policies, run_info)
        (tmp / "metadata.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        write_figures(summary, comparison, scenario.model, policies, baseline, tmp / "figures")
        _replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"summary": summary, "comparison": comparison, "baselines": checked if scenario.baselines else None}


def _csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def _replace(tmp: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _metadata(scenario: Scenario, policies: list[str], run_info: dict) -> dict:
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = importlib_metadata.version(lib)
        except importlib_metadata.PackageNotFoundError:
            versions[lib] = None
    return {
        MARKER: __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": versions,
        "scenario": {
            "name": scenario.name,
            "file": str(scenario.path),
            "sha256": hashlib.sha256(scenario.path.read_bytes()).hexdigest(),
            "model": scenario.model.name,
        },
        "seed": scenario.run.seed,
        "replications": scenario.run.replications,
        "horizon_min": scenario.run.horizon,
        "warmup_min": scenario.run.warmup,
        "policies": policies,
        "baseline_policy": scenario.baseline_policy,
        "confidence": 0.95,
        "interval": "Student-t over replications; comparisons paired by replication (common random numbers)",
        **run_info,
    }
