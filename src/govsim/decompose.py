"""Which part of a reform buys what: Shapley values over the reform's parts, on common
random numbers.

A scenario's ``decompose:`` block names a baseline policy (``from``), a reform policy
(``to``) and the reform's parts, each an overlay on ``from`` (pooling, a back office,
pledges, helpers, ...); the parts together must make ``to``.  Every combination of
parts runs with the same replications (the same draws), and each part's share of the
difference ``to - from`` is its Shapley value: its added effect averaged over every
order in which the parts could be added, so the order of adding does not matter and
the parts sum to the total exactly, replication by replication.  Intervals are paired
Student-t intervals over replications (a Shapley value is linear in the runs).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .stats import t_interval

COLUMNS = ["part", "scope", "metric", "from_mean", "to_mean", "shapley", "ci_low", "ci_high", "share"]
TOTAL = "total"
MAX_PARTS = 8  # 2^8 = 256 combinations: beyond, a study of its own


class DecomposeBlock(BaseModel):
    """``decompose:`` as written."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    from_: str = Field(alias="from", description="the baseline policy")
    to: str = Field(description="the reform policy")
    parts: dict[str, dict[str, Any]] = Field(description="part name -> overlay on 'from'; together they make 'to'")

    @field_validator("parts")
    @classmethod
    def _some(cls, value: dict) -> dict:
        if not 2 <= len(value) <= MAX_PARTS:
            raise ValueError(f"give 2 to {MAX_PARTS} parts (2^n combinations run)")
        return value


@dataclass(frozen=True)
class Decomposition:
    """A checked ``decompose:`` block: the parts' overlays in order, and the policy name of
    every combination (``decompose:a+b``; the empty one is ``from``, the full one ``to``)."""

    from_: str
    to: str
    parts: tuple[str, ...]
    overlays: tuple[dict, ...]

    def combinations(self) -> list[tuple[str, ...]]:
        return [c for k in range(len(self.parts) + 1) for c in itertools.combinations(self.parts, k)]

    def policy_name(self, combo: tuple[str, ...]) -> str:
        if not combo:
            return self.from_
        if len(combo) == len(self.parts):
            return self.to
        return "decompose:" + "+".join(combo)

    def overlay(self, combo: tuple[str, ...], base_overlay: dict, merge) -> dict:
        out = base_overlay
        for part, overlay in zip(self.parts, self.overlays):
            if part in combo:
                out = merge(out, overlay)
        return out


def shapley_weights(n: int) -> dict[int, float]:
    """Weight of a coalition of size s not holding the part: s! (n - s - 1)! / n!."""
    return {s: math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)}


def shapley(values: dict[frozenset, np.ndarray], parts: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per part, its Shapley value per replication from ``values[coalition]`` (arrays over
    replications).  They sum to ``values[all] - values[none]`` exactly."""
    n = len(parts)
    w = shapley_weights(n)
    out = {}
    for part in parts:
        others = [p for p in parts if p != part]
        total = 0.0
        for k in range(n):
            for combo in itertools.combinations(others, k):
                s = frozenset(combo)
                total = total + w[k] * (values[s | {part}] - values[s])
        out[part] = total
    return out


def decomposition_table(d: Decomposition, reps: pd.DataFrame, metrics: Optional[list[str]] = None) -> pd.DataFrame:
    """``decomposition.csv``: per scope and metric, each part's Shapley value (mean and 95%
    interval over replications) and its share of the total; a row ``total`` = to - from."""
    names = {frozenset(c): d.policy_name(c) for c in d.combinations()}
    sel = reps[reps["policy"].isin(set(names.values()))]
    if metrics is not None:
        sel = sel[sel["metric"].isin(metrics)]
    wide = sel.pivot_table(index=["scope", "metric", "rep"], columns="policy", values="value", sort=False)
    rows = []
    for (scope, metric), block in wide.groupby(level=[0, 1], sort=False):
        if any(n not in block.columns for n in names.values()) or block[list(names.values())].isna().any().any():
            continue  # a metric some combination does not report (a part switches a feature on)
        values = {c: block[n].to_numpy(dtype=float) for c, n in names.items()}
        full, none = values[frozenset(d.parts)], values[frozenset()]
        total = full - none
        t_mean = float(np.mean(total))
        for part, phi in [*shapley(values, d.parts).items(), (TOTAL, total)]:
            mean, lo, hi, _ = t_interval(phi)
            share = mean / t_mean if t_mean not in (0.0,) and not math.isnan(t_mean) else math.nan
            rows.append((part, scope, metric, float(np.mean(none)), float(np.mean(full)), mean, lo, hi, share))
    return pd.DataFrame(rows, columns=COLUMNS)

