"""``model: job_fair`` — township job fairs (现场招聘会) over a recruiting campaign.

Fairs in the townships draw walk-ins and people mobilised by township and village
cadres from each township's pool of job seekers; at each fair, visitors queue at
employers' booths with a few recruiters, give up at long queues, try several
booths, and each talk may end in a hiring intention.  See docs/models/shuttle.md
(job fairs).
"""
from __future__ import annotations

from ...model_api import Breakdown, Model, Profile
from .fairs import FairRecords, simulate
from .kpis import METRICS, kpis
from .params import JobFairParams

_LABELS = {
    "fairs": ("Job fairs", "fairs"),
    "attendees": ("Attendees", "attendances"),
    "attendees_per_fair": ("Attendees per fair", "attendances"),
    "mobilised": ("Attendees mobilised by cadres", "attendances"),
    "people_reached": ("People who came to a fair", "people"),
    "intentions": ("Hiring intentions", "people"),
    "intention_rate": ("Share of attendees reaching an intention", "fraction"),
    "intentions_per_fair": ("Hiring intentions per fair", "people"),
    "talks": ("Talks with recruiters", "talks"),
    "talk_intentions": ("Talks ending in a hiring intention", "talks"),
    "talks_per_attendee": ("Talks per attendee", "talks"),
    "booth_wait_mean_min": ("Mean wait at a booth", "minutes"),
    "booth_balk_frac": ("Share of booth visits given up at sight of the queue", "fraction"),
    "booth_renege_frac": ("Share of booth visits given up while queueing", "fraction"),
    "recruiter_utilisation": ("Recruiter utilisation", "fraction"),
    "pool_with_intention": ("Share of the job-seeker pool with an intention", "fraction"),
    "booth_queue_mean": ("Visitors queueing at the booths", "visitors"),
}
_LABELS_ZH = {
    "fairs": ("招聘会场次", "场"),
    "attendees": ("入场求职人次", "人次"),
    "attendees_per_fair": ("每场入场人次", "人次"),
    "mobilised": ("乡村干部发动入场人次", "人次"),
    "people_reached": ("到过招聘会的人数", "人"),
    "intentions": ("达成就业意向人数", "人"),
    "intention_rate": ("入场者达成就业意向比例", "比例"),
    "intentions_per_fair": ("每场达成就业意向人数", "人"),
    "talks": ("与招聘人员面谈次数", "次"),
    "talk_intentions": ("达成就业意向的面谈次数", "次"),
    "talks_per_attendee": ("每人面谈次数", "次"),
    "booth_wait_mean_min": ("展位前平均等候时间", "分钟"),
    "booth_balk_frac": ("见队长而放弃的展位比例", "比例"),
    "booth_renege_frac": ("排队中放弃的展位比例", "比例"),
    "recruiter_utilisation": ("招聘人员利用率", "比例"),
    "pool_with_intention": ("求职人群中达成意向比例", "比例"),
    "booth_queue_mean": ("展位前排队人数", "人"),
}
_SCOPES = {
    "booths": ("booths", "展位"),
    "week": ("campaign week", "活动周"),
}


class JobFairModel(Model):
    name = "job_fair"
    description = ("Township job fairs: walk-ins and cadre mobilisation from each township's pool, booths with "
                   "limited recruiters, queues and giving up, several booths per visitor, hiring intentions.")
    params_model = JobFairParams
    metrics = METRICS
    key_metrics = ("intentions", "attendees", "intention_rate", "intentions_per_fair", "booth_wait_mean_min",
                   "booth_balk_frac", "recruiter_utilisation")
    directions = {"intentions": "higher", "attendees": "higher", "intention_rate": "higher",
                  "intentions_per_fair": "higher", "booth_wait_mean_min": "lower", "booth_balk_frac": "lower",
                  "booth_renege_frac": "lower", "recruiter_utilisation": "neither", "people_reached": "higher",
                  "pool_with_intention": "higher"}
    report_text = {"zh": """``model: job_fair``——招聘活动期间的乡镇现场招聘会。

各乡镇的招聘会吸引自行前来的求职者，以及乡镇和村干部从本乡镇求职者中动员来的人；在每场招聘会上，
求职者在只有几名招聘人员的企业展位前排队，见队长而放弃，尝试多个展位，每次洽谈都可能达成就业意向。
详见 docs/models/shuttle.md（招聘会部分）。"""}

    figures = (
        Breakdown("intention_rate", ("all", "group:"), "intention_rate_by_group"),
        Breakdown("intention_rate", ("township:",), "intention_rate_by_township"),
        Breakdown("booth_wait_mean_min", ("booths:",), "booth_wait_by_booths"),
        Breakdown("recruiter_utilisation", ("booths:",), "recruiter_utilisation_by_booths"),
        Breakdown("talk_intentions", ("booths:",), "talk_intentions_by_booths"),
        Profile("booth_queue_mean", "hour:", "queues_through_the_fair_day", "Time of day"),
        Profile("intentions", "week:", "intentions_over_the_campaign", "Campaign week"),
    )

    runs_in_days = True
    labels, labels_zh, scope_kinds = _LABELS, _LABELS_ZH, _SCOPES
    phrases_zh = {"Campaign week": "活动第几周"}

    def check_run(self, run):
        if run.days is None:
            return [(("run",), "a job-fair campaign runs in days: give run.days (the fairs are spread over them)")]
        if run.warmup_days:
            return [(("run", "warmup_days"), "a campaign starts with its whole pool and every fair counts: "
                     "leave warmup_days at 0")]
        return []

    def simulate(self, params: JobFairParams, streams, run, trace=None):
        return kpis(simulate(params, streams, run.days, trace=trace), params)


__all__ = ["JobFairModel", "JobFairParams", "FairRecords", "simulate", "kpis"]
