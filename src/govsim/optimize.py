"""The cheapest staffing that meets every target with 95% confidence.

``govsim optimize FILE --target "wait_mean_min <= 5" --vary stations.window.servers=1..20``
searches whole numbers for the inputs named by ``--vary`` (each within LO..HI; a path may
end in a roster entry, ``stations.window.servers.1.1``) for the combination of least cost
(``--cost PATH=YUAN`` per unit; one per unit of every input when none is given) at which
every target holds with 95% confidence: the whole interval of the metric (over
replications, a policy's scope ``all`` unless ``--scope``) is on the right side.

The search starts from a queueing estimate where the model gives one (the network
model: the least c for which Erlang C meets a wait target on the station's peak-hour
load, else square-root staffing), runs each candidate on common random numbers, moves
up while some target fails (the input with the most gain in the worst target per yuan)
and then down while every target still holds (the dearest input first), and stops when
no single unit less keeps every target.  For one input this is the least feasible value;
for several it is a local optimum (no one-unit saving stays feasible), which the output
says.  Every candidate run is kept (``optimize.csv``) and none is run twice.  An input whose
every value tried gave identical replications (common random numbers: the policy does not
read it) is named by ``Search.without_effect``, for a warning beside the answer.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import pandas as pd

from . import queueing
from .errors import did_you_mean
from .stats import t_interval
from .sweep import RANGE, made_no_difference, results_of

TARGET = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=)\s*(-?[0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class Target:
    metric: str
    op: str  # "<=" or ">="
    bound: float
    scope: str = "all"

    def text(self) -> str:
        scope = "" if self.scope == "all" else f" [{self.scope}]"
        return f"{self.metric}{scope} {self.op} {self.bound:g}"

    def met(self, lo: float, hi: float) -> bool:
        """The whole 95% interval is on the right side of the bound."""
        if math.isnan(lo) or math.isnan(hi):
            return False
        return hi <= self.bound if self.op == "<=" else lo >= self.bound

    def shortfall(self, mean: float) -> float:
        """How far the mean is from the bound, in the bound's units (0 when on the right side)."""
        return max(0.0, mean - self.bound) if self.op == "<=" else max(0.0, self.bound - mean)


@dataclass(frozen=True)
class Vary:
    path: str
    keys: tuple  # the path as keys (a number indexes a list: a roster entry)
    low: int
    high: int
    cost: float = 1.0


def parse_target(text: str, scope: str = "all") -> Target:
    m = TARGET.match(text)
    if not m:
        raise ValueError(f"--target {text!r}: write METRIC <= X or METRIC >= X, e.g. \"wait_mean_min <= 5\"")
    return Target(m.group(1), m.group(2), float(m.group(3)), scope)


def parse_vary(text: str) -> tuple[str, int, int]:
    if "=" not in text:
        raise ValueError(f"--vary {text!r}: write PATH=LO..HI, e.g. stations.window.servers=1..20")
    path, rng = text.split("=", 1)
    m = RANGE.match(rng)
    if not m or int(m.group(1)) > int(m.group(2)) or int(m.group(1)) < 0:
        raise ValueError(f"--vary {text!r}: the range must be whole numbers LO..HI with 0 <= LO <= HI")
    return path.strip(), int(m.group(1)), int(m.group(2))


def parse_cost(text: str) -> tuple[str, float]:
    if "=" not in text:
        raise ValueError(f"--cost {text!r}: write PATH=YUAN_PER_UNIT")
    path, value = text.split("=", 1)
    try:
        cost = float(value)
    except ValueError:
        raise ValueError(f"--cost {text!r}: {value!r} is not a number") from None
    if cost < 0:
        raise ValueError(f"--cost {text!r}: a cost cannot be negative")
    return path.strip(), cost


def path_keys(path: str) -> tuple:
    return tuple(int(k) if k.isdigit() else k for k in path.split("."))


def get_path(data, keys: tuple):
    for k in keys:
        data = data[k]
    return data


class TargetNotMeasured(ValueError):
    """A target's metric is not reported in its scope: the one line says which."""


@dataclass
class Evaluation:
    values: tuple[int, ...]
    cost: float
    feasible: bool
    stats: dict = field(default_factory=dict)  # target text -> (mean, lo, hi, met)


@dataclass
class Search:
    """Candidates evaluated by ``run(values) -> replications table``; each at most once."""

    varies: list[Vary]
    targets: list[Target]
    run: Callable[[tuple[int, ...]], pd.DataFrame]
    policy: str
    seen: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)  # values -> every replication's metrics (sweep.results_of)

    def cost(self, values: tuple[int, ...]) -> float:
        return sum(v.cost * x for v, x in zip(self.varies, values))

    def evaluate(self, values: tuple[int, ...]) -> Evaluation:
        if values not in self.seen:
            reps = self.run(values)
            self.results[values] = results_of(reps, self.policy)
            stats, ok = {}, True
            for t in self.targets:
                sel = reps[(reps["policy"] == self.policy) & (reps["scope"] == t.scope) & (reps["metric"] == t.metric)]
                if sel.empty:  # a scope the model does not report (a typo): no answer is possible
                    scopes = reps.loc[(reps["policy"] == self.policy) & (reps["metric"] == t.metric), "scope"]
                    raise TargetNotMeasured(f"--scope {t.scope}: policy '{self.policy}' reports no {t.metric} there"
                                            f"{did_you_mean(t.scope, scopes)}")
                mean, lo, hi, _ = t_interval(sel["value"].to_numpy(dtype=float))
                met = t.met(lo, hi)
                stats[t.text()] = (mean, lo, hi, met)
                ok = ok and met
            self.seen[values] = Evaluation(values, self.cost(values), ok, stats)
        return self.seen[values]

    def without_effect(self) -> list[Vary]:
        """The varied inputs at whose every value tried the replications were identical, the
        other inputs held: the answer's value of such an input is only the cheapest tried."""
        out = []
        for i, v in enumerate(self.varies):
            held: dict[tuple, list] = {}
            for values, result in self.results.items():
                held.setdefault(values[:i] + values[i + 1:], []).append(result)
            if made_no_difference(list(held.values())):
                out.append(v)
        return out

    def _in_range(self, values) -> bool:
        return all(v.low <= x <= v.high for v, x in zip(self.varies, values))

    def _worst(self, e: Evaluation) -> float:
        return max(t.shortfall(e.stats[t.text()][0]) / (abs(t.bound) or 1.0) for t in self.targets)

    def solve(self, start: tuple[int, ...]) -> Optional[Evaluation]:
        """Up until feasible, then down while feasible; None when even the top of every
        range misses a target."""
        current = self.evaluate(tuple(min(max(x, v.low), v.high) for v, x in zip(self.varies, start)))
        while not current.feasible:
            steps = [tuple(x + (i == j) for j, x in enumerate(current.values)) for i in range(len(self.varies))]
            steps = [s for s in steps if self._in_range(s)]
            if not steps:
                return None
            gain = [(self._worst(current) - self._worst(self.evaluate(s))) / max(self.cost(s) - current.cost, 1e-9)
                    for s in steps]
            current = self.evaluate(steps[max(range(len(steps)), key=lambda k: (gain[k], -k))])
        improved = True
        while improved:
            improved = False
            order = sorted(range(len(self.varies)), key=lambda i: -self.varies[i].cost)
            for i in order:
                down = tuple(x - (j == i) for j, x in enumerate(current.values))
                if self._in_range(down) and self.evaluate(down).feasible:
                    current, improved = self.evaluate(down), True
                    break
        return current

    def table(self) -> pd.DataFrame:
        rows = []
        for e in self.seen.values():
            for t in self.targets:
                mean, lo, hi, met = e.stats[t.text()]
                rows.append((*e.values, e.cost, t.text(), mean, lo, hi, met, e.feasible))
        return pd.DataFrame(rows, columns=[v.path for v in self.varies] +
                            ["cost", "target", "mean", "ci_low", "ci_high", "target_met", "all_met"])


def erlang_c_servers(lam_per_min: float, mean_service_min: float, wait_target_min: Optional[float]) -> int:
    """The least c whose M/M/c mean wait meets ``wait_target_min`` (None: square-root
    staffing c = a + 1.5 sqrt(a), Halfin-Whitt's quality-and-efficiency regime)."""
    a = lam_per_min * mean_service_min
    if wait_target_min is None:
        return max(1, math.ceil(a + 1.5 * math.sqrt(a)))
    c = max(1, math.floor(a) + 1)
    while queueing.mmc(lam_per_min, 1.0 / mean_service_min, c).Wq > wait_target_min:
        c += 1
    return c


def network_estimate(params, station: str, targets: list[Target]) -> Optional[int]:
    """Erlang C on the station's peak-hour load (every class routed through it), for a
    wait target; square-root staffing for any other target."""
    lam, work = 0.0, 0.0
    for cname, c in params.classes.items():
        visits = (c.route or []).count(station) if c.route else (1 if c.start == station else 0)
        if not visits:
            continue
        rate = getattr(c.arrivals, "rate_per_hour", None)
        per_min = max(rate) / 60.0 if rate else 1.0 / c.arrivals.mean()
        service = params.stations[station].service_for(cname)
        if service is None:
            return None
        lam += visits * per_min
        work += visits * per_min * service.mean()
    if lam == 0:
        return None
    wait = next((t.bound for t in targets if t.metric == "wait_mean_min" and t.op == "<="), None)
    return erlang_c_servers(lam, work / lam, wait)


def scenario_runner(scenario, policy: str, varies: list[Vary], jobs=None, scheduler=None, checkpoint=None,
                    on_done=None, on_candidate=None) -> Callable[[tuple[int, ...]], pd.DataFrame]:
    """Run ``policy`` with the varied inputs set, the scenario's replications and seeds
    (the same draws for every candidate: common random numbers).  ``on_candidate(values)``
    is told of each candidate before it runs, ``on_done()`` of each replication."""
    from dataclasses import replace

    from .experiment import run_experiment

    def run(values: tuple[int, ...]) -> pd.DataFrame:
        if on_candidate is not None:
            on_candidate(values)
        params = scenario.with_values(policy, {v.keys: x for v, x in zip(varies, values)})
        name = policy + "".join(f"|{v.path}={x}" for v, x in zip(varies, values))
        reps = run_experiment(replace(scenario, resolved={name: params}), [name], jobs, on_done=on_done,
                              scheduler=scheduler, checkpoint=checkpoint)
        return reps.assign(policy=policy)

    return run


def start_point(scenario, policy: str, varies: list[Vary], targets: list[Target]) -> tuple[int, ...]:
    """A queueing estimate where the model gives one, else the value the policy has."""
    params = scenario.resolved[policy]
    raw = scenario.resolved_dict(policy)
    out = []
    for v in varies:
        guess = None
        if scenario.model.name == "network" and len(v.keys) == 3 and v.keys[0] == "stations" and v.keys[2] == "servers":
            guess = network_estimate(params, v.keys[1], targets)
        if guess is None:
            try:
                guess = int(get_path(raw, v.keys))
            except (KeyError, IndexError, TypeError, ValueError):
                guess = v.low
        out.append(guess)
    return tuple(out)
