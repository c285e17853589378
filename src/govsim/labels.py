"""Display labels, kept apart from KPI keys so charts and tables can be relabelled
and translated without touching results.

``METRICS`` holds the English ``(label, unit)`` of each metric and ``METRICS_ZH`` the
Chinese one (terms from the glossary in ../shared/docs/domain-notes.md).  A model adds
its own at import::

    register({"lead_time_mean_days": ("Mean lead time", "days")},
             zh={"lead_time_mean_days": ("平均办理时长", "天")})

A metric without a Chinese label falls back to its English one; a metric without
any label is shown by its name.
"""
from __future__ import annotations

from typing import Optional

LANGS = ("en", "zh")

METRICS: dict[str, tuple[str, str]] = {
    "wait_mean_min": ("Mean wait", "minutes"),
    "wait_p90_min": ("90th percentile wait", "minutes"),
    "sojourn_mean_min": ("Mean time in system", "minutes"),
    "served": ("Served", "customers"),
    "arrived": ("Arrived", "customers"),
    "abandoned": ("Abandoned", "customers"),
    "blocked": ("Blocked", "customers"),
    "in_system_end": ("Still inside at the end", "customers"),
    "abandon_frac": ("Share abandoning", "fraction"),
    "blocked_frac": ("Share blocked", "fraction"),
    "queue_len_mean": ("Mean queue length", "customers"),
    "utilisation": ("Utilisation", "fraction of server time"),
    "visits_mean": ("Visits per completed case", "visits"),
    "acceptance_time_mean_h": ("Mean acceptance time", "hours"),
    "acceptance_time_p90_h": ("90th percentile acceptance time", "hours"),
    "one_visit_share": ("Share done in at most one visit", "fraction"),
    "hall_time_mean_min": ("Mean time in the hall per trip", "minutes"),
    "overtime_min_per_day": ("Overtime", "window-minutes per day"),
    "pledge_share": ("Share accepted on a pledge", "fraction"),
    "balk_frac": ("Share of window visits balked", "fraction"),
    "sent_home_frac": ("Share sent home at closing", "fraction"),
    "matters": ("Matters", "matters"),
    "accepted": ("Matters accepted", "matters"),
    "open_end": ("Cases still open at the end", "cases"),
    "window_utilisation": ("Window utilisation (back office not included)", "fraction of window time"),
    "back_office_min_per_day": ("Back-office approval workload", "minutes per day"),
    "served_per_day": ("Served per day", "visits per day"),
    "precheck_per_day": ("Proxy pre-checks per day", "cases per day"),
    "full_process_per_day": ("Full-process proxy cases per day", "cases per day"),
    "home_visits_per_day": ("Home visits per day", "visits per day"),
    "other_province_per_day": ("Cross-province matters per day", "matters per day"),
    "turnaround_days_mean": ("Mean cross-province turnaround", "working days"),
}

METRICS_ZH: dict[str, tuple[str, str]] = {
    "wait_mean_min": ("平均等候时间", "分钟"),
    "wait_p90_min": ("等候时间第90百分位", "分钟"),
    "sojourn_mean_min": ("平均逗留时间", "分钟"),
    "served": ("已服务", "人"),
    "arrived": ("到达", "人"),
    "abandoned": ("中途离开", "人"),
    "blocked": ("因满员被拒", "人"),
    "in_system_end": ("结束时仍在系统内", "人"),
    "abandon_frac": ("中途离开比例", "比例"),
    "blocked_frac": ("因满员被拒比例", "比例"),
    "queue_len_mean": ("平均排队人数", "人"),
    "utilisation": ("利用率", "服务时间占比"),
    "visits_mean": ("跑动次数（每件）", "次"),
    "acceptance_time_mean_h": ("平均受理时间", "小时"),
    "acceptance_time_p90_h": ("受理时间第90百分位", "小时"),
    "one_visit_share": ("最多跑一次比例", "比例"),
    "hall_time_mean_min": ("每趟在大厅的平均时间", "分钟"),
    "overtime_min_per_day": ("加班时间", "窗口·分钟/天"),
    "pledge_share": ("容缺受理比例", "比例"),
    "balk_frac": ("见队长而离开比例（窗口访问）", "比例"),
    "sent_home_frac": ("闭厅时请回比例", "比例"),
    "matters": ("事项数", "件"),
    "accepted": ("已受理事项", "件"),
    "open_end": ("结束时尚未办结件数", "件"),
    "window_utilisation": ("窗口利用率（不含后台）", "窗口时间占比"),
    "back_office_min_per_day": ("后台审批工作量", "分钟/天"),
    "served_per_day": ("每天服务人次", "人次/天"),
    "precheck_per_day": ("每天帮办代办预审", "件/天"),
    "full_process_per_day": ("每天全程帮办代办", "件/天"),
    "home_visits_per_day": ("每天上门服务", "次/天"),
    "other_province_per_day": ("每天跨省通办事项", "件/天"),
    "turnaround_days_mean": ("跨省通办平均办结时间", "工作日"),
}

# the kind of a scope ("station" in "station:window"), for chart axes and titles
SCOPE_KINDS: dict[str, tuple[str, str]] = {
    "all": ("overall", "总体"),
    "station": ("station", "服务台"),
    "class": ("customer class", "客户类别"),
    "group": ("group", "人群"),
    "matter": ("matter", "事项"),
    "matters": ("matter type", "事项类型"),
    "department": ("department", "部门"),
    "channel": ("channel", "渠道"),
    "bank": ("window bank", "窗口组"),
    "helpers": ("helpers", "帮办代办员"),
    "hour": ("time of day", "时段"),
    "township": ("township", "乡镇"),
    "park": ("industrial park", "园区"),
    "employer": ("employer", "企业"),
    "day": ("day", "天"),
}

# free phrases that models use in figure specs (a profile's x axis), with their Chinese
PHRASES_ZH: dict[str, str] = {
    "Time of day": "时段",
    "Day": "天",
    "Day of the campaign": "活动第几天",
    "Campaign day": "活动第几天",
    "Share of applications handed over": "已发证申请比例",
    "Demand (multiple of the scenario's)": "需求（情景需求的倍数）",
    "Week": "周",
    "Hour": "小时",
}

# units shown as percentages / percentage points in the report's sentences
FRACTION_UNITS = ("fraction", "fraction of server time")


def register(labels: dict[str, tuple[str, str]], zh: Optional[dict[str, tuple[str, str]]] = None,
             scopes: Optional[dict[str, tuple[str, str]]] = None,
             phrases_zh: Optional[dict[str, str]] = None) -> None:
    """Models add the labels of their own metrics: ``{metric: (label, unit)}`` in English,
    optionally ``zh={metric: (label, unit)}`` in Chinese, ``scopes={kind: (en, zh)}`` for
    their scope kinds and ``phrases_zh={english: chinese}`` for axis titles they use."""
    METRICS.update(labels)
    if zh:
        METRICS_ZH.update(zh)
    if scopes:
        SCOPE_KINDS.update(scopes)
    if phrases_zh:
        PHRASES_ZH.update(phrases_zh)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGS)})")


def label_unit(metric: str, lang: str = "en") -> tuple[str, str]:
    _check_lang(lang)
    if lang == "zh" and metric in METRICS_ZH:
        return METRICS_ZH[metric]
    return METRICS.get(metric, (metric.replace("_", " "), ""))


def metric_label(metric: str, with_unit: bool = True, lang: str = "en") -> str:
    label, unit = label_unit(metric, lang)
    if not (with_unit and unit):
        return label
    return f"{label}（{unit}）" if lang == "zh" and metric in METRICS_ZH else f"{label} ({unit})"


def metric_unit(metric: str, lang: str = "en") -> str:
    return label_unit(metric, lang)[1]


def is_fraction(metric: str) -> bool:
    """A share between 0 and 1 (its English unit says so)."""
    return METRICS.get(metric, ("", ""))[1] in FRACTION_UNITS


def scope_kind_label(kind: str, lang: str = "en") -> str:
    _check_lang(lang)
    en, zh = SCOPE_KINDS.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return zh if lang == "zh" else en


def phrase(text: str, lang: str = "en") -> str:
    """A model's free phrase (say, a profile's x axis) in ``lang``; English when untranslated."""
    _check_lang(lang)
    return PHRASES_ZH.get(text, text) if lang == "zh" else text
