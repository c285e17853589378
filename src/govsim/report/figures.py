"""Charts comparing policies, drawn from the summary and comparison tables only
(never recomputed), with the Agg backend so they work without a screen.

Every model gets one chart per key metric (overall), a forest plot of the paired
differences, and the breakdowns and profiles its ``figures`` attribute declares.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..labels import metric_label  # noqa: E402


@dataclass(frozen=True)
class Breakdown:
    """A metric by scope (bars grouped by scope), e.g. utilisation by station."""

    metric: str
    prefixes: tuple[str, ...]  # scopes starting with any of these; an exact scope name also matches
    name: str


@dataclass(frozen=True)
class Profile:
    """A metric along ordered scopes, e.g. the queue through the day ("hour:09:00")."""

    metric: str
    prefix: str
    name: str
    xlabel: str


def policy_colours(policies: list[str]) -> dict[str, str]:
    """The same colour for a policy in every figure."""
    cycle = plt.get_cmap("tab10").colors
    return {p: matplotlib.colors.to_hex(cycle[i % len(cycle)]) for i, p in enumerate(policies)}


def _errorbars(sub: pd.DataFrame) -> np.ndarray:
    lo = (sub["mean"] - sub["ci_low"]).to_numpy(dtype=float)
    hi = (sub["ci_high"] - sub["mean"]).to_numpy(dtype=float)
    return np.nan_to_num(np.vstack([lo, hi]))


def _short(scope: str) -> str:
    return "overall" if scope == "all" else scope.split(":", 1)[-1]


def bar_figure(summary: pd.DataFrame, metric: str, scopes: list[str], policies: list[str], colours: dict,
               path: Path, title: str) -> bool:
    """Mean and 95% interval of ``metric`` for each policy, grouped by scope."""
    data = summary[(summary["metric"] == metric) & summary["scope"].isin(scopes)]
    if data.empty or data["mean"].isna().all():
        return False
    scopes = [s for s in scopes if s in set(data["scope"])]
    fig, ax = plt.subplots(figsize=(min(14.0, max(5.5, 1.5 + 0.25 * len(policies) * len(scopes))), 3.8))
    width = 0.8 / len(policies)
    x = np.arange(len(scopes))
    for i, policy in enumerate(policies):
        sub = data[data["policy"] == policy].set_index("scope").reindex(scopes)
        ax.bar(x + (i - (len(policies) - 1) / 2) * width, sub["mean"].to_numpy(dtype=float), width,
               yerr=_errorbars(sub), capsize=2, color=colours[policy], label=policy)
    ax.set_xticks(x, [_short(s) for s in scopes], rotation=30 if len(scopes) > 4 else 0,
                  ha="right" if len(scopes) > 4 else "center")
    ax.set_ylabel(metric_label(metric))
    ax.set_title(title)
    ax.legend(title="policy", fontsize="small", ncols=2 if len(policies) > 4 else 1)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def profile_figure(summary: pd.DataFrame, spec: Profile, policies: list[str], colours: dict, path: Path) -> bool:
    """One line per policy along ordered scopes, with its 95% band."""
    data = summary[(summary["metric"] == spec.metric) & summary["scope"].str.startswith(spec.prefix)]
    if data.empty:
        return False
    order = sorted(data["scope"].unique())
    fig, ax = plt.subplots(figsize=(8, 3.8))
    x = np.arange(len(order))
    for policy in policies:
        sub = data[data["policy"] == policy].set_index("scope").reindex(order)
        ax.plot(x, sub["mean"].to_numpy(dtype=float), marker="o", ms=3, color=colours[policy], label=policy)
        ax.fill_between(x, sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float),
                        color=colours[policy], alpha=0.15, lw=0)
    step = max(1, len(order) // 12)
    ax.set_xticks(x[::step], [s[len(spec.prefix):] for s in order][::step])
    ax.set_xlabel(spec.xlabel)
    ax.set_ylabel(metric_label(spec.metric))
    ax.set_title(f"{metric_label(spec.metric, with_unit=False)}: {spec.xlabel.lower()} (mean, 95% CI)")
    ax.legend(title="policy", fontsize="small", ncols=2 if len(policies) > 4 else 1)
    ax.grid(alpha=0.3)
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
    n_pol = max(1, data["policy"].nunique())
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 0.8 + len(metrics) * (0.6 + 0.32 * n_pol)), squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics):
        sub = data[data["metric"] == metric].reset_index(drop=True)
        y = np.arange(len(sub))[::-1]
        lo = np.nan_to_num((sub["diff_mean"] - sub["ci_low"]).to_numpy(dtype=float))
        hi = np.nan_to_num((sub["ci_high"] - sub["diff_mean"]).to_numpy(dtype=float))
        for yi, (_, row), l, h in zip(y, sub.iterrows(), lo, hi):
            ax.errorbar(row["diff_mean"], yi, xerr=[[l], [h]], fmt="o", color=colours.get(row["policy"], "k"), capsize=3)
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(y, sub["policy"])
        ax.set_xlabel(f"Δ {metric_label(metric)}")
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].set_title(f"Difference from '{baseline}' (paired, 95% CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def _matching(summary: pd.DataFrame, spec: Breakdown) -> list[str]:
    scopes = list(dict.fromkeys(summary.loc[summary["metric"] == spec.metric, "scope"]))
    return [s for s in scopes if s in spec.prefixes or any(s.startswith(p) for p in spec.prefixes if p.endswith(":"))]


def write_figures(summary: pd.DataFrame, comparison: pd.DataFrame, model, policies: list[str], baseline: str,
                  folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    colours = policy_colours(policies)
    metrics = list(model.key_metrics)
    written = []
    for metric in metrics:
        path = folder / f"{metric}.png"
        title = f"{metric_label(metric, with_unit=False)} by policy (mean, 95% CI)"
        if bar_figure(summary, metric, ["all"], policies, colours, path, title):
            written.append(path)
    for spec in getattr(model, "figures", ()):
        path = folder / f"{spec.name}.png"
        if isinstance(spec, Profile):
            ok = profile_figure(summary, spec, policies, colours, path)
        else:
            title = f"{metric_label(spec.metric, with_unit=False)} by {spec.name.split('_by_')[-1]} (mean, 95% CI)"
            ok = bar_figure(summary, spec.metric, _matching(summary, spec), policies, colours, path, title)
        if ok:
            written.append(path)
    path = folder / "comparison.png"
    if comparison_figure(comparison, metrics, baseline, colours, path):
        written.append(path)
    return written
