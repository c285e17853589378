"""Parameters of a multi-day application workflow (``model: licence``)."""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field, model_validator

from ...calendar import Clock, Weekday, WorkingCalendar
from ...distributions import Distribution
from ...documents import Documents as DocumentRules
from ...model_api import Count, Name, NonNeg, PositiveCount, Prob, StrictParams

MAX_DOCUMENTS = 40  # per set of documents: per-document draws are taken for this many
MAX_SCALE = 4.0  # demand multiple (scale × stress): arrivals are thinned from this many times the rate


class Arrivals(StrictParams):
    per_year: Annotated[float, Field(gt=0)] = Field(description="applications per year")
    by_month: Optional[Annotated[list[NonNeg], Field(min_length=12, max_length=12)]] = Field(
        None, description="relative volume of each month, January first (12 numbers); omit for an even year")
    online_share: Prob = Field(0.0, description="share handed in online, at any hour (received at the next "
                               "opening; no trip to the hall); the rest at the counter in office hours. A file "
                               "started ahead is needed at a handover in office hours either way")
    scale: Annotated[float, Field(gt=0, le=MAX_SCALE)] = Field(
        1.0, description="multiple of per_year (a policy that doubles demand says 2)")

    def month_weights(self) -> list[float]:
        w = self.by_month or [1.0] * 12
        total = sum(w)
        return [x / total for x in w]


class DocumentSet(StrictParams):
    required: Annotated[int, Field(ge=0, le=MAX_DOCUMENTS, strict=True)] = Field(description="documents required")
    p_missing: Prob = Field(description="chance that any one document is missing or wrong")
    minor_share: Prob = Field(0.0, description="chance that a missing document is minor enough for a pledge")


class Documents(DocumentRules, DocumentSet):
    """The documents handed in with the application, and the rules of every check."""


class Department(StrictParams):
    staff: PositiveCount = Field(description="staff who work this department's steps (one queue, first come first served)")


class Intake(StrictParams):
    department: Name = Field(description="the department whose window receives and checks applications")
    accept: Distribution = Field(description="window minutes to accept a complete application")


class Slot(StrictParams):
    """When a step's work can start: at a fixed time of its days, for a limited number
    of files, booked some working days ahead (a daily sign-off, a weekly meeting, an
    on-site inspection)."""

    every: Literal["day", "week"] = Field("day", description="every working day, or once a week")
    weekday: Optional[Weekday] = Field(None, description="every week: on this weekday (skipped when it is a day off)")
    at: Clock = Field(description="time of day, 'HH:MM', in office hours")
    capacity: Optional[PositiveCount] = Field(None, description="files per slot (null: all that are waiting)")
    lead_days: Count = Field(0, description="booked at least this many working days ahead (an inspection)")

    @model_validator(mode="after")
    def _weekday(self):
        if self.every == "week" and self.weekday is None:
            raise ValueError("a weekly slot needs its weekday")
        if self.every == "day" and self.weekday is not None:
            raise ValueError("weekday is for weekly slots (every: week)")
        return self


class Rework(StrictParams):
    p: Prob = Field(description="chance the step finds a problem the applicant must put right (a failed inspection)")
    fix_days: Distribution = Field(description="working days the applicant takes to put it right; then the step runs again")


class Step(StrictParams):
    department: Name = Field(description="department whose staff do the work")
    work: Distribution = Field(description="staff minutes of work (office hours; long work spans days)")
    after: Optional[list[Name]] = Field(
        None, description="steps that must be done first ([]: right after acceptance; null: the previous step)")
    enabled: bool = Field(True, description="false: the step is dropped (steps after it inherit what it waited for)")
    handover: Optional[Clock] = Field(
        None, description="files reach this step by a daily hand-over of paper files at this time; a proxy "
        "helper walks the file over at once; null: files arrive at once (electronic)")
    slot: Optional[Slot] = None
    visit_days: Optional[Distribution] = Field(
        None, description="the step needs the applicant in person (to sign or pay): they come this many working "
        "days after being called, a trip to the hall; a proxy helper goes instead")
    documents: Optional[DocumentSet] = Field(None, description="documents this step asks for and checks")
    prepare_days: Optional[Distribution] = Field(
        None, description="working days the applicant's own people (consultants, design institutes) take to "
        "prepare this step's technical documents once the step is reached (an environmental report, drawings); "
        "then they hand them in: a trip, unless online or a proxy helper carries them. A helper cannot shorten "
        "the preparation itself")
    delay_days: Optional[Distribution] = Field(
        None, description="working days the step takes after its work without staff (expert review, publicity)")
    rework: Optional[Rework] = None


class Handover(StrictParams):
    mode: Literal["in_person", "mail", "on_the_spot", "with_keys"] = Field(
        description="certificate collected in person, mailed, handed over at once, or handed over with the keys "
        "(交房即交证): on the day the applicant needs it if the certificate is ready by then, else when it is")
    collect_days: Optional[Distribution] = Field(
        None, description="in_person: working days from 'ready' until the applicant collects it")
    mail_days: Optional[Distribution] = Field(None, description="mail: calendar days in the post")
    ahead_days: NonNeg = Field(
        0.0, description="with_keys: the file is started (the developer files for the buyer) this many working "
        "days before the keys are handed over; lead times, readiness and lateness count from the keys. Other "
        "modes: not used (a file starts when it is handed in)")


class Promise(StrictParams):
    days: Count = Field(description="promised time limit (承诺时限), working days from the day of acceptance "
                        "(not counted) to the day of issue (counted)")
    clock: Literal["acceptance"] = Field(
        "acceptance", description="where the promise's clock starts: acceptance (受理), as the law counts "
        "licensing and registration limits (行政许可法 art. 42; 不动产登记暂行条例 art. 20), not receipt")


class Proxy(StrictParams):
    helpers: PositiveCount = Field(description="proxy helpers (帮办代办)")
    uptake: Prob = Field(description="share of applications that use a helper")
    assemble: Distribution = Field(description="helper minutes to assemble and pre-check all documents of an application")
    fix_days: Distribution = Field(description="working days for a helper to obtain the documents found missing")
    walk: Distribution = Field(description="helper minutes to carry a file to a step that takes paper hand-overs")


class LicenceParams(StrictParams):
    calendar: WorkingCalendar
    arrivals: Arrivals
    departments: Annotated[dict[Name, Department], Field(min_length=1)]
    intake: Intake
    documents: Documents
    steps: dict[Name, Step] = Field(description="in order; each runs after the previous one unless 'after' says otherwise")
    handover: Handover
    promise: Promise
    proxy: Optional[Proxy] = Field(None, description="proxy helpers; omit or null for none")
    stress: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=list, description="demand multiples also run to see the promise as demand grows ([1.5, 2])")
    follow_up_days: Annotated[int, Field(ge=1, le=2000, strict=True)] = Field(
        250, description="working days after the run's days during which counted applications are followed to "
        "hand-over (applications keep arriving)")

    def filed_ahead_days(self) -> float:
        """Working days a file is started before it is needed: handover.ahead_days with the keys, else 0."""
        return self.handover.ahead_days if self.handover.mode == "with_keys" else 0.0

    # -- the step graph ------------------------------------------------------------
    def enabled_steps(self) -> list[str]:
        return [n for n, s in self.steps.items() if s.enabled]

    def dependencies(self) -> dict[str, list[str]]:
        """Enabled step -> the enabled steps it waits for (through dropped ones)."""
        names = list(self.steps)
        direct = {n: (s.after if s.after is not None else names[i - 1:i]) for i, (n, s) in enumerate(self.steps.items())}

        def resolve(name, seen=()):
            out = []
            for d in direct[name]:
                if d in seen or d not in self.steps:
                    continue
                if self.steps[d].enabled:
                    out.append(d)
                else:
                    out.extend(resolve(d, seen + (name,)))
            return list(dict.fromkeys(out))

        return {n: resolve(n) for n in self.enabled_steps()}

    def step_order(self) -> list[str]:
        """Enabled steps in an order where each comes after what it waits for."""
        deps, done, out = self.dependencies(), set(), []
        while len(out) < len(deps):
            ready = [n for n in deps if n not in done and all(d in done for d in deps[n])]
            if not ready:
                raise ValueError("the steps wait for each other in a circle")
            for n in ready:
                done.add(n)
                out.append(n)
        return out

    def cross_check(self) -> list[tuple[tuple, str]]:
        issues: list[tuple[tuple, str]] = []
        hours = self.calendar.hours
        if self.intake.department not in self.departments:
            issues.append((("intake", "department"), f"no department named '{self.intake.department}'"))
        for name, s in self.steps.items():
            if s.department not in self.departments:
                issues.append((("steps", name, "department"), f"no department named '{s.department}'"))
            for i, d in enumerate(s.after or []):
                if d not in self.steps:
                    issues.append((("steps", name, "after", i), f"no step named '{d}'"))
                elif d == name:
                    issues.append((("steps", name, "after", i), "a step cannot wait for itself"))
            if s.handover is not None and not hours.is_open(s.handover):
                issues.append((("steps", name, "handover"), "the hand-over must be in office hours"))
            if s.slot is not None:
                if not hours.is_open(s.slot.at):
                    issues.append((("steps", name, "slot", "at"), "the slot must be in office hours"))
                if s.slot.every == "week" and s.slot.weekday in self.calendar.weekend:
                    issues.append((("steps", name, "slot", "weekday"), f"{s.slot.weekday} is a weekend day"))
        if not issues:
            try:
                self.step_order()
            except ValueError as exc:
                issues.append((("steps",), str(exc)))
        h = self.handover
        if h.mode == "in_person" and h.collect_days is None:
            issues.append((("handover", "collect_days"), "collecting in person needs collect_days"))
        if h.mode == "mail" and h.mail_days is None:
            issues.append((("handover", "mail_days"), "mailing needs mail_days"))
        top = self.arrivals.scale * max([1.0] + list(self.stress))
        if top > MAX_SCALE + 1e-9:
            issues.append((("stress",), f"demand up to {top:g} times per_year: at most {MAX_SCALE:g}"))
        if self.arrivals.by_month is not None and not any(self.arrivals.by_month):
            issues.append((("arrivals", "by_month"), "at least one month needs applications"))
        return issues
