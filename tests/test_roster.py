"""Rosters (servers on duty by time of day and weekday) and demand factors in the network
model: exact deterministic cases, common random numbers, bad input, and the engine against
the exact transient of a queue whose servers drop over lunch."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.linalg import expm_multiply
from typer.testing import CliRunner

from govsim import queueing as q
from govsim.calendar import DAY
from govsim.cli import app
from govsim.model_api import Trace
from govsim.models.network import NetworkModel, NetworkParams, kpis, simulate
from govsim.rng import Streams
from govsim.scenario import load_scenario
from govsim.stats import t_interval

from conftest import MMC_DEMO


def det(v):
    return {"dist": "deterministic", "value": v}


def exp(m):
    return {"dist": "exponential", "mean": m}


def rows_of(spec: dict, horizon: float, warmup: float = 0.0, seed: int = 3, rep: int = 0, trace=None):
    params = NetworkParams.model_validate(spec)
    assert not params.cross_check(), params.cross_check()
    return kpis(simulate(params, Streams(seed, rep), horizon, warmup, trace=trace))


def as_dict(rows):
    return {(scope, metric): value for scope, metric, value in rows}


def same_rows(a, b) -> bool:
    return len(a) == len(b) and all((s, m) == (t, n) and (v == w or (math.isnan(v) and math.isnan(w)))
                                    for (s, m, v), (t, n, w) in zip(a, b))


MIXED = {
    "classes": {
        "walk_in": {"arrivals": exp(1.1), "route": ["desk", "cashier"], "patience": exp(20.0), "priority": 1},
        "booked": {"arrivals": {"rate_per_hour": [0] * 8 + [30] * 9 + [0] * 7}, "start": "desk",
                   "transitions": {"desk": {"desk": 0.2, "cashier": 0.5, "exit": 0.3}, "cashier": {"exit": 1.0}}},
    },
    "stations": {"desk": {"servers": 2, "service": exp(2.0), "discipline": "priority"},
                 "cashier": {"servers": 1, "service": {"dist": "lognormal", "mean": 1.0, "cv": 0.5},
                             "max_waiting": 6}},
}


# -- a roster that never changes is the plain number, draw for draw ---------------------------
@pytest.mark.parametrize("roster", [
    [["00:00", 2]],
    [["00:00", 2], ["08:00", 2], ["12:30", 2]],
    {"weekdays": 2, "weekend": [["00:00", 2]]},
    {"mon": 2, "tue": 2, "wed": 2, "thu": 2, "fri": [["00:00", 2], ["17:00", 2]], "sat": 2, "sun": 2},
])
def test_a_roster_with_one_count_all_week_gives_the_plain_numbers_results(roster):
    spec = copy.deepcopy(MIXED)
    spec["stations"]["desk"]["servers"] = roster
    for rep in range(2):
        plain_log, roster_log = Trace(), Trace()
        plain = rows_of(MIXED, 3 * DAY, 300.0, rep=rep, trace=plain_log)
        rostered = rows_of(spec, 3 * DAY, 300.0, rep=rep, trace=roster_log)
        assert plain == rostered  # identical rows, float for float
        assert plain_log.rows == roster_log.rows


def test_demand_factors_of_one_give_the_arrivals_as_given():
    spec = copy.deepcopy(MIXED)
    spec["demand_factors"] = {"weekday": {"mon": 1.0, "sat": 1}, "month": {"jan": 1.0}}
    assert rows_of(MIXED, 3 * DAY, 300.0) == rows_of(spec, 3 * DAY, 300.0)


# -- exact deterministic cases ---------------------------------------------------------------
def test_a_server_going_off_duty_finishes_its_customer_and_one_coming_on_takes_the_next():
    """Two servers, one from minute 10 to minute 20; a customer every 3 minutes, 8 minutes
    of service each.  By hand:

        c1 arrives 3, served 3-11      c2 arrives 6, served 6-14
        c3 arrives 9, waits            10: one server off duty, both still busy
        11: c1 done: that server leaves (c3 keeps waiting)
        c4 arrives 12, waits           14: c2 done: c3 served 14-22
        c5, c6 arrive 15, 18, wait     20: the second server back: c4 served 20-28
        c7 arrives 21, waits           22: c3 done: c5 served 22-30
        c8 arrives 24 (the horizon)

    Waits of those served by 24: c1 0, c2 0, c3 5.  Busy minutes: 8 + 8 + 8 + 4 + 2 = 30;
    on duty: 2 x 10 + 1 x 10 + 2 x 4 from the roster, plus minute 10-11 when the leaving
    server finished c1: 39."""
    spec = {"classes": {"c": {"arrivals": det(3), "route": ["w"]}},
            "stations": {"w": {"servers": [["00:00", 2], ["00:10", 1], ["00:20", 2]], "service": det(8)}}}
    params = NetworkParams.model_validate(spec)
    rec = simulate(params, Streams(1, 0), 24.0, 0.0)
    a = rec.arrays()
    started = {round(arr): start for arr, start in zip(a["v_arr"], a["v_start"]) if not np.isnan(start)}
    assert started == {3: 3, 6: 6, 9: 14, 12: 20, 15: 22}
    m = as_dict(kpis(rec))
    assert m["all", "served"] == 3 and m["all", "wait_mean_min"] == pytest.approx(5 / 3)
    assert m["station:w", "utilisation"] == pytest.approx(30 / 39)
    assert m["station:w", "staffed_hours_per_day"] == pytest.approx(39 / 60 * DAY / 24)
    assert rec.overrun[0] == [(0.0, 0), (10.0, 1), (11.0, 0)]


def test_a_plain_number_is_on_duty_all_the_time():
    m = as_dict(rows_of({"classes": {"c": {"arrivals": det(2), "route": ["w"]}},
                         "stations": {"w": {"servers": 3, "service": det(1)}}}, 100.0))
    assert m["station:w", "staffed_hours_per_day"] == pytest.approx(3 * 24)
    assert m["station:w", "utilisation"] == pytest.approx(49 / 300)  # 49 services of a minute (the 50th ends at 101)


def test_the_weekday_picks_the_roster_and_start_date_moves_day_zero():
    """Closed on Sundays, open Saturday mornings; a run from Saturday 1 January 2022."""
    roster = {"weekdays": [["00:00", 0], ["08:00", 4], ["17:00", 0]], "sat": [["00:00", 0], ["09:00", 2], ["12:00", 0]],
              "sun": 0}
    spec = {"classes": {"c": {"arrivals": exp(30.0), "route": ["w"]}},
            "stations": {"w": {"servers": roster, "service": exp(1.0)}}}
    monday = NetworkParams.model_validate(spec)
    saturday = NetworkParams.model_validate({**spec, "start_date": "2022-01-01"})
    assert monday.stations["w"].roster_steps(monday.first_day().weekday(), 3 * DAY) == [
        (0.0, 0), (480.0, 4), (1020.0, 0), (1440 + 480.0, 4), (1440 + 1020.0, 0), (2880 + 480.0, 4), (2880 + 1020.0, 0)]
    assert saturday.stations["w"].roster_steps(saturday.first_day().weekday(), 3 * DAY) == [
        (0.0, 0), (540.0, 2), (720.0, 0), (2880 + 480.0, 4), (2880 + 1020.0, 0)]
    # staffed hours: a week from Monday = 5 x 36 + 6 server-hours, whichever day the run starts
    for params in (monday, saturday):
        m = as_dict(kpis(simulate(params, Streams(1, 0), 7 * DAY, 0.0)))
        overrun = m["station:w", "staffed_hours_per_day"] * 7 - (5 * 36 + 6)
        assert 0 <= overrun < 1  # minutes finishing a customer after closing, a few at most
    clock = NetworkModel().clock(saturday)
    assert clock(0).strftime("%a %Y-%m-%d %H:%M") == "Sat 2022-01-01 00:00"
    assert clock(2 * DAY + 480).strftime("%a %H:%M") == "Mon 08:00"
    assert NetworkModel().clock(monday) is None  # the nominal Monday, 3 January 2022


def test_weekday_factors_move_renewal_arrivals_on_operational_time():
    """Gaps of 10 minutes; Monday at factor 2 and Tuesday at 0.5: arrivals every 5 minutes on
    Monday, every 20 on Tuesday, the same customers in the same order."""
    spec = {"classes": {"c": {"arrivals": det(10), "route": ["w"]}},
            "stations": {"w": {"servers": 1, "service": det(1)}},
            "demand_factors": {"weekday": {"mon": 2, "tue": 0.5}}}
    rec = simulate(NetworkParams.model_validate(spec), Streams(1, 0), 3 * DAY, 0.0)
    t = np.sort(np.asarray(rec.c_arr))
    monday, tuesday = t[t < DAY], t[(t >= DAY) & (t < 2 * DAY)]
    np.testing.assert_allclose(monday, np.arange(5, DAY, 5))
    np.testing.assert_allclose(tuesday, np.arange(DAY, 2 * DAY, 20))
    assert np.sum((t >= 2 * DAY) & (t < 3 * DAY)) == DAY / 10


def test_a_factor_of_zero_closes_the_day_to_arrivals():
    spec = {"classes": {"c": {"arrivals": exp(5.0), "route": ["w"]},
                        "p": {"arrivals": {"rate_per_hour": [12] * 24}, "route": ["w"]}},
            "stations": {"w": {"servers": 3, "service": exp(1.0)}},
            "demand_factors": {"weekday": {"tue": 0, "wed": 0}}}
    rec = simulate(NetworkParams.model_validate(spec), Streams(2, 0), 4 * DAY, 0.0)
    t = np.asarray(rec.c_arr)
    assert np.sum((t >= DAY) & (t < 3 * DAY)) == 0
    assert np.sum(t < DAY) > 0 and np.sum(t >= 3 * DAY) > 0


@pytest.mark.parametrize("arrivals", [exp(3.0), {"rate_per_hour": [0] * 8 + [40] * 9 + [0] * 7}])
def test_more_demand_keeps_the_same_customers(arrivals):
    """CRN: a rate profile at a higher factor is a superset of the lower one's arrivals
    (the Poisson plane, layer by layer); a renewal stream keeps its customers and moves
    them (operational time)."""
    def times(factor):
        spec = {"classes": {"c": {"arrivals": arrivals, "route": ["w"]}},
                "stations": {"w": {"servers": 50, "service": det(1)}},
                "demand_factors": {"weekday": {d: factor for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}}
        return np.asarray(simulate(NetworkParams.model_validate(spec), Streams(5, 0), 2 * DAY, 0.0).c_arr)

    low, base, high = times(0.5), times(1.0), times(2.5)
    if "rate_per_hour" in arrivals:
        assert set(low) < set(base) < set(high)
    else:  # a constant factor f puts the n-th customer at (its time as given) / f
        np.testing.assert_allclose(low[: len(base) // 2 - 1], base[: len(base) // 2 - 1] * 2)
        np.testing.assert_allclose(high[: len(base)], base / 2.5)


# -- bad input: one line naming the file, the line and the field ------------------------------
BAD = [
    ('[["08:00", 5], ["17:00", 0]]', "params.stations.window.servers[0][0]",
     'the first entry must be at "00:00" (got "08:00")'),
    ('[["00:00", 0], ["13:00", 5], ["12:00", 3]]', "params.stations.window.servers[2][0]",
     'times must be in order: "12:00" comes after "13:00"'),
    ('[["00:00", 0], ["08:00", -2]]', "params.stations.window.servers[1][1]",
     "input should be greater than or equal to 0 (got -2)"),
    ('[["00:00", 0], [800, 5]]', "params.stations.window.servers[1][0]", "write a time of day as 'HH:MM' in quotes"),
    ('[["00:00", 0], ["08:00", 0]]', "params.stations.window.servers", "no server is ever on duty"),
    ("{weekdays: 5, sat: 2}", "params.stations.window.servers", "no roster for sun"),
    ("{weekdays: 5, weekend: 0, sunday: 1}", "params.stations.window.servers.sunday", "unknown key"),
]


@pytest.mark.parametrize("roster, field, message", BAD)
def test_a_bad_roster_is_one_line_with_file_line_and_field(write_scenario, tmp_path, roster, field, message):
    path = write_scenario(MMC_DEMO.replace("servers: 5", f"servers: {roster}"))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:15: {field}: ") and message in lines[0], lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("factors, field, message", [
    ("{weekday: {mon: -0.5}}", "params.demand_factors.weekday.mon", "greater than or equal to 0"),
    ("{weekday: {mon: 0, tue: 0, wed: 0, thu: 0, fri: 0, sat: 0, sun: 0}}", "params.demand_factors.weekday",
     "every weekday's factor is 0"),
    ("{weekday: {monday: 1.2}}", "params.demand_factors.weekday.monday", "unknown key"),
])
def test_bad_demand_factors_are_one_line(write_scenario, tmp_path, factors, field, message):
    text = MMC_DEMO.replace("  stations:\n", f"  demand_factors: {factors}\n  stations:\n")
    path = write_scenario(text)
    line = next(i + 1 for i, row in enumerate(text.splitlines()) if "demand_factors" in row)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:{line}: {field}: ") and message in lines[0], lines


def test_saturday_opening_is_a_policy(write_scenario):
    """The base is closed at weekends; a policy names Saturday only (a day overrides its group)."""
    text = MMC_DEMO.replace("servers: 5", 'servers: {weekdays: [["00:00", 0], ["08:00", 5], ["17:00", 0]], weekend: 0}')
    text = text.replace("six_windows: {stations: {window: {servers: 6}}}",
                        'saturday: {stations: {window: {servers: {sat: [["00:00", 0], ["09:00", 2], ["12:00", 0]]}}}}')
    scenario = load_scenario(write_scenario(text))
    base, saturday = scenario.resolved["base"].stations["window"], scenario.resolved["saturday"].stations["window"]
    week_base, week_sat = base.roster_steps(0, 7 * DAY), saturday.roster_steps(0, 7 * DAY)
    assert [s for s in week_sat if s not in week_base] == [(5 * DAY + 540, 2), (5 * DAY + 720, 0)]
    assert week_base == [s for s in week_sat if s[0] < 5 * DAY]


# -- statistical: the engine against exact results ---------------------------------------------
LAM, MU = 1.0, 0.2  # arrivals per minute 08:00-17:00; service rate (5-minute mean)
LUNCH = [["00:00", 0], ["08:00", 6], ["12:00", 3], ["13:00", 6], ["17:00", 0]]
TIMES = (600.0, 719.0, 730.0, 750.0, 779.0, 810.0, 900.0, 1019.0, 1030.0)  # minutes after midnight
N_MAX = 110  # more in system is out of reach (P < 1e-12 at these loads)


def _nonpreemptive_chain(lam: float, c: int, c_max: int = 6):
    """Generator (sparse) of the M/M/c queue whose roster may have left more servers busy
    than on duty: state (n in system, b busy servers).  A completion with b > c retires that
    server; else the next in line starts if anyone waits.  Arrivals start service only when
    b < c.  Returns the generator and the states."""
    states = [(n, b) for n in range(N_MAX + 1) for b in range(min(n, c_max) + 1)]
    index = {s: i for i, s in enumerate(states)}
    rows, cols, rates = [], [], []
    for (n, b), i in index.items():
        if n < N_MAX and lam > 0:
            rows.append(i), cols.append(index[(n + 1, b + 1 if b < c else b)]), rates.append(lam)
        if b > 0:
            after = (n - 1, b - 1) if b > c or n == b else (n - 1, b)
            rows.append(i), cols.append(index[after]), rates.append(b * MU)
    gen = sparse.csr_matrix((rates, (rows, cols)), shape=(len(states), len(states)))
    gen = gen - sparse.diags(np.asarray(gen.sum(axis=1)).ravel())
    return gen, states


def exact_lunch_day() -> dict[float, float]:
    """E[number in system] at each of TIMES: a birth-death chain (govsim.queueing.
    birth_death_transient) while every server on duty takes the next in line (from empty at
    08:00; from 13:00, when six are on duty again), the (n, busy) chain while servers go off
    duty finishing their customers (12:00-13:00, and from 17:00)."""
    out = {}
    birth, death = [LAM] * N_MAX, [min(n, 6) * MU for n in range(1, N_MAX + 1)]

    def birth_death(p0, t0, t1):
        at = [t for t in TIMES if t0 < t <= t1]
        probs = q.birth_death_transient(birth, death, p0, [t - t0 for t in at] + [t1 - t0])
        out.update({t: float(p @ np.arange(N_MAX + 1)) for t, p in zip(at, probs)})
        return probs[-1]

    def dropping(p0_n, lam, c, t0, t1):
        """From n in system with min(n, 6) busy at t0; the marginal of n at t1."""
        gen, states = _nonpreemptive_chain(lam, c)
        n_of = np.array([n for n, _ in states])
        p = np.zeros(len(states))
        for i, (n, b) in enumerate(states):
            if b == min(n, 6):
                p[i] = p0_n[n]
        last = t0
        for t in [t for t in TIMES if t0 < t <= t1] + [t1]:
            p = expm_multiply(gen.T * (t - last), p)
            if t in TIMES:
                out[t] = float(p @ n_of)
            last = t
        return np.bincount(n_of, weights=p, minlength=N_MAX + 1)

    p8 = np.zeros(N_MAX + 1)
    p8[0] = 1.0
    p12 = birth_death(p8, 480.0, 720.0)  # six servers from empty
    # where both apply (six on duty all morning) the two chains agree
    np.testing.assert_allclose(dropping(p8, LAM, 6, 480.0, 720.0), p12, atol=1e-9)
    p13 = dropping(p12, LAM, 3, 720.0, 780.0)  # three go to lunch, each finishing its customer
    p17 = birth_death(p13, 780.0, 1020.0)  # six again: everyone free takes the next in line
    dropping(p17, 0.0, 0, 1020.0, max(TIMES))  # closed: those in service finish, the rest wait
    return out


def _in_system_at(seed: int, rep: int) -> np.ndarray:
    spec = {"classes": {"c": {"arrivals": {"rate_per_hour": [0] * 8 + [60 * LAM] * 9 + [0] * 7}, "route": ["w"]}},
            "stations": {"w": {"servers": LUNCH, "service": exp(1 / MU)}}}
    rec = simulate(NetworkParams.model_validate(spec), Streams(seed, rep), DAY, 0.0)
    arr, end = np.asarray(rec.c_arr), np.asarray(rec.c_end)
    return np.array([np.sum((arr <= t) & (end > t)) for t in TIMES], dtype=float)


def preemptive_lunch_day(at: float) -> float:
    """E[number in system] at ``at`` (12:00-13:00) if servers left mid-service, their
    customers going back to the queue: the birth-death chain with death min(n, c) mu."""
    p = np.zeros(N_MAX + 1)
    p[0] = 1.0
    for t0, t1, c in ((480.0, 720.0, 6), (720.0, at, 3)):
        death = [min(n, c) * MU for n in range(1, N_MAX + 1)]
        p = q.birth_death_transient([LAM] * N_MAX, death, p, [t1 - t0])[-1]
    return float(p @ np.arange(N_MAX + 1))


@pytest.mark.statistical
def test_servers_dropping_over_lunch_match_the_exact_transient():
    """Six servers, three over lunch (12:00-13:00), none from 17:00; Poisson arrivals at 1 a
    minute from 08:00 to 17:00, exponential service of 5 minutes.  The mean number in system
    at nine times of day over R replications, each against its exact value: 99% for the
    nine together (Bonferroni: each interval at 1 - 0.01/9).  R is large enough to tell
    finishing the customer in front from leaving mid-service (0.76 more in system at 12:10)."""
    exact = exact_lunch_day()
    reps = 2000
    counts = np.array([_in_system_at(20240311, rep) for rep in range(reps)])
    confidence = 1 - 0.01 / len(TIMES)
    for j, t in enumerate(TIMES):
        lo, hi = t_interval(counts[:, j], confidence)[1:3]
        assert lo <= exact[t] <= hi, (t, exact[t], lo, hi)
    lo, hi = t_interval(counts[:, TIMES.index(730.0)], confidence)[1:3]
    assert not lo <= preemptive_lunch_day(730.0) <= hi


@pytest.mark.statistical
def test_weekday_and_month_factors_scale_the_arrivals():
    """Poisson arrivals (a renewal stream and a rate profile) over a week from Monday 29
    January 2024, weekday factors and February's month factor: each day's mean count over R
    replications against its rate x factor x 1440 (99% together: Bonferroni over the days)."""
    weekday = {"mon": 1.3, "tue": 0.7, "wed": 1.0, "thu": 2.6, "fri": 1.0, "sat": 0.4, "sun": 0.0}
    month = {"feb": 1.5}
    spec = {"classes": {"renewal": {"arrivals": exp(4.0), "route": ["w"]},
                        "profile": {"arrivals": {"rate_per_hour": [6, 18] * 12}, "route": ["w"]}},
            "stations": {"w": {"servers": 100, "service": det(0.1)}},
            "start_date": "2024-01-29", "demand_factors": {"weekday": weekday, "month": month}}
    params = NetworkParams.model_validate(spec)
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    factor = [weekday[d] * (month["feb"] if i >= 3 else 1.0) for i, d in enumerate(days)]  # 1 February is a Thursday
    reps = 40
    counts = {k: np.zeros((reps, 7)) for k in (0, 1)}
    for rep in range(reps):
        rec = simulate(params, Streams(77, rep), 7 * DAY, 0.0)
        cls, t = np.asarray(rec.c_class), np.asarray(rec.c_arr)
        for k in (0, 1):
            counts[k][rep] = np.bincount((t[cls == k] // DAY).astype(int), minlength=8)[:7]
    per_day = {0: DAY / 4.0, 1: 12 * 24}  # arrivals per day as given
    confidence = 1 - 0.01 / 12
    for k in (0, 1):
        for d in range(7):
            expected = per_day[k] * factor[d]
            if expected == 0:
                assert counts[k][:, d].sum() == 0
                continue
            lo, hi = t_interval(counts[k][:, d], confidence)[1:3]
            assert lo <= expected <= hi, (k, days[d], expected, lo, hi)
