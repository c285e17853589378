"""Exact checks of govsim.queueing against hand-computed and textbook values,
and of the formulas against each other in their limiting cases."""
import math

import numpy as np
import pytest
from scipy import linalg, stats

from govsim import queueing as q


# ----------------------------------------------------------------------------- M/M/1

def test_mm1_at_half_load():
    r = q.mm1(0.5, 1.0)
    assert r.rho == 0.5
    assert r.Wq == pytest.approx(1.0)  # (1/mu) rho / (1 - rho)
    assert r.W == pytest.approx(2.0)
    assert r.Lq == pytest.approx(0.5)  # rho^2 / (1 - rho)
    assert r.L == pytest.approx(1.0)


def test_mm1_scales_with_time_unit():
    # service mean 2 min, arrivals every 2.5 min: rho = 0.8, Wq = 2 * 0.8 / 0.2 = 8
    r = q.mm1(1 / 2.5, 1 / 2)
    assert r.Wq == pytest.approx(8.0)
    assert r.Lq == pytest.approx(r.Wq / 2.5)  # Little


def test_mm1_rejects_overload():
    with pytest.raises(ValueError):
        q.mm1(1.0, 1.0)


# ----------------------------------------------------------------------------- Erlang B / C

def test_erlang_b_textbook_values():
    assert q.erlang_b(0, 3.0) == 1.0
    assert q.erlang_b(1, 1.0) == pytest.approx(0.5)  # a / (1 + a)
    assert q.erlang_b(2, 1.0) == pytest.approx(0.2)  # (a^2/2) / (1 + a + a^2/2)
    # direct sum for a moderate case
    c, a = 10, 7.0
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    assert q.erlang_b(c, a) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


def test_erlang_c_textbook_values():
    assert q.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # c = 1: the probability of waiting is rho
    assert q.erlang_c(1, 0.7) == pytest.approx(0.7)
    # direct formula for c = 5, a = 4.25
    c, a = 5, 4.25
    top = a**c / math.factorial(c) * c / (c - a)
    direct = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    assert q.erlang_c(c, a) == pytest.approx(direct, rel=1e-12)


def test_mmc_with_one_server_is_mm1():
    a, b = q.mmc(0.7, 1.3, 1), q.mm1(0.7, 1.3)
    assert a.Wq == pytest.approx(b.Wq, rel=1e-12)
    assert a.Lq == pytest.approx(b.Lq, rel=1e-12)
    assert a.W == pytest.approx(b.W, rel=1e-12)


def test_mmc_two_servers_closed_form():
    # M/M/2: Lq = 2 rho^3 / (1 - rho^2)
    rho = 0.8
    r = q.mmc(2 * rho, 1.0, 2)
    assert r.Lq == pytest.approx(2 * rho**3 / (1 - rho**2), rel=1e-12)
    assert r.L == pytest.approx(2 * rho / (1 - rho**2), rel=1e-12)


def test_erlang_c_is_stable_for_hundreds_of_servers():
    for c in (100, 300, 500):
        a = 0.97 * c
        pw = q.erlang_c(c, a)
        assert 0 < pw < 1 and math.isfinite(pw)
        # against the log-space direct formula
        logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
        log_top = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
        mx = max(logs + [log_top])
        denom = sum(math.exp(x - mx) for x in logs) + math.exp(log_top - mx)
        assert pw == pytest.approx(math.exp(log_top - mx) / denom, rel=1e-9)


def test_mmc_wait_quantile():
    lam, mu, c = 4.25, 1.0, 5
    pw = q.erlang_c(c, lam / mu)
    t = q.mmc_wait_quantile(lam, mu, c, 0.9)
    assert pw * math.exp(-(c * mu - lam) * t) == pytest.approx(0.1)
    # light load: fewer than 10% wait, so the 90% quantile is 0
    assert q.mmc_wait_quantile(1.0, 1.0, 5, 0.9) == 0.0


def test_pooling_halves_and_more():
    r = q.pooling(1.6, 1.0, 2)  # two M/M/1 at rho 0.8 vs M/M/2 at rho 0.8
    assert r.separate.Wq == pytest.approx(4.0)
    # M/M/2: C = 2 rho^2 / (1 + rho), Wq = C / (2 mu - lam)
    assert r.pooled.Wq == pytest.approx((2 * 0.64 / 1.8) / 0.4)
    assert r.wq_ratio < 0.5


# ----------------------------------------------------------------------------- M/M/c/K

def test_mmck_with_no_waiting_room_is_erlang_b():
    for c, a in [(1, 0.5), (3, 2.0), (10, 12.0), (200, 190.0)]:
        r = q.mmck(a, 1.0, c, 0)
        assert r.p_block == pytest.approx(q.erlang_b(c, a), rel=1e-10)
        assert r.Lq == 0 and r.Wq == 0


def test_mm1k_closed_form():
    # M/M/1 with K waiting places = capacity N = K + 1: P(N) = (1 - rho) rho^N / (1 - rho^(N+1))
    rho, K = 0.9, 4
    N = K + 1
    r = q.mmck(rho, 1.0, 1, K)
    assert r.p_block == pytest.approx((1 - rho) * rho**N / (1 - rho ** (N + 1)), rel=1e-12)
    # and at rho = 1 all N + 1 states are equally likely
    r1 = q.mmck(1.0, 1.0, 1, K)
    assert r1.p_block == pytest.approx(1 / (N + 1))
    assert r1.Lq == pytest.approx(sum(range(N + 1)) / (N + 1) - (1 - 1 / (N + 1)))


def test_mmck_with_a_large_waiting_room_is_erlang_c():
    big, mmc = q.mmck(4.25, 1.0, 5, 2000), q.mmc(4.25, 1.0, 5)
    assert big.p_block < 1e-100
    assert big.Wq == pytest.approx(mmc.Wq, rel=1e-10)
    assert big.Lq == pytest.approx(mmc.Lq, rel=1e-10)
    assert big.p_wait == pytest.approx(mmc.p_wait, rel=1e-10)


def test_mmck_littles_law_and_utilisation():
    lam, mu, c, K = 3.3, 1.0, 3, 5
    r = q.mmck(lam, mu, c, K)
    n = np.arange(c + K + 1)
    assert r.utilisation == pytest.approx(np.sum(np.minimum(n, c) * r.probs) / c, rel=1e-12)
    assert r.L == pytest.approx(lam * (1 - r.p_block) * r.W, rel=1e-12)


# ----------------------------------------------------------------------------- M/G/1

def test_pk_with_exponential_service_is_mm1():
    assert q.mg1_wq(0.7, 1.0, scv=1.0) == pytest.approx(q.mm1(0.7, 1.0).Wq, rel=1e-12)
    assert q.mg1_wq(0.7, 1.0, second_moment=2.0) == pytest.approx(q.mm1(0.7, 1.0).Wq, rel=1e-12)


def test_pk_deterministic_is_half_of_exponential():
    assert q.mg1_wq(0.8, 1.0, scv=0.0) == pytest.approx(2.0)  # rho / (2 (1 - rho))
    assert q.mg1_wq(0.8, 1.0, scv=0.0) == pytest.approx(q.mg1_wq(0.8, 1.0, scv=1.0) / 2)


def test_pk_needs_exactly_one_variability_input():
    with pytest.raises(ValueError):
        q.mg1_wq(0.5, 1.0)
    with pytest.raises(ValueError):
        q.mg1_wq(0.5, 1.0, scv=1.0, second_moment=2.0)


# ----------------------------------------------------------------------------- priorities

def test_cobham_with_one_class_is_erlang_c_and_pk():
    assert q.priority_mmc_wq([4.25], 1.0, 5)[0] == pytest.approx(q.mmc(4.25, 1.0, 5).Wq, rel=1e-12)
    assert q.priority_mg1_wq([0.7], [1.0], [2.0])[0] == pytest.approx(q.mg1_wq(0.7, 1.0, scv=1.0), rel=1e-12)


def test_cobham_splitting_a_class_into_equal_priorities_conserves_work():
    # the rate-weighted mean wait over classes equals the FIFO wait (M/M/c, same mu)
    lams, mu, c = [0.3, 0.9, 0.5], 1.0, 2
    w = q.priority_mmc_wq(lams, mu, c)
    assert np.dot(lams, w) / sum(lams) == pytest.approx(q.mmc(sum(lams), mu, c).Wq, rel=1e-12)
    assert w[0] < w[1] < w[2]


def test_cobham_mmc_with_one_server_is_the_mg1_formula():
    lams = [0.2, 0.3, 0.25]
    a = q.priority_mmc_wq(lams, 1.0, 1)
    b = q.priority_mg1_wq(lams, [1.0] * 3, [2.0] * 3)
    assert a == pytest.approx(b, rel=1e-12)


def test_cobham_two_class_mm1_hand_value():
    # lam = (0.3, 0.5), mu = 1: W0 = 0.8, Wq1 = 0.8 / 0.7, Wq2 = 0.8 / (0.7 * 0.2)
    w = q.priority_mg1_wq([0.3, 0.5], [1.0, 1.0], [2.0, 2.0])
    assert w == pytest.approx([0.8 / 0.7, 0.8 / 0.14])


# ----------------------------------------------------------------------------- Erlang A

def test_erlang_a_two_ways_of_counting_abandonment_agree():
    for lam, mu, c, theta in [(5.5, 1.0, 5, 0.2), (0.9, 1.0, 1, 1.0), (48, 1 / 3, 150, 0.5), (2.0, 1.0, 3, 0.05)]:
        r = q.erlang_a(lam, mu, c, theta)
        assert r.p_abandon == pytest.approx(r.p_abandon_pasta, rel=1e-9, abs=1e-13)
        # flow balance: served + abandoned = arrivals
        assert lam * (1 - r.p_abandon) == pytest.approx(r.utilisation * c * mu, rel=1e-9)


def test_erlang_a_tends_to_erlang_c():
    r, ref = q.erlang_a(4.25, 1.0, 5, 1e-10), q.mmc(4.25, 1.0, 5)
    assert r.Wq_served == pytest.approx(ref.Wq, rel=1e-6)
    assert r.Lq == pytest.approx(ref.Lq, rel=1e-6)
    assert r.p_wait == pytest.approx(ref.p_wait, rel=1e-6)
    assert r.p_abandon < 1e-8


def test_erlang_a_with_patience_equal_to_service_is_infinite_server():
    # theta = mu: everyone present leaves at rate mu, so n ~ Poisson(lam / mu)
    lam, mu, c = 4.0, 1.0, 3
    r = q.erlang_a(lam, mu, c, mu)
    n = np.arange(len(r.probs))
    pois = stats.poisson.pmf(n, lam / mu)
    assert r.probs == pytest.approx(pois, abs=1e-12)
    assert r.Lq == pytest.approx(np.sum(np.maximum(n - c, 0) * pois), rel=1e-10)


def test_erlang_a_served_wait_against_an_absorbing_chain():
    """Independent check of the served-customer wait: the tagged customer's
    position in queue as an absorbing CTMC solved with matrices (fundamental
    matrix), rather than the closed-form product used by erlang_a."""
    lam, mu, c, theta = 3.2, 1.0, 3, 0.4
    r = q.erlang_a(lam, mu, c, theta)
    N = len(r.probs) - 1
    J = N - c  # largest position
    # transient states: positions 1..J; absorbing: served (position 0), abandoned
    Q = np.zeros((J, J))
    to_served = np.zeros(J)
    for j in range(1, J + 1):
        adv, ab = c * mu + (j - 1) * theta, theta
        Q[j - 1, j - 1] = -(adv + ab)
        if j > 1:
            Q[j - 1, j - 2] = adv
        else:
            to_served[0] = adv
    Nmat = linalg.inv(-Q)              # expected time spent in each transient state
    h = Nmat @ to_served               # P(served | start at j)
    t_served = Nmat @ h                # E[T 1{served} | start at j]
    p = r.probs[:-1]
    n = np.arange(N)
    served = p[n < c].sum() + sum(p[k] * h[k - c] for k in range(c, N))
    numer = sum(p[k] * t_served[k - c] for k in range(c, N))
    assert 1 - served == pytest.approx(r.p_abandon, rel=1e-9)
    assert numer / served == pytest.approx(r.Wq_served, rel=1e-9)
    # the served wait is shorter than the wait averaged over everyone who queued
    assert r.Wq_served < r.Wq_all / r.p_wait


def test_erlang_a_stationary_distribution_against_generator_null_space():
    lam, mu, c, theta, N = 2.5, 1.0, 2, 0.3, 60
    r = q.erlang_a(lam, mu, c, theta, n_max=N)
    G = np.zeros((N + 1, N + 1))
    for n in range(N + 1):
        if n < N:
            G[n, n + 1] = lam
        if n > 0:
            G[n, n - 1] = min(n, c) * mu + max(n - c, 0) * theta
        G[n, n] = -G[n].sum()
    pi = linalg.null_space(G.T)[:, 0]
    pi = pi / pi.sum()
    assert r.probs == pytest.approx(pi, abs=1e-12)


# ----------------------------------------------------------------------------- Jackson

def test_jackson_tandem_is_two_independent_queues():
    r = q.jackson([0.5, 0.0], [[0, 1], [0, 0]], [1.0, 2.0], [1, 1])
    assert r.lam == pytest.approx([0.5, 0.5])
    assert r.sojourn == pytest.approx(q.mm1(0.5, 1.0).W + q.mm1(0.5, 2.0).W)


def test_jackson_rework_loop():
    # a -> b -> {a: 0.25, exit: 0.75}: lam_a = lam_b = gamma / 0.75, 4/3 visits to each
    gamma = 1.05
    r = q.jackson([gamma, 0.0], [[0, 1], [0.25, 0]], [1.0, 2.0], [2, 1])
    assert r.lam == pytest.approx([1.4, 1.4])
    assert r.visits == pytest.approx([4 / 3, 4 / 3])
    assert r.rho == pytest.approx([0.7, 0.7])
    expected = 4 / 3 * (q.mmc(1.4, 1.0, 2).W + q.mm1(1.4, 2.0).W)
    assert r.sojourn == pytest.approx(expected, rel=1e-12)
    assert r.wait == pytest.approx(4 / 3 * (q.mmc(1.4, 1.0, 2).Wq + q.mm1(1.4, 2.0).Wq), rel=1e-12)


def test_birth_death_solver_handles_long_chains():
    p = q.birth_death_stationary(np.full(5000, 0.999), np.ones(5000))
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)
    assert p[1] / p[0] == pytest.approx(0.999)
