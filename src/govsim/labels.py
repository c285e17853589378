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
    "visits_mean": ("Visits per served customer", "visits"),
}


def metric_label(metric: str, with_unit: bool = True) -> str:
    label, unit = METRICS.get(metric, (metric.replace("_", " "), ""))
    return f"{label} ({unit})" if with_unit and unit else label
