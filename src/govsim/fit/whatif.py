"""Run the fitted scenario (both rosters) and set its waits and abandonment beside the
log's own: the closed loop a planner can check before trusting the fit."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

import pandas as pd

from ..errors import ScenarioError, ScenarioErrors
from ..experiment import run_experiment
from ..scenario import load_scenario
from ..stats import interval_bounds, summarize

METRICS = ("wait_mean_min", "abandon_frac", "utilisation")


def predict(text: str, name: str = "fitted.yaml", jobs: Optional[int] = None) -> tuple[Optional[pd.DataFrame], str]:
    """The fitted scenario's summary (scope all and classes) for METRICS, or None and the
    one-line reason it would not load."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        try:
            scenario = load_scenario(path)
        except ScenarioErrors as exc:
            first = exc.errors[0].one_line().replace(str(path), name)
            more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
            return None, first + more
        except ScenarioError as exc:
            return None, exc.one_line().replace(str(path), name)
    reps = run_experiment(scenario, jobs=jobs)
    summary = summarize(reps, **interval_bounds(scenario.model))
    keep = summary["metric"].isin(METRICS) & (summary["scope"].str.startswith(("all", "class:", "station:")))
    return summary[keep].reset_index(drop=True), ""


def comparison(observed: pd.DataFrame, predicted: Optional[pd.DataFrame]) -> pd.DataFrame:
    """source (log, or a policy), scope, metric, mean, ci_low, ci_high."""
    rows = observed.assign(source="log")[["source", "scope", "metric", "mean", "ci_low", "ci_high"]]
    if predicted is None:
        return rows.reset_index(drop=True)
    sim = predicted[predicted["metric"].isin(observed["metric"].unique())]
    sim = sim.rename(columns={"policy": "source"})[["source", "scope", "metric", "mean", "ci_low", "ci_high"]]
    return pd.concat([rows, sim], ignore_index=True)
