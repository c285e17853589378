"""Documents an application needs, the gaps in them, and what a check does with the gaps.

Shared by the service hall (a window checks a visitor's documents) and the licence
model (the intake window and the departments check an application's documents).

An application holds, for each set of documents checked separately (a department
of a "one thing" bundle, the intake, a step of a licence), a count of *major* gaps
and a count of *minor* gaps (minor enough to accept against a written pledge,
告知承诺 / 容缺受理).  A check covers some of those sets and either accepts the
application, accepts it on a pledge, or rejects it, listing every gap at once
(one-time notice, 一次性告知) or the first one it finds.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .distributions import Distribution

ACCEPTED, PLEDGED, REJECTED = "accepted", "pledged", "rejected"


class Documents(BaseModel):
    """The rules of a document check: how gaps are notified, pledges, the minutes of a rejection, the days to come back."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    notice: Literal["one_time", "one_at_a_time"] = Field(
        description="gaps listed all at once, or found one per visit")
    pledge: bool = Field(False, description="accept minor gaps against a written pledge")
    check: Distribution = Field(description="window minutes of a visit that ends in a rejection")
    return_days: Distribution = Field(description="working days until the visitor comes back with documents")


def draw_gaps(gen: np.random.Generator, documents: int, p_missing: float, minor_share: float,
              size) -> tuple[np.ndarray, np.ndarray]:
    """(major, minor) gap counts of ``size`` document sets of ``documents`` documents,
    each missing with ``p_missing``, a missing one minor with ``minor_share``."""
    missing = gen.binomial(documents, p_missing, size)
    minor = gen.binomial(missing, minor_share)
    return missing - minor, minor


def nested_gaps(u_missing: np.ndarray, u_minor: np.ndarray, documents: int, p_missing: float,
                minor_share: float) -> tuple[np.ndarray, np.ndarray]:
    """(major, minor) gap counts from per-document uniforms (one row per application,
    one column per document).  Document ``i`` is missing when ``u_missing[:, i] <
    p_missing``, and then minor when ``u_minor[:, i] < minor_share``, so that a
    shorter list of required documents keeps the same gaps in the documents it
    still requires: policies that cut documents are compared on the same applicants."""
    if documents > u_missing.shape[1]:
        raise ValueError(f"at most {u_missing.shape[1]} documents per set")
    missing = u_missing[:, :documents] < p_missing
    minor = missing & (u_minor[:, :documents] < minor_share)
    return (missing & ~minor).sum(axis=1), minor.sum(axis=1)


def gaps(major: list[int], minor: list[int], covered: range) -> int:
    return sum(major[i] + minor[i] for i in covered)


def clear(major: list[int], minor: list[int], covered: range) -> None:
    """Every gap in the covered sets filled (the applicant or a helper brought them)."""
    for i in covered:
        major[i] = minor[i] = 0


def check(major: list[int], minor: list[int], covered: range, notice: str, pledge: bool) -> str:
    """Check the covered document sets and update the gap counts as the applicant
    will have them on the next visit.

    - no gaps: ``ACCEPTED``;
    - only minor gaps and pledges allowed: ``PLEDGED`` (accepted; the gaps are
      supplied later, off the application's path);
    - otherwise ``REJECTED``: with ``one_time`` notice every gap is listed and will be
      brought back at once; with ``one_at_a_time`` only the first one found (major
      gaps are found before minor ones within a set).
    """
    if not gaps(major, minor, covered):
        return ACCEPTED
    if pledge and not any(major[i] for i in covered):
        for i in covered:
            minor[i] = 0
        return PLEDGED
    if notice == "one_time":
        clear(major, minor, covered)
    else:
        i = next(i for i in covered if major[i] + minor[i])
        if major[i]:
            major[i] -= 1
        else:
            minor[i] -= 1
    return REJECTED
