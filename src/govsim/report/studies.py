"""The report's parts for studies beyond one run: what the answer depends on (``govsim
sensitivity``: tornado charts), which part of a reform buys what (a ``decompose:`` block:
waterfall charts of Shapley values) and a sweep (each key metric against the swept
value, with its interval band).  Each reads only the saved tables."""
from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..labels import vocabulary  # noqa: E402
from ..sweep import short_labels  # noqa: E402
from .figures import FigureOut, policy_colours, save_figure, wrap  # noqa: E402
from .fonts import font_rc  # noqa: E402

STUDY_SECTIONS = ("sensitivity", "decomposition", "sweep")  # figure sections drawn by this module
WORDS = {
    "sens_title": {"en": "What the answer depends on", "zh": "结论取决于哪些假设"},
    "sens_intro": {"en": "Each uncertain input set to its low and its high value, one at a time, the others at their "
                         "base values, on the same random draws (govsim sensitivity). A baseline is robust when its "
                         "claim holds at every level of every input.",
                   "zh": "每个不确定输入依次取低值和高值，其余保持基准值，使用相同的随机数（govsim sensitivity）。"
                         "某一基准结论在所有输入的所有取值下都成立，才算稳健。"},
    "input": {"en": "Input", "zh": "输入"}, "low": {"en": "Low", "zh": "低值"}, "high": {"en": "High", "zh": "高值"},
    "reason": {"en": "Why uncertain", "zh": "不确定的原因"},
    "baseline": {"en": "Baseline", "zh": "基准"}, "robust": {"en": "Robust", "zh": "是否稳健"},
    "dec_title": {"en": "Which part of the reform buys what", "zh": "改革各组成部分的贡献"},
    "dec_intro": {"en": "The difference between {a} and {b}, shared among the reform's parts by their Shapley values: "
                        "each part's added effect averaged over every order of adding the parts, on the same random "
                        "draws; the parts sum to the whole difference.",
                  "zh": "{a}与{b}之间的差异按沙普利值分配给改革的各组成部分：每一部分在所有添加顺序下的平均增量效应，"
                        "使用相同的随机数；各部分之和等于总差异。"},
    "part": {"en": "Part", "zh": "组成部分"}, "effect": {"en": "Effect (95% CI)", "zh": "效应（95%置信区间）"},
    "share": {"en": "Share of the total", "zh": "占总差异"}, "total": {"en": "Total", "zh": "合计"},
    "sweep_title": {"en": "Against the swept value", "zh": "随扫描取值的变化"},
    "by": {"en": "by", "zh": "随"},
    "at_low": {"en": "at the low end", "zh": "低值时"}, "at_high": {"en": "at the high end", "zh": "高值时"},
    "base": {"en": "base", "zh": "基准"},
}


def w(key: str, lang: str, **kw) -> str:
    text = WORDS[key].get(lang) or WORDS[key]["en"]
    return text.format(**kw) if kw else text


# ---------------------------------------------------------------- sensitivity

def tornado_figure(table: pd.DataFrame, policy: str, scope: str, metric: str, label: str, lang: str,
                   claim: Optional[float] = None) -> Optional[Figure]:
    from ..sensitivity import swings

    data = swings(table, policy, scope, metric).dropna(subset=["low", "high"])
    if data.empty or not (data["swing"] > 0).any():
        return None  # no input moves it: nothing to draw
    n = len(data)
    fig = plt.figure(figsize=(8.0, 1.4 + 0.42 * n), layout="constrained")
    ax = fig.subplots()
    y = np.arange(n)[::-1]
    base = float(data["base"].iloc[0])
    for yi, (_, r) in zip(y, data.iterrows()):
        ax.barh(yi, r["low"] - base, left=base, color="#4c78a8", height=0.6)
        ax.barh(yi, r["high"] - base, left=base, color="#f58518", height=0.6)
    ax.axvline(base, color="black", lw=1)
    if claim is not None:
        ax.axvline(claim, color="#d62728", ls="--", lw=1.2)
    ax.set_yticks(y, [wrap(str(s), 3.2, 8) for s in data["input"]], fontsize=8)
    ax.set_xlabel(wrap(label, 7.0, 9), fontsize=9)
    handles = [plt.Rectangle((0, 0), 1, 1, color="#4c78a8"), plt.Rectangle((0, 0), 1, 1, color="#f58518")]
    fig.legend(handles, [w("at_low", lang), w("at_high", lang)], loc="outside lower center", ncols=2, fontsize=8,
               frameon=False)
    fig.suptitle(wrap(f"{label}: {policy}", 7.6, 11), fontsize=11)
    return fig


def sensitivity_figures(res, lang: str, folder: Path) -> list[FigureOut]:
    table = res.sensitivity
    if table is None:
        return []
    voc = vocabulary(res.model)
    out = []
    with plt.rc_context(font_rc(lang)):
        for b in (res.baselines.itertuples() if res.baselines is not None else []):
            label = f"{b.baseline}: {b.metric}"
            fig = tornado_figure(table, b.policy, "baseline", b.baseline, label, lang, _claim(b.expected))
            if fig is not None:
                out.append(save_figure(fig, folder, f"tornado_baseline_{b.baseline}", "sensitivity", label))
        for metric in res.model.key_metrics:
            for policy in res.policies:
                label = voc.metric_label(metric, lang=lang)
                fig = tornado_figure(table, policy, "all", metric, label, lang)
                if fig is not None:
                    out.append(save_figure(fig, folder, f"tornado_{metric}_{policy}", "sensitivity", f"{label}: {policy}"))
    return out


def _claim(expected: str) -> Optional[float]:
    for sep in ("<=", ">="):
        if str(expected).startswith(sep):
            try:
                return float(str(expected)[len(sep):])
            except ValueError:
                return None
    return None


def sensitivity_section(res, lang: str, figures: list[FigureOut], img) -> str:
    if res.sensitivity is None:
        return ""
    inputs = _inputs(res)
    rows = "".join(f"<tr><td><code>{html.escape(p)}</code></td><td>{html.escape(lo)}</td><td>{html.escape(hi)}</td>"
                   f"<td>{html.escape(reason)}</td></tr>" for p, lo, hi, reason in inputs)
    parts = [f'<section id="sensitivity"><h2>{w("sens_title", lang)}</h2><p>{w("sens_intro", lang)}</p>',
             f'<table class="wrap"><thead><tr><th>{w("input", lang)}</th><th>{w("low", lang)}</th>'
             f'<th>{w("high", lang)}</th><th>{w("reason", lang)}</th></tr></thead><tbody>{rows}</tbody></table>']
    if res.baselines is not None:
        brows = "".join(f"<tr><td>{html.escape(str(b.baseline))}</td><td>{html.escape(str(b.reproduced))}</td>"
                        f"<td>{html.escape(str(b.robust))}</td></tr>" for b in res.baselines.itertuples())
        parts.append(f'<table><thead><tr><th>{w("baseline", lang)}</th><th></th><th>{w("robust", lang)}</th></tr>'
                     f"</thead><tbody>{brows}</tbody></table>")
    parts += [img(f) for f in figures if f.section == "sensitivity"]
    parts.append("</section>")
    return "\n".join(parts)


def _inputs(res) -> list[tuple[str, str, str, str]]:
    """(path, low, high, reason) of each uncertain input, from the saved scenario."""
    table = res.sensitivity
    seen = []
    reasons = {u.get("path") if isinstance(u.get("path"), str) else "+".join(u.get("path")): u.get("reason", "")
               for u in (res.resolved.get("uncertain") or [])}
    for name in dict.fromkeys(table.loc[table["level"] != "base", "input"]):
        lo = table[(table["input"] == name) & (table["level"] == "low")]["value"].iloc[0]
        hi = table[(table["input"] == name) & (table["level"] == "high")]["value"].iloc[0]
        seen.append((name, str(lo), str(hi), reasons.get(name, "")))
    return seen


# ---------------------------------------------------------------- decomposition

def waterfall_figure(rows: pd.DataFrame, label: str, start: str, end: str, lang: str) -> Optional[Figure]:
    parts = rows[rows["part"] != "total"]
    if parts.empty:
        return None
    level = float(rows["from_mean"].iloc[0])
    fig = plt.figure(figsize=(8.0, 4.2), layout="constrained")
    ax = fig.subplots()
    names = [start] + list(parts["part"]) + [end]
    ax.bar(0, level, color="#9e9e9e")
    for i, r in enumerate(parts.itertuples(), start=1):
        colour = "#54a24b" if r.shapley < 0 else "#e45756"
        ax.bar(i, r.shapley, bottom=level, color=colour)
        if not (math.isnan(r.ci_low) or math.isnan(r.ci_high)):
            ax.errorbar(i, level + r.shapley, yerr=[[r.shapley - r.ci_low], [r.ci_high - r.shapley]], color="black",
                        capsize=3, lw=1)
        level += r.shapley
    ax.bar(len(names) - 1, float(rows["to_mean"].iloc[0]), color="#9e9e9e")
    ax.set_xticks(range(len(names)), [wrap(str(n), 1.3, 8) for n in names], fontsize=8)
    ax.set_ylabel(wrap(label, 3.6, 9), fontsize=9)
    fig.suptitle(wrap(label, 7.6, 11), fontsize=11)
    return fig


def decomposition_figures(res, lang: str, folder: Path) -> list[FigureOut]:
    table = res.decomposition
    if table is None:
        return []
    voc = vocabulary(res.model)
    d = res.resolved.get("decompose") or {}
    start, end = d.get("from", "from"), d.get("to", "to")
    out = []
    with plt.rc_context(font_rc(lang)):
        for metric in res.model.key_metrics:
            rows = table[(table["scope"] == "all") & (table["metric"] == metric)]
            label = voc.metric_label(metric, lang=lang)
            fig = waterfall_figure(rows, label, start, end, lang) if len(rows) else None
            if fig is not None:
                out.append(save_figure(fig, folder, f"waterfall_{metric}", "decomposition", label))
    return out


def decomposition_section(res, lang: str, figures: list[FigureOut], img) -> str:
    table = res.decomposition
    if table is None:
        return ""
    voc = vocabulary(res.model)
    d = res.resolved.get("decompose") or {}
    parts = [f'<section id="decomposition"><h2>{w("dec_title", lang)}</h2>'
             f'<p>{html.escape(w("dec_intro", lang, a=d.get("from", ""), b=d.get("to", "")))}</p>']
    for metric in res.model.key_metrics:
        rows = table[(table["scope"] == "all") & (table["metric"] == metric)]
        if rows.empty:
            continue
        body = "".join(
            f"<tr><td>{html.escape(w('total', lang) if r.part == 'total' else str(r.part))}</td>"
            f"<td>{r.shapley:.4g} ({r.ci_low:.4g} – {r.ci_high:.4g})</td>"
            f"<td>{'' if math.isnan(r.share) else f'{100 * r.share:.0f}%'}</td></tr>" for r in rows.itertuples())
        parts.append(f"<h3>{html.escape(voc.metric_label(metric, lang=lang))}</h3><table><thead><tr>"
                     f"<th>{w('part', lang)}</th><th>{w('effect', lang)}</th><th>{w('share', lang)}</th></tr></thead>"
                     f"<tbody>{body}</tbody></table>")
    parts += [img(f) for f in figures if f.section == "decomposition"]
    parts.append("</section>")
    return "\n".join(parts)


# ---------------------------------------------------------------- sweep

def sweep_figures(res, lang: str, folder: Path) -> list[FigureOut]:
    swept = res.resolved.get("sweep") or {}
    if not swept:
        return []
    voc = vocabulary(res.model)
    paths = list(next(iter(swept.values())))
    first = paths[0]  # the first swept path
    short = dict(zip(paths, short_labels(paths)))  # as in the policy names: civil_desk.servers, tax_desk.servers
    xs = {p: v.get(first) for p, v in swept.items()}
    if not all(isinstance(x, (int, float)) for x in xs.values()):
        return []
    others = {p: tuple((k, str(v)) for k, v in sorted(vals.items()) if k != first) for p, vals in swept.items()}
    colours = policy_colours(sorted(set(others.values()), key=str))
    out = []
    with plt.rc_context(font_rc(lang)):
        for metric in res.model.key_metrics:
            sel = res.summary[(res.summary["scope"] == "all") & (res.summary["metric"] == metric)]
            if sel.empty or not sel["mean"].abs().gt(0).any():
                continue  # nothing to draw (a share that is zero throughout)
            fig = plt.figure(figsize=(8.0, 4.2), layout="constrained")
            ax = fig.subplots()
            for group in sorted(set(others.values()), key=str):
                pols = [p for p in swept if others[p] == group and p in set(sel["policy"])]
                rows = sel.set_index("policy").loc[pols]
                x = np.array([xs[p] for p in pols], dtype=float)
                order = np.argsort(x)
                name = ", ".join(f"{short[k]}={v}" for k, v in group) or metric
                ax.plot(x[order], rows["mean"].to_numpy()[order], marker="o", color=colours[group], label=name)
                ax.fill_between(x[order], rows["ci_low"].to_numpy()[order], rows["ci_high"].to_numpy()[order],
                                color=colours[group], alpha=0.2)
            ax.set_xlabel(short[first], fontsize=9)
            if all(float(x).is_integer() for x in xs.values()):
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            label = voc.metric_label(metric, lang=lang)
            ax.set_ylabel(wrap(label, 3.6, 9), fontsize=9)
            if len(set(others.values())) > 1:
                ax.legend(fontsize=8, loc="best")
            fig.suptitle(wrap(f"{label}: {w('by', lang)} {short[first]}", 7.6, 11), fontsize=11)
            out.append(save_figure(fig, folder, f"sweep_{metric}", "sweep", label))
    return out


def sweep_section(res, lang: str, figures: list[FigureOut], img) -> str:
    shown = [img(f) for f in figures if f.section == "sweep"]
    if not shown:
        return ""
    return "\n".join([f'<section id="sweep"><h2>{w("sweep_title", lang)}</h2>', *shown, "</section>"])


def study_figures(res, lang: str, folder: Path) -> list[FigureOut]:
    return sensitivity_figures(res, lang, folder) + decomposition_figures(res, lang, folder) + \
        sweep_figures(res, lang, folder)


def study_sections(res, lang: str, figures: list[FigureOut], img) -> str:
    return "\n".join(x for x in (sensitivity_section(res, lang, figures, img),
                                  decomposition_section(res, lang, figures, img),
                                  sweep_section(res, lang, figures, img)) if x)


# ---------------------------------------------------------------- optimize

def optimize_figure(table: pd.DataFrame, path_name: str, answer: Optional[int]) -> Figure:
    """Each target's metric (mean and 95% interval) at every value of the first varied input
    the search ran, the bound as a dashed line and the answer marked."""
    targets = list(dict.fromkeys(table["target"]))
    fig = plt.figure(figsize=(8.0, 1.2 + 2.6 * len(targets)), layout="constrained")
    axes = fig.subplots(len(targets), 1, squeeze=False)[:, 0]
    for ax, target in zip(axes, targets):
        rows = table[table["target"] == target].sort_values(path_name)
        x = rows[path_name].to_numpy(dtype=float)
        colours = ["#54a24b" if met else "#e45756" for met in rows["target_met"]]
        ax.errorbar(x, rows["mean"], yerr=[rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]], fmt="none",
                    ecolor="black", capsize=3, lw=1)
        ax.scatter(x, rows["mean"], c=colours, zorder=3)
        bound = float(target.rsplit(" ", 1)[-1])
        ax.axhline(bound, color="#d62728", ls="--", lw=1)
        if answer is not None:
            ax.axvline(answer, color="#4c78a8", lw=1, alpha=0.6)
        ax.set_title(target, fontsize=10)
        ax.set_xlabel(path_name.rsplit(".", 1)[-1], fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(wrap("Candidates run (green: target met with 95% confidence)", 7.6, 11), fontsize=11)
    return fig
