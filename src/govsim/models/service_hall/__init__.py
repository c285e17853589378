"""``model: service_hall`` — a county government service hall.

Separate department windows or one integrated bank of comprehensive windows,
special zones, a back office approving after the visitor has left, document checks
with return trips, proxy helpers, a green channel, home visits, cross-province matters
and impatient visitors, on working days with opening hours and a lunch break.  Time
limits are judged as promises: the acceptance time kept for 95% (and 90%) of matters
and the share accepted within a promised limit, besides the mean.
"""
from __future__ import annotations

from ...eventloop import gc_paused
from ...model_api import Breakdown, Model, Profile
from . import population
from .hall import HallRecords, simulate
from .kpis import METRICS, kpis
from .params import HallParams


class ServiceHallModel(Model):
    # a matter ends when its visitor leaves, its last approval is done or a helper accepted it at
    # home; the home region's answer to a forwarded matter comes after it left the hall
    final_activities = ("leave", "approve", "accepted")
    after_service_activities = ("home_region_done",)
    name = "service_hall"
    description = ("Government service hall: separate vs integrated windows, zones, back office, document checks and "
                   "return trips, proxy helpers, green channel, rosters, online pre-review and appointments, over "
                   "working days.")
    params_model = HallParams
    metrics = METRICS
    key_metrics = ("acceptance_time_p95_h", "acceptance_time_mean_h", "completion_time_p95_h", "wait_mean_min",
                   "visits_mean", "one_visit_share", "staff_utilisation")
    directions = {"acceptance_time_mean_h": "lower", "acceptance_time_p90_h": "lower", "hall_time_mean_min": "lower",
                  "overtime_min_per_day": "lower", "balk_frac": "lower", "sent_home_frac": "lower", "open_end": "lower",
                  "turnaround_days_mean": "lower", "window_utilisation": "neither", "matters": "neither",
                  "accepted": "neither", "served_per_day": "neither", "back_office_min_per_day": "neither",
                  "acceptance_time_p95_h": "lower", "completion_time_mean_h": "lower", "completion_time_p95_h": "lower",
                  "accepted_within_limit_share": "higher", "approval_wait_mean_h": "lower",
                  "approval_backlog_min": "lower", "staff_total": "neither", "staff_utilisation": "neither",
                  "approvals_per_day": "neither", "staff_cost_yuan_per_day": "lower", "staff_cost_yuan_per_week": "lower", "cost_per_matter_yuan": "lower",
                  "staff_hours_per_day": "neither",
                  "wait_within_share": "higher", "reviews_per_day": "neither", "gaps_caught_per_day": "neither"}
    report_text = {"zh": """``model: service_hall``——县级政务服务大厅。

分部门窗口或一组综合受理窗口、专区、材料审核与补正往返、帮办代办、绿色通道、上门服务、跨省通办事项，
以及会因等候而离开的办事群众；按工作日运行，含办公时间与午休。"""}

    figures = (
        Breakdown("wait_mean_min", ("matters:", "group:", "channel:proxy"), "wait_mean_min_by_group"),
        Profile("queue_len_mean", "hour:", "queue_through_the_day", "Time of day"),
        Breakdown("visits_mean", ("matter:",), "visits_mean_by_matter"),
        Breakdown("acceptance_time_mean_h", ("matter:",), "acceptance_time_by_matter"),
        Breakdown("utilisation", ("bank:", "back_office", "helpers"), "utilisation_by_bank"),
    )

    runs_in_days = True
    scope_names_zh = {"bank:comprehensive": "综合窗口", "bank:green_channel": "绿色通道窗口",
                      "bank:cross_province": "跨省通办窗口", "back_office": "后台审批", "helpers": "帮办代办",
                      "matters:general": "一般事项", "matters:zones": "专区事项", "channel:proxy": "帮办代办",
                      "channel:online_review": "网上预审", "channel:appointment": "预约",
                      "channel:home_visit": "上门服务", "channel:other_province": "跨省通办"}
    scope_kinds = {"back_office": ("back office", "后台"), "online_review": ("online review team", "网上预审"),
                   "wait_within": ("served within", "等候不超过")}

    labels = {
        "acceptance_time_mean_h": ("Mean acceptance time", "hours"),
        "acceptance_time_p90_h": ("Acceptance time kept for 90% of matters", "hours"),
        "acceptance_time_p95_h": ("Acceptance time kept for 95% of matters", "hours"),
        "accepted_within_limit_share": ("Share accepted within the promised limit", "fraction"),
        "completion_time_mean_h": ("Mean time to approval", "hours"),
        "completion_time_p95_h": ("Time to approval kept for 95% of matters", "hours"),
        "staff_total": ("Staff: windows, back office, helpers", "full-time equivalents"),
        "staff_utilisation": ("Utilisation of window and back-office staff", "fraction of staff time"),
        "approval_wait_mean_h": ("Mean wait for back-office approval", "hours"),
        "approvals_per_day": ("Back-office approvals per day", "approvals per open day"),
        "approval_backlog_min": ("Approval work waiting at the end", "minutes"),
        "hall_time_mean_min": ("Mean time in the hall per trip", "minutes"),
        "overtime_min_per_day": ("Overtime", "staff-minutes per open day"),
        "balk_frac": ("Share of window visits balked", "fraction"),
        "sent_home_frac": ("Share sent home at closing", "fraction"),
        "matters": ("Matters", "matters"),
        "accepted": ("Matters accepted", "matters"),
        "open_end": ("Cases still open at the end", "cases"),
        "window_utilisation": ("Window utilisation (back office not included)", "fraction of window time"),
        "back_office_min_per_day": ("Approval minutes sent to the back office", "minutes per open day"),
        "served_per_day": ("Served per day", "visits per open day"),
        "precheck_per_day": ("Proxy pre-checks per day", "cases per open day"),
        "full_process_per_day": ("Full-process proxy cases per day", "cases per open day"),
        "home_visits_per_day": ("Home visits per day", "visits per open day"),
        "other_province_per_day": ("Cross-province matters per day", "matters per open day"),
        "turnaround_days_mean": ("Mean cross-province turnaround", "working days"),
        "staff_cost_yuan_per_day": ("Staff cost", "yuan per open day"),
        "staff_cost_yuan_per_week": ("Staff cost per week", "yuan per week"),
        "cost_per_matter_yuan": ("Staff cost per matter", "yuan"),
        "staff_hours_per_day": ("Staff hours on duty", "hours per open day"),
        "wait_within_share": ("Share of window visits served within the scope's minutes", "fraction"),
        "reviews_per_day": ("Online reviews per day", "reviews per open day"),
        "gaps_caught_per_day": ("Missing documents caught online per day", "documents per open day"),
    }
    labels_zh = {
        "acceptance_time_mean_h": ("平均受理时间", "小时"),
        "acceptance_time_p90_h": ("90%事项的受理时间（可承诺）", "小时"),
        "acceptance_time_p95_h": ("95%事项的受理时间（可承诺）", "小时"),
        "accepted_within_limit_share": ("承诺时限内受理比例", "比例"),
        "completion_time_mean_h": ("平均审批办结时间", "小时"),
        "completion_time_p95_h": ("95%事项的审批办结时间", "小时"),
        "staff_total": ("人员合计（窗口、后台、帮办）", "全职当量"),
        "staff_utilisation": ("窗口与后台人员利用率", "人员时间占比"),
        "approval_wait_mean_h": ("后台审批平均等候时间", "小时"),
        "approvals_per_day": ("每天后台审批件数", "件/开放日"),
        "approval_backlog_min": ("结束时积压的审批工作量", "分钟"),
        "hall_time_mean_min": ("每趟在大厅的平均时间", "分钟"),
        "overtime_min_per_day": ("加班时间", "人·分钟/开放日"),
        "balk_frac": ("见队长而离开比例（窗口访问）", "比例"),
        "sent_home_frac": ("闭厅时请回比例", "比例"),
        "matters": ("事项数", "件"),
        "accepted": ("已受理事项", "件"),
        "open_end": ("结束时尚未办结件数", "件"),
        "window_utilisation": ("窗口利用率（不含后台）", "窗口时间占比"),
        "back_office_min_per_day": ("送后台审批的工作量", "分钟/开放日"),
        "served_per_day": ("每天服务人次", "人次/开放日"),
        "precheck_per_day": ("每天帮办代办预审", "件/开放日"),
        "full_process_per_day": ("每天全程帮办代办", "件/开放日"),
        "home_visits_per_day": ("每天上门服务", "次/开放日"),
        "other_province_per_day": ("每天跨省通办事项", "件/开放日"),
        "turnaround_days_mean": ("跨省通办平均办结时间", "工作日"),
        "staff_cost_yuan_per_day": ("人员成本", "元/开放日"),
        "staff_cost_yuan_per_week": ("每周人员成本", "元/周"),
        "cost_per_matter_yuan": ("每件事项人员成本", "元"),
        "staff_hours_per_day": ("在岗人员工时", "小时/开放日"),
        "wait_within_share": ("在规定分钟内得到窗口服务的比例", "比例"),
        "reviews_per_day": ("每天网上预审件数", "件/开放日"),
        "gaps_caught_per_day": ("每天网上预审发现的缺件", "份/开放日"),
    }

    def forget(self) -> None:
        population.forget()

    def simulate(self, params: HallParams, streams, run, trace=None):
        with gc_paused():
            return kpis(simulate(params, streams, run.days, run.warmup_days, trace=trace), params)


__all__ = ["ServiceHallModel", "HallParams", "HallRecords", "simulate", "kpis"]
