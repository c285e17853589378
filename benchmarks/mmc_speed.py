"""Speed of one M/M/c queue: govsim through `govsim run`, against Ciw and a hand-written
SimPy model, in customers per second, marginal over run length.

The system: c = 5 servers, exponential service with mean 1.0 min, Poisson arrivals at
4.25/min (rho = 0.85), no warm-up, over a horizon of N / 4.25 minutes so that about N
customers arrive.  Every engine runs at two lengths, N/5 and N customers (default N =
1,000,000; five times that for govsim's compiled loop, whose extra seconds would
otherwise drown in the noise of the command's fixed cost), best of R each, and its speed
is the *marginal* rate:

    customers/s = (customers at N - customers at N/5) / (seconds at N - seconds at N/5)

so what every run pays once (starting Python, importing, compiling, writing the report)
cancels and what is left is the cost of one more customer.

* govsim -- the whole command, ``python -m govsim run SCENARIO --replications 1 --jobs 1
  --quiet`` in a fresh process: loading, the simulation, every metric for every scope,
  the tables, the figures and report.html.  Rows: the compiled event loop (numba, the
  default where it is installed), the Python loop (``GOVSIM_ENGINE=python``), and with
  ``--before PATH`` the same command on another govsim source tree (``PATH/src``: the code
  before a change, side by side on the same machine in the same run).  Each run's peak
  resident memory (``wait4``'s ru_maxrss) gives the memory per customer, marginal too.
* Ciw -- ``ciw.create_network`` + ``Simulation`` + ``simulate_until_max_time`` +
  ``get_all_records`` and the mean wait over the records, in this process.
* SimPy -- a plain ``simpy.Resource`` model that appends each customer's wait to a list
  and averages it at the end, in this process.

Each engine's mean wait at N is printed next to the Erlang C value, to show all simulate
the same system.

Run from the repository root:

    .venv/bin/python benchmarks/mmc_speed.py                       # N = 1,000,000, best of 3, ~4 min
    .venv/bin/python benchmarks/mmc_speed.py --before /tmp/govsim-before   # and the code before a change
    .venv/bin/python benchmarks/mmc_speed.py --quick               # N = 100,000, 1 repeat: a smoke test
    .venv/bin/python benchmarks/mmc_speed.py --json bench-mmc.json

Ciw is optional (``pip install -e .[bench]``, which brings numba too); without it its row
is skipped.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import simpy

try:
    import ciw
except ImportError:  # optional: pip install -e .[bench]
    ciw = None

SERVERS, SERVICE_MEAN, ARRIVAL_RATE = 5, 1.0, 4.25
TARGETS = {"Ciw": 10.0, "SimPy": 5.0}  # govsim's marginal customers/s at least this many times theirs

SCENARIO = """\
name: mmc-speed
model: network
run:
  replications: 1
  seed: {seed}
  horizon_min: {horizon}
  warmup_min: 0
params:
  classes:
    c:
      arrivals: {{dist: exponential, mean: {gap}}}
      route: [w]
  stations:
    w:
      servers: {servers}
      service: {{dist: exponential, mean: {service}}}
"""


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue (Wq) of an M/M/c queue, by the Erlang C formula."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


# -- the engines: each returns (customers arrived, mean wait, peak memory in bytes or None) ----

def govsim_command(env: dict):
    def run(horizon: float, seed: int) -> tuple[int, float, int]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "mmc.yaml"
            path.write_text(SCENARIO.format(seed=seed, horizon=horizon, gap=1 / ARRIVAL_RATE, servers=SERVERS,
                                            service=SERVICE_MEAN), encoding="utf-8")
            out = Path(tmp) / "out"
            proc = subprocess.Popen([sys.executable, "-m", "govsim", "run", str(path), "--out", str(out),
                                     "--replications", "1", "--jobs", "1", "--quiet"],
                                    env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise RuntimeError(f"govsim run failed: {proc.stderr.read().decode()[-2000:]}")
            proc.stderr.close()
            with open(out / "replications.csv", newline="", encoding="utf-8") as f:
                rows = {(r["scope"], r["metric"]): float(r["value"]) for r in csv.DictReader(f)}
        return int(rows[("all", "arrived")]), rows[("all", "wait_mean_min")], usage.ru_maxrss * 1024
    return run


def run_ciw(horizon: float, seed: int) -> tuple[int, float, None]:
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
    return sim.nodes[0].number_of_individuals, sum(waits) / len(waits), None


def run_simpy(horizon: float, seed: int) -> tuple[int, float, None]:
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
    return arrived, sum(waits) / len(waits), None


def engines(before: str | None) -> dict:
    """name: (run function, multiple of N for its long run)."""
    out = {"govsim": (govsim_command({}), 5),
           "govsim, Python loop": (govsim_command({"GOVSIM_ENGINE": "python"}), 1)}
    if before:
        src = str(Path(before).resolve() / "src")
        out["govsim before"] = (govsim_command({"PYTHONPATH": src, "GOVSIM_ENGINE": "python"}), 1)
    if ciw is not None:
        out["Ciw"] = (run_ciw, 1)
    out["SimPy"] = (run_simpy, 1)
    return out


def bench(fn, customers: int, repeats: int) -> dict:
    """Best of ``repeats`` at customers/5 and at customers; the marginal rate between them."""
    at = {}
    for size in (customers // 5, customers):
        horizon = size / ARRIVAL_RATE
        runs = []
        for rep in range(repeats):
            t0 = time.perf_counter()
            n, w, mem = fn(horizon, rep + 1)
            runs.append((time.perf_counter() - t0, n, w, mem))
        best = min(runs)
        at[size] = {"times_s": [r[0] for r in runs], "best_s": best[0], "customers": best[1],
                    "wait_mean_min": best[2], "peak_bytes": min((r[3] for r in runs if r[3] is not None), default=None)}
    small, large = at[customers // 5], at[customers]
    marginal = (large["customers"] - small["customers"]) / (large["best_s"] - small["best_s"])
    per_customer = None
    if large["peak_bytes"] is not None:
        per_customer = (large["peak_bytes"] - small["peak_bytes"]) / (large["customers"] - small["customers"])
    return {"small": small, "large": large, "customers_per_s_marginal": marginal,
            "customers_per_s_at_large": large["customers"] / large["best_s"], "bytes_per_customer": per_customer}


def machine() -> dict:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        import numba
        numba_version = numba.__version__
    except ImportError:
        numba_version = None
    return {
        "python": sys.version.split()[0], "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(), "cpus": cpus,
        "ciw": getattr(ciw, "__version__", None), "simpy": simpy.__version__, "numba": numba_version,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "loadavg_1min_at_start": os.getloadavg()[0],  # should be near 0: other work skews timings
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=1_000_000, help="customers in the long run (default 1000000); "
                    "the short run has a fifth")
    ap.add_argument("--repeats", type=int, default=3, help="runs per engine and length; the best counts (default 3)")
    ap.add_argument("--before", metavar="PATH", help="also time the govsim source tree at PATH (its src/)")
    ap.add_argument("--quick", action="store_true", help="smoke test: 100000 customers, 1 repeat")
    ap.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    args = ap.parse_args()
    if args.quick:
        args.customers, args.repeats = 100_000, 1
    wq = erlang_c_wait(ARRIVAL_RATE, 1 / SERVICE_MEAN, SERVERS)

    info = machine()
    print(f"Python {info['python']} | {info['platform']} | {info['cpus']} CPUs | simpy {info['simpy']} | "
          f"ciw {info['ciw'] or 'not installed'} | numba {info['numba'] or 'not installed'} | {info['date']} | "
          f"load avg {info['loadavg_1min_at_start']:.2f}")
    print(f"M/M/{SERVERS}: arrivals {ARRIVAL_RATE}/min, service mean {SERVICE_MEAN} min, "
          f"rho = {ARRIVAL_RATE * SERVICE_MEAN / SERVERS:.2f}; {args.customers // 5:,} and {args.customers:,} "
          f"customers (govsim's compiled loop: five times as many); best of {args.repeats}")
    print(f"Erlang C mean wait in queue Wq = {wq:.4f} min\n")
    if ciw is None:
        print("Ciw is not installed: skipping it (install it with `pip install -e .[bench]`).\n")

    results = {}
    for name, (fn, scale) in engines(args.before).items():
        results[name] = r = bench(fn, args.customers * scale, args.repeats)
        print(f"  {name}: {r['customers_per_s_marginal']:,.0f} customers/s", flush=True)

    print(f"\n{'engine':<20} {'s short':>8} {'s long':>8} {'customers':>10} {'cust/s marginal':>16} "
          f"{'cust/s long':>12} {'mean wait':>10} {'peak MB':>8} {'bytes/cust':>10}")
    print(f"{'':<20} {'':>8} {'':>8} {'(long)':>10} {'':>16} {'':>12} {'(long)':>10} {'(long)':>8} {'marginal':>10}")
    for name, r in results.items():
        large = r["large"]
        mem = f"{large['peak_bytes'] / 2**20:8.0f}" if large["peak_bytes"] else f"{'':>8}"
        per = f"{r['bytes_per_customer']:10.0f}" if r["bytes_per_customer"] is not None else f"{'':>10}"
        print(f"{name:<20} {r['small']['best_s']:>8.2f} {large['best_s']:>8.2f} {large['customers']:>10,} "
              f"{r['customers_per_s_marginal']:>16,.0f} {r['customers_per_s_at_large']:>12,.0f} "
              f"{large['wait_mean_min']:>10.4f} {mem} {per}")
    print(f"{'Erlang C':<20} {'':>8} {'':>8} {'':>10} {'':>16} {'':>12} {wq:>10.4f}\n")

    ratios = {}
    fast = results["govsim"]["customers_per_s_marginal"]
    for other in ("Ciw", "SimPy", "govsim, Python loop", "govsim before"):
        if other not in results:
            continue
        ratio = fast / results[other]["customers_per_s_marginal"]
        target = TARGETS.get(other)
        ratios[other] = {"ratio": ratio, "target": target}
        verdict = f"; target >= {target:g}x: {'met' if ratio >= target else 'NOT met'}" if target else ""
        print(f"govsim/{other}: {ratio:.2f}x in marginal customers/s{verdict}")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": info, "customers": args.customers, "repeats": args.repeats,
                       "erlang_c_wq_min": wq, "results": results, "ratios": ratios}, f, indent=2)
        print(f"\nsaved {args.json}")


if __name__ == "__main__":
    main()
