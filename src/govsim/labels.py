"""Display labels, kept apart from KPI keys so charts and tables can be relabelled
(and, later, translated) without touching results."""
from __future__ import annotations

METRICS = {
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
}


def register(labels: dict[str, tuple[str, str]]) -> None:
    """Models add the labels of their own metrics: {metric: (label, unit)}."""
    METRICS.update(labels)


def metric_label(metric: str, with_unit: bool = True) -> str:
    label, unit = METRICS.get(metric, (metric.replace("_", " "), ""))
    return f"{label} ({unit})" if with_unit and unit else label
