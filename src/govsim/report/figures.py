"""Charts comparing policies, drawn from the saved tables only (summary, comparison and
replications: never recomputed), with the Agg backend so they work without a screen.

Every model gets one chart per key metric (overall), a forest plot of the paired
differences, the spread of the key metrics over replications, and the breakdowns and
profiles its ``figures`` attribute declares.  Each chart has a title, axis labels with
units and a key to the policies; a policy keeps its colour in every chart; labels come in
English or Chinese (``lang``) from the model's vocabulary (``govsim.labels.vocabulary``:
the common words joined with the model's own), passed to each builder as ``voc``, and
names of policies and scopes from the scenario's ``labels:`` block (``names``).

Every chart fits an A4 page at its natural size (at most ``MAX_WIDTH_IN`` wide), and its
text never runs off the edge or into other text: titles and axis labels are wrapped to
the width they have (measured in the chart's own font), names of policies and scopes
sit on a horizontal axis of their own (bars and points are horizontal), and the key to
the colours is below the plot.  ``text_problems`` checks a chart for both faults.

The builders return the matplotlib Figure, so tests can read back what was plotted;
``write_figures`` saves them as PNG files, in two processes where the machine has two
cores (each chart is drawn on its own, so the files are the same byte for byte).
"""
from __future__ import annotations

import math
import multiprocessing
import os
import re
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable, Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ..labels import DisplayNames, Vocabulary, scope_name, vocabulary  # noqa: E402
from ..model_api import Breakdown, Profile, Stacked  # noqa: E402,F401  (re-exported: the specs live with the model contract)
from ..workers import WorkerPool  # noqa: E402
from .fonts import font_rc  # noqa: E402
from .i18n import t  # noqa: E402

DPI = 150          # PNG resolution: sharp on slides, high-density screens and paper
CSS_PX_PER_IN = 96  # the report shows a figure at its natural size: a 10 pt label reads as 10 pt
MAX_WIDTH_IN = 7.0  # an A4 page's width inside 15 mm margins (180 mm): printed at natural size too
NAME_WIDTH_IN = 2.1  # a policy's or scope's name on an axis wraps at this width (about 32 characters)
MAX_HEIGHT_IN = 10.0  # an A4 page's height inside its margins, less a caption
PP = 100.0          # a share's difference in percentage points


@dataclass(frozen=True)
class FigureOut:
    """A chart written to ``figures/``: where it belongs in the report and how wide it shows."""

    name: str
    section: str  # forest | key | dist | profile | util | breakdown
    title: str
    path: Path
    width_px: int  # CSS pixels at the figure's natural size


def policy_colours(policies: list[str]) -> dict[str, str]:
    """The same colour for a policy in every figure: tab10's ten, then their ten lighter
    shades (tab20's), so that up to 20 policies never share a colour."""
    shades = plt.get_cmap("tab20").colors
    cycle = shades[0::2] + shades[1::2]  # the first ten are tab10's
    return {p: matplotlib.colors.to_hex(cycle[i % len(cycle)]) for i, p in enumerate(policies)}


# ---------------------------------------------------------------- text that fits

_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"  # Chinese characters and punctuation
_OPEN, _CLOSE = "（“‘《〈「『【", "）”’》〉」』】。，、：；！？"  # stay with the character after / before them
_PIECES = re.compile(f"[{_OPEN}]*[{_CJK}][{_CLOSE}]*|[^_/{_CJK}]+[_/]?|[_/]")


def _text_width_in(text: str, size: float) -> float:
    """Width of one line of ``text`` in inches, in the current font (rcParams)."""
    return _measured_width_in(text, size, tuple(str(plt.rcParams[k]) for k in _TEXT_SETTINGS))


@lru_cache(maxsize=8192)
def _measured_width_in(text: str, size: float, settings: tuple) -> float:
    """``_text_width_in`` remembered: the charts measure the same names again and again
    (``settings``, the font and text rcParams, only tell the fonts apart)."""
    w, _, _ = _MEASURE.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return w / _MEASURE.dpi


_MEASURE = RendererAgg(10, 10, 72)  # a renderer at 72 dpi, only to measure text
_TEXT_SETTINGS = tuple(k for k in plt.rcParams if k.startswith(("font.", "text.")))  # what a width depends on


def _tokens(text: str) -> list[tuple[str, bool]]:
    """``text`` cut where a line may break: (piece, whether a space came before it).
    Between words; after an underscore or a slash in a long identifier; around each
    Chinese character."""
    out: list[tuple[str, bool]] = []
    for i, word in enumerate(text.split(" ")):
        if not word:
            continue
        pieces = _PIECES.findall(word)
        for j, piece in enumerate(pieces):
            out.append((piece, j == 0 and bool(out) and i > 0))
    return out


def wrap(text: str, width_in: float, size: float) -> str:
    """``text`` wrapped into lines no wider than ``width_in`` (measured, not guessed),
    breaking between words, after underscores, or between Chinese characters; a line
    with one unbreakable piece is as short as it can be."""
    if not text:
        return text
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece, spaced in _tokens(paragraph):
            candidate = line + (" " if spaced and line else "") + piece
            if line and _text_width_in(candidate, size) > width_in:
                lines.append(line)
                line = piece
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


def _size(name: str) -> float:
    return FontProperties(size=name).get_size_in_points()


def _suptitle(fig: Figure, text: str) -> None:
    size = _size(plt.rcParams["figure.titlesize"])
    fig.suptitle(wrap(text, fig.get_figwidth() - 0.3, size), fontsize=size)
    fig._govsim_title = text  # the title unwrapped, for the report's caption and alt text


def title_of(fig: Figure) -> str:
    return getattr(fig, "_govsim_title", None) or fig.get_suptitle()


def _ylabel(ax, text: str, height_in: float, size: Optional[float] = None) -> None:
    size = size or _size(plt.rcParams["axes.labelsize"])
    ax.set_ylabel(wrap(text, max(1.0, height_in - 0.3), size), fontsize=size)


def _xlabel(ax, text: str, width_in: float, size: Optional[float] = None) -> None:
    size = size or _size(plt.rcParams["axes.labelsize"])
    ax.set_xlabel(wrap(text, max(1.0, width_in - 0.2), size), fontsize=size)


def _title(ax, text: str, width_in: float) -> None:
    size = _size("medium")
    ax.set_title(wrap(text, max(1.0, width_in - 0.1), size), fontsize=size)


def _names(names: Optional[DisplayNames]) -> DisplayNames:
    return names if names is not None else DisplayNames()


def _legend(fig: Figure, policies: list[str], colours: dict, lang: str, names: DisplayNames) -> None:
    """The key to the policies' colours, below the plot, in as many columns as fit."""
    size = _size("small")
    labels = [wrap(names.policy(p, lang), NAME_WIDTH_IN + 0.6, size) for p in policies]
    widest = max(_text_width_in(line, size) for lab in labels for line in lab.split("\n"))
    ncols = max(1, min(len(policies), int((fig.get_figwidth() - 0.4) // (widest + 0.55))))
    handles = [Patch(facecolor=colours[p], label=lab) for p, lab in zip(policies, labels)]
    fig.legend(handles=handles, title=t("legend_policy", lang), loc="outside lower center", fontsize=size,
               ncols=ncols, frameon=False, title_fontsize=size)


def _short(scope: str, lang: str, names: DisplayNames, voc=None) -> str:
    """A scope's name on a chart: the scenario's labels first, then the model's own name
    for a scope it makes itself (``voc``: its vocabulary), else the identifier."""
    return t("overall", lang) if scope == "all" else scope_name(scope, lang, names, voc)


def natural_key(scope: str) -> list:
    """Order scopes as a reader would: day:9 before day:10, 0.05 before 0.5."""
    parts = re.split(r"(\d+(?:\.\d+)?)", scope)
    return [float(p) if i % 2 else p for i, p in enumerate(parts)]


def _figure(width: float, height: float) -> Figure:
    return plt.figure(figsize=(min(MAX_WIDTH_IN, width), height), layout="constrained")


def _errors(mean, lo, hi) -> np.ndarray:
    mean, lo, hi = (np.asarray(v, dtype=float) for v in (mean, lo, hi))
    return np.nan_to_num(np.vstack([mean - lo, hi - mean]))


def _rows_in(labels: list[str], at_least: float = 0.0) -> float:
    """Height of the rows of a horizontal chart named by ``labels``: rows are evenly spaced,
    so each gets the room its tallest name (a name may take two lines) needs."""
    lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    return len(labels) * max(at_least, 0.08 + 0.115 * lines)


# ---------------------------------------------------------------- the charts

def key_figure(summary: pd.DataFrame, metric: str, policies: list[str], colours: dict,
               lang: str = "en", *, voc: Vocabulary, names: Optional[DisplayNames] = None) -> Optional[Figure]:
    """Mean and 95% interval of ``metric`` (scope ``all``), one horizontal bar per policy,
    named on its axis (top to bottom in the scenario's order)."""
    names = _names(names)
    data = summary[(summary["metric"] == metric) & (summary["scope"] == "all")]
    if data.empty or data["mean"].isna().all():
        return None
    if (data[["mean", "ci_low", "ci_high"]].fillna(0) == 0).all().all():
        return None  # zero everywhere (say, blocking without a finite room): nothing to see
    sub = data.set_index("policy").reindex(policies)
    size = _size("small")
    labels = [wrap(names.policy(p, lang), NAME_WIDTH_IN, size) for p in policies]
    fig = _figure(6.2, 1.5 + _rows_in(labels, 0.3))
    ax = fig.add_subplot()
    y = np.arange(len(policies))[::-1]
    for i, policy in enumerate(policies):
        row = sub.iloc[[i]]
        ax.barh(y[i:i + 1], row["mean"].to_numpy(dtype=float), 0.7,
                xerr=_errors(row["mean"], row["ci_low"], row["ci_high"]), capsize=3, color=colours[policy],
                label=policy, error_kw={"ecolor": "black", "elinewidth": 1.0})
    ax.set_yticks(y, labels, fontsize=size)
    ax.set_ylim(-0.6, len(policies) - 0.4)
    _xlabel(ax, voc.metric_label(metric, lang=lang), 6.2 - NAME_WIDTH_IN)
    _suptitle(fig, t("fig_key", lang, label=voc.metric_label(metric, with_unit=False, lang=lang)))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return fig


def _point_ranges(ax, data: pd.DataFrame, scopes: list[str], policies: list[str], colours: dict,
                  scale: float = 1.0) -> None:
    """For each scope (a row), each policy's mean and 95% interval as a point with a
    horizontal line, the policies side by side within the row."""
    y0 = np.arange(len(scopes))[::-1].astype(float)
    step = min(0.8 / max(len(policies), 1), 0.22)
    for i, policy in enumerate(policies):
        sub = data[data["policy"] == policy].set_index("scope").reindex(scopes)
        mean = sub["mean"].to_numpy(dtype=float) * scale
        yi = y0 + (len(policies) - 1) / 2 * step - i * step
        ax.errorbar(mean, yi, xerr=_errors(mean, sub["ci_low"].to_numpy(dtype=float) * scale,
                                           sub["ci_high"].to_numpy(dtype=float) * scale),
                    fmt="o", ms=3.5, color=colours[policy], ecolor=colours[policy], elinewidth=1.2, capsize=0,
                    label=policy)
    ax.set_ylim(-0.6, len(scopes) - 0.4)
    for y in y0[:-1] - 0.5:
        ax.axhline(y, color="grey", lw=0.4, alpha=0.4)


def breakdown_figure(summary: pd.DataFrame, spec: Breakdown, policies: list[str], colours: dict,
                     lang: str = "en", *, voc: Vocabulary, names: Optional[DisplayNames] = None) -> Optional[Figure]:
    """Mean and 95% interval of a metric for each policy, a row per scope (scopes that no
    policy has a value for are left out)."""
    names = _names(names)
    scopes = _matching(summary, spec)
    data = summary[(summary["metric"] == spec.metric) & summary["scope"].isin(scopes)]
    present = set(data.loc[data["mean"].notna(), "scope"])
    scopes = [s for s in scopes if s in present]
    if not scopes:
        return None
    data = data[data["scope"].isin(scopes)]
    kind = spec.name.split("_by_")[-1] if "_by_" in spec.name else scopes[0].split(":", 1)[0]
    size = _size("small")
    labels = [wrap(_short(s, lang, names, voc), NAME_WIDTH_IN, size) for s in scopes]
    rows_in = _rows_in(labels, 0.08 + 0.06 * len(policies))  # room for each policy's point in a row
    fig = _figure(MAX_WIDTH_IN, min(MAX_HEIGHT_IN, 1.4 + rows_in + _legend_height(policies)))
    ax = fig.add_subplot()
    _point_ranges(ax, data, scopes, policies, colours)
    ax.set_yticks(np.arange(len(scopes))[::-1], labels, fontsize=size)
    kind_label = voc.scope_kind_label(kind, lang)
    _ylabel(ax, kind_label[:1].upper() + kind_label[1:], rows_in)
    _xlabel(ax, voc.metric_label(spec.metric, lang=lang), MAX_WIDTH_IN - NAME_WIDTH_IN - 0.5)
    _suptitle(fig, t("fig_breakdown", lang, label=voc.metric_label(spec.metric, with_unit=False, lang=lang),
                     kind=kind_label))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    _legend(fig, policies, colours, lang, names)
    return fig


def _legend_height(policies: list[str]) -> float:
    return 0.5 + 0.2 * math.ceil(len(policies) / 3)


def stacked_figure(summary: pd.DataFrame, spec: Stacked, policies: list[str], lang: str = "en", *,
                   voc: Vocabulary, names: Optional[DisplayNames] = None) -> Optional[Figure]:
    """Means of ``spec.metrics`` stacked per scope (horizontal bars, a row per scope), a
    panel per policy (two across, sharing the scale)."""
    names = _names(names)
    first = Breakdown(spec.metrics[0], spec.prefixes, spec.name)
    scopes = _matching(summary, first)
    data = summary[summary["metric"].isin(spec.metrics) & summary["scope"].isin(scopes)]
    if data.empty or data["mean"].isna().all():
        return None
    present = set(data.loc[data["mean"].notna(), "scope"])
    scopes = [s for s in scopes if s in present]
    n = len(policies)
    cols = min(n, 2)
    rows = -(-n // cols)
    size = _size("small")
    panel_w = (MAX_WIDTH_IN - 0.3) / cols
    labels = [wrap(_short(sc, lang, names, voc), min(NAME_WIDTH_IN, panel_w / 2), size) for sc in scopes]
    panel_h = 0.7 + _rows_in(labels, 0.25)
    fig = _figure(MAX_WIDTH_IN, min(MAX_HEIGHT_IN, 1.4 + panel_h * rows))
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False)
    parts = plt.get_cmap("Set2").colors
    y = np.arange(len(scopes))[::-1]
    for k, (ax, policy) in enumerate(zip(axes.flat, policies)):
        left = np.zeros(len(scopes))
        for j, metric in enumerate(spec.metrics):
            sub = data[(data["policy"] == policy) & (data["metric"] == metric)].set_index("scope").reindex(scopes)
            width = np.nan_to_num(sub["mean"].to_numpy(dtype=float))
            ax.barh(y, width, 0.7, left=left, color=parts[j % len(parts)],
                    label=voc.metric_label(metric, with_unit=False, lang=lang))
            left += width
        _title(ax, names.policy(policy, lang), panel_w)
        ax.set_yticks(y, labels if k % cols == 0 else [""] * len(scopes), fontsize=size)
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes[-1, :]:
        _xlabel(ax, voc.metric_unit(spec.metrics[0], lang), panel_w)  # the parts share a unit
    handles, labels_ = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels_, loc="outside lower center", ncols=min(len(spec.metrics), 3), fontsize=size,
               frameon=False)
    kind = spec.name.split("_by_")[-1] if "_by_" in spec.name else scopes[0].split(":", 1)[0]
    sep = t("list_sep", lang)
    _suptitle(fig, t("fig_stacked", lang, labels=sep.join(voc.metric_label(m, with_unit=False, lang=lang)
                                                        for m in spec.metrics), kind=voc.scope_kind_label(kind, lang)))
    return fig


def _profile_xlabel(spec: Profile, lang: str, voc: Vocabulary) -> str:
    if lang == "zh" and spec.xlabel_zh:
        return spec.xlabel_zh
    return voc.phrase(spec.xlabel, lang)


def profile_figure(summary: pd.DataFrame, spec: Profile, policies: list[str], colours: dict,
                   lang: str = "en", *, voc: Vocabulary, names: Optional[DisplayNames] = None) -> Optional[Figure]:
    """One line per policy along ordered scopes, with its 95% band."""
    names = _names(names)
    data = summary[(summary["metric"] == spec.metric) & summary["scope"].str.startswith(spec.prefix)]
    if data.empty:
        return None
    order = sorted(data["scope"].unique(), key=natural_key)
    labels = [s[len(spec.prefix):] for s in order]
    fig = _figure(MAX_WIDTH_IN, 3.6 + _legend_height(policies))
    ax = fig.add_subplot()
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
    size = _size("small")
    widest = max((_text_width_in(lab, size) for lab in labels), default=0.3)
    fits = max(2, int((MAX_WIDTH_IN - 1.2) // (widest + 0.15)))  # tick labels side by side without touching
    step = max(1, math.ceil(len(order) / fits))
    ax.set_xticks(x[::step], labels[::step], fontsize=size)
    xlabel = _profile_xlabel(spec, lang, voc)
    _xlabel(ax, xlabel, MAX_WIDTH_IN - 1.0)
    _ylabel(ax, voc.metric_label(spec.metric, lang=lang), 3.0)
    _suptitle(fig, t("fig_profile", lang, label=voc.metric_label(spec.metric, with_unit=False, lang=lang),
                     xlabel=xlabel.lower() if lang == "en" else xlabel))
    ax.grid(alpha=0.3)
    _legend(fig, policies, colours, lang, names)
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


def forest_label(metric: str, lang: str, voc: Vocabulary) -> str:
    """The x axis of a metric's panel in the forest plot: shares in percentage points."""
    if voc.is_fraction(metric):
        return t("fig_forest_axis_pp", lang, label=voc.metric_label(metric, with_unit=False, lang=lang))
    return t("fig_forest_axis", lang, label=voc.metric_label(metric, lang=lang))


def comparison_figure(comparison: pd.DataFrame, metrics: list[str], baseline: str, policies: list[str],
                      colours: dict, lang: str = "en", *, voc: Vocabulary, names: Optional[DisplayNames] = None,
                      title: Optional[str] = None) -> Optional[Figure]:
    """Forest plot: each policy's paired difference from the baseline, one panel per metric
    (shares in percentage points), policies named on the left.  ``title`` replaces the
    usual one (``govsim compare`` draws two folders' differences with it)."""
    names = _names(names)
    data = comparison[(comparison["scope"] == "all") & comparison["metric"].isin(metrics)]
    data = data[~data["diff_mean"].isna()]
    # leave out metrics no policy moves at all (say, blocking where rooms are unlimited)
    moved = data[(data["diff_mean"] != 0) | (data["ci_low"] != data["ci_high"])]
    metrics = [m for m in metrics if m in set(moved["metric"])]
    others = [p for p in policies if p != baseline and p in set(data["policy"])]
    if not metrics or not others:
        return None
    size = _size("small")
    labels = [wrap(names.policy(p, lang), NAME_WIDTH_IN, size) for p in others]
    panel_h = 1.0 + _rows_in(labels, 0.25)
    ncols = 1 if len(metrics) == 1 else 2
    if 0.7 + math.ceil(len(metrics) / ncols) * panel_h > MAX_HEIGHT_IN and len(metrics) > 2:
        ncols = 3  # many metrics and policies: three panels across keep the chart on one page
    nrows = math.ceil(len(metrics) / ncols)
    fig = _figure(MAX_WIDTH_IN, min(MAX_HEIGHT_IN, 0.7 + nrows * panel_h))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    panel_w = (MAX_WIDTH_IN - NAME_WIDTH_IN) / ncols
    y = np.arange(len(others))[::-1]
    for k, ax in enumerate(axes.flat):
        if k >= len(metrics):
            ax.set_axis_off()
            continue
        metric = metrics[k]
        scale = PP if voc.is_fraction(metric) else 1.0
        sub = data[data["metric"] == metric].set_index("policy").reindex(others)
        for yi, policy in zip(y, others):
            row = sub.loc[policy]
            if pd.isna(row["diff_mean"]):
                continue
            ax.errorbar([row["diff_mean"] * scale], [yi],
                        xerr=_errors([row["diff_mean"] * scale], [row["ci_low"] * scale], [row["ci_high"] * scale]),
                        fmt="o", color=colours[policy], capsize=3, label=policy)
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(y, labels, fontsize=size)
        ax.set_ylim(-0.6, len(others) - 0.4)
        ax.tick_params(axis="x", labelsize=size)
        _title(ax, voc.metric_label(metric, with_unit=False, lang=lang), panel_w)
        _xlabel(ax, forest_label(metric, lang, voc), panel_w, size)
        ax.grid(axis="x", alpha=0.3)
    _suptitle(fig, title or t("fig_forest", lang, baseline=names.policy(baseline, lang)))
    return fig


def distribution_figure(reps: pd.DataFrame, summary: pd.DataFrame, metrics: list[str], policies: list[str],
                        colours: dict, lang: str = "en", *, voc: Vocabulary,
                        names: Optional[DisplayNames] = None) -> Optional[Figure]:
    """Box plot of each key metric's replication values per policy (scope ``all``), with
    the replications as dots and the mean of summary.csv as a diamond; two panels across."""
    names = _names(names)
    reps = reps[reps["scope"] == "all"]
    summ = summary[summary["scope"] == "all"].set_index(["policy", "metric"])
    metrics = [m for m in metrics if reps.loc[reps["metric"] == m, "value"].notna().any()]
    if not metrics:
        return None
    ncols = min(2, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    panel_h = 2.3
    fig = _figure(MAX_WIDTH_IN, min(MAX_HEIGHT_IN, 0.8 + panel_h * nrows + _legend_height(policies)))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    panel_w = MAX_WIDTH_IN / ncols
    size = _size("small")
    x = np.arange(len(policies))
    for k, ax in enumerate(axes.flat):
        if k >= len(metrics):
            ax.set_axis_off()
            continue
        metric = metrics[k]
        values_of = _replication_values(reps[reps["metric"] == metric], policies)
        drawn = [i for i, policy in enumerate(policies) if len(values_of[policy])]
        # one call draws every policy's box, in the order one call per policy would
        box = ax.boxplot([values_of[policies[i]] for i in drawn], positions=drawn, widths=0.6, patch_artist=True,
                         showfliers=False, medianprops={"color": "black"}, manage_ticks=False) if drawn else {}
        for i, patch in zip(drawn, box.get("boxes", [])):
            patch.set_facecolor(colours[policies[i]])
            patch.set_alpha(0.45)
        for i in drawn:
            policy = policies[i]
            values = values_of[policy]
            jitter = np.linspace(-0.18, 0.18, len(values)) if len(values) > 1 else np.zeros(1)
            ax.scatter(i + jitter, values, s=9, color=colours[policy], edgecolors="none", zorder=3,
                       label=policy)
            mean = summ["mean"].get((policy, metric), np.nan)
            ax.plot([i], [mean], marker="D", ms=6, color="black", mfc="white", zorder=4, label=f"{policy} mean")
        ax.set_xticks(x, [])
        ax.set_xlim(-0.6, len(policies) - 0.4)
        ax.tick_params(axis="y", labelsize=size)
        _xlabel(ax, t("policy", lang), panel_w, size)
        _ylabel(ax, voc.metric_unit(metric, lang) or voc.metric_label(metric, lang=lang), panel_h, size)
        _title(ax, voc.metric_label(metric, with_unit=False, lang=lang), panel_w - 0.5)
        ax.grid(axis="y", alpha=0.3)
    _suptitle(fig, t("fig_dist", lang))
    _legend(fig, policies, colours, lang, names)
    return fig


def _replication_values(sel: pd.DataFrame, policies: list[str]) -> dict[str, np.ndarray]:
    """Each policy's values in ``sel`` in replication order, missing ones left out."""
    policy = sel["policy"].to_numpy()
    rep, value = sel["rep"].to_numpy(dtype=float), sel["value"].to_numpy(dtype=float)
    out = {}
    for p in policies:
        mine = policy == p
        values = value[mine][np.argsort(rep[mine], kind="stable")]
        out[p] = values[~np.isnan(values)]
    return out


def _matching(summary: pd.DataFrame, spec: Breakdown) -> list[str]:
    scopes = list(dict.fromkeys(summary.loc[summary["metric"] == spec.metric, "scope"]))
    return [s for s in scopes if s in spec.prefixes or any(s.startswith(p) for p in spec.prefixes if p.endswith(":"))]


Chart = tuple[str, str, Callable[[], Optional[Figure]]]  # name, section, how to draw it (None: nothing to show)


def chart_plan(summary: pd.DataFrame, comparison: pd.DataFrame, model, policies: list[str], baseline: str,
               lang: str = "en", reps: Optional[pd.DataFrame] = None,
               names: Optional[DisplayNames] = None) -> list[Chart]:
    """Every chart of a run in report order, not drawn yet: ``(name, section, draw)``."""
    voc = vocabulary(model)
    names = _names(names)
    colours = policy_colours(policies)
    metrics = list(model.key_metrics)
    plan: list[Chart] = [("comparison", "forest", partial(comparison_figure, comparison, metrics, baseline, policies,
                                                          colours, lang, voc=voc, names=names))]
    plan += [(metric, "key", partial(key_figure, summary, metric, policies, colours, lang, voc=voc, names=names))
             for metric in metrics]
    if reps is not None:
        plan.append(("distributions", "dist", partial(distribution_figure, reps, summary, metrics, policies, colours,
                                                      lang, voc=voc, names=names)))
    for spec in model.figures:
        if isinstance(spec, Profile):
            plan.append((spec.name, "profile", partial(profile_figure, summary, spec, policies, colours, lang, voc=voc,
                                                       names=names)))
        elif isinstance(spec, Stacked):
            plan.append((spec.name, "breakdown", partial(stacked_figure, summary, spec, policies, lang, voc=voc,
                                                         names=names)))
        else:
            section = "util" if "utilisation" in spec.metric else "breakdown"
            plan.append((spec.name, section, partial(breakdown_figure, summary, spec, policies, colours, lang, voc=voc,
                                                     names=names)))
    return plan


def build_figures(summary: pd.DataFrame, comparison: pd.DataFrame, model, policies: list[str], baseline: str,
                  lang: str = "en", reps: Optional[pd.DataFrame] = None, names: Optional[DisplayNames] = None):
    """Yield ``(name, section, title, figure)`` for every chart of a run, in report order.
    Call inside ``plt.rc_context(font_rc(lang))``; the caller closes each figure."""
    for name, section, draw in chart_plan(summary, comparison, model, policies, baseline, lang, reps, names):
        fig = draw()
        if fig is not None:
            yield name, section, title_of(fig), fig


def write_figures(summary: pd.DataFrame, comparison: pd.DataFrame, model, policies: list[str], baseline: str,
                  folder: Path, lang: str = "en", reps: Optional[pd.DataFrame] = None,
                  names: Optional[DisplayNames] = None) -> list[FigureOut]:
    """Save every chart as ``folder/<name>.png``; return them in report order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return save_charts(chart_plan(summary, comparison, model, policies, baseline, lang, reps, names), folder, lang)


# drawing a chart takes a fraction of a second, most of it in matplotlib: the charts are
# drawn in two processes where the machine has the cores and forking is safe
CHART_PROCESSES = 2
HEAVY_SECTIONS = ("dist", "forest")  # the slowest charts, started first so the processes finish together


def save_charts(plan: list[Chart], folder: Path, lang: str) -> list[FigureOut]:
    """Draw the charts of ``plan`` into ``folder`` (in ``lang``'s fonts); return those with
    something to show, in plan order.  Each chart is drawn on its own from the same saved
    tables, so the files are the same byte for byte whichever process draws them."""
    processes = _chart_processes(len(plan))
    if processes < 2:
        drawn = [_save_chart(plan[i], folder, lang) for i in range(len(plan))]
        return [out for out in drawn if out is not None]
    order = sorted(range(len(plan)), key=lambda i: plan[i][1] not in HEAVY_SECTIONS)
    # the forked processes inherit the plan (its tables and closures need no pickling);
    # on an error or Ctrl-C the block kills them, and the charts not drawn are not drawn
    drawn: list[Optional[FigureOut]] = [None] * len(plan)
    with WorkerPool(processes, initializer=_adopt_plan, initargs=(plan, folder, lang), context="fork") as pool:
        for k, out in pool.imap_unordered(_save_planned, [(i,) for i in order]):
            drawn[order[k]] = out
    return [out for out in drawn if out is not None]


def _chart_processes(charts: int) -> int:
    """How many processes draw ``charts`` charts: one unless there are enough to share,
    the cores to share them and forking is safe (Linux, no other thread running, not
    inside a daemonic process, which may not start any)."""
    if charts < 4 or not sys.platform.startswith("linux") or threading.active_count() > 1 \
            or multiprocessing.current_process().daemon:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(CHART_PROCESSES, cores))


_PLANNED: tuple = ()  # (plan, folder, lang) in a chart-drawing process


def _adopt_plan(plan: list[Chart], folder: Path, lang: str) -> None:
    global _PLANNED
    _PLANNED = (plan, folder, lang)


def _save_planned(index: int) -> Optional[FigureOut]:
    plan, folder, lang = _PLANNED
    return _save_chart(plan[index], folder, lang)


def _save_chart(chart: Chart, folder: Path, lang: str) -> Optional[FigureOut]:
    name, section, draw = chart
    with plt.rc_context(font_rc(lang)):
        fig = draw()
        if fig is None:
            return None
        return save_figure(fig, folder, name, section, title_of(fig))


def save_figure(fig: Figure, folder: Path, name: str, section: str, title: str) -> FigureOut:
    """``fig`` as ``folder/<name>.png``, closed; where it goes in the report and how wide."""
    path = folder / f"{name}.png"
    try:
        _lay_out(fig)
        fig.savefig(path, dpi=DPI)
        width = round(fig.get_figwidth() * CSS_PX_PER_IN)
    finally:
        plt.close(fig)
    return FigureOut(name, section, title, path, width)


def _lay_out(fig: Figure) -> None:
    """Fix the layout as ``savefig`` would at the saved resolution, then switch the layout
    engine off: with an engine ``savefig`` draws the figure twice (once, unseen, for the
    layout), without one it draws it once, the same picture in about two thirds of the time."""
    engine = fig.get_layout_engine()
    if engine is None:
        return
    dpi = fig.dpi
    fig.dpi = DPI
    try:
        engine.execute(fig)
    finally:
        fig.dpi = dpi
    fig.set_layout_engine(None)


# ---------------------------------------------------------------- checks

def text_problems(fig: Figure) -> list[str]:
    """What a reader would find wrong with the chart's text, as drawn: a piece of text
    that runs past the figure's edge, or two that overlap (tick labels, titles, axis
    labels, the legend).  Empty when the chart is clean."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    edge = fig.bbox
    boxes = []
    for text in _drawn_texts(fig):
        bb = text.get_window_extent(renderer)
        if bb.width <= 0 or bb.height <= 0:
            continue
        boxes.append((text.get_text(), bb))
    problems = [f"cut at the edge: {s!r}" for s, bb in boxes
                if bb.x0 < edge.x0 - 0.5 or bb.y0 < edge.y0 - 0.5 or bb.x1 > edge.x1 + 0.5 or bb.y1 > edge.y1 + 0.5]
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            if min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 1 and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 1:
                problems.append(f"overlap: {a!r} and {b!r}")
    return problems


def _drawn_texts(fig: Figure) -> list:
    """Every visible, non-empty text the figure draws; tick labels only where their tick
    is inside the axis' view (matplotlib keeps, but does not draw, the others)."""
    ticklabels = set()
    drawn = []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            for tk in ax.get_xticklabels() + ax.get_yticklabels():
                ticklabels.add(id(tk))
            continue
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                for label in (tick.label1, tick.label2):
                    ticklabels.add(id(label))
                    inside = lo - 1e-9 * (abs(lo) + 1) <= tick.get_loc() <= hi + 1e-9 * (abs(hi) + 1)
                    if inside and label.get_visible() and tick.get_visible() and label.get_text().strip():
                        drawn.append(label)
    for text in fig.findobj(matplotlib.text.Text):
        if id(text) in ticklabels or not text.get_visible() or not text.get_text().strip():
            continue
        if not all(a.get_visible() for a in _parents(text)):
            continue
        drawn.append(text)
    return drawn


def _parents(text) -> list:
    axes = text.axes
    return [axes] if axes is not None else []
