"""``model: network`` — a generic open queueing network.

Enough to express M/M/c, finite waiting rooms, priorities, abandonment, tandem
lines and rework loops; the real-service models build on it.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from ...model_api import Breakdown, Model
from .engine import Records, simulate
from .kpis import cost_rows, kpis, service_level_rows
from .load import overload_warnings
from .params import NetworkParams


class NetworkModel(Model):
    name = "network"
    description = "Generic open queueing network: classes, stations, routing, priorities, abandonment, blocking."
    params_model = NetworkParams
    metrics = ("arrived", "served", "abandoned", "blocked", "in_system_end", "abandon_frac", "blocked_frac",
               "wait_mean_min", "wait_p90_min", "sojourn_mean_min", "visits_mean", "queue_len_mean", "utilisation",
               "staffed_hours_per_day", "staff_cost_yuan_per_day", "cost_per_customer_yuan", "wait_within_share")
    key_metrics = ("wait_mean_min", "wait_p90_min", "sojourn_mean_min", "abandon_frac", "blocked_frac", "utilisation")
    # its metrics but one are common ones: their labels and directions are in govsim.labels
    labels = {"staffed_hours_per_day": ("Staffed server-hours per day", "server-hours"),
              "staff_cost_yuan_per_day": ("Staff cost per day", "yuan"),
              "cost_per_customer_yuan": ("Staff cost per customer served", "yuan"),
              "wait_within_share": ("Share served within the wait threshold", "fraction")}
    labels_zh = {"staffed_hours_per_day": ("每日在岗服务时长", "人·小时"),
                 "staff_cost_yuan_per_day": ("每日人员成本", "元"),
                 "cost_per_customer_yuan": ("每服务一人人员成本", "元"),
                 "wait_within_share": ("在等候时限内得到服务的比例", "比例")}
    # more staff: shorter queues, higher cost
    directions = {"staffed_hours_per_day": "neither", "staff_cost_yuan_per_day": "lower",
                  "cost_per_customer_yuan": "lower", "wait_within_share": "higher"}
    report_text = {"zh": """``model: network``——通用的开放排队网络。

可以表达 M/M/c、有限等候区、优先级、中途离开、串联流程和返工回路；面向真实服务的模型都以它为基础。"""}

    figures = (Breakdown("utilisation", ("station:",), "utilisation_by_station"),
               Breakdown("wait_mean_min", ("class:",), "wait_mean_min_by_class"),
               Breakdown("wait_mean_min", ("station:",), "wait_mean_min_by_station"))

    def clock(self, params: NetworkParams):
        """With ``start_date``, the event log's minute 0 is that date's midnight (else the nominal Monday)."""
        if params.start_date is None:
            return None
        midnight = datetime.combine(params.start_date, time())
        return lambda minutes: midnight + timedelta(minutes=float(minutes))

    def warnings(self, params: NetworkParams, run, lang: str = "en") -> list[str]:
        return overload_warnings(params, run.horizon, lang)

    def simulate(self, params: NetworkParams, streams, run, trace=None):
        rec = simulate(params, streams, run.horizon, run.warmup, trace=trace)
        rows = kpis(rec)
        return rows + cost_rows(params, rows, run.horizon - run.warmup) + service_level_rows(
            rec, params.service_level_wait_min)


__all__ = ["NetworkModel", "NetworkParams", "Records", "simulate", "kpis"]
