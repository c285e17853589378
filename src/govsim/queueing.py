"""Analytic queueing formulas, to validate the engine and sanity-check scenarios.

Small pure functions; every rate is per minute (any consistent time unit works).
Notation: ``lam`` arrival rate, ``mu`` service rate of one server (1 / mean
service time), ``c`` number of servers, ``a = lam / mu`` offered load in Erlangs,
``rho = a / c`` utilisation.  ``Wq`` is the mean wait in queue, ``W = Wq + 1/mu``
the mean time in system, ``Lq = lam * Wq`` the mean number waiting (Little).

Contents
--------
* M/M/1: :func:`mm1`
* M/M/c (Erlang C): :func:`erlang_b`, :func:`erlang_c`, :func:`mmc`,
  :func:`mmc_wait_quantile`; pooling: :func:`pooling`
* M/M/c/K with K waiting places: :func:`mmck`
* M/G/1 (Pollaczek–Khinchine): :func:`mg1_wq`
* Non-preemptive priorities (Cobham): :func:`priority_mg1_wq`, :func:`priority_mmc_wq`
* Erlang A (M/M/c+M): :func:`erlang_a`
* Open Jackson networks: :func:`jackson`
* A generic birth–death solver: :func:`birth_death_stationary`
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = [
    "MM1", "mm1", "erlang_b", "erlang_c", "MMc", "mmc", "mmc_wait_quantile", "Pooling", "pooling",
    "MMcK", "mmck", "mg1_wq", "priority_mg1_wq", "priority_mmc_wq", "ErlangA", "erlang_a",
    "Jackson", "jackson", "birth_death_stationary",
]


def _check_positive(**values: float) -> None:
    for name, v in values.items():
        if not v > 0:
            raise ValueError(f"{name} must be positive, got {v}")


def _check_servers(c: int) -> None:
    if int(c) != c or c < 1:
        raise ValueError(f"c must be a positive integer, got {c}")


# ----------------------------------------------------------------------------- M/M/1

@dataclass(frozen=True)
class MM1:
    rho: float  # utilisation lam / mu
    Wq: float   # mean wait in queue
    W: float    # mean time in system
    Lq: float   # mean number waiting
    L: float    # mean number in system


def mm1(lam: float, mu: float) -> MM1:
    """M/M/1: ``Wq = rho / (mu - lam)``, ``W = 1 / (mu - lam)``, ``Lq = rho^2 / (1 - rho)``."""
    _check_positive(lam=lam, mu=mu)
    rho = lam / mu
    if rho >= 1:
        raise ValueError(f"unstable: rho = {rho:g} >= 1")
    return MM1(rho=rho, Wq=rho / (mu - lam), W=1.0 / (mu - lam), Lq=rho * rho / (1 - rho), L=rho / (1 - rho))


# ----------------------------------------------------------------------------- M/M/c

def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability of M/M/c/c with offered load ``a`` Erlangs.

    Uses the recursion ``B(0) = 1``, ``B(n) = a B(n-1) / (n + a B(n-1))``, which
    is numerically stable for any ``c`` (no factorials, no overflow).
    """
    if int(c) != c or c < 0:
        raise ValueError(f"c must be a non-negative integer, got {c}")
    if a < 0:
        raise ValueError("a must be non-negative")
    b = 1.0
    for n in range(1, int(c) + 1):
        b = a * b / (n + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Erlang C: probability that an arrival to M/M/c has to wait, ``a = lam/mu < c``.

    From Erlang B: ``C = c B / (c - a (1 - B))``.
    """
    _check_servers(c)
    if not 0 <= a < c:
        raise ValueError(f"unstable: a = {a:g} must be below c = {c}")
    b = erlang_b(c, a)
    return c * b / (c - a * (1 - b))


@dataclass(frozen=True)
class MMc:
    rho: float  # utilisation per server, lam / (c mu)
    p_wait: float  # Erlang C
    Wq: float
    W: float
    Lq: float
    L: float


def mmc(lam: float, mu: float, c: int) -> MMc:
    """M/M/c: ``Wq = C(c, a) / (c mu - lam)``, ``Lq = lam Wq``, ``W = Wq + 1/mu``."""
    _check_positive(lam=lam, mu=mu)
    a = lam / mu
    pw = erlang_c(c, a)
    wq = pw / (c * mu - lam)
    return MMc(rho=a / c, p_wait=pw, Wq=wq, W=wq + 1 / mu, Lq=lam * wq, L=lam * wq + a)


def mmc_wait_quantile(lam: float, mu: float, c: int, q: float) -> float:
    """The q-quantile of the wait in queue of M/M/c (FIFO), all customers included.

    ``P(Wq > t) = C exp(-(c mu - lam) t)``; so the quantile is 0 when
    ``C <= 1 - q`` and ``ln(C / (1 - q)) / (c mu - lam)`` otherwise.
    """
    if not 0 < q < 1:
        raise ValueError("q must be in (0, 1)")
    pw = erlang_c(c, lam / mu)
    if pw <= 1 - q:
        return 0.0
    return math.log(pw / (1 - q)) / (c * mu - lam)


@dataclass(frozen=True)
class Pooling:
    separate: MM1  # each of the c queues, with rate lam / c
    pooled: MMc    # one queue with c servers and rate lam

    @property
    def wq_ratio(self) -> float:
        """Pooled Wq over separate Wq (below 1: pooling shortens waits)."""
        return self.pooled.Wq / self.separate.Wq


def pooling(lam: float, mu: float, c: int) -> Pooling:
    """Compare c separate M/M/1 queues (each fed ``lam / c``) with one M/M/c fed ``lam``.

    Both have the same utilisation ``lam / (c mu)``; the pooled queue waits less.
    """
    return Pooling(separate=mm1(lam / c, mu), pooled=mmc(lam, mu, c))


# ----------------------------------------------------------------------------- birth–death

def birth_death_stationary(birth: Sequence[float], death: Sequence[float]) -> np.ndarray:
    """Stationary distribution of a finite birth–death chain on states 0..N.

    ``birth[n]`` is the rate n -> n+1 (n = 0..N-1) and ``death[n]`` the rate
    n+1 -> n (n = 0..N-1, i.e. ``death[0]`` leaves state 1).  Detailed balance,
    ``pi[n+1] = pi[n] birth[n] / death[n]``, is summed in log space so that long
    chains (hundreds of servers, thousands of states) neither overflow nor underflow.
    """
    birth = np.asarray(birth, dtype=float)
    death = np.asarray(death, dtype=float)
    if birth.shape != death.shape:
        raise ValueError("birth and death need the same length")
    if np.any(death <= 0):
        raise ValueError("death rates must be positive")
    with np.errstate(divide="ignore"):
        steps = np.log(birth) - np.log(death)
    logp = np.concatenate(([0.0], np.cumsum(steps)))
    logp -= logp.max()
    p = np.exp(logp)
    return p / p.sum()


def birth_death_transient(birth: Sequence[float], death: Sequence[float], p0: Sequence[float],
                          times: Sequence[float]) -> np.ndarray:
    """Distributions of a finite birth–death chain at each of ``times`` from ``p0``:
    ``p(t) = p0 expm(Q t)`` with the chain's generator Q (rates as in
    ``birth_death_stationary``).  Rows: times; columns: states 0..N."""
    from scipy.linalg import expm

    birth = np.asarray(birth, dtype=float)
    death = np.asarray(death, dtype=float)
    n = len(birth) + 1
    gen = np.zeros((n, n))
    idx = np.arange(n - 1)
    gen[idx, idx + 1] = birth
    gen[idx + 1, idx] = death
    gen[np.arange(n), np.arange(n)] = -gen.sum(axis=1)
    times = np.asarray(times, dtype=float)
    if np.any(np.diff(times) < 0) or (len(times) and times[0] < 0):
        raise ValueError("times must be increasing and not negative")
    out = np.empty((len(times), n))
    p, t_prev = np.asarray(p0, dtype=float), 0.0
    steps: dict[float, np.ndarray] = {}  # equal steps share one matrix exponential
    for k, t in enumerate(times):
        dt = round(float(t - t_prev), 12)
        if dt not in steps:
            steps[dt] = expm(gen * dt)
        p = p @ steps[dt]
        out[k], t_prev = p, t
    return out


# ----------------------------------------------------------------------------- M/M/c/K

@dataclass(frozen=True)
class MMcK:
    p_block: float     # probability an arrival finds K waiting (all servers busy) and is lost
    p_wait: float      # probability an admitted customer has to wait
    Lq: float          # mean number waiting
    L: float           # mean number in system
    Wq: float          # mean wait of admitted customers
    W: float           # mean time in system of admitted customers
    utilisation: float  # mean busy servers / c = lam (1 - p_block) / (c mu)
    probs: np.ndarray  # P(n in system), n = 0..c+K


def mmck(lam: float, mu: float, c: int, K: int) -> MMcK:
    """M/M/c with a waiting room of ``K`` places (system capacity ``c + K``).

    Birth–death chain with birth ``lam`` and death ``min(n, c) mu``.  By PASTA
    an arrival is blocked with probability ``p[c+K]``; admitted customers'
    mean wait follows from Little's law on the admitted flow:
    ``Wq = Lq / (lam (1 - p_block))``.  ``K = 0`` is Erlang B; ``K -> inf``
    tends to Erlang C when ``lam < c mu``.
    """
    _check_positive(lam=lam, mu=mu)
    _check_servers(c)
    if int(K) != K or K < 0:
        raise ValueError("K must be a non-negative integer")
    n_max = c + int(K)
    n = np.arange(1, n_max + 1)
    p = birth_death_stationary(np.full(n_max, lam), np.minimum(n, c) * mu)
    states = np.arange(n_max + 1)
    lq = float(np.sum(np.maximum(states - c, 0) * p))
    pb = float(p[-1])
    admitted = lam * (1 - pb)
    wq = lq / admitted
    p_wait = float(p[c:-1].sum() / (1 - pb)) if K > 0 else 0.0
    return MMcK(p_block=pb, p_wait=p_wait, Lq=lq, L=float(np.sum(states * p)), Wq=wq, W=wq + 1 / mu,
                utilisation=admitted / (c * mu), probs=p)


# ----------------------------------------------------------------------------- M/G/1

def mg1_wq(lam: float, mean_s: float, scv: float | None = None, second_moment: float | None = None) -> float:
    """Pollaczek–Khinchine mean wait of M/G/1 (FIFO).

    ``Wq = lam E[S^2] / (2 (1 - rho))`` with ``rho = lam E[S]``; give either the
    squared coefficient of variation ``scv`` (then ``E[S^2] = E[S]^2 (1 + scv)``)
    or ``second_moment = E[S^2]``.  ``scv = 1`` is M/M/1, ``scv = 0`` is M/D/1.
    """
    _check_positive(lam=lam, mean_s=mean_s)
    if (scv is None) == (second_moment is None):
        raise ValueError("give exactly one of scv and second_moment")
    es2 = mean_s**2 * (1 + scv) if scv is not None else second_moment
    rho = lam * mean_s
    if rho >= 1:
        raise ValueError(f"unstable: rho = {rho:g} >= 1")
    return lam * es2 / (2 * (1 - rho))


# ----------------------------------------------------------------------------- priorities

def priority_mg1_wq(lams: Sequence[float], mean_s: Sequence[float], second_moments: Sequence[float]) -> list[float]:
    """Non-preemptive priority M/G/1 (Cobham), classes listed from highest priority.

    ``Wq_k = W0 / ((1 - s_{k-1}) (1 - s_k))`` with the mean residual work
    ``W0 = sum_i lam_i E[S_i^2] / 2`` and ``s_k = sum_{i<=k} lam_i E[S_i]``.
    FIFO within a class.  Classes with ``s_k >= 1`` get ``inf``.
    """
    lams, ms, m2 = (np.asarray(x, dtype=float) for x in (lams, mean_s, second_moments))
    if not (lams.shape == ms.shape == m2.shape):
        raise ValueError("one rate, mean and second moment per class")
    if np.any(lams < 0) or np.any(ms <= 0):
        raise ValueError("rates must be non-negative and means positive")
    w0 = float(np.sum(lams * m2) / 2)
    sigma = np.concatenate(([0.0], np.cumsum(lams * ms)))
    return [w0 / ((1 - sigma[k]) * (1 - sigma[k + 1])) if sigma[k + 1] < 1 else math.inf
            for k in range(len(lams))]


def priority_mmc_wq(lams: Sequence[float], mu: float, c: int) -> list[float]:
    """Non-preemptive priority M/M/c, common exponential service rate ``mu``
    (Cobham's multi-server formula), classes listed from highest priority.

    ``Wq_k = [C(c, a) / (c mu)] / ((1 - s_{k-1}) (1 - s_k))`` where ``a`` is the
    total offered load ``sum lam_i / mu``, ``C`` is Erlang C and
    ``s_k = sum_{i<=k} lam_i / (c mu)``.  While all servers are busy, departures
    form a Poisson process of rate ``c mu``, so the system behaves as an M/G/1
    priority queue with one fast server; the rate-weighted mean of the ``Wq_k``
    is the Erlang C wait (work conservation).  The total load must be below 1.
    """
    _check_positive(mu=mu)
    _check_servers(c)
    lams = np.asarray(lams, dtype=float)
    if np.any(lams < 0):
        raise ValueError("rates must be non-negative")
    a = float(lams.sum()) / mu
    base = erlang_c(c, a) / (c * mu)
    sigma = np.concatenate(([0.0], np.cumsum(lams) / (c * mu)))
    return [base / ((1 - sigma[k]) * (1 - sigma[k + 1])) for k in range(len(lams))]


# ----------------------------------------------------------------------------- Erlang A

@dataclass(frozen=True)
class ErlangA:
    p_abandon: float        # fraction of arrivals that abandon, from theta E[Lq] / lam
    p_abandon_pasta: float  # the same, from the arrival-state (PASTA) computation
    p_wait: float           # probability an arrival finds all servers busy
    Wq_served: float        # mean wait of customers who are served
    Wq_all: float           # mean time in queue of all arrivals (abandoners' time included) = Lq / lam
    Lq: float               # mean number waiting
    utilisation: float      # mean busy servers / c
    probs: np.ndarray       # P(n in system), n = 0..N (truncated chain)


def erlang_a(lam: float, mu: float, c: int, theta: float, n_max: int | None = None, tol: float = 1e-15) -> ErlangA:
    """Erlang A (M/M/c+M): exponential patience of rate ``theta`` (mean ``1/theta``).

    **Number in system.** A birth–death chain on n = 0..N with birth ``lam`` and
    death ``min(n, c) mu + max(n - c, 0) theta`` (each of the ``n - c`` waiting
    customers abandons at rate theta).  Exact for the model; truncated at N.
    When ``n_max`` is not given, N is doubled until ``P(N) < tol``.  Then
    ``P(abandon) = theta E[Lq] / lam`` (abandonment flow over arrival flow).

    **Wait of served customers.** By PASTA an arrival sees the stationary state.
    Finding ``n < c`` it is served at once.  Finding ``n >= c`` it joins the queue
    at position ``j = n - c + 1`` (FIFO; ``j - 1`` customers ahead of it).  While
    it is at position ``j``, three things can happen, competing exponentially:

    * a service completion (rate ``c mu``: all servers are busy while anyone waits)
      moves the head into service, so the tagged customer moves to ``j - 1``;
    * one of the ``j - 1`` customers ahead abandons (rate ``(j - 1) theta``): also ``j - 1``;
    * the tagged customer abandons (rate ``theta``).

    Customers behind it never matter.  So the time at position j is exponential
    with rate ``r_j = c mu + j theta``, it advances with probability
    ``q_j = (c mu + (j - 1) theta) / r_j`` and abandons otherwise; reaching
    "position 0" means entering service.  Hence

    * ``s_j = P(served | position j) = q_1 q_2 ... q_j``;
    * in an exponential race, the time until the first event is independent of
      which event wins, so given that the customer is eventually served its wait
      is the sum of independent holding times:
      ``E[Wq | served, position j] = h_j = sum_{i=1..j} 1 / r_i``.

    With ``s_0 = 1, h_0 = 0`` for arrivals finding ``n < c``:
    ``Wq_served = sum_n P(n) s_j(n) h_j(n) / sum_n P(n) s_j(n)``, and
    ``1 - sum_n P(n) s_j(n)`` is the abandonment probability again (reported as
    ``p_abandon_pasta``; both agree up to truncation).  With ``theta -> 0`` this
    is Erlang C: ``h_j = j / (c mu)``.  Arrivals finding the truncation state N
    would be lost; N is chosen so this has negligible probability.
    """
    _check_positive(lam=lam, mu=mu)
    _check_servers(c)
    if theta < 0:
        raise ValueError("theta must be non-negative")
    if theta == 0 and lam >= c * mu:
        raise ValueError("without abandonment the queue needs lam < c mu")

    def solve(n_top: int) -> np.ndarray:
        n = np.arange(1, n_top + 1)
        death = np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta
        return birth_death_stationary(np.full(n_top, lam), death)

    if n_max is None:
        n_top = c + 64
        p = solve(n_top)
        while p[-1] >= tol:
            if n_top > 50_000_000:
                raise ValueError("could not truncate the chain; is the load too close to 1?")
            n_top *= 2
            p = solve(n_top)
    else:
        n_top = int(n_max)
        p = solve(n_top)

    states = np.arange(n_top + 1)
    waiting = np.maximum(states - c, 0)
    lq = float(np.sum(waiting * p))
    # position found by an arrival in state n (0: straight into service); state N is lost
    j_max = n_top - c  # arrivals find at most N-1 in system -> position N - c
    j = np.arange(1, j_max + 1)
    r = c * mu + j * theta
    q = (c * mu + (j - 1) * theta) / r
    s = np.concatenate(([1.0], np.cumprod(q)))
    h = np.concatenate(([0.0], np.cumsum(1.0 / r)))
    pos = waiting[:-1] + (states[:-1] >= c)  # for n = 0..N-1
    pa = p[:-1]
    served = float(np.sum(pa * s[pos]))
    wq_served = float(np.sum(pa * s[pos] * h[pos]) / served)
    busy = float(np.sum(np.minimum(states, c) * p))
    return ErlangA(p_abandon=theta * lq / lam, p_abandon_pasta=1.0 - served, p_wait=float(p[c:].sum()),
                   Wq_served=wq_served, Wq_all=lq / lam, Lq=lq, utilisation=busy / c, probs=p)


# ----------------------------------------------------------------------------- Jackson

@dataclass(frozen=True)
class Jackson:
    lam: np.ndarray          # total arrival rate at each node (traffic equations)
    rho: np.ndarray          # utilisation of each node, lam / (c mu)
    Wq: np.ndarray           # mean wait per visit at each node
    W: np.ndarray            # mean time per visit at each node
    L: np.ndarray            # mean number at each node
    visits: np.ndarray       # mean visits to each node per customer, lam / sum(gamma)
    sojourn: float           # mean time in the network per customer, sum(lam W) / sum(gamma)
    wait: float              # mean total wait in queues per customer, sum(lam Wq) / sum(gamma)


def jackson(gamma: Sequence[float], routing: Sequence[Sequence[float]], mu: Sequence[float],
            servers: Sequence[int]) -> Jackson:
    """Open Jackson network of M/M/c nodes.

    ``gamma[i]`` is the external arrival rate at node i, ``routing[i][j]`` the
    probability of going from i to j after service (each row sums to at most 1,
    the rest leaves).  The traffic equations ``lam = gamma + lam P`` are solved as
    ``(I - P^T) lam = gamma``; each node is then an M/M/c queue (product form),
    and by Little's law the mean time in the network per customer is
    ``sum_i lam_i W_i / sum_i gamma_i``.
    """
    g = np.asarray(gamma, dtype=float)
    P = np.asarray(routing, dtype=float)
    m = np.asarray(mu, dtype=float)
    cs = [int(x) for x in servers]
    k = len(g)
    if P.shape != (k, k) or len(m) != k or len(cs) != k:
        raise ValueError("gamma, routing, mu and servers must describe the same nodes")
    if np.any(P < 0) or np.any(P.sum(axis=1) > 1 + 1e-12):
        raise ValueError("routing rows must be probabilities summing to at most 1")
    lam = np.linalg.solve(np.eye(k) - P.T, g)
    nodes = [mmc(lam[i], m[i], cs[i]) if lam[i] > 0 else None for i in range(k)]
    wq = np.array([nd.Wq if nd else 0.0 for nd in nodes])
    w = np.array([nd.W if nd else 1 / m[i] for i, nd in enumerate(nodes)])
    total = g.sum()
    return Jackson(lam=lam, rho=lam / (m * np.asarray(cs)), Wq=wq, W=w, L=lam * w, visits=lam / total,
                   sojourn=float(np.sum(lam * w) / total), wait=float(np.sum(lam * wq) / total))
