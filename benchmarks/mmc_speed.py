"""Speed of one M/M/c queue simulated three ways: govsim, Ciw and hand-written SimPy.

The system: c = 5 servers, exponential service with mean 1.0 min, Poisson arrivals at
4.25/min (rho = 0.85), run for a horizon of N / 4.25 minutes so that about N customers
arrive (default N = 200,000).  Each engine computes its metrics, so the timings are
for "simulate and get the answer", not for the bare event loop:

* govsim  -- ``simulate`` + ``kpis`` (waits, p90, sojourn, queue length, utilisation
  for every scope);
* Ciw     -- ``Simulation`` + ``simulate_until_max_time`` + ``get_all_records`` and
  the mean wait over the records;
* SimPy   -- a plain ``simpy.Resource`` model that appends each customer's wait to a
  list and averages it at the end.

Customers/s = customers that arrived within the horizon / wall-clock seconds.  The
mean wait of every engine is printed next to the Erlang C value so the reader can see
all three simulate the same system.

Run from the repository root:

    .venv/bin/python benchmarks/mmc_speed.py                 # 200,000 customers, best of 3
    .venv/bin/python benchmarks/mmc_speed.py --quick         # 20,000 customers, 1 repeat
    .venv/bin/python benchmarks/mmc_speed.py --repeats 5 --json bench-mmc.json

Ciw is optional (``pip install -e .[bench]``); without it its row is skipped.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import time

import simpy

from govsim.models.network import NetworkParams, kpis, simulate
from govsim.rng import Streams

try:
    import ciw
except ImportError:  # optional: pip install -e .[bench]
    ciw = None

SERVERS, SERVICE_MEAN, ARRIVAL_RATE = 5, 1.0, 4.25


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue (Wq) of an M/M/c queue, by the Erlang C formula."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


# -- the three engines: each returns (customers arrived, mean wait) ----------------

def run_govsim(horizon: float, seed: int) -> tuple[int, float]:
    p = NetworkParams.model_validate({
        "classes": {"c": {"arrivals": {"dist": "exponential", "mean": 1 / ARRIVAL_RATE}, "route": ["w"]}},
        "stations": {"w": {"servers": SERVERS, "service": {"dist": "exponential", "mean": SERVICE_MEAN}}},
    })
    rows = {(scope, metric): value for scope, metric, value in kpis(simulate(p, Streams(seed, 0), horizon, 0.0))}
    return int(rows[("all", "arrived")]), rows[("all", "wait_mean_min")]


def run_ciw(horizon: float, seed: int) -> tuple[int, float]:
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1 / SERVICE_MEAN)],
        number_of_servers=[SERVERS],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    records = sim.get_all_records()
    waits = [r.waiting_time for r in records]
    return sim.nodes[0].number_of_individuals, sum(waits) / len(waits)


def run_simpy(horizon: float, seed: int) -> tuple[int, float]:
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []
    arrived = 0

    def customer():
        t_arr = env.now
        with servers.request() as req:
            yield req
            waits.append(env.now - t_arr)
            yield env.timeout(rng.expovariate(1 / SERVICE_MEAN))

    def source():
        nonlocal arrived
        while True:
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))
            arrived += 1
            env.process(customer())

    env.process(source())
    env.run(until=horizon)
    return arrived, sum(waits) / len(waits)


ENGINES = {"govsim": run_govsim, "Ciw": run_ciw, "SimPy": run_simpy}


def bench(fn, horizon: float, repeats: int) -> dict:
    times, customers, waits = [], [], []
    for rep in range(repeats):
        t0 = time.perf_counter()
        n, w = fn(horizon, seed=rep + 1)
        times.append(time.perf_counter() - t0)
        customers.append(n)
        waits.append(w)
    best, median = min(times), statistics.median(times)
    return {
        "times_s": times, "best_s": best, "median_s": median,
        "customers": customers,
        "customers_per_s_best": customers[times.index(best)] / best,
        "customers_per_s_median": statistics.median(n / t for n, t in zip(customers, times)),
        "wait_mean_min": statistics.mean(waits), "waits_min": waits,
    }


def machine() -> dict:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "python": sys.version.split()[0], "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(), "cpus": cpus,
        "ciw": getattr(ciw, "__version__", None), "simpy": simpy.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "loadavg_1min_at_start": os.getloadavg()[0],  # should be near 0: other work skews timings
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=200_000, help="expected arrivals per run (default 200000)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per engine; best and median reported (default 3)")
    ap.add_argument("--quick", action="store_true", help="smoke test: 20000 customers, 1 repeat")
    ap.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    args = ap.parse_args()
    if args.quick:
        args.customers, args.repeats = 20_000, 1
    horizon = args.customers / ARRIVAL_RATE
    wq = erlang_c_wait(ARRIVAL_RATE, 1 / SERVICE_MEAN, SERVERS)

    info = machine()
    print(f"Python {info['python']} | {info['platform']} | {info['cpus']} CPUs | "
          f"simpy {info['simpy']} | ciw {info['ciw'] or 'not installed'} | {info['date']} | "
          f"load avg {info['loadavg_1min_at_start']:.2f}")
    print(f"M/M/{SERVERS}: arrivals {ARRIVAL_RATE}/min, service mean {SERVICE_MEAN} min, "
          f"rho = {ARRIVAL_RATE * SERVICE_MEAN / SERVERS:.2f}; horizon {horizon:,.0f} min "
          f"(~{args.customers:,} customers); best of {args.repeats}")
    print(f"Erlang C mean wait in queue Wq = {wq:.4f} min\n")

    results = {}
    for name, fn in ENGINES.items():
        if name == "Ciw" and ciw is None:
            print("Ciw is not installed: skipping it (install it with `pip install -e .[bench]`).\n")
            continue
        results[name] = bench(fn, horizon, args.repeats)

    print(f"{'engine':<8} {'best s':>8} {'median s':>9} {'customers':>10} {'cust/s (best)':>14} "
          f"{'cust/s (median)':>16} {'mean wait':>10}")
    for name, r in results.items():
        print(f"{name:<8} {r['best_s']:>8.3f} {r['median_s']:>9.3f} {r['customers'][0]:>10,} "
              f"{r['customers_per_s_best']:>14,.0f} {r['customers_per_s_median']:>16,.0f} {r['wait_mean_min']:>10.4f}")
    print(f"{'Erlang C':<8} {'':>8} {'':>9} {'':>10} {'':>14} {'':>16} {wq:>10.4f}\n")

    ratios = {}
    for other, target in (("Ciw", 4.0), ("SimPy", 2.0)):
        if other not in results:
            print(f"govsim/{other}: not measured ({other} not installed; `pip install -e .[bench]`)")
            continue
        best = results["govsim"]["customers_per_s_best"] / results[other]["customers_per_s_best"]
        med = results["govsim"]["customers_per_s_median"] / results[other]["customers_per_s_median"]
        ratios[other] = {"best": best, "median": med, "target": target}
        verdict = "met" if best >= target else "NOT met"
        print(f"govsim/{other}: {best:.2f}x (best), {med:.2f}x (median) in customers/s; "
              f"target >= {target:g}x: {verdict}")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": info, "customers": args.customers, "repeats": args.repeats,
                       "horizon_min": horizon, "erlang_c_wq_min": wq, "results": results, "ratios": ratios},
                      f, indent=2)
        print(f"\nsaved {args.json}")


if __name__ == "__main__":
    main()
