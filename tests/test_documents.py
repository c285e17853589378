"""govsim.documents: the gaps of an application and what a check does with them:
one-time notice lists every gap at once, one at a time finds one per visit; a pledge
accepts minor gaps only."""
from __future__ import annotations

import numpy as np
import pytest

from govsim.documents import ACCEPTED, PLEDGED, REJECTED, check, clear, draw_gaps, gaps, nested_gaps
from govsim.stats import t_interval


def visits(major, minor, covered, notice, pledge):
    """Checks until the application passes: the outcomes in order."""
    outcomes = []
    while not outcomes or outcomes[-1] == REJECTED:
        outcomes.append(check(major, minor, covered, notice, pledge))
        assert len(outcomes) < 100
    return outcomes


def test_gaps_and_clear_look_only_at_the_covered_sets():
    major, minor = [2, 0, 1], [1, 3, 0]
    assert gaps(major, minor, range(0, 2)) == 6 and gaps(major, minor, range(2, 3)) == 1
    clear(major, minor, range(0, 2))
    assert (major, minor) == ([0, 0, 1], [0, 0, 0])


def test_no_gaps_is_accepted_first_time():
    major, minor = [0, 0], [0, 0]
    assert visits(major, minor, range(2), "one_at_a_time", False) == [ACCEPTED]


def test_one_time_notice_lists_every_gap_at_once():
    major, minor = [2, 1, 4], [1, 0, 2]
    assert visits(major, minor, range(2), "one_time", False) == [REJECTED, ACCEPTED]
    assert (major, minor) == ([0, 0, 4], [0, 0, 2])  # the set not checked keeps its gaps


def test_one_at_a_time_finds_one_gap_per_visit_majors_first():
    major, minor = [1, 0], [1, 2]
    order = []
    while check(major, minor, range(2), "one_at_a_time", False) == REJECTED:
        order.append((list(major), list(minor)))
    assert order == [([0, 0], [1, 2]), ([0, 0], [0, 2]), ([0, 0], [0, 1]), ([0, 0], [0, 0])]
    assert len(order) == 4  # a visit per gap, and the fifth passes


def test_a_pledge_accepts_minor_gaps_only():
    major, minor = [0, 0, 0], [2, 1, 5]
    assert check(major, minor, range(2), "one_at_a_time", True) == PLEDGED
    assert (major, minor) == ([0, 0, 0], [0, 0, 5])  # supplied later; the unchecked set keeps its own
    major, minor = [1, 0], [2, 0]
    assert visits(major, minor, range(2), "one_at_a_time", True) == [REJECTED, PLEDGED]  # the major first
    major, minor = [1, 0], [2, 0]
    assert visits(major, minor, range(2), "one_time", True) == [REJECTED, ACCEPTED]  # all listed, all brought
    major, minor = [0, 0], [2, 0]
    assert visits(major, minor, range(2), "one_time", False) == [REJECTED, ACCEPTED]  # no pledge: a rejection


def test_nested_gaps_keep_the_gaps_of_the_documents_still_required():
    u_missing = np.array([[0.1, 0.9, 0.2, 0.05], [0.8, 0.8, 0.8, 0.01]])
    u_minor = np.array([[0.5, 0.1, 0.05, 0.9], [0.0, 0.0, 0.0, 0.2]])
    major, minor = nested_gaps(u_missing, u_minor, 4, 0.3, 0.3)
    assert major.tolist() == [2, 0] and minor.tolist() == [1, 1]
    major, minor = nested_gaps(u_missing, u_minor, 2, 0.3, 0.3)  # a policy requiring two documents fewer
    assert major.tolist() == [1, 0] and minor.tolist() == [0, 0]
    with pytest.raises(ValueError, match="at most 4 documents"):
        nested_gaps(u_missing, u_minor, 5, 0.3, 0.3)


def test_drawn_gaps_have_the_binomial_means():
    """Missing documents ~ Binomial(documents, p); minor among them ~ share: means within their 95% CI."""
    documents, p, share = 6, 0.2, 0.4
    major, minor = draw_gaps(np.random.default_rng(2024), documents, p, share, 4000)
    assert (major >= 0).all() and (minor >= 0).all() and (major + minor <= documents).all()
    _, lo, hi, _ = t_interval(major + minor)
    assert lo <= documents * p <= hi
    _, lo, hi, _ = t_interval(minor)
    assert lo <= documents * p * share <= hi
