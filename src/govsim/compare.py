"""Two results folders side by side: ``govsim compare DIR_A DIR_B``.

The same scenario run with different inputs (a changed demand, another roster), or two
scenarios of one model that share policies: for every policy both ran, every metric
and scope both report, B minus A with its 95% interval.

- **Paired by replication** when both folders ran the same replications with the same
  seeds (``replications.csv``'s ``rep`` and ``seed`` agree): then replication k of A and
  of B drew the same random numbers (common random numbers across the two runs), and
  the interval is the Student-t interval of the k differences, the tight one.
- **Unpaired (Welch)** otherwise: the difference of the means with Welch's interval
  (unequal variances, Welch-Satterthwaite degrees of freedom).

Which one was used is said per row (``method``), in the chart's title and on the terminal.
Shares' differences stay inside [-1, 1] and the chart shows them in percentage points.
The folder written (``compare.csv``, ``compare.png``, ``metadata.json``) goes through
``govsim.results.staging``: all at once, and an earlier one is replaced only with ``--force``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ResultsError
from .labels import vocabulary
from .results.read import SavedResults, read_results
from .stats import clip, interval_bounds, t_interval, welch_interval

TABLE = "compare.csv"
CHART = "compare.png"
COLUMNS = ["policy", "scope", "metric", "a_mean", "b_mean", "diff_mean", "ci_low", "ci_high", "n_a", "n_b", "method"]
PAIRED, WELCH = "paired", "welch"


class CompareError(ResultsError):
    """Two folders that cannot be compared: one line saying why."""


@dataclass
class FolderComparison:
    a: SavedResults
    b: SavedResults
    policies: list[str]  # the policies both ran, in A's order
    table: pd.DataFrame  # COLUMNS
    methods: dict[str, str]  # policy -> paired | welch


def compare_folders(dir_a: Path, dir_b: Path, confidence: float = 0.95) -> FolderComparison:
    """Read both folders and compare every common policy, scope and metric (B minus A).
    Raises ResultsError (a broken folder) or CompareError (two that do not compare)."""
    dir_a, dir_b = Path(dir_a), Path(dir_b)
    if dir_a.resolve() == dir_b.resolve():
        raise CompareError(f"{dir_b}: the same folder as {dir_a}; give two results folders")
    a, b = read_results(dir_a), read_results(dir_b)
    if a.model.name != b.model.name:
        raise CompareError(f"{dir_b}: results of model {b.model.name}, but {dir_a} holds model {a.model.name}; "
                           f"compare results of one model")
    policies = [p for p in a.policies if p in b.policies]
    if not policies:
        raise CompareError(f"{dir_b}: no policy in common with {dir_a} (A: {', '.join(a.policies)}; "
                           f"B: {', '.join(b.policies)})")
    shares = interval_bounds(a.model)["fractions"]
    rows, methods = [], {}
    for policy in policies:
        ra = a.replications[a.replications["policy"] == policy]
        rb = b.replications[b.replications["policy"] == policy]
        method = PAIRED if _same_draws(ra, rb) else WELCH
        methods[policy] = method
        groups_b = {key: g.set_index("rep")["value"] for key, g in rb.groupby(["scope", "metric"], sort=False)}
        for key, ga in ra.groupby(["scope", "metric"], sort=False):
            if key not in groups_b:
                continue
            scope, metric = key
            xa, xb = ga.set_index("rep")["value"], groups_b[key]
            if method == PAIRED:
                diff, lo, hi, _ = t_interval((xb - xa.reindex(xb.index)).to_numpy(), confidence)
            else:
                diff, lo, hi = welch_interval(xa.to_numpy(), xb.to_numpy(), confidence)
            if metric in shares:
                lo, hi = clip(lo, hi, -1.0, 1.0)
            rows.append((policy, scope, metric, float(np.nanmean(xa)) if xa.notna().any() else math.nan,
                         float(np.nanmean(xb)) if xb.notna().any() else math.nan, diff, lo, hi,
                         int(xa.notna().sum()), int(xb.notna().sum()), method))
    if not rows:
        raise CompareError(f"{dir_b}: no metric in common with {dir_a} for policies {', '.join(policies)}")
    return FolderComparison(a, b, policies, pd.DataFrame(rows, columns=COLUMNS), methods)


def _same_draws(ra: pd.DataFrame, rb: pd.DataFrame) -> bool:
    """Both ran the same replications with the same seeds: replication k drew the same numbers."""
    pa = set(map(tuple, ra[["rep", "seed"]].drop_duplicates().to_numpy().tolist()))
    pb = set(map(tuple, rb[["rep", "seed"]].drop_duplicates().to_numpy().tolist()))
    return bool(pa) and pa == pb and len(pa) >= 2


METHOD_WORDS = {  # how B - A was estimated: (terminal, chart title), per language
    "paired": {"en": ("paired by replication (same replications and seeds in both folders)", "paired by replication"),
               "zh": ("按重复运行配对（两个文件夹的重复运行与种子相同）", "按重复运行配对")},
    "welch": {"en": ("unpaired (Welch: the folders' replications or seeds differ)", "Welch (unpaired)"),
              "zh": ("不配对（Welch：两个文件夹的重复运行或种子不同）", "Welch（不配对）")},
    "mixed": {"en": ("paired where the replications and seeds agree, else Welch: see the method column",
                     "paired or Welch"),
              "zh": ("重复运行与种子一致处配对，否则用 Welch：见 method 列", "配对或 Welch")},
}


def _method_kind(methods: dict[str, str]) -> str:
    kinds = sorted(set(methods.values()))
    return "paired" if kinds == [PAIRED] else "welch" if kinds == [WELCH] else "mixed"


def method_words(methods: dict[str, str], lang: str = "en") -> str:
    return METHOD_WORDS[_method_kind(methods)][lang][0]


def check_out(out: Path, dirs: tuple[Path, Path]) -> None:
    """Refuse to write the comparison over one of the folders it compares."""
    for d in dirs:
        if Path(out).resolve() == Path(d).resolve():
            raise CompareError(f"{out}: is one of the folders compared; choose another --out")


def write_comparison(cmp: FolderComparison, out: Path, lang: str = "en", replace: bool = False) -> Path:
    """compare.csv, compare.png and metadata.json into ``out`` (all at once); return ``out``."""
    import matplotlib.pyplot as plt

    from .report.figures import DPI
    from .report.fonts import font_rc
    from .results.staging import write_folder

    out = Path(out)
    check_out(out, (cmp.a.folder, cmp.b.folder))

    def write(tmp: Path) -> None:
        cmp.table.to_csv(tmp / TABLE, index=False, lineterminator="\n")
        with plt.rc_context(font_rc(lang)):
            fig = chart(cmp, lang)
            if fig is not None:
                try:
                    fig.savefig(tmp / CHART, dpi=DPI)
                finally:
                    plt.close(fig)

    write_folder(out, replace, write, {
        "kind": "compare", "a": str(cmp.a.folder), "b": str(cmp.b.folder), "model": cmp.a.model.name,
        "policies": cmp.policies, "methods": cmp.methods,
        "interval": "95% Student-t of the paired differences, or Welch's interval where unpaired"})
    return out


def chart(cmp: FolderComparison, lang: str = "en"):
    """The forest plot of B minus A for the key metrics (scope all), a row per common policy."""
    from .report.figures import comparison_figure, policy_colours

    frame = cmp.table.assign(baseline="")  # no baseline among the policies: each one is drawn
    ci = "95% 置信区间" if lang == "zh" else "95% CI"
    title = f"{_name(cmp.b)} − {_name(cmp.a)}: {METHOD_WORDS[_method_kind(cmp.methods)][lang][1]}, {ci}"
    return comparison_figure(frame, list(cmp.a.model.key_metrics), "", cmp.policies, policy_colours(cmp.a.policies),
                             lang, voc=vocabulary(cmp.a.model), names=cmp.a.names, title=title)


def _name(res: SavedResults) -> str:
    return res.folder.name or str(res.folder)


def key_rows(cmp: FolderComparison) -> pd.DataFrame:
    """The key metrics at scope all, for the terminal."""
    t = cmp.table
    metrics = list(cmp.a.model.key_metrics)
    sel = t[(t["scope"] == "all") & t["metric"].isin(metrics)].copy()
    sel["order"] = sel["metric"].map({m: i for i, m in enumerate(metrics)})
    sel["porder"] = sel["policy"].map({p: i for i, p in enumerate(cmp.policies)})
    return sel.sort_values(["porder", "order"]).drop(columns=["order", "porder"])


def default_out(dir_a: Path, dir_b: Path) -> Path:
    return Path("results") / f"{Path(dir_a).resolve().name}-vs-{Path(dir_b).resolve().name}"


