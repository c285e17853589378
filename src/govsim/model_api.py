"""The contract every model kind fulfils, in one place that imports no plotting.

A model kind is a subclass of :class:`Model` that fills in its class attributes and
``simulate``; ``govsim.models`` lists it in one line.  Everything the rest of govsim
asks of a model is an attribute here, with a default, so nothing is probed with
``getattr`` and a conformance test (``tests/test_model_api.py``) checks every
registered model, present or future.

Also here, because models and the report both need them and neither should import
the other: the figure specs (what a model asks the report to draw), the pydantic
aliases the params modules share, and :class:`Trace`, the event log of one replication.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar, Optional, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .calendar import DAY

Row = tuple[str, str, float]  # (scope, metric, value)
Problem = tuple[tuple, str]  # (path under the scenario, message)

# -- the aliases params modules share --------------------------------------------------
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$", max_length=64)]
Prob = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0, strict=True)]  # zero allowed: "none of these"
PositiveCount = Annotated[int, Field(ge=1, strict=True)]  # at least one
Positive = Annotated[float, Field(gt=0)]
NonNeg = Annotated[float, Field(ge=0)]


class StrictParams(BaseModel):
    """Base of every params block: unknown keys refused, values frozen once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# -- what a model asks the report to draw ---------------------------------------------
@dataclass(frozen=True)
class Breakdown:
    """A metric by scope (bars grouped by scope), e.g. utilisation by station."""

    metric: str
    prefixes: tuple[str, ...]  # scopes starting with any of these; an exact scope name also matches
    name: str


@dataclass(frozen=True)
class Profile:
    """A metric along ordered scopes, e.g. the queue through the day ("hour:09:00")."""

    metric: str
    prefix: str
    name: str
    xlabel: str
    xlabel_zh: str = ""  # the x axis in Chinese; else the model's phrases_zh, else xlabel


@dataclass(frozen=True)
class Stacked:
    """Several metrics that add up (e.g. waiting, working and other time per step),
    stacked over scopes: one panel per policy."""

    metrics: tuple[str, ...]
    prefixes: tuple[str, ...]
    name: str


FigureSpec = Union[Breakdown, Profile, Stacked]


# -- the event log ---------------------------------------------------------------------
START, COMPLETE = "start", "complete"
TRACE_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "time:minutes",
                 "lifecycle:transition", "org:resource")
# where a model has no calendar, minute 0 of the run is shown as this date-time (a Monday)
NOMINAL_START = datetime(2022, 1, 3)


class Trace:
    """The events of one replication, for process-mining tools: one row per event of a
    case (``case``: its identity; ``activity``: what happened; ``minutes``: when, from the
    run's start; ``transition``: start or complete; ``resource``: who or what did it).

    Models call ``add`` only where a trace was asked for (``if trace is not None``), so
    a run without ``--trace`` pays nothing.  ``clock`` turns a model's minutes into a
    real date-time where the model has a calendar."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, str, str]] = []

    def add(self, case: str, activity: str, minutes: float, transition: str = COMPLETE, resource: str = "") -> None:
        self.rows.append((case, activity, float(minutes), transition, resource))

    def count(self, activity: str, transition: str = COMPLETE) -> int:
        return sum(1 for r in self.rows if r[1] == activity and r[3] == transition)


# -- the model ----------------------------------------------------------------------------
class Model:
    """A model kind.  Subclass it, fill in the class attributes, write ``simulate``.

    ``simulate(params, streams, run, trace)`` runs one replication and returns rows of
    ``(scope, metric, value)``; ``run`` has ``horizon``/``warmup`` in minutes and
    ``days``/``warmup_days``; ``trace`` is a :class:`Trace` to fill, or None.
    Random numbers come only from ``streams`` (``govsim.rng.Streams``), one stream per
    attribute, keyed by stable names, drawn whether or not a policy uses them.
    """

    name: ClassVar[str]
    description: ClassVar[str]  # one line, for `govsim models`
    params_model: ClassVar[type[BaseModel]]
    metrics: ClassVar[tuple[str, ...]]  # every metric it reports (baselines are checked against it)
    key_metrics: ClassVar[tuple[str, ...]]  # shown first, one chart each
    figures: ClassVar[tuple[FigureSpec, ...]] = ()  # breakdowns, profiles and stacked parts
    runs_in_days: ClassVar[bool] = False  # True: needs run.days (and warmup_days), not minutes
    # display text of its own metrics and scope kinds; the common vocabulary is in govsim.labels
    labels: ClassVar[dict[str, tuple[str, str]]] = {}  # metric: (English label, unit)
    labels_zh: ClassVar[dict[str, tuple[str, str]]] = {}  # metric: (Chinese label, unit)
    scope_kinds: ClassVar[dict[str, tuple[str, str]]] = {}  # kind: (English, Chinese)
    # Chinese names of scopes the model makes itself, which no labels: block can name
    # (its own banks, "back_office", "matters:general"); English readers see the identifier
    scope_names_zh: ClassVar[dict[str, str]] = {}
    phrases_zh: ClassVar[dict[str, str]] = {}  # English axis phrase: Chinese
    # metrics that may be below zero (a net change, a balance).  Every other metric is a count,
    # a time, a rate, a cost or a share, never negative: its interval stops at zero
    signed_metrics: ClassVar[frozenset[str]] = frozenset()
    # which way is better for its own metrics: "lower", "higher" or "neither" (say, utilisation);
    # the report's badges say better / worse from it.  Common metrics' directions are in govsim.labels
    directions: ClassVar[dict[str, str]] = {}
    # activities that end a case in the event log, completed (a case whose last event is
    # another is still open at the end of the run): for the warm-up series, `govsim warmup`
    final_activities: ClassVar[tuple[str, ...]] = ("leave",)
    # events a case logs after it has left the service (the hall's answer from a home
    # region): the warm-up series does not count them as time the case is open
    after_service_activities: ClassVar[tuple[str, ...]] = ()
    # the report's account of its logic: a string or {"en": ..., "zh": ...}; default: the package docstring
    report_text: ClassVar[Union[str, dict, None]] = None

    def warnings(self, params: Any, run, lang: str = "en") -> list[str]:
        """What makes a policy's results hard to read, known before it runs (one line each in
        ``lang``, shown even with --quiet): say, a station offered more work than it can do."""
        return []

    def check_run(self, run) -> list[Problem]:
        """Problems with run settings this model cannot use."""
        if self.runs_in_days and run.days is None:
            return [(("run",), f"the {self.name} model runs in working days: give run.days (and warmup_days)")]
        return []

    def simulate(self, params: Any, streams, run, trace: Optional[Trace] = None) -> list[Row]:
        raise NotImplementedError

    def forget(self) -> None:
        """Let go of what the model keeps from one replication to the next (the hall keeps
        a replication's visitors for its other policies): the runner calls it when a study
        run in its own process ends."""

    def run(self, params: Any, streams, run, trace: Optional[Trace] = None) -> list[Row]:
        """One replication: ``simulate`` (kept as the one entry point the runner calls)."""
        return self.simulate(params, streams, run, trace)

    def day_starts(self, params: Any, days: int) -> np.ndarray:
        """When each of days 0 .. ``days`` begins in the event log's minutes (the last: the
        end of the run), for a per-day warm-up series; a model logging on a calendar of its
        own (the licence's office clock) says where its working days fall."""
        return np.arange(days + 1, dtype=float) * DAY

    def clock(self, params: Any) -> Optional[callable]:
        """Minutes from the run's start -> a real date-time, where the model has a calendar."""
        return None

    def logic_text(self, lang: str) -> tuple[str, bool]:
        """The model's account of its logic in ``lang``, and whether it is in that language:
        ``report_text`` (a string, or one per language), else its module's docstring."""
        given = self.report_text
        if isinstance(given, dict):
            if given.get(lang):
                return given[lang], True
            given = given.get("en")
        if isinstance(given, str) and given.strip():
            return given, lang == "en"
        module = inspect.getmodule(type(self))
        return (module.__doc__ if module else None) or type(self).__doc__ or "", lang == "en"


def nominal_clock(minutes: float) -> datetime:
    """A model without a calendar: minute 0 is NOMINAL_START."""
    return NOMINAL_START + timedelta(minutes=float(minutes))
