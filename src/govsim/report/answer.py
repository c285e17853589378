"""The answer in words: one plain sentence per key metric and policy against the
baseline, with its paired 95% interval and a badge: better or worse (the whole
interval on the metric's good or bad side of zero, by the direction the metric
declares), no clear change (the interval includes zero), or changed (a clear change
of a metric that is neither better nor worse in itself, such as utilisation).

Shares (a unit of "fraction") change in percentage points; other metrics in per
cent of the baseline's mean, or in their own unit when that mean is zero or its
interval includes zero (no relative change on a near-zero base).  A relative
interval is the paired interval divided by the baseline's mean.  Labels and units
come from the model's vocabulary (``voc``), so one metric name may read differently
in two models; names of policies from the scenario's ``labels:`` (``names``).
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import pandas as pd

from ..labels import HIGHER, LOWER, DisplayNames, Vocabulary, scope_name
from .i18n import t

BADGES = ("better", "worse", "no_clear", "changed", "no_interval")  # the CSS classes, and the i18n keys


@dataclass(frozen=True)
class Sentence:
    policy: str
    metric: str
    text: str      # HTML (names in <code>)
    verdict: str   # clear | noise | no_interval | same | missing
    note: str      # the badge in words, "" for same/missing
    badge: str = ""  # better | worse | no_clear | changed | no_interval, "" for same/missing
    change: str = ""  # the change alone, e.g. "−56% (95% CI 52–61%)", for the bottom line


def badge_of(verdict: str, direction: str | None, diff: float) -> str:
    """The badge of a difference: better / worse by the metric's direction when clear of
    noise, changed when the metric has no better direction, else no_clear / no_interval."""
    if verdict == "noise":
        return "no_clear"
    if verdict == "no_interval":
        return "no_interval"
    if verdict != "clear":
        return ""
    if direction == LOWER:
        return "better" if diff < 0 else "worse"
    if direction == HIGHER:
        return "better" if diff > 0 else "worse"
    return "changed"


def policy_name(policy: str, lang: str, names: DisplayNames | None) -> str:
    """A policy as HTML: its display name where the scenario gives one, else its identifier in code."""
    if names is not None and names.has("policy", policy):
        return html.escape(names.policy(policy, lang))
    return _code(policy)


BASELINE_METRIC = re.compile(r"^(?P<metric>[\w.-]+)(?: \[(?P<scope>[^\]]+)\])?"
                             r"(?: \(relative change vs (?P<vs>[\w.-]+)\))?$")


def baseline_metric_words(text: str, lang: str, voc: Vocabulary, names: DisplayNames | None = None) -> str:
    """A baseline's ``metric [scope] (relative change vs POLICY)``, as baselines.csv writes
    it, in words: the metric's label, the scope as readers know it, the policy's display
    name (plain text; the text itself when it does not parse)."""
    m = BASELINE_METRIC.match(text)
    if not m:
        return text
    names = names or DisplayNames()
    out = voc.metric_label(m["metric"], with_unit=False, lang=lang)
    scope = m["scope"]
    if scope and scope != "all":
        name = scope_name(scope, lang, names, voc)
        out += "，" if lang == "zh" else ", "
        if name != voc.scope_name(scope, lang):  # the model's own names (一般事项) say their kind
            out += voc.scope_kind_label(scope.partition(":")[0], lang) + ("：" if lang == "zh" else ": ")
        out += name
    if m["vs"]:
        out += t("cli_relative", lang, policy=names.policy(m["vs"], lang))
    return out


def auto_reason(info: dict, lang: str, voc: Vocabulary, names: DisplayNames | None = None) -> str:
    """Why ``--replications auto`` stopped where it did (``info``: metadata.json's
    ``replications_auto``), the slowest metric named as readers know it (plain text)."""
    policy, _, metric = str(info["worst_metric"]).partition(": ")
    policy = (names or DisplayNames()).policy(policy, lang)
    sep = "：" if lang == "zh" else ": "
    who = f"{policy}{sep}{voc.metric_label(metric, with_unit=False, lang=lang)}" if metric else policy
    values = {"n": info["replications"], "metric": who, "precision": f"{100 * info['precision']:g}",
              "target": f"{100 * info['target']:.3g}",
              "worst": f"{100 * info['worst']:.2g}" if info["worst"] < 1 else f"{100 * info['worst']:,.0f}"}
    if info["reached"]:
        return t("auto_reached", lang, **values)
    return t("auto_capped" if math.isfinite(info["worst"]) else "auto_unjudged", lang, **values)


def fmt(value: float) -> str:
    """A number as a planner reads it: three significant digits, thousands separated."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return text.replace("-", "−")  # a real minus sign


def verdict_words(verdict: str, lang: str) -> tuple[str, str]:
    """A baseline's verdict as baselines.csv saved it -> (the words shown, its CSS class)."""
    if verdict in ("yes", "no", "not run", "calibrated"):
        return t(verdict, lang), verdict if verdict in ("yes", "no") else ""
    undecided = re.fullmatch(r"undecided: .*\((\d+) replications?\)", verdict)
    if undecided:  # the saved English, or its translation
        return (verdict if lang == "en" else t("undecided", lang, n=undecided.group(1))), "undecided"
    return verdict, ""


def _pct(x: float, decimals: int | None = None) -> str:
    """A magnitude in per cent (x already multiplied by 100)."""
    a = abs(x)
    if decimals is not None:
        return f"{a:.{decimals}f}"
    if a >= 10:
        return f"{a:.0f}"
    if a >= 1:
        return f"{a:.1f}"
    return f"{a:.2g}"


def _signed_pct(x: float, decimals: int | None = None) -> str:
    return ("−" if x < 0 else "+") + _pct(x, decimals)


def _decimals(lo: float, hi: float) -> int | None:
    """None (the usual rounding) unless it would show a narrow interval as one number."""
    if _pct(lo) != _pct(hi):
        return None
    for d in (1, 2, 3):
        if f"{lo:.{d}f}" != f"{hi:.{d}f}":
            return d
    return 3


def in_sentence(label: str, lang: str) -> str:
    """A label as it reads inside an English sentence (``Mean wait`` -> ``mean wait``; ``ISO`` stays)."""
    return label[:1].lower() + label[1:] if lang == "en" and not label[:2].isupper() else label


def breakable(name: str) -> str:
    """An identifier, escaped, that may break after ``_``, ``.`` or ``/`` at a line's end."""
    return re.sub(r"([_./])", r"\1<wbr>", html.escape(str(name)))


def _code(name: str) -> str:
    return f"<code>{breakable(name)}</code>"


def _interval(lo: float, hi: float, suffix: str, lang: str, fall: bool | None) -> str:
    """``55–68%`` for a clear fall or rise (magnitudes), ``−8% to +2%`` across zero."""
    if math.isnan(lo) or math.isnan(hi):
        return "–"
    d = _decimals(lo, hi)
    if fall is True:
        return f"{_pct(-hi, d)}–{_pct(-lo, d)}{suffix}"
    if fall is False:
        return f"{_pct(lo, d)}–{_pct(hi, d)}{suffix}"
    return t("ci_to", lang, lo=_signed_pct(lo, d) + suffix, hi=_signed_pct(hi, d) + suffix)


def _signed_interval(lo: float, hi: float, suffix: str, lang: str) -> str:
    """``−61% to −52%``: an interval with its signs, for a change shown with its sign."""
    if math.isnan(lo) or math.isnan(hi):
        return "–"
    d = _decimals(lo, hi)
    return t("ci_to", lang, lo=_signed_pct(lo, d) + suffix, hi=_signed_pct(hi, d) + suffix)


def sentence(policy: str, baseline: str, metric: str, base_mean: float, mean: float, diff: float, lo: float,
             hi: float, lang: str = "en", *, voc: Vocabulary, names: DisplayNames | None = None,
             base_clear: bool = True) -> Sentence:
    """One metric of one policy against the baseline (numbers from summary.csv and
    comparison.csv); ``base_clear``: the baseline's own interval excludes zero, so a
    relative change means something."""
    label, unit = voc.label_unit(metric, lang)
    fraction = voc.is_fraction(metric)
    label = in_sentence(label, lang)
    given = names
    names = {"policy": policy_name(policy, lang, given), "baseline": policy_name(baseline, lang, given),
             "label": html.escape(label)}
    unit_sfx = f" {html.escape(unit)}" if unit else ""
    if diff is None or math.isnan(diff):
        return Sentence(policy, metric, t("s_missing", lang, **names), "missing", "")
    if diff == 0 and lo == 0 and hi == 0:
        val, unit_sfx = ((_pct(mean * 100) + "%", "") if fraction else (fmt(mean), unit_sfx))
        return Sentence(policy, metric, t("s_same", lang, val=val, unit=unit_sfx, **names), "same", "")
    no_interval = math.isnan(lo) or math.isnan(hi)
    clear = not no_interval and (lo > 0 or hi < 0)
    fall = (diff < 0) if (clear or no_interval) else None
    verb = t("falls" if fall else "rises", lang) if fall is not None else t("changes", lang)

    signed = "−" if diff < 0 else "+"
    if fraction:
        d, l_, h_ = diff * 100, lo * 100, hi * 100
        amount = _pct(d) if fall is not None else _signed_pct(d)
        ci = _interval(l_, h_, "", lang, fall)
        text = t("s_pp", lang, verb=verb, pct=amount, ci=ci,
                 base_val=_pct(base_mean * 100) + "%", val=_pct(mean * 100) + "%", **names)
        change = t("c_pp", lang, amount=signed + _pct(d), ci=_signed_interval(l_, h_, "", lang))
    elif base_mean and not math.isnan(base_mean) and base_clear:
        scale = 100 / abs(base_mean)
        d, l_, h_ = diff * scale, lo * scale, hi * scale
        amount = (_pct(d) if fall is not None else _signed_pct(d)) + "%"
        ci = _interval(l_, h_, "%", lang, fall)
        text = t("s_rel", lang, verb=verb, pct=amount, ci=ci,
                 base_val=fmt(base_mean), val=fmt(mean), unit=unit_sfx, **names)
        change = t("c_rel", lang, amount=signed + _pct(d) + "%", ci=_signed_interval(l_, h_, "%", lang))
    else:
        amount = fmt(abs(diff)) if fall is not None else fmt(diff)
        ci = "–" if no_interval else t("ci_to", lang, lo=fmt(lo), hi=fmt(hi))
        text = t("s_abs", lang, verb=verb, amount=amount, unit=unit_sfx, ci=ci, base_val=fmt(base_mean),
                 val=fmt(mean), **names)
        change = t("c_abs", lang, amount=(signed if diff else "") + fmt(abs(diff)), unit=unit_sfx, ci=ci)
    verdict = "no_interval" if no_interval else ("clear" if clear else "noise")
    badge = badge_of(verdict, voc.direction(metric), diff)
    return Sentence(policy, metric, text, verdict, t(badge, lang), badge, change)


def answer(summary: pd.DataFrame, comparison: pd.DataFrame, metrics: list[str], policies: list[str], baseline: str,
           lang: str = "en", *, voc: Vocabulary, names: DisplayNames | None = None) -> dict[str, list[Sentence]]:
    """For each policy other than the baseline, one sentence per metric (scope ``all``)."""
    overall = summary[summary["scope"] == "all"].set_index(["policy", "metric"])
    means = overall["mean"]
    comp = comparison[comparison["scope"] == "all"].set_index(["policy", "metric"])
    out: dict[str, list[Sentence]] = {}
    for policy in policies:
        if policy == baseline:
            continue
        rows = []
        for metric in metrics:
            if (baseline, metric) not in means.index and (policy, metric) not in means.index:
                continue  # the model does not report it here
            base_mean = float(means.get((baseline, metric), math.nan))
            mean = float(means.get((policy, metric), math.nan))
            if (policy, metric) in comp.index:
                r = comp.loc[(policy, metric)]
                diff, lo, hi = float(r["diff_mean"]), float(r["ci_low"]), float(r["ci_high"])
            else:
                diff = lo = hi = math.nan
            base_clear = True
            if (baseline, metric) in overall.index:
                b_lo, b_hi = float(overall.loc[(baseline, metric), "ci_low"]), float(overall.loc[(baseline, metric), "ci_high"])
                base_clear = not (b_lo <= 0 <= b_hi)  # NaN (one replication) compares False: kept
            rows.append(sentence(policy, baseline, metric, base_mean, mean, diff, lo, hi, lang, voc=voc, names=names,
                                 base_clear=base_clear))
        out[policy] = rows
    return out
