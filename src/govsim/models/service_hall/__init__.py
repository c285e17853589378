"""``model: service_hall`` — a county government service hall.

Separate department windows or one integrated bank of comprehensive windows,
special zones, document checks with return trips, proxy helpers, a green channel,
home visits, cross-province matters and impatient visitors, on working days with
opening hours and a lunch break.
"""
from __future__ import annotations

from ...model_api import Breakdown, Model, Profile
from .hall import HallRecords, simulate
from .kpis import METRICS, kpis
from .params import HallParams


class ServiceHallModel(Model):
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

    runs_in_days = True

    labels = {
        "acceptance_time_mean_h": ("Mean acceptance time", "hours"),
        "acceptance_time_p90_h": ("90th percentile acceptance time", "hours"),
        "hall_time_mean_min": ("Mean time in the hall per trip", "minutes"),
        "overtime_min_per_day": ("Overtime", "window-minutes per day"),
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
    labels_zh = {
        "acceptance_time_mean_h": ("平均受理时间", "小时"),
        "acceptance_time_p90_h": ("受理时间第90百分位", "小时"),
        "hall_time_mean_min": ("每趟在大厅的平均时间", "分钟"),
        "overtime_min_per_day": ("加班时间", "窗口·分钟/天"),
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

    def simulate(self, params: HallParams, streams, run, trace=None):
        return kpis(simulate(params, streams, run.days, run.warmup_days, trace=trace), params)


__all__ = ["ServiceHallModel", "HallParams", "HallRecords", "simulate", "kpis"]
