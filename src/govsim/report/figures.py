"""Charts comparing policies, drawn from the saved tables only (summary, comparison and
replications: never recomputed), with the Agg backend so they work without a screen.

Every model gets one chart per key metric (overall), a forest plot of the paired
differences, the spread of the key metrics over replications, and the breakdowns and
profiles its ``figures`` attribute declares.  Each chart has a title, axis labels with
units and a legend; a policy keeps its colour in every chart; labels come in English
or Chinese (``lang``) from the model's vocabulary (``govsim.labels.vocabulary``: the
common words joined with the model's own), passed to each builder as ``voc``.  The
builders return the matplotlib Figure, so tests can read back what was plotted;
``write_figures`` saves them as PNG files.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ..labels import Vocabulary, vocabulary  # noqa: E402
from ..model_api import Breakdown, Profile, Stacked  # noqa: E402,F401  (re-exported: the specs live with the model contract)
from .fonts import font_rc  # noqa: E402
from .i18n import t  # noqa: E402

DPI = 150          # PNG resolution: sharp on slides and high-density screens
CSS_PX_PER_IN = 96  # the report shows a figure at its natural size: a 10 pt label reads as 10 pt
MAX_WIDTH_IN = 11.0  # fits the report's column (1100 CSS px) without shrinking the text


@dataclass(frozen=True)
class FigureOut:
    """A chart written to ``figures/``: where it belongs in the report and how wide it shows."""

    name: str
    section: str  # forest | key | dist | profile | util | breakdown
    title: str
    path: Path
    width_px: int  # CSS pixels at the figure's natural size


def policy_colours(policies: list[str]) -> dict[str, str]:
    """The same colour for a policy in every figure."""
    cycle = plt.get_cmap("tab10").colors
    return {p: matplotlib.colors.to_hex(cycle[i % len(cycle)]) for i, p in enumerate(policies)}


def _legend(fig: Figure, policies: list[str], colours: dict, lang: str, where: str = "outside right center") -> None:
    handles = [Patch(facecolor=colours[p], label=p) for p in policies]
    ncols = 1 if "right" in where else min(4, len(policies))
    fig.legend(handles=handles, title=t("legend_policy", lang), loc=where, fontsize="small", ncols=ncols,
               frameon=False)


def _errorbars(sub: pd.DataFrame) -> np.ndarray:
    lo = (sub["mean"] - sub["ci_low"]).to_numpy(dtype=float)
    hi = (sub["ci_high"] - sub["mean"]).to_numpy(dtype=float)
    return np.nan_to_num(np.vstack([lo, hi]))


def _short(scope: str, lang: str) -> str:
    return t("overall", lang) if scope == "all" else scope.split(":", 1)[-1]


def natural_key(scope: str) -> list:
    """Order scopes as a reader would: day:9 before day:10, 0.05 before 0.5."""
    parts = re.split(r"(\d+(?:\.\d+)?)", scope)
    return [float(p) if i % 2 else p for i, p in enumerate(parts)]


def _new(width: float, height: float) -> tuple[Figure, plt.Axes]:
    fig = plt.figure(figsize=(min(MAX_WIDTH_IN, width), height), layout="constrained")
    return fig, fig.add_subplot()


def key_figure(summary: pd.DataFrame, metric: str, policies: list[str], colours: dict,
               lang: str = "en", *, voc: Vocabulary) -> Optional[Figure]:
    """Mean and 95% interval of ``metric`` (scope ``all``), one bar per policy."""
    data = summary[(summary["metric"] == metric) & (summary["scope"] == "all")]
    if data.empty or data["mean"].isna().all():
        return None
    if (data[["mean", "ci_low", "ci_high"]].fillna(0) == 0).all().all():
        return None  # zero everywhere (say, blocking without a finite room): nothing to see
    sub = data.set_index("policy").reindex(policies)
    fig, ax = _new(min(5.4, 3.0 + 0.35 * len(policies)), 3.9)
    x = np.arange(len(policies))
    for i, policy in enumerate(policies):
        row = sub.iloc[[i]]
        ax.bar(x[i:i + 1], row["mean"].to_numpy(dtype=float), 0.7, yerr=_errorbars(row), capsize=4,
               color=colours[policy], label=policy, error_kw={"ecolor": "black", "elinewidth": 1.2})
    long_names = len(policies) > 3 or max(len(p) for p in policies) > 12
    ax.set_xticks(x, policies, rotation=25 if long_names else 0, ha="right" if long_names else "center",
                  fontsize="small")
    ax.set_xlabel(t("policy", lang))
    ax.set_ylabel(voc.metric_label(metric, lang=lang))
    fig.suptitle(t("fig_key", lang, label=voc.metric_label(metric, with_unit=False, lang=lang)))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    _legend(fig, policies, colours, lang)
    return fig


def breakdown_figure(summary: pd.DataFrame, spec: Breakdown, policies: list[str], colours: dict,
                     lang: str = "en", *, voc: Vocabulary) -> Optional[Figure]:
    """Mean and 95% interval of a metric for each policy, grouped by scope."""
    scopes = _matching(summary, spec)
    data = summary[(summary["metric"] == spec.metric) & summary["scope"].isin(scopes)]
    if data.empty or data["mean"].isna().all():
        return None
    scopes = [s for s in scopes if s in set(data["scope"])]
    kind = spec.name.split("_by_")[-1] if "_by_" in spec.name else scopes[0].split(":", 1)[0]
    fig, ax = _new(max(6.5, 2.5 + 0.16 * len(policies) * len(scopes) + 0.3 * len(scopes)), 4.6)
    width = 0.8 / len(policies)
    x = np.arange(len(scopes))
    for i, policy in enumerate(policies):
        sub = data[data["policy"] == policy].set_index("scope").reindex(scopes)
        ax.bar(x + (i - (len(policies) - 1) / 2) * width, sub["mean"].to_numpy(dtype=float), width,
               yerr=_errorbars(sub), capsize=2 if len(policies) * len(scopes) < 40 else 0,
               color=colours[policy], label=policy, error_kw={"ecolor": "black", "elinewidth": 0.8})
    rotate = len(scopes) > 4
    ax.set_xticks(x, [_short(s, lang) for s in scopes], rotation=30 if rotate else 0,
                  ha="right" if rotate else "center", fontsize="small")
    kind_label = voc.scope_kind_label(kind, lang)
    ax.set_xlabel(kind_label[:1].upper() + kind_label[1:])
    ax.set_ylabel(voc.metric_label(spec.metric, lang=lang))
    fig.suptitle(t("fig_breakdown", lang, label=voc.metric_label(spec.metric, with_unit=False, lang=lang),
                   kind=kind_label))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    _legend(fig, policies, colours, lang, "outside lower center" if len(policies) > 4 else "outside right center")
    return fig


def stacked_figure(summary: pd.DataFrame, spec: Stacked, policies: list[str], lang: str = "en", *,
                   voc: Vocabulary) -> Optional[Figure]:
    """Means of ``spec.metrics`` stacked per scope, a panel per policy (sharing the axis)."""
    first = Breakdown(spec.metrics[0], spec.prefixes, spec.name)
    scopes = _matching(summary, first)
    data = summary[summary["metric"].isin(spec.metrics) & summary["scope"].isin(scopes)]
    if data.empty or data["mean"].isna().all():
        return None
    n = len(policies)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig = Figure(figsize=(min(14.0, 1.2 + cols * (1.2 + 0.55 * len(scopes))), 1.2 + 2.8 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, sharey=True, squeeze=False)
    parts = plt.get_cmap("Set2").colors
    x = np.arange(len(scopes))
    for ax, policy in zip(axes.flat, policies):
        bottom = np.zeros(len(scopes))
        for j, metric in enumerate(spec.metrics):
            sub = data[(data["policy"] == policy) & (data["metric"] == metric)].set_index("scope").reindex(scopes)
            height = np.nan_to_num(sub["mean"].to_numpy(dtype=float))
            ax.bar(x, height, 0.7, bottom=bottom, color=parts[j % len(parts)],
                   label=voc.metric_label(metric, with_unit=False, lang=lang))
            bottom += height
        ax.set_title(policy, fontsize="medium")
        ax.set_xticks(x, [_short(sc, lang) for sc in scopes], rotation=30, ha="right", fontsize="small")
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(voc.metric_unit(spec.metrics[0], lang))  # the parts share a unit
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(spec.metrics), fontsize="small")
    kind = spec.name.split("_by_")[-1] if "_by_" in spec.name else scopes[0].split(":", 1)[0]
    fig.suptitle(t("fig_stacked", lang, labels=", ".join(voc.metric_label(m, with_unit=False, lang=lang)
                                                          for m in spec.metrics), kind=voc.scope_kind_label(kind, lang)))
    return fig


def _profile_xlabel(spec: Profile, lang: str, voc: Vocabulary) -> str:
    if lang == "zh" and spec.xlabel_zh:
        return spec.xlabel_zh
    return voc.phrase(spec.xlabel, lang)


def profile_figure(summary: pd.DataFrame, spec: Profile, policies: list[str], colours: dict,
                   lang: str = "en", *, voc: Vocabulary) -> Optional[Figure]:
    """One line per policy along ordered scopes, with its 95% band."""
    data = summary[(summary["metric"] == spec.metric) & summary["scope"].str.startswith(spec.prefix)]
    if data.empty:
        return None
    order = sorted(data["scope"].unique(), key=natural_key)
    labels = [s[len(spec.prefix):] for s in order]
    fig, ax = _new(9.0, 4.4)
    x = _times_of_day(labels)
    if x is None:
        x = np.arange(len(order), dtype=float)
    # a gap in the scopes (the lunch break between 11:30 and 14:30) is a gap in the line
    steps = np.diff(x)
    cut = np.flatnonzero(steps > 1.5 * steps.min()) + 1 if len(steps) else np.zeros(0, int)
    for policy in policies:
        sub = data[data["policy"] == policy].set_index("scope").reindex(order)
        xs, mean, lo, hi = (np.insert(np.asarray(v, dtype=float), cut, np.nan) for v in
                            (x, sub["mean"], sub["ci_low"], sub["ci_high"]))
        ax.plot(xs, mean, marker="o", ms=3, color=colours[policy], label=policy)
        ax.fill_between(xs, lo, hi, color=colours[policy], alpha=0.15, lw=0)
    step = max(1, math.ceil(len(order) / 12))
    ax.set_xticks(x[::step], labels[::step], fontsize="small")
    xlabel = _profile_xlabel(spec, lang, voc)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(voc.metric_label(spec.metric, lang=lang))
    fig.suptitle(t("fig_profile", lang, label=voc.metric_label(spec.metric, with_unit=False, lang=lang),
                   xlabel=xlabel.lower() if lang == "en" else xlabel))
    ax.grid(alpha=0.3)
    _legend(fig, policies, colours, lang)
    return fig


def _times_of_day(labels: list[str]) -> Optional[np.ndarray]:
    """Hours since midnight when every label is a time of day ('09:30'), else None."""
    hours = []
    for label in labels:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", label)
        if not m:
            return None
        hours.append(int(m.group(1)) + int(m.group(2)) / 60)
    return np.array(hours, dtype=float)


def comparison_figure(comparison: pd.DataFrame, metrics: list[str], baseline: str, policies: list[str],
                      colours: dict, lang: str = "en", *, voc: Vocabulary) -> Optional[Figure]:
    """Forest plot: each policy's paired difference from the baseline, one panel per metric."""
    data = comparison[(comparison["scope"] == "all") & comparison["metric"].isin(metrics)]
    data = data[~data["diff_mean"].isna()]
    # leave out metrics no policy moves at all (say, blocking where rooms are unlimited)
    moved = data[(data["diff_mean"] != 0) | (data["ci_low"] != data["ci_high"])]
    metrics = [m for m in metrics if m in set(moved["metric"])]
    others = [p for p in policies if p != baseline and p in set(data["policy"])]
    if not metrics or not others:
        return None
    ncols = 2 if len(metrics) > 2 else 1
    nrows = math.ceil(len(metrics) / ncols)
    height = 1.2 + nrows * (0.9 + 0.3 * len(others))
    fig = plt.figure(figsize=(MAX_WIDTH_IN if ncols == 2 else 8.0, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    y = np.arange(len(others))[::-1]
    for k, ax in enumerate(axes.flat):
        if k >= len(metrics):
            ax.set_axis_off()
            continue
        metric = metrics[k]
        sub = data[data["metric"] == metric].set_index("policy").reindex(others)
        for yi, policy in zip(y, others):
            row = sub.loc[policy]
            if pd.isna(row["diff_mean"]):
                continue
            lo = np.nan_to_num(row["diff_mean"] - row["ci_low"])
            hi = np.nan_to_num(row["ci_high"] - row["diff_mean"])
            ax.errorbar([row["diff_mean"]], [yi], xerr=[[lo], [hi]], fmt="o", color=colours[policy], capsize=3,
                        label=policy)
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(y, others, fontsize="small")
        ax.set_title(voc.metric_label(metric, with_unit=False, lang=lang), fontsize="medium")
        ax.set_xlabel(t("fig_forest_axis", lang, label=voc.metric_label(metric, lang=lang)), fontsize="small")
        if k % ncols == 0:
            ax.set_ylabel(t("policy", lang))
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(t("fig_forest", lang, baseline=baseline))
    _legend(fig, others, colours, lang, "outside lower center")
    return fig


def distribution_figure(reps: pd.DataFrame, summary: pd.DataFrame, metrics: list[str], policies: list[str],
                        colours: dict, lang: str = "en", *, voc: Vocabulary) -> Optional[Figure]:
    """Box plot of each key metric's replication values per policy (scope ``all``), with
    the replications as dots and the mean of summary.csv as a diamond."""
    reps = reps[reps["scope"] == "all"]
    summ = summary[summary["scope"] == "all"].set_index(["policy", "metric"])
    metrics = [m for m in metrics if reps.loc[reps["metric"] == m, "value"].notna().any()]
    if not metrics:
        return None
    ncols = min(3, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    fig = plt.figure(figsize=(MAX_WIDTH_IN, 0.9 + 3.1 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    x = np.arange(len(policies))
    for k, ax in enumerate(axes.flat):
        if k >= len(metrics):
            ax.set_axis_off()
            continue
        metric = metrics[k]
        sel = reps[reps["metric"] == metric]
        for i, policy in enumerate(policies):
            values = sel.loc[sel["policy"] == policy].sort_values("rep")["value"].to_numpy(dtype=float)
            values = values[~np.isnan(values)]
            if len(values) == 0:
                continue
            box = ax.boxplot([values], positions=[i], widths=0.6, patch_artist=True, showfliers=False,
                             medianprops={"color": "black"}, manage_ticks=False)
            for patch in box["boxes"]:
                patch.set_facecolor(colours[policy])
                patch.set_alpha(0.45)
            jitter = np.linspace(-0.18, 0.18, len(values)) if len(values) > 1 else np.zeros(1)
            ax.scatter(i + jitter, values, s=9, color=colours[policy], edgecolors="none", zorder=3,
                       label=policy)
            mean = summ["mean"].get((policy, metric), np.nan)
            ax.plot([i], [mean], marker="D", ms=6, color="black", mfc="white", zorder=4, label=f"{policy} mean")
        ax.set_xticks(x, [])
        ax.set_xlim(-0.6, len(policies) - 0.4)
        ax.set_xlabel(t("policy", lang), fontsize="small")
        ax.set_ylabel(voc.metric_label(metric, lang=lang), fontsize="small")
        ax.set_title(voc.metric_label(metric, with_unit=False, lang=lang), fontsize="medium")
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(t("fig_dist", lang))
    _legend(fig, policies, colours, lang, "outside lower center")
    return fig


def _matching(summary: pd.DataFrame, spec: Breakdown) -> list[str]:
    scopes = list(dict.fromkeys(summary.loc[summary["metric"] == spec.metric, "scope"]))
    return [s for s in scopes if s in spec.prefixes or any(s.startswith(p) for p in spec.prefixes if p.endswith(":"))]


def build_figures(summary: pd.DataFrame, comparison: pd.DataFrame, model, policies: list[str], baseline: str,
                  lang: str = "en", reps: Optional[pd.DataFrame] = None):
    """Yield ``(name, section, title, figure)`` for every chart of a run, in report order.
    Call inside ``plt.rc_context(font_rc(lang))``; the caller closes each figure."""
    voc = vocabulary(model)
    colours = policy_colours(policies)
    metrics = list(model.key_metrics)
    fig = comparison_figure(comparison, metrics, baseline, policies, colours, lang, voc=voc)
    if fig is not None:
        yield "comparison", "forest", t("fig_forest", lang, baseline=baseline), fig
    for metric in metrics:
        fig = key_figure(summary, metric, policies, colours, lang, voc=voc)
        if fig is not None:
            yield metric, "key", fig.get_suptitle(), fig
    if reps is not None:
        fig = distribution_figure(reps, summary, metrics, policies, colours, lang, voc=voc)
        if fig is not None:
            yield "distributions", "dist", t("fig_dist", lang), fig
    for spec in model.figures:
        if isinstance(spec, Profile):
            fig = profile_figure(summary, spec, policies, colours, lang, voc=voc)
            section = "profile"
        elif isinstance(spec, Stacked):
            fig = stacked_figure(summary, spec, policies, lang, voc=voc)
            section = "breakdown"
        else:
            fig = breakdown_figure(summary, spec, policies, colours, lang, voc=voc)
            section = "util" if "utilisation" in spec.metric else "breakdown"
        if fig is not None:
            yield spec.name, section, fig.get_suptitle(), fig


def write_figures(summary: pd.DataFrame, comparison: pd.DataFrame, model, policies: list[str], baseline: str,
                  folder: Path, lang: str = "en", reps: Optional[pd.DataFrame] = None) -> list[FigureOut]:
    """Save every chart as ``folder/<name>.png``; return them in report order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with plt.rc_context(font_rc(lang)):
        for name, section, title, fig in build_figures(summary, comparison, model, policies, baseline, lang, reps):
            path = folder / f"{name}.png"
            try:
                fig.savefig(path, dpi=DPI)
                width = round(fig.get_figwidth() * CSS_PX_PER_IN)
            finally:
                plt.close(fig)
            written.append(FigureOut(name, section, title, path, width))
    return written
