"""``model: shuttle`` — job shuttles (就业直通车) from townships to an industrial park.

Job seekers sign up in their townships over the campaign days; a dispatch rule
(fixed timetable, when full, or a minimum-load / maximum-wait hybrid; one
township per trip, multi-stop runs along a route, or one gathering point) calls
vehicles of a limited fleet; at the park seekers visit employers until a hiring
intention.  See docs/models/shuttle.md.
"""
from __future__ import annotations

from ...model_api import Breakdown, Model, Profile
from .campaign import simulate
from .kpis import METRICS, kpis
from .params import ShuttleParams
from .population import draw_population
from .records import CampaignRecords

_LABELS = {
    "signed_up": ("Signed up", "seekers"),
    "seekers_delivered": ("Seekers delivered to the park", "seekers"),
    "no_shows": ("No-shows when called", "seekers"),
    "gave_up": ("Gave up waiting", "seekers"),
    "still_waiting": ("Still waiting at the end", "seekers"),
    "delivered_share": ("Share of sign-ups delivered", "fraction"),
    "boarding_wait_mean_h": ("Mean wait from sign-up to boarding", "hours"),
    "boarding_wait_p90_h": ("90th percentile wait from sign-up to boarding", "hours"),
    "time_to_employer_mean_h": ("Mean time from sign-up to an employer's gate", "hours"),
    "interviews_per_seeker": ("Interviews per delivered seeker", "interviews"),
    "intentions": ("Hiring intentions", "people"),
    "intention_share": ("Share of delivered seekers with a hiring intention", "fraction"),
    "vehicle_trips": ("Vehicle trips", "trips"),
    "riders_per_trip": ("Riders per trip", "seekers"),
    "load_factor": ("Load factor (share of seats filled)", "fraction"),
    "vehicle_hours": ("Vehicle-hours", "hours"),
    "vehicle_km": ("Vehicle-kilometres", "km"),
    "cost_yuan": ("Vehicle cost", "yuan"),
    "cost_per_seeker_yuan": ("Cost per seeker delivered", "yuan"),
    "vehicle_wait_mean_h": ("Mean wait for a free vehicle", "hours"),
    "interviews": ("Interviews", "interviews"),
    "interview_wait_mean_min": ("Mean wait before an interview", "minutes"),
    "recruiter_utilisation": ("Recruiter utilisation", "fraction"),
}
_LABELS_ZH = {
    "signed_up": ("报名人数", "人"),
    "seekers_delivered": ("送达园区求职人数", "人"),
    "no_shows": ("电话确认时未到人数", "人"),
    "gave_up": ("等待后放弃人数", "人"),
    "still_waiting": ("结束时仍在等待人数", "人"),
    "delivered_share": ("报名者送达比例", "比例"),
    "boarding_wait_mean_h": ("报名到上车平均等待时间", "小时"),
    "boarding_wait_p90_h": ("报名到上车等待时间第90百分位", "小时"),
    "time_to_employer_mean_h": ("报名到进厂门平均时间", "小时"),
    "interviews_per_seeker": ("每名送达者面试次数", "次"),
    "intentions": ("达成就业意向人数", "人"),
    "intention_share": ("送达者达成就业意向比例", "比例"),
    "vehicle_trips": ("车次", "车次"),
    "riders_per_trip": ("每车次人数", "人"),
    "load_factor": ("满载率（座位占用比例）", "比例"),
    "vehicle_hours": ("车辆运行时间", "车·小时"),
    "vehicle_km": ("车辆行驶里程", "公里"),
    "cost_yuan": ("车辆费用", "元"),
    "cost_per_seeker_yuan": ("每送达一人费用", "元"),
    "vehicle_wait_mean_h": ("等待空闲车辆平均时间", "小时"),
    "interviews": ("面试次数", "次"),
    "interview_wait_mean_min": ("面试前平均等候时间", "分钟"),
    "recruiter_utilisation": ("招聘人员利用率", "比例"),
}
_SCOPES = {
    "route": ("route", "线路"),
    "trigger": ("what sent the vehicle", "发车原因"),
    "employers": ("employers", "企业"),
}


class ShuttleModel(Model):
    # a seeker ends leaving the park, missing the bus or giving up; a vehicle's trip, back at its base
    final_activities = ("leave", "no_show", "abandon", "back")
    name = "shuttle"
    description = ("Job shuttles from townships to an industrial park: sign-ups, no-shows, a fleet, dispatch "
                   "rules (timetable, when full, hybrid; per township, multi-stop, gathering point), employers.")
    params_model = ShuttleParams
    metrics = METRICS
    key_metrics = ("seekers_delivered", "vehicle_trips", "load_factor", "riders_per_trip", "boarding_wait_mean_h",
                   "time_to_employer_mean_h", "cost_per_seeker_yuan", "intentions")
    directions = {"seekers_delivered": "higher", "vehicle_trips": "neither", "load_factor": "higher",
                  "riders_per_trip": "higher", "boarding_wait_mean_h": "lower", "boarding_wait_p90_h": "lower",
                  "time_to_employer_mean_h": "lower", "cost_per_seeker_yuan": "lower", "cost_yuan": "lower",
                  "intentions": "higher", "delivered_share": "higher", "intention_share": "higher", "gave_up": "lower",
                  "no_shows": "lower", "still_waiting": "lower", "vehicle_wait_mean_h": "lower",
                  "interview_wait_mean_min": "lower", "recruiter_utilisation": "neither", "signed_up": "neither"}
    report_text = {"zh": """``model: shuttle``——从乡镇到工业园区的就业直通车。

求职者在活动期间于所在乡镇报名；调度规则（固定班次、满员即发，或最低载客与最长等候相结合；每车一个乡镇、
沿线多站，或统一集合点）调用数量有限的车辆；到园区后，求职者逐家走访企业，直到达成就业意向。
详见 docs/models/shuttle.md。"""}

    figures = (
        Breakdown("vehicle_trips", ("trigger:",), "vehicle_trips_by_trigger"),
        Breakdown("load_factor", ("all", "trigger:"), "load_factor_by_trigger"),
        Breakdown("load_factor", ("all", "route:"), "load_factor_by_route"),
        Breakdown("boarding_wait_mean_h", ("township:",), "boarding_wait_by_township"),
        Breakdown("vehicle_trips", ("township:",), "vehicle_trips_by_township"),
        Breakdown("intentions", ("employers:",), "intentions_by_employers"),
        Profile("seekers_delivered", "day:", "deliveries_over_the_campaign", "Campaign day"),
        Profile("signed_up", "day:", "signups_over_the_campaign", "Campaign day"),
    )

    runs_in_days = True
    labels, labels_zh, scope_kinds = _LABELS, _LABELS_ZH, _SCOPES

    def check_run(self, run):
        problems = super().check_run(run)
        if problems:
            return problems
        if run.warmup_days:
            return [(("run", "warmup_days"), "a campaign starts empty and every seeker counts: leave warmup_days at 0")]
        return []

    def simulate(self, params: ShuttleParams, streams, run, trace=None):
        return kpis(simulate(params, streams, run.days, trace=trace), params)


__all__ = ["ShuttleModel", "ShuttleParams", "CampaignRecords", "draw_population", "simulate", "kpis"]
