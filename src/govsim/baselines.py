"""Article figures declared in a scenario, checked against the simulation.

A baseline names a policy, a metric and what the article says of it: a value with
a tolerance (``approx`` ± ``tolerance``) or a bound (``at_most`` / ``at_least``),
optionally as a relative change against another policy (``compare_to``).  It is
*reproduced* (``yes``) only when the whole 95% interval of the estimate satisfies the
claim, so noise can never pass for agreement; ``no`` when no value of the interval does;
``undecided`` when the interval straddles the claim (too few replications to say).  A figure that an unknown input was set from
(``calibrated: <which input>``) is reported as *calibrated*, not reproduced: meeting
it shows the calibration held, not that the model explains it.
"""
from __future__ import annotations

import math
from typing import Annotated, Optional

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .stats import t_interval

UNDECIDED = "undecided: interval too wide ({n} replications)"  # straddles the claim
COLUMNS = ["baseline", "source", "policy", "metric", "expected", "simulated", "ci_low", "ci_high", "reproduced",
           "robust"]
NOT_CHECKED = "not checked"  # robustness is judged by `govsim sensitivity`, not by a single run


class Baseline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(min_length=1, description="the figure's row in figures.md, e.g. H2")]
    source: str = Field(description="where the figure comes from, with its original wording")
    policy: str = Field(description="the policy that encodes the reported situation")
    metric: str
    scope: str = "all"
    compare_to: Optional[str] = Field(None, description="judge the relative change against this policy")
    approx: Optional[float] = None
    tolerance: Optional[Annotated[float, Field(gt=0)]] = Field(None, description="with approx: allowed distance, with its reason")
    at_most: Optional[float] = None
    at_least: Optional[float] = None
    calibrated: Optional[str] = Field(
        None, description="which input was set from this figure: it is then a check of the calibration, not evidence")

    @model_validator(mode="after")
    def _one_claim(self):
        claims = [self.approx is not None, self.at_most is not None, self.at_least is not None]
        if sum(claims) != 1:
            raise ValueError("give exactly one of approx (with tolerance), at_most, at_least")
        if (self.approx is None) != (self.tolerance is None):
            raise ValueError("approx and tolerance go together")
        return self

    def expected_text(self) -> str:
        if self.approx is not None:
            return f"{self.approx:g} ± {self.tolerance:g}"
        return f"<= {self.at_most:g}" if self.at_most is not None else f">= {self.at_least:g}"

    def metric_text(self) -> str:
        scope = "" if self.scope == "all" else f" [{self.scope}]"
        change = f" (relative change vs {self.compare_to})" if self.compare_to else ""
        return f"{self.metric}{scope}{change}"

    def _claimed(self) -> tuple[float, float]:
        """The claim as an interval of values that satisfy it."""
        if self.approx is not None:
            return self.approx - self.tolerance, self.approx + self.tolerance
        if self.at_most is not None:
            return -math.inf, self.at_most
        return self.at_least, math.inf

    def holds(self, lo: float, hi: float) -> bool:
        """The whole interval [lo, hi] meets the claim."""
        if math.isnan(lo) or math.isnan(hi):
            return False
        a, b = self._claimed()
        return a <= lo and hi <= b

    def fails(self, lo: float, hi: float) -> bool:
        """No value of the interval [lo, hi] meets the claim."""
        a, b = self._claimed()
        return hi < a or lo > b

    def verdict(self, lo: float, hi: float, n: int) -> str:
        """yes (or calibrated) when the whole interval meets the claim, no when none of it
        does, else undecided: more replications would narrow the interval."""
        if math.isnan(lo) or math.isnan(hi):  # one replication: no interval at all
            return undecided(n)
        if self.holds(lo, hi):
            return "calibrated" if self.calibrated else "yes"
        return "no" if self.fails(lo, hi) else undecided(n)


def undecided(n: int) -> str:
    return UNDECIDED.format(n=n).replace("(1 replications)", "(1 replication)")


def evaluate(baselines: list[Baseline], reps: pd.DataFrame, robust: Optional[list[str]] = None,
             bounds: Optional[dict] = None) -> pd.DataFrame:
    """Each baseline's verdict on ``reps``; ``robust`` (one per baseline, from
    ``govsim sensitivity``) says whether it holds at every level of every uncertain input.
    ``bounds`` (``stats.interval_bounds(model)``) keeps a share's interval inside [0, 1] and
    a count's, time's or cost's above 0, as summary.csv does (a relative change is signed)."""
    robust = robust or [NOT_CHECKED] * len(baselines)
    bounds = bounds or {}
    rows = []
    for b in baselines:
        values = _per_rep(reps, b.policy, b.scope, b.metric)
        if b.compare_to is not None and values is not None:
            ref = _per_rep(reps, b.compare_to, b.scope, b.metric)
            values = None if ref is None else ((values - ref) / ref).to_numpy()
        if values is None:
            rows.append((b.id, b.source, b.policy, b.metric_text(), b.expected_text(), math.nan, math.nan, math.nan,
                         "not run", NOT_CHECKED))
            continue
        values = np.asarray(values, dtype=float)
        mean, lo, hi, _ = t_interval(values)
        if b.compare_to is None and b.metric in bounds.get("fractions", ()):
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        elif b.compare_to is None and b.metric in bounds.get("nonnegative", ()):
            lo = max(lo, 0.0)
        rows.append((b.id, b.source, b.policy, b.metric_text(), b.expected_text(), mean, lo, hi,
                     b.verdict(lo, hi, len(values)), robust[len(rows)]))
    return pd.DataFrame(rows, columns=COLUMNS)


def _per_rep(reps: pd.DataFrame, policy: str, scope: str, metric: str):
    sel = reps[(reps["policy"] == policy) & (reps["scope"] == scope) & (reps["metric"] == metric)]
    if sel.empty:
        return None
    return sel.set_index("rep")["value"].sort_index()
