"""``model: licence`` — multi-day application workflows on a working-day calendar.

Applications arrive over the year, their documents are checked (supplement loop,
one-time notice, pledges), steps run in series or in parallel in departments with
their own staff, daily hand-overs, sign-off slots, inspections booked days ahead
and fixed delays; then the certificate is collected, mailed, handed over at once
or with the keys.  Proxy helpers assemble documents and walk files.  Lead times in
working days and calendar days, the share issued within the promised limit,
visits, staff utilisation, and the promise as demand grows.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from ...model_api import Breakdown, Model, Profile, Stacked
from .engine import Office, Records, simulate
from .kpis import METRICS, QUANTILES, kpis
from .params import LicenceParams

_LABELS = {
    "applications": ("Applications", "applications"),
    "handed_over": ("Certificates handed over", "applications"),
    "unfinished": ("Not handed over within the follow-up", "applications"),
    "lead_time_mean_days": ("Mean lead time", "working days"),
    "lead_time_p50_days": ("Median lead time", "working days"),
    "lead_time_p90_days": ("90th percentile lead time", "working days"),
    "lead_time_max_days": ("Longest lead time", "working days"),
    "lead_time_days": ("Lead time", "working days"),
    "lead_time_mean_calendar_days": ("Mean lead time in calendar days", "calendar days"),
    "issue_time_mean_days": ("Mean time to issue, from receipt", "working days"),
    "promise_time_mean_days": ("Mean time to issue, from acceptance (the promise's clock)", "working days"),
    "promise_time_p90_days": ("Time to issue from acceptance, 90th percentile", "working days"),
    "promise_time_p95_days": ("Time to issue from acceptance, 95th percentile (a limit kept for 95%)", "working days"),
    "promise_share": ("Share issued within the promised limit, from acceptance", "fraction"),
    "ready_share": ("Share ready on the day needed (with the keys)", "fraction"),
    "lateness_mean_days": ("Mean day of issue less the day needed (negative: days to spare)", "working days"),
    "late_mean_days": ("Mean days late, of those not ready on the day needed", "working days"),
    "zero_visit_share": ("Share with no trip to the hall", "fraction"),
    "incomplete_share": ("Share incomplete when handed in", "fraction"),
    "supplements_mean": ("Document supplements per application", "returns"),
    "wait_mean_days": ("Mean waiting time", "working days"),
    "work_mean_days": ("Mean working time", "working days"),
    "delay_mean_days": ("Mean other delay (applicant, fixed periods, post)", "working days"),
    "open_end": ("Still open at the end of the run", "applications"),
}
_LABELS_ZH = {
    "applications": ("申请件数", "件"),
    "handed_over": ("已发证件数", "件"),
    "unfinished": ("跟踪期内未发证件数", "件"),
    "lead_time_mean_days": ("平均办理时长", "工作日"),
    "lead_time_p50_days": ("办理时长中位数", "工作日"),
    "lead_time_p90_days": ("办理时长第90百分位", "工作日"),
    "lead_time_max_days": ("最长办理时长", "工作日"),
    "lead_time_days": ("办理时长", "工作日"),
    "lead_time_mean_calendar_days": ("平均办理时长（按自然日）", "自然日"),
    "issue_time_mean_days": ("平均办结时间（自收件起）", "工作日"),
    "promise_time_mean_days": ("平均办结时间（自受理起，承诺时限口径）", "工作日"),
    "promise_time_p90_days": ("受理至办结时间第90百分位", "工作日"),
    "promise_time_p95_days": ("受理至办结时间第95百分位（95%可兑现的时限）", "工作日"),
    "promise_share": ("承诺时限内办结比例（自受理起）", "比例"),
    "ready_share": ("需要之日（交房当日）证照已办结的比例", "比例"),
    "lateness_mean_days": ("办结日减需要日的平均值（负数为提前）", "工作日"),
    "late_mean_days": ("未能当日办结者的平均延误", "工作日"),
    "zero_visit_share": ("不见面办理比例", "比例"),
    "incomplete_share": ("材料不齐比例", "比例"),
    "supplements_mean": ("每件补正材料次数", "次"),
    "wait_mean_days": ("平均等待时间", "工作日"),
    "work_mean_days": ("平均办理（工作）时间", "工作日"),
    "delay_mean_days": ("平均其他耗时（申请人、法定期间、邮寄）", "工作日"),
    "open_end": ("模拟结束时在办件数", "件"),
}
_PHRASES_ZH = {"Share of applications handed over": "已发证申请所占比例",
               "Demand (multiple of the scenario's)": "需求（情景需求的倍数）"}
_SCOPES = {"step": ("step", "环节"), "stage": ("stage", "阶段"), "quantile": ("quantile", "分位数"),
           "demand": ("demand", "需求")}

STRESS_METRICS = ("promise_share", "lead_time_mean_days")


class LicenceModel(Model):
    final_activities = ("handover",)  # an application ends when the licence is handed over
    name = "licence"
    description = ("Multi-day application workflows on a working-day calendar: documents and supplements, "
                   "serial or parallel steps, daily batches and sign-offs, inspections, proxy helpers, "
                   "and handing the result over.")
    params_model = LicenceParams
    metrics = METRICS
    signed_metrics = frozenset({"lateness_mean_days"})  # negative: days to spare
    key_metrics = ("lead_time_mean_days", "lead_time_p90_days", "promise_time_p95_days", "promise_share",
                   "visits_mean", "lead_time_mean_calendar_days", "open_end")
    directions = {"lead_time_mean_days": "lower", "lead_time_p50_days": "lower", "lead_time_p90_days": "lower",
                  "lead_time_max_days": "lower", "lead_time_mean_calendar_days": "lower", "issue_time_mean_days": "lower",
                  "promise_share": "higher", "incomplete_share": "lower", "zero_visit_share": "higher",
                  "supplements_mean": "lower", "open_end": "lower", "unfinished": "lower", "wait_mean_days": "lower",
                  "delay_mean_days": "lower", "applications": "neither", "handed_over": "neither",
                  "promise_time_p95_days": "lower", "promise_time_mean_days": "lower", "promise_time_p90_days": "lower",
                  "ready_share": "higher", "lateness_mean_days": "lower", "late_mean_days": "lower"}
    report_text = {"zh": """``model: licence``——按工作日历运行的多日审批流程。

申请全年陆续到达，先审核材料（补正往返、一次性告知、容缺承诺），各环节在配有各自人员的部门中串行或并联办理，
含每日交接、签批时段、提前数日预约的现场核查和固定时限；之后领取证照、邮寄送达，或即时交付、交房即交证。
帮办代办员协助准备材料、代跑文件。输出以工作日和自然日计的办理时长、在承诺时限内办结的比例、跑动次数、
人员利用率，以及需求增长时承诺能否兑现。"""}

    figures = (
        # the lead-time distribution as its quantiles (an ECDF with the axes swapped)
        Profile("lead_time_days", "quantile:", "lead_time_distribution", "Share of applications handed over"),
        Profile("promise_share", "demand:x", "promise_share_as_demand_grows", "Demand (multiple of the scenario's)"),
        # where the time goes, per stage: waiting, working, other delays, stacked
        Stacked(("wait_mean_days", "work_mean_days", "delay_mean_days"), ("stage:intake", "step:", "stage:handover"),
                "where_the_time_goes_by_step"),
        Breakdown("wait_mean_days", ("stage:intake", "step:", "stage:handover"), "wait_mean_days_by_step"),
        Breakdown("work_mean_days", ("stage:intake", "step:", "stage:handover"), "work_mean_days_by_step"),
        Breakdown("delay_mean_days", ("stage:intake", "step:", "stage:handover"), "delay_mean_days_by_step"),
        Breakdown("utilisation", ("step:", "department:", "helpers"), "utilisation_by_step"),
    )

    runs_in_days = True
    labels, labels_zh, scope_kinds, phrases_zh = _LABELS, _LABELS_ZH, _SCOPES, _PHRASES_ZH

    def day_starts(self, params: LicenceParams, days: int):
        """Working day k opens at office time k L; the event log counts calendar minutes, so
        a day runs from one opening to the next, its night and any weekend after it included."""
        clock = params.calendar.clock(days + 1)
        return clock.to_calendar(np.arange(days + 1) * clock.L)

    def clock(self, params: LicenceParams):
        """The event log's minutes are calendar minutes since midnight of the start date."""
        midnight = datetime.combine(params.calendar.start, datetime.min.time())
        return lambda minutes: midnight + timedelta(minutes=float(minutes))

    def simulate(self, params: LicenceParams, streams, run, trace=None):
        rows = kpis(simulate(params, streams, run.days, run.warmup_days, trace=trace), params)
        if params.stress:
            base = {m: v for s, m, v in rows if s == "all" and m in STRESS_METRICS}
            rows += [(demand_scope(1.0), m, base[m]) for m in STRESS_METRICS]
            for multiple in sorted(set(params.stress) - {1.0}):
                stressed = kpis(simulate(params, streams.again(), run.days, run.warmup_days,
                                         scale=params.arrivals.scale * multiple), params)
                rows += [(demand_scope(multiple), m, v) for s, m, v in stressed if s == "all" and m in STRESS_METRICS]
        return rows


def demand_scope(multiple: float) -> str:
    return f"demand:x{multiple:.2f}"


__all__ = ["LicenceModel", "LicenceParams", "Office", "Records", "simulate", "kpis", "QUANTILES", "demand_scope"]
