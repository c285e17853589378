"""The bottom line: the few lines a planner reads first.

Which policies are better than the baseline on every key metric (by each metric's
declared direction, counting only differences clear of noise), which are better on some
and worse on none, which are worse on at least one, and which change nothing clearly;
the policies ranked by the first key metric that has a better direction; what each
policy better on every key metric changes in the parameters (its windows, rules) and its staff and cost where
the model reports them (a unit of full-time equivalents or yuan); and what the article
baselines say.  Built from the same
sentences as the detail below it, so the two never disagree.
"""
from __future__ import annotations

import html
import math
import re

import pandas as pd

from ..labels import HIGHER, LOWER, NEITHER, DisplayNames, Vocabulary, vocabulary
from .answer import Sentence, baseline_metric_words, fmt, in_sentence, policy_name, verdict_words
from .i18n import t

MAX_CHANGES = 4  # parameters named per policy; the rest are in section 4
RESOURCE_UNIT = re.compile(r"yuan|元|full-time equivalent")  # what a policy costs: money, or staff


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return t("list_sep", lang).join(items[:-1]) + t("and", lang) + items[-1]


def classify(sentences: list[Sentence], voc: Vocabulary) -> tuple[str, list[str], list[str]]:
    """("all" | "some" | "worse" | "none", metrics better, metrics worse) for one policy,
    over the key metrics that have a better direction."""
    directed = [s for s in sentences if voc.direction(s.metric) in (LOWER, HIGHER)]
    better = [s.metric for s in directed if s.badge == "better"]
    worse = [s.metric for s in directed if s.badge == "worse"]
    if worse:
        return "worse", better, worse
    if directed and len(better) == len(directed):
        return "all", better, worse
    return ("some" if better else "none"), better, worse


def bottom_line(res, sentences: dict[str, list[Sentence]], changes: dict[str, list[tuple[str, str]]], lang: str, *,
                voc: Vocabulary, names: DisplayNames) -> str:
    """The bottom line as an HTML list (``<ul class="bottom-line">``)."""
    if not sentences:
        return f'<ul class="bottom-line"><li>{t("bl_nothing", lang)}</li></ul>'
    base = policy_name(res.baseline, lang, names)

    def label(m: str) -> str:
        return html.escape(in_sentence(voc.metric_label(m, with_unit=False, lang=lang), lang))

    groups: dict[str, list[str]] = {"all": [], "some": [], "worse": [], "none": []}
    items: dict[str, list[str]] = {"some": [], "worse": []}
    for policy, ss in sentences.items():
        kind, better, worse = classify(ss, voc)
        groups[kind].append(policy)
        name = policy_name(policy, lang, names)
        if kind == "some":
            items["some"].append(f"{name} ({t('bl_better_on', lang, metrics=_join([label(m) for m in better], lang))})")
        elif kind == "worse":
            parts = [t("bl_worse_on", lang, metrics=_join([label(m) for m in worse], lang))]
            if better:
                parts.append(t("bl_better_on", lang, metrics=_join([label(m) for m in better], lang)))
            items["worse"].append(f"{name} ({'; '.join(parts)})")
    lines = []
    metrics = [s.metric for s in next(iter(sentences.values()))]
    neither = [m for m in metrics if voc.direction(m) == NEITHER]
    if groups["all"]:
        text = t("bl_better_all", lang, baseline=base,
                 policies=_join([policy_name(p, lang, names) for p in groups["all"]], lang))
        if neither:
            text += " " + t("bl_neither", lang, metrics=_join([label(m) for m in neither], lang))
        lines.append(("better", text))
    if items["some"]:
        lines.append(("some", t("bl_better_some", lang, items=t("list_sep", lang).join(items["some"]))))
    if items["worse"]:
        lines.append(("worse", t("bl_worse", lang, items=t("list_sep", lang).join(items["worse"]))))
    if groups["none"]:
        lines.append(("none", t("bl_no_clear", lang, policies=_join([policy_name(p, lang, names)
                                                                     for p in groups["none"]], lang))))
    rank = _ranking(sentences, res.comparison, metrics, lang, voc=voc, names=names)
    if rank:
        lines.append(("rank", rank))
    for policy in groups["all"]:  # what the candidates change; every policy's parameters are in section 4
        lines.append(("changes", _changes(policy, res.baseline, changes.get(policy, []), lang, names)))
    lines.extend(("cost", c) for c in _resources(res, lang, voc=voc, names=names))
    lines.append(("baselines", _baselines(res.baselines, lang, names, vocabulary(res.model))))
    body = "\n".join(f'<li class="bl-{kind}">{text}</li>' for kind, text in lines)
    return f'<ul class="bottom-line">\n{body}\n</ul>'


def _ranking(sentences: dict[str, list[Sentence]], comparison: pd.DataFrame, metrics: list[str], lang: str, *,
             voc: Vocabulary, names: DisplayNames) -> str:
    """The policies ordered by the first key metric with a better direction, each with its change."""
    metric = next((m for m in metrics if voc.direction(m) in (LOWER, HIGHER)), None)
    if metric is None or len(sentences) < 2:
        return ""
    comp = comparison[(comparison["scope"] == "all") & (comparison["metric"] == metric)].set_index("policy")
    ranked = []
    for policy, ss in sentences.items():
        s = next((x for x in ss if x.metric == metric), None)
        if s is None or policy not in comp.index or math.isnan(comp.loc[policy, "diff_mean"]) or not s.change:
            continue
        ranked.append((float(comp.loc[policy, "diff_mean"]), policy, s))
    if len(ranked) < 2:
        return ""
    ranked.sort(key=lambda r: r[0] if voc.direction(metric) == LOWER else -r[0])
    items = [f"{policy_name(p, lang, names)} {s.change}" for _, p, s in ranked]
    label = in_sentence(voc.metric_label(metric, with_unit=False, lang=lang), lang)
    return (t("bl_rank", lang, label=html.escape(label),
              items=t("list_sep", lang).join(items)) + " " + t("bl_rank_note", lang))


def _changes(policy: str, baseline: str, changed: list[tuple[str, str]], lang: str, names: DisplayNames) -> str:
    shown = [f"<code>{html.escape(k)}</code> = {html.escape(v)}" for k, v in changed[:MAX_CHANGES]]
    if len(changed) > MAX_CHANGES:
        shown.append(t("bl_changes_more", lang, n=len(changed) - MAX_CHANGES))
    return t("bl_changes", lang, policy=policy_name(policy, lang, names), baseline=policy_name(baseline, lang, names),
             changes=t("list_sep", lang).join(shown) if shown else t("bl_changes_none", lang))


def _resources(res, lang: str, *, voc: Vocabulary, names: DisplayNames) -> list[str]:
    """A line per metric of what a policy costs that the model reports (a unit in yuan, or
    in full-time equivalents of staff), with every policy's mean."""
    overall = res.summary[res.summary["scope"] == "all"]
    out = []
    for metric in dict.fromkeys(overall["metric"]):
        unit = voc.metric_unit(metric)
        if not RESOURCE_UNIT.search(unit):
            continue
        means = overall[overall["metric"] == metric].set_index("policy")["mean"]
        unit_shown = voc.metric_unit(metric, lang)
        by_value: dict[str, list[str]] = {}  # policies with the same figure said together
        for p in res.policies:
            if p in means.index:
                by_value.setdefault(fmt(float(means[p])), []).append(policy_name(p, lang, names))
        items = [f"{value} {html.escape(unit_shown)} ({_join(ps, lang)})" for value, ps in by_value.items()]
        out.append(t("bl_cost", lang, label=html.escape(voc.metric_label(metric, with_unit=False, lang=lang)),
                     items=t("list_sep", lang).join(items)))
    return out


def _baselines(checked, lang: str, names: DisplayNames, voc: Vocabulary) -> str:
    if checked is None or checked.empty:
        return t("bl_baselines_none", lang)
    counts: dict[str, list] = {}  # verdict -> [its words, how many]
    items = []
    for _, r in checked.iterrows():
        shown, cls = verdict_words(str(r["reproduced"]), lang)
        if cls in ("yes", "no"):
            shown = t(f"bl_{cls}", lang)
        counts.setdefault(cls or shown, [shown, 0])[1] += 1
        sim = fmt(float(r["simulated"])) if not pd.isna(r["simulated"]) else "–"
        if not (pd.isna(r["ci_low"]) or pd.isna(r["ci_high"])):
            sim += f" ({t('ci_to', lang, lo=fmt(float(r['ci_low'])), hi=fmt(float(r['ci_high'])))})"
        items.append(t("bl_baseline_item", lang, id=html.escape(str(r["baseline"])),
                       verdict=f'<span class="{cls}">{html.escape(shown)}</span>',
                       policy=policy_name(str(r["policy"]), lang, names), metric=html.escape(in_sentence(baseline_metric_words(str(r["metric"]), lang, voc, names), lang)),
                       simulated=sim, expected=html.escape(str(r["expected"]))))
    verdicts = [t("bl_count", lang, n=n, verdict=html.escape(shown)) for shown, n in counts.values()]
    return t("bl_baselines", lang, counts=t("list_sep", lang).join(verdicts)) + " " + " ".join(items)
