"""``model: network`` — a generic open queueing network.

Enough to express M/M/c, finite waiting rooms, priorities, abandonment, tandem
lines and rework loops; the real-service models build on it.
"""
from __future__ import annotations

from ...model_api import Breakdown, Model
from .engine import Records, simulate
from .kpis import kpis
from .params import NetworkParams


class NetworkModel(Model):
    name = "network"
    description = "Generic open queueing network: classes, stations, routing, priorities, abandonment, blocking."
    params_model = NetworkParams
    metrics = ("arrived", "served", "abandoned", "blocked", "in_system_end", "abandon_frac", "blocked_frac",
               "wait_mean_min", "wait_p90_min", "sojourn_mean_min", "visits_mean", "queue_len_mean", "utilisation")
    key_metrics = ("wait_mean_min", "wait_p90_min", "sojourn_mean_min", "abandon_frac", "blocked_frac", "utilisation")

    figures = (Breakdown("utilisation", ("station:",), "utilisation_by_station"),
               Breakdown("wait_mean_min", ("class:",), "wait_mean_min_by_class"),
               Breakdown("wait_mean_min", ("station:",), "wait_mean_min_by_station"))

    def simulate(self, params: NetworkParams, streams, run, trace=None):
        return kpis(simulate(params, streams, run.horizon, run.warmup, trace=trace))


__all__ = ["NetworkModel", "NetworkParams", "Records", "simulate", "kpis"]
