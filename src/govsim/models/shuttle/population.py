"""The campaign's job seekers, every one drawn before the first vehicle moves.

Sign-ups come from the townships alone (a Poisson number a day at the campaign
profile's rate, uniform within the sign-up hours, plus the preregistered on the
first day), so the whole population can be drawn up front, and every policy meets
the same seekers (common random numbers).

A seeker's identity is their township, how they came (``signup`` during the
campaign or ``preregistered``) and their index among those in order of sign-up:
``t01:5``, ``t01:pre0``.  Each attribute has its own stream, named after what it
is and whose it is, with one draw per seeker:

- ``seeker:shows:<who>``, ``seeker:patience:<who>``
- ``seeker:choice:<who>:<group>#<i>``: a preference key per employer, keyed by
  the employer's group name and index within the group (``#0`` too when the group
  has one, so that raising a count keeps the first ones' keys): an employer added
  to the park adds streams and shifts none
- ``seeker:<walk|interview|intention|try_another>:<who>:visit<v>``: the walk,
  interview minutes and luck of the v-th visit, whichever employer it is at

``<who>`` is the township, or ``preregistered:<township>``.  Distributions turn
uniforms into values by their inverse (``quantile_fn``), so the uniforms are drawn
whether or not the params give a distribution (patience).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ...calendar import DAY
from ...rng import Streams
from .params import Park, ShuttleParams

SIGNUP, PREREGISTERED = "signup", "preregistered"
WAITING = "waiting"


@dataclass(frozen=True)
class Employer:
    id: str  # "<group>#<i>": the stable identity its draws are keyed by
    group: str
    weight: float
    p_intention: float
    recruiters: int


def employers(park: Park) -> list[Employer]:
    """The park's employers, one per ``count`` of each group."""
    return [Employer(f"{name}#{i}", name, g.attractiveness, g.p_intention, g.recruiters)
            for name, g in park.employers.items() for i in range(g.count)]


@dataclass
class Seeker:
    sid: int  # 1-based, in order of sign-up
    key: str  # "t01:5", "t01:pre0"
    township: str
    t_signup: float
    shows: bool
    patience: float  # minutes
    choices: list[int]  # employers (index into ``employers(park)``) in the order the seeker would visit them
    walk: list[float]  # per visit: minutes from the drop-off or the last gate
    interview: list[float]  # per visit: minutes of the interview
    u_intent: list[float]  # per visit: an intention when below the employer's p_intention
    u_try: list[float]  # per visit: tries another when below park.try_another
    # what became of them, filled in by the campaign
    t_listed: float = math.nan  # on the pickup list (central pooling: after the seeker's own trip there)
    status: str = WAITING
    t_resolved: float = math.nan  # struck off (no-show, gave up)
    trip: int = -1
    t_board: float = math.nan
    t_park: float = math.nan
    t_gate: float = math.nan  # at the first employer's gate (下车门入厂门)
    interviews: int = 0
    interview_waits: list = field(default_factory=list)  # minutes before each interview
    intention: bool = False

    @property
    def case(self) -> str:
        """The seeker's case id in the event log."""
        return f"seeker:{self.key}"


def signup_times(params: ShuttleParams, streams: Streams, days: int) -> list[tuple[str, str, np.ndarray]]:
    """(township, how they came, sorted sign-up minutes) for every township."""
    lo, hi = params.signups.hours
    weights = params.signups.day_weights(days)
    out = []
    for name, town in params.townships.items():
        gen = streams.get(f"signup:{name}")
        times = []
        for day in range(days):
            n = gen.poisson(town.signups_per_day * weights[day]) if town.signups_per_day > 0 else 0
            times.append(np.sort(day * DAY + lo + (hi - lo) * gen.random(n)))
        pre = streams.get(f"signup:preregistered:{name}").random(town.preregistered)
        out.append((name, PREREGISTERED, np.sort(lo + (hi - lo) * pre)))
        out.append((name, SIGNUP, np.concatenate(times)))
    return out


def draw_population(params: ShuttleParams, streams: Streams, days: int,
                    signups: Optional[list[tuple[str, float]]] = None) -> list[Seeker]:
    """Every seeker of the campaign with all their attributes, in order of sign-up.
    ``signups``: [(township, minute), ...] instead of the random sign-ups (exact tests;
    all count as ``signup``; ties in time keep the order given)."""
    ordered = sorted(signups, key=lambda x: x[1]) if signups is not None else []
    if signups is None:
        cohorts = signup_times(params, streams, days)
    else:
        cohorts = [(t, SIGNUP, np.array([m for town, m in ordered if town == t], dtype=float))
                   for t in params.townships]
    emps = employers(params.park)
    visits = min(params.park.max_employers, len(emps))
    seekers = [s for town, how, times in cohorts for s in _cohort(params, streams, town, how, times, emps, visits)]
    if signups is None:
        seekers.sort(key=lambda s: s.t_signup)  # stable
    else:
        position, seen = {}, Counter()
        for i, (town, _) in enumerate(ordered):
            position[f"{town}:{seen[town]}"] = i
            seen[town] += 1
        seekers.sort(key=lambda s: position[s.key])
    for sid, s in enumerate(seekers, 1):
        s.sid = sid
    return seekers


def _cohort(params: ShuttleParams, streams: Streams, town: str, how: str, times: np.ndarray,
            emps: list[Employer], visits: int) -> list[Seeker]:
    """The seekers of one township who came one way, ``times`` in their order."""
    n = len(times)
    if n == 0:
        return []
    who = town if how == SIGNUP else f"{PREREGISTERED}:{town}"

    def uniforms(attribute: str, of: str = "") -> np.ndarray:
        return streams.get(f"seeker:{attribute}:{who}{of}").random(n)

    park = params.park
    shows = uniforms("shows") < params.seekers.show_up
    patience = _values(params.seekers.patience_days, uniforms("patience"), DAY, missing=math.inf)
    # the order of employers a seeker would visit: weighted sampling without replacement
    # by attractiveness (Efraimidis-Spirakis keys), one key per seeker and employer
    u = np.column_stack([uniforms("choice", f":{e.id}") for e in emps])
    keys = -np.log1p(-u) / np.array([e.weight for e in emps])
    order = np.argsort(keys, axis=1, kind="stable")[:, :visits].tolist()
    visit = [f":visit{v}" for v in range(1, visits + 1)]
    walk = np.column_stack([_values(park.walk_min, uniforms("walk", v)) for v in visit]).tolist()
    interview = np.column_stack([_values(park.interview_min, uniforms("interview", v)) for v in visit]).tolist()
    u_int = np.column_stack([uniforms("intention", v) for v in visit]).tolist()
    u_try = np.column_stack([uniforms("try_another", v) for v in visit]).tolist()
    tag = "" if how == SIGNUP else "pre"
    return [Seeker(0, f"{town}:{tag}{j}", town, float(times[j]), bool(shows[j]), float(patience[j]), order[j],
                   walk[j], interview[j], u_int[j], u_try[j]) for j in range(n)]


def _values(dist, u: np.ndarray, scale: float = 1.0, missing: float = math.nan) -> np.ndarray:
    """Inverse-transform ``u`` through ``dist`` (times ``scale``); ``missing`` where there is none."""
    if dist is None:
        return np.full(len(u), missing)
    q = dist.quantile_fn()
    return np.fromiter((q(x) for x in u.tolist()), float, len(u)) * scale
