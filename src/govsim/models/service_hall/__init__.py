"""``model: service_hall`` — a county government service hall.

Separate department windows or one integrated bank of comprehensive windows,
special zones, document checks with return trips, proxy helpers, a green channel,
home visits, cross-province matters and impatient visitors, on working days with
opening hours and a lunch break.
"""
from __future__ import annotations

from ...report.figures import Breakdown, Profile
from ...rng import Streams
from .hall import HallRecords, simulate
from .kpis import METRICS, kpis
from .params import HallParams


class ServiceHallModel:
    name = "service_hall"
    description = ("Government service hall: separate vs integrated windows, zones, document checks and "
                   "return trips, proxy helpers, green channel, over working days.")
    params_model = HallParams
    metrics = METRICS
    key_metrics = ("acceptance_time_mean_h", "wait_mean_min", "wait_p90_min", "visits_mean", "one_visit_share",
                   "window_utilisation")

    figures = (
        Breakdown("wait_mean_min", ("matters:", "group:", "channel:proxy"), "wait_mean_min_by_group"),
        Profile("queue_len_mean", "hour:", "queue_through_the_day", "Time of day"),
        Breakdown("visits_mean", ("matter:",), "visits_mean_by_matter"),
        Breakdown("acceptance_time_mean_h", ("matter:",), "acceptance_time_by_matter"),
        Breakdown("utilisation", ("bank:", "helpers"), "utilisation_by_bank"),
    )

    def check_run(self, run) -> list[tuple[tuple, str]]:
        if run.days is None:
            return [(("run",), "a service hall runs in working days: give run.days (and warmup_days)")]
        return []

    def run(self, params: HallParams, streams: Streams, run) -> list[tuple[str, str, float]]:
        return kpis(simulate(params, streams, run.days, run.warmup_days), params)


__all__ = ["ServiceHallModel", "HallParams", "HallRecords", "simulate", "kpis"]
