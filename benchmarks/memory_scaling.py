"""Peak memory of govsim against the length of a replication and the number of replications.

Every point is a fresh process (``python benchmarks/memory_scaling.py --child ...``) that
imports govsim, loads the scenario, does its work and reports its own peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``), so nothing from one point lingers in the
next.  A baseline process does the same with (almost) no work: imports, loading, numba's
compiled code where it is used, and a run of one minute (network) or one day (hall).

(a) Against customers per replication: one replication of the first policy, no warm-up,
    through ``experiment.run_replication`` (``simulate`` + the metrics, what a task of
    ``govsim run`` does):

    * the network model on ``scenarios/mmc_demo.yaml`` (an M/M/5 queue) over run lengths
      giving about 25k, 50k, 100k and 200k customers (``arrived`` at scope ``all``);
    * the service hall on ``scenarios/hongjiang_hall.yaml`` over 10, 20 and 40 working
      days (``matters`` at scope ``all``).

    bytes per customer = (peak - baseline's peak) / (customers - baseline's customers), and
    the marginal figure between consecutive lengths.  Flat: memory grows in proportion to
    the customers of one replication and nothing else.

(b) Against replications: ``run_experiment(scenario, jobs=1)`` (what ``govsim run --jobs 1``
    does before its tables and report) on ``scenarios/mmc_demo.yaml`` as written, with 10,
    40 and 160 replications per policy.  Flat: the peak stays that of one replication, as
    results keep only their rows (the results table itself grows by a few kB a task, printed
    beside it), not each replication's records.

Run from the repository root:

    .venv/bin/python benchmarks/memory_scaling.py            # ~1 min
    .venv/bin/python benchmarks/memory_scaling.py --quick    # smaller sizes, 5/10/20 replications
    GOVSIM_ENGINE=python .venv/bin/python benchmarks/memory_scaling.py   # the network's Python loop
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NETWORK = REPO / "scenarios" / "mmc_demo.yaml"
HALL = REPO / "scenarios" / "hongjiang_hall.yaml"
COUNTED = {"network": "arrived", "hall": "matters"}  # the metric at scope "all" that counts customers


# -- the child: one point, in a fresh process ---------------------------------------------

def count(rows, metric: str) -> int:
    return int(sum(row[5] for row in rows if row[3] == "all" and row[4] == metric))


def child(kind: str, scenario: str, length: float) -> dict:
    """kind network: ``length`` minutes; hall: ``length`` days; experiment: ``length`` replications."""
    from govsim.experiment import run_experiment, run_replication
    from govsim.scenario import load_scenario

    sc = load_scenario(scenario)
    t0 = time.perf_counter()
    if kind == "experiment":
        sc = sc.with_run(replications=int(length))
        table = run_experiment(sc, None, 1)
        at_all = table[(table["scope"] == "all") & table["metric"].isin(list(COUNTED.values()))]
        customers, tasks = int(at_all["value"].sum()), len(sc.policy_names) * int(length)
        extra = {"tasks": tasks, "table_bytes": int(table.memory_usage(deep=True).sum())}
    else:
        sc = sc.with_run(horizon_min=length, warmup_min=0) if kind == "network" else \
            sc.with_run(days=int(length), warmup_days=0)
        policy = sc.policy_names[0]
        rows = run_replication(sc.model, sc.resolved[policy], sc.run, policy, 0)
        customers, extra = count(rows, COUNTED[kind]), {}
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    return {"kind": kind, "length": length, "customers": customers, "seconds": seconds, "peak_bytes": peak, **extra}


# -- the parent ---------------------------------------------------------------------------

def point(kind: str, scenario: Path, length: float) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(scenario), repr(length)],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} at {length} failed: {proc.stderr.strip()[-1500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def per_customer(base: dict, r: dict) -> float:
    return (r["peak_bytes"] - base["peak_bytes"]) / (r["customers"] - base["customers"])


def length_table(title: str, unit: str, base: dict, runs: list[dict]) -> list[dict]:
    print(f"\n{title}")
    print(f"{unit:>10} {'customers':>10} {'seconds':>8} {'peak MB':>8} {'above base MB':>14} {'bytes/customer':>15} "
          f"{'marginal':>9}")
    print(f"{'baseline':>10} {base['customers']:>10,} {base['seconds']:>8.2f} {base['peak_bytes'] / 2**20:>8.0f}")
    out, previous = [], None
    for r in runs:
        marginal = per_customer(previous, r) if previous else None
        row = {**r, "bytes_per_customer": per_customer(base, r), "marginal_bytes_per_customer": marginal}
        shown = f"{marginal:>9.0f}" if marginal is not None else f"{'':>9}"
        print(f"{r['length']:>10,.0f} {r['customers']:>10,} {r['seconds']:>8.2f} {r['peak_bytes'] / 2**20:>8.0f} "
              f"{(r['peak_bytes'] - base['peak_bytes']) / 2**20:>14.1f} {row['bytes_per_customer']:>15.0f} {shown}")
        out.append(row)
        previous = r
    return out


def replications_table(runs: list[dict]) -> dict:
    print(f"\n(b) run_experiment(jobs=1) on {NETWORK.name}, against replications")
    print(f"{'reps':>6} {'tasks':>6} {'customers':>12} {'seconds':>8} {'peak MB':>8} {'results table kB':>17}")
    for r in runs:
        print(f"{r['length']:>6.0f} {r['tasks']:>6} {r['customers']:>12,} {r['seconds']:>8.2f} "
              f"{r['peak_bytes'] / 2**20:>8.0f} {r['table_bytes'] / 1024:>17.0f}")
    first, last = runs[0], runs[-1]
    more_tasks = last["tasks"] - first["tasks"]
    growth = last["peak_bytes"] - first["peak_bytes"]
    table_growth = last["table_bytes"] - first["table_bytes"]
    flat = growth < 0.1 * first["peak_bytes"]
    print(f"peak from {first['tasks']} to {last['tasks']} tasks: {growth / 2**20:+.1f} MB, "
          f"{growth / more_tasks / 1024:+.1f} kB per extra task (the results table: "
          f"{table_growth / more_tasks / 1024:.1f} kB per task); {'flat' if flat else 'NOT flat'} "
          f"(within 10% of the peak at {first['tasks']} tasks)")
    return {"runs": runs, "growth_bytes": growth, "growth_bytes_per_task": growth / more_tasks, "flat": flat}


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"Python {sys.version.split()[0]} | {platform.platform()} | {cpus} CPUs | "
            f"{time.strftime('%Y-%m-%d %H:%M %Z')} | load avg {os.getloadavg()[0]:.2f} | "
            f"GOVSIM_ENGINE={os.environ.get('GOVSIM_ENGINE', '(default)')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, nargs="+", default=[25_000, 50_000, 100_000, 200_000],
                    help="network: about this many customers per replication (default 25000 50000 100000 200000)")
    ap.add_argument("--days", type=int, nargs="+", default=[10, 20, 40],
                    help="hall: working days per replication (default 10 20 40)")
    ap.add_argument("--replications", type=int, nargs="+", default=[10, 40, 160],
                    help="replications per policy for (b) (default 10 40 160)")
    ap.add_argument("--quick", action="store_true", help="smoke test: 5k-20k customers, 2 and 4 days, 5/10/20 reps")
    ap.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "SCENARIO", "LENGTH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, scenario, length = args.child
        print(json.dumps(child(kind, scenario, float(length))))
        return
    if args.quick:
        args.customers, args.days, args.replications = [5_000, 10_000, 20_000], [2, 4], [5, 10, 20]

    print(machine(), flush=True)
    pilot = point("network", NETWORK, 2000.0)
    per_minute = pilot["customers"] / 2000.0  # to turn customers into run lengths
    network_base = point("network", NETWORK, 1.0)
    network = [point("network", NETWORK, round(n / per_minute)) for n in args.customers]
    hall_base = point("hall", HALL, 1)
    hall = [point("hall", HALL, d) for d in args.days]
    results = {
        "network": length_table(f"(a) network, {NETWORK.name}, one replication, against customers",
                                "minutes", network_base, network),
        "hall": length_table(f"(a) service hall, {HALL.name}, one replication, against matters (customers)",
                             "days", hall_base, hall),
        "replications": replications_table([point("experiment", NETWORK, r) for r in args.replications]),
    }
    results["baselines"] = {"network": network_base, "hall": hall_base}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": machine(), **results}, f, indent=2)
        print(f"\nsaved {args.json}")


if __name__ == "__main__":
    main()
