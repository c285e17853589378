"""One-at-a-time sensitivity over the declared uncertain inputs, on common random numbers.

Every uncertain input is set to its low and to its high in turn, the others staying
at their base values; every chosen policy runs at each setting with the same
replications (the same seeds, so the same draws), plus the base.  For each setting
the summary is kept (``sensitivity.csv``), and each article baseline is judged again:
a claim is *robust* when it holds at every level of every input.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable, Optional

import numpy as np
import pandas as pd

from .baselines import Baseline, evaluate
from .scenario import Scenario
from .stats import interval_bounds, summarize, t_interval
from .uncertain import value_text

COLUMNS = ["input", "level", "value", "policy", "scope", "metric", "mean", "ci_low", "ci_high"]
BASE = "base"
LEVELS = ("low", "high")
SEP = "\x1f"  # joins (policy, input, level) into one task name: never in a name or a path


@dataclasses.dataclass(frozen=True)
class Setting:
    """The base (``index`` None) or one uncertain input at one level."""

    index: Optional[int]
    level: str

    def key(self, policy: str) -> str:
        return SEP.join((policy, "" if self.index is None else str(self.index), self.level))


def settings(scenario: Scenario) -> list[Setting]:
    return [Setting(None, BASE)] + [Setting(i, lv) for i in range(len(scenario.uncertain)) for lv in LEVELS]


def variants(scenario: Scenario, policies: list[str]) -> dict[str, object]:
    """Every (setting, policy) as resolved params, keyed by a task name."""
    out = {}
    for s in settings(scenario):
        for p in policies:
            out[s.key(p)] = (scenario.resolved[p] if s.index is None
                             else scenario.variant(p, scenario.uncertain[s.index].changes(s.level)))
    return out


def run_sensitivity(scenario: Scenario, policies: list[str], jobs: Optional[int] = None,
                    on_done: Optional[Callable[[], None]] = None, scheduler: Optional[str] = None,
                    checkpoint=None) -> pd.DataFrame:
    """The long replications table of every (setting, policy), with columns ``input`` and
    ``level`` beside the usual ones (``input`` is empty for the base)."""
    from .experiment import run_experiment

    tasks = variants(scenario, policies)
    study = dataclasses.replace(scenario, resolved=tasks)
    reps = run_experiment(study, list(tasks), jobs=jobs, on_done=on_done, scheduler=scheduler, checkpoint=checkpoint)
    parts = reps["policy"].str.split(SEP, expand=True)
    reps = reps.assign(policy=parts[0], input=parts[1], level=parts[2])
    return reps


def _input_text(scenario: Scenario, index: str) -> str:
    return "" if index == "" else scenario.uncertain[int(index)].path


def _value_text(scenario: Scenario, index: str, level: str) -> str:
    return "" if index == "" else value_text(scenario.uncertain[int(index)].level(level))


def sensitivity_table(scenario: Scenario, reps: pd.DataFrame) -> pd.DataFrame:
    """``sensitivity.csv``: the mean and 95% interval of every metric at every setting,
    and, per baseline, the quantity its claim is about (scope ``baseline``, metric its id)."""
    rows = []
    bounds = interval_bounds(scenario.model)
    for (index, level), group in reps.groupby(["input", "level"], sort=False):
        head = (_input_text(scenario, index), level, _value_text(scenario, index, level))
        summary = summarize(group.drop(columns=["input", "level"]), **bounds)  # as summary.csv's intervals
        rows += [head + (r.policy, r.scope, r.metric, r.mean, r.ci_low, r.ci_high) for r in summary.itertuples()]
        checked = evaluate(scenario.baselines, group, bounds=bounds)
        for b, r in zip(scenario.baselines, checked.itertuples()):
            if r.reproduced != "not run":  # its policy left out (--policy): nothing to show
                rows.append(head + (b.policy, "baseline", b.id, r.simulated, r.ci_low, r.ci_high))
    return pd.DataFrame(rows, columns=COLUMNS)


def robustness(scenario: Scenario, reps: pd.DataFrame) -> list[str]:
    """Per baseline: ``yes`` when its claim holds at every level of every input, else the
    first setting (in the file's order) where the interval misses the claim, ``no:
    <path>=<value>`` (``no: not met at the base values`` at the base); where none does but
    one straddles it, ``undecided: <path>=<value> (interval too wide)``: more replications
    would tell."""
    out = []
    for b in scenario.baselines:
        out.append(_robust(scenario, b, reps))
    return out


def _robust(scenario: Scenario, b: Baseline, reps: pd.DataFrame) -> str:
    bounds = interval_bounds(scenario.model)
    undecided = None  # a definite miss anywhere outranks an interval too wide to tell
    for (index, level), group in reps.groupby(["input", "level"], sort=False):
        row = evaluate([b], group, bounds=bounds).iloc[0]
        if b.holds(row["ci_low"], row["ci_high"]):
            continue
        if row["reproduced"] == "not run":
            return "not run"
        where = "the base values" if index == "" else f"{_input_text(scenario, index)}={_value_text(scenario, index, level)}"
        if row["reproduced"] == "no":
            return f"no: not met at {where}" if index == "" else f"no: {where}"
        undecided = undecided or f"undecided: {where} (interval too wide)"
    return undecided or "yes"


def paired_swing(scenario: Scenario, reps: pd.DataFrame, path: str, policy: str, scope: str,
                 metric: str) -> tuple[float, float, float]:
    """Mean and 95% interval of (value at high - value at low) of ``path``'s input, replication
    by replication: on common random numbers the pair shares its draws, so this interval is
    the one that says whether the input moves the metric at all."""
    index = str(next(i for i, u in enumerate(scenario.uncertain) if u.path == path))
    sel = reps[(reps["input"] == index) & (reps["policy"] == policy) & (reps["scope"] == scope)
               & (reps["metric"] == metric)]
    by_level = sel.pivot_table(index="rep", columns="level", values="value", aggfunc="first")
    if not set(LEVELS) <= set(by_level.columns):
        return math.nan, math.nan, math.nan
    mean, lo, hi, _ = t_interval((by_level["high"] - by_level["low"]).dropna().to_numpy())
    return mean, lo, hi


def swings(table: pd.DataFrame, policy: str, scope: str, metric: str) -> pd.DataFrame:
    """Per input: the mean at low and at high and the base mean, sorted by the size of the
    swing (the tornado chart's order, largest first)."""
    sel = table[(table["policy"] == policy) & (table["scope"] == scope) & (table["metric"] == metric)]
    base = sel[sel["level"] == BASE]["mean"]
    base_mean = float(base.iloc[0]) if len(base) else math.nan
    wide = sel[sel["level"] != BASE].pivot_table(index="input", columns="level", values="mean", sort=False)
    wide = wide.reindex(columns=list(LEVELS))
    wide["base"] = base_mean
    wide["swing"] = np.abs(wide["high"] - wide["low"])
    return wide.sort_values("swing", ascending=False, kind="stable").reset_index()
