"""Writing a run's results folder: the tables, the scenario as written and resolved,
metadata, the optional event log, then the figures and report.html drawn from the
tables as saved.  Everything goes through ``staging``: all at once or not at all."""
from __future__ import annotations

import hashlib
import json
import platform
import shutil
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Optional

import pandas as pd
import yaml

from .. import __version__
from ..baselines import evaluate
from ..scenario import Scenario
from ..stats import SHARE_METHOD, compare, interval_bounds, summarize
from .read import LABELS, RESOLVED, SCENARIO_COPY
from .staging import MARKER, METADATA, staged_folder

EVENTS = "events.csv"  # the event log of every replication (``govsim run --trace``)
# libyaml's emitter when PyYAML has it: the text safe_dump writes, several times faster
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
LIBRARIES = ["numpy", "pandas", "scipy", "simpy", "pydantic", "matplotlib", "PyYAML", "typer", "rich"]


def write_results(out: Path, scenario: Scenario, reps: pd.DataFrame, policies: list[str], run_info: dict,
                  lang: str = "en", events: Optional[pd.DataFrame] = None, replace: bool = False,
                  extra: Optional[dict[str, pd.DataFrame]] = None, robust: Optional[list[str]] = None) -> dict:
    """Write tables, the scenario file as written and resolved, metadata, ``events``
    (as events.csv, when given), ``extra`` tables by file name, figures and report.html (labels in ``lang``) into
    ``out``; return the tables.  Earlier results in ``out`` are replaced only when
    ``replace`` (``--force``); otherwise a ResultsError says so and nothing is written."""
    baseline = scenario.baseline_policy
    bounds = interval_bounds(scenario.model)
    summary = summarize(reps, **bounds)
    comparison = compare(reps, baseline, fractions=bounds["fractions"])
    checked = evaluate(scenario.baselines, reps, robust, bounds) if scenario.baselines else None
    with staged_folder(out, replace=replace) as tmp:
        _csv(reps, tmp / "replications.csv")
        _csv(summary, tmp / "summary.csv")
        _csv(comparison, tmp / "comparison.csv")
        if checked is not None:
            _csv(checked, tmp / "baselines.csv")
        if events is not None:
            _csv(events, tmp / EVENTS)
        for name, table in (extra or {}).items():  # sensitivity.csv, decomposition.csv
            _csv(table, tmp / name)
        resolved = {
            "name": scenario.name,
            "model": scenario.model.name,
            "run": scenario.run.model_dump(exclude_none=True),
            "baseline_policy": baseline,
            "policies": {p: scenario.resolved_dict(p) for p in policies},
        }
        if scenario.labels:  # display names, for the report, the figures and `govsim compare`
            resolved[LABELS] = {kind: {k: v.model_dump(exclude_none=True) for k, v in names.items()}
                                for kind, names in scenario.labels.items()}
        resolved.update(_studies(scenario, policies))
        (tmp / RESOLVED).write_text(yaml.dump(resolved, Dumper=SAFE_DUMPER, sort_keys=False, allow_unicode=True),
                                    encoding="utf-8")
        shutil.copyfile(scenario.path, tmp / SCENARIO_COPY)  # its comments state the assumptions
        meta = _metadata(scenario, policies, {**run_info, "lang": lang})
        (tmp / METADATA).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _report(tmp, lang)
    return {"summary": summary, "comparison": comparison, "baselines": checked}


def _studies(scenario: Scenario, policies: list[str]) -> dict:
    """What the report needs of a study beyond one run: the uncertain inputs with their
    reasons, the reform's parts, the swept values of each policy."""
    out: dict = {}
    if scenario.uncertain:
        out["uncertain"] = [{"path": u.path, "low": u.low, "high": u.high, "reason": u.reason}
                            for u in scenario.uncertain]
    if scenario.decomposition is not None:
        d = scenario.decomposition
        out["decompose"] = {"from": d.from_, "to": d.to, "parts": dict(zip(d.parts, d.overlays))}
    if scenario.swept:
        out["sweep"] = {p: scenario.swept[p] for p in policies if p in scenario.swept}
    return out


def _report(folder: Path, lang: str) -> None:
    """The one call from results into the report, which reads the folder back like
    ``govsim report`` does (imported here, so the report never needs the writer)."""
    from ..report import write_report

    write_report(folder, lang)


def _csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


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
            "description": scenario.description,
        },
        "seed": scenario.run.seed,
        "replications": scenario.run.replications,
        "horizon_min": scenario.run.horizon,
        "warmup_min": scenario.run.warmup,
        "policies": policies,
        "baseline_policy": scenario.baseline_policy,
        "confidence": 0.95,
        "interval": f"{SHARE_METHOD}; comparisons paired by replication (common random numbers)",
        **run_info,
    }
