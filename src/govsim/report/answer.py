"""The answer in words: one plain sentence per key metric and policy against the
baseline, with its paired 95% interval and whether it is clear of noise.

Shares (a unit of "fraction") change in percentage points; other metrics in per
cent of the baseline's mean, or in their own unit when that mean is zero.  A
relative interval is the paired interval divided by the baseline's mean.  Labels and
units come from the model's vocabulary (``voc``), so one metric name may read
differently in two models.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd

from ..labels import Vocabulary
from .i18n import t


@dataclass(frozen=True)
class Sentence:
    policy: str
    metric: str
    text: str      # HTML (names in <code>)
    verdict: str   # clear | noise | no_interval | same | missing
    note: str      # the verdict in words, "" for same/missing


def fmt(value: float) -> str:
    """A number as a planner reads it: three significant digits, thousands separated."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return text.replace("-", "−")  # a real minus sign


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


def _code(name: str) -> str:
    return f"<code>{html.escape(name)}</code>"


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


def sentence(policy: str, baseline: str, metric: str, base_mean: float, mean: float, diff: float, lo: float,
             hi: float, lang: str = "en", *, voc: Vocabulary) -> Sentence:
    """One metric of one policy against the baseline (numbers from summary.csv and comparison.csv)."""
    label, unit = voc.label_unit(metric, lang)
    fraction = voc.is_fraction(metric)
    if lang == "en":
        label = label[:1].lower() + label[1:] if not label[:2].isupper() else label
    names = {"policy": _code(policy), "baseline": _code(baseline), "label": html.escape(label)}
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

    if fraction:
        d, l_, h_ = diff * 100, lo * 100, hi * 100
        amount = _pct(d) if fall is not None else _signed_pct(d)
        text = t("s_pp", lang, verb=verb, pct=amount, ci=_interval(l_, h_, "", lang, fall),
                 base_val=_pct(base_mean * 100) + "%", val=_pct(mean * 100) + "%", **names)
    elif base_mean and not math.isnan(base_mean):
        scale = 100 / abs(base_mean)
        d, l_, h_ = diff * scale, lo * scale, hi * scale
        amount = (_pct(d) if fall is not None else _signed_pct(d)) + "%"
        text = t("s_rel", lang, verb=verb, pct=amount, ci=_interval(l_, h_, "%", lang, fall),
                 base_val=fmt(base_mean), val=fmt(mean), unit=unit_sfx, **names)
    else:
        amount = fmt(abs(diff)) if fall is not None else fmt(diff)
        ci = "–" if no_interval else t("ci_to", lang, lo=fmt(lo), hi=fmt(hi))
        text = t("s_abs", lang, verb=verb, amount=amount, unit=unit_sfx, ci=ci, base_val=fmt(base_mean),
                 val=fmt(mean), **names)
    verdict = "no_interval" if no_interval else ("clear" if clear else "noise")
    note = t({"clear": "clear", "noise": "not_clear", "no_interval": "no_interval"}[verdict], lang)
    return Sentence(policy, metric, text, verdict, note)


def answer(summary: pd.DataFrame, comparison: pd.DataFrame, metrics: list[str], policies: list[str], baseline: str,
           lang: str = "en", *, voc: Vocabulary) -> dict[str, list[Sentence]]:
    """For each policy other than the baseline, one sentence per metric (scope ``all``)."""
    means = summary[summary["scope"] == "all"].set_index(["policy", "metric"])["mean"]
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
            rows.append(sentence(policy, baseline, metric, base_mean, mean, diff, lo, hi, lang, voc=voc))
        out[policy] = rows
    return out
