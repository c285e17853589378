"""Charts comparing policies, drawn from the summary and comparison tables only
(never recomputed), with the Agg backend so they work without a screen."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..labels import metric_label  # noqa: E402


def policy_colours(policies: list[str]) -> dict[str, str]:
    """The same colour for a policy in every figure."""
    cycle = plt.get_cmap("tab10").colors
    return {p: matplotlib.colors.to_hex(cycle[i % len(cycle)]) for i, p in enumerate(policies)}


def _errorbars(sub: pd.DataFrame) -> np.ndarray:
    lo = (sub["mean"] - sub["ci_low"]).to_numpy(dtype=float)
    hi = (sub["ci_high"] - sub["mean"]).to_numpy(dtype=float)
    return np.nan_to_num(np.vstack([lo, hi]))


def metric_figure(summary: pd.DataFrame, metric: str, policies: list[str], colours: dict, path: Path) -> bool:
    """Mean and 95% interval of one metric for each policy: overall, or per station
    for utilisation.  Returns False when the table has nothing to draw."""
    scope_all = summary[(summary["metric"] == metric) & (summary["scope"] == "all")]
    stations = summary[(summary["metric"] == metric) & summary["scope"].str.startswith("station:")]
    groups = ["all"] if metric != "utilisation" or stations.empty else list(stations["scope"].unique())
    data = scope_all if groups == ["all"] else stations
    if data["mean"].isna().all():
        return False
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 + 0.9 * len(policies) * len(groups) ** 0.6), 3.6))
    width = 0.8 / len(policies)
    x = np.arange(len(groups))
    for i, policy in enumerate(policies):
        sub = data[data["policy"] == policy].set_index("scope").reindex(groups)
        ax.bar(x + (i - (len(policies) - 1) / 2) * width, sub["mean"].to_numpy(dtype=float), width,
               yerr=_errorbars(sub), capsize=3, color=colours[policy], label=policy)
    ax.set_xticks(x, ["overall" if g == "all" else g.split(":", 1)[1] for g in groups])
    ax.set_ylabel(metric_label(metric))
    ax.set_title(f"{metric_label(metric, with_unit=False)} by policy (mean, 95% CI)")
    ax.legend(title="policy", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def comparison_figure(comparison: pd.DataFrame, metrics: list[str], baseline: str, colours: dict, path: Path) -> bool:
    """Forest plot: each policy's paired difference from the baseline, per metric."""
    data = comparison[(comparison["scope"] == "all") & comparison["metric"].isin(metrics)]
    data = data[~data["diff_mean"].isna()]
    # leave out metrics no policy moves at all (say, blocking where rooms are unlimited)
    moved = data[(data["diff_mean"] != 0) | (data["ci_low"] != data["ci_high"])]
    metrics = [m for m in metrics if m in set(moved["metric"])]
    if not metrics:
        return False
    fig, axes = plt.subplots(len(metrics), 1, figsize=(6.5, 1.0 + 1.1 * len(metrics) * max(1, data["policy"].nunique()) ** 0.5),
                             squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics):
        sub = data[data["metric"] == metric].reset_index(drop=True)
        y = np.arange(len(sub))[::-1]
        lo = (sub["diff_mean"] - sub["ci_low"]).to_numpy(dtype=float)
        hi = (sub["ci_high"] - sub["diff_mean"]).to_numpy(dtype=float)
        for yi, (_, row), l, h in zip(y, sub.iterrows(), lo, hi):
            ax.errorbar(row["diff_mean"], yi, xerr=[[np.nan_to_num(l)], [np.nan_to_num(h)]], fmt="o",
                        color=colours.get(row["policy"], "k"), capsize=3)
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(y, sub["policy"])
        ax.set_xlabel(f"Δ {metric_label(metric)}")
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].set_title(f"Difference from '{baseline}' (paired, 95% CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def write_figures(summary: pd.DataFrame, comparison: pd.DataFrame, metrics: list[str], policies: list[str],
                  baseline: str, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    colours = policy_colours(policies)
    written = []
    for metric in metrics:
        path = folder / f"{metric}.png"
        if metric_figure(summary, metric, policies, colours, path):
            written.append(path)
    path = folder / "comparison.png"
    if comparison_figure(comparison, metrics, baseline, colours, path):
        written.append(path)
    return written
