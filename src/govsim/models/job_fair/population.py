"""Every random attribute of the campaign's people, drawn before anything happens.

Each attribute has its own stream, named after what it is and whose it is, holding one
U(0,1) value per pool member (person ``i`` of a township is the ``i``-th value):

- ``pool:fit:<township>``: each person's fit (their chance that one talk ends in an
  intention), through the Beta quantile;
- for each fair, ``fair:<township>:<n>:<walk_in|contact|comes|arrival|booths|balk|patience>``
  (``n``: the township's fair number): whether they walk in, their key for the cadres'
  list, whether they come when asked, when they arrive, how many booths they mean to
  try, the queue that puts them off and how long they queue;
- for each fair and booth, ``fair:<township>:<n>:booth:<kind>#<j>:<order|talk|intention>``
  (``j``: the booth's place within its kind): the key that ranks the booth in the
  person's plan, the minutes of a talk there and the luck of that talk.

So a booth, a kind of booth or an option that a policy adds brings its own streams and
shifts no other draw, and a person's values never depend on who else comes.  Uniforms
become values through each distribution's quantile function (inverse transform): a
policy that changes a distribution moves every person's value the same way.

The draws depend on the params and the stream names only, never on what happened at
earlier fairs, so drawing a fair's uniforms just before it is the same as drawing
them at the start.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...rng import Streams
from .params import JobFairParams

PERSON = ("walk_in", "contact", "comes", "arrival", "booths", "balk", "patience")
PER_BOOTH = ("order", "talk", "intention")


def booth_names(params: JobFairParams) -> list[str]:
    """Every booth at a fair, ``<kind>#<j>``, in the order of the booth indices."""
    return [f"{kind}#{j}" for kind, b in params.booths.items() for j in range(b.count)]


def booth_kinds(params: JobFairParams) -> list[str]:
    return [kind for kind, b in params.booths.items() for _ in range(b.count)]


def draw_fits(params: JobFairParams, streams: Streams) -> dict[str, np.ndarray]:
    """Each pool member's fit, by township."""
    fit = params.visitors.fit
    return {t: fit.quantile(streams.get(f"pool:fit:{t}").random(spec.pool)) for t, spec in params.townships.items()}


@dataclass(frozen=True)
class FairDraws:
    """The uniforms of every pool member of one fair's township."""

    name: str  # fair:<township>:<n>
    person: dict[str, np.ndarray]  # attribute -> one value per pool member
    booth: dict[str, np.ndarray]  # attribute -> (pool members, booths): a column per booth of booth_names


def draw_fair(params: JobFairParams, streams: Streams, township: str, n: int) -> FairDraws:
    size = params.townships[township].pool
    name = f"fair:{township}:{n}"
    person = {a: streams.get(f"{name}:{a}").random(size) for a in PERSON}
    booths = booth_names(params)
    booth = {a: np.empty((size, len(booths))) for a in PER_BOOTH}
    for col, b in enumerate(booths):
        for a in PER_BOOTH:
            booth[a][:, col] = streams.get(f"{name}:booth:{b}:{a}").random(size)
    return FairDraws(name, person, booth)


@dataclass(frozen=True)
class Visitors:
    """The attendees of one fair with their values, one entry per attendee (in the
    order of ``who``); booths are indices into ``booth_names``."""

    who: np.ndarray  # pool index
    mobilised: np.ndarray  # came because the cadres asked (and would not have walked in)
    arrival: np.ndarray  # minutes after midnight
    plan: list[list[int]]  # the booths they will try, in their order
    talk_min: list[list[float]]  # minutes of a talk at each booth of the plan
    intends: list[list[bool]]  # whether a talk at each booth of the plan ends in an intention
    balk_over: np.ndarray  # passes a booth by with more than this many waiting
    patience_min: np.ndarray  # queues this long at a booth before giving up on it


def visitors(params: JobFairParams, draws: FairDraws, fit: np.ndarray, who: np.ndarray,
             mobilised: np.ndarray) -> Visitors:
    """The values of the attendees ``who`` (pool indices) from their uniforms."""
    v = params.visitors
    kinds = [params.booths[k] for k in booth_kinds(params)]
    attract = np.array([b.attractiveness for b in kinds])
    factor = np.array([b.fit_factor for b in kinds])
    pu = {a: u[who] for a, u in draws.person.items()}
    bu = {a: u[who] for a, u in draws.booth.items()}
    planned = np.clip(np.rint(quantiles(v.booths, pu["booths"])), 1, len(kinds)).astype(int)
    # weighted sampling without replacement (Efraimidis-Spirakis keys): the order of
    # preference ranks each booth by its own exponential key over its attractiveness
    order = np.argsort(-np.log1p(-bu["order"]) / attract, axis=1, kind="stable")
    success = bu["intention"] < np.minimum(1.0, fit[who][:, None] * factor[None, :])
    talk = v.talk_min.quantile_fn()
    plans, talks, intends = [], [], []
    for r in range(len(who)):
        plan = order[r, :planned[r]]
        plans.append(plan.tolist())
        talks.append([talk(u) for u in bu["talk"][r, plan].tolist()])
        intends.append(success[r, plan].tolist())
    return Visitors(who, mobilised, arrival_minutes(params.fairs.segments(), pu["arrival"]), plans, talks, intends,
                    quantiles(v.balk_over, pu["balk"]), quantiles(v.patience_min, pu["patience"]))


def quantiles(dist, u: np.ndarray) -> np.ndarray:
    q = dist.quantile_fn()
    return np.fromiter((q(x) for x in u.tolist()), float, len(u))


def arrival_minutes(segments: list[tuple[float, float, float]], u: np.ndarray) -> np.ndarray:
    """Minutes after midnight from uniforms, by the inverse of the piecewise-uniform
    arrival profile through the fair (``Fairs.segments``)."""
    share = np.array([s[2] for s in segments])
    cum = np.cumsum(share)
    cum[-1] = 1.0
    seg = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
    lo = np.array([s[0] for s in segments])[seg]
    hi = np.array([s[1] for s in segments])[seg]
    start = np.concatenate([[0.0], cum[:-1]])[seg]
    return lo + (hi - lo) * np.clip((u - start) / share[seg], 0.0, 1.0)
