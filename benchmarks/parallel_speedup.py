"""Speed-up of a govsim study from running replications in parallel processes.

Runs the same study (``scenarios/mmc_demo.yaml``: 2 policies x R replications, each
an M/M/5 queue over 20,000 simulated minutes, about 85,000 customers) through
``run_experiment`` with ``jobs=1`` and then with ``jobs=N``, times both with the wall
clock, prints the speed-up and checks that the two result tables are identical
(they must be: every task is deterministic and results are put back in order).

The default, 40 replications (80 tasks of about 0.16 s), makes ``jobs=1`` take well
over 10 s, so starting the worker processes is a small part of the parallel time.

Run from the repository root:

    .venv/bin/python benchmarks/parallel_speedup.py                  # 40 reps, jobs 1 vs 2
    .venv/bin/python benchmarks/parallel_speedup.py --replications 10 --jobs 4
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from govsim.experiment import run_experiment
from govsim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "mmc_demo.yaml"


def timed_run(scenario, jobs: int):
    t0 = time.perf_counter()
    df = run_experiment(scenario, None, jobs)
    return time.perf_counter() - t0, df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replications", type=int, default=40, help="replications per policy (default 40)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for the parallel run (default 2)")
    ap.add_argument("--scenario", default=str(SCENARIO), help="scenario file (default scenarios/mmc_demo.yaml)")
    args = ap.parse_args()

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Python {sys.version.split()[0]} | {platform.platform()} | {cpus} CPUs | "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')} | load avg {os.getloadavg()[0]:.2f} (other work skews timings)")
    sc = load_scenario(args.scenario).with_run(replications=args.replications)
    n_tasks = len(sc.policy_names) * args.replications
    print(f"{Path(args.scenario).name}: {len(sc.policy_names)} policies x {args.replications} replications "
          f"= {n_tasks} tasks, horizon {sc.run.horizon_min:g} min each")
    if args.jobs > cpus:
        print(f"note: --jobs {args.jobs} is more than the {cpus} CPUs available")

    run_experiment(sc.with_run(replications=1), None, 1)  # warm-up: imports, caches
    t1, df1 = timed_run(sc, 1)
    print(f"jobs=1: {t1:7.2f} s  ({n_tasks / t1:.2f} tasks/s)")
    tn, dfn = timed_run(sc, args.jobs)
    print(f"jobs={args.jobs}: {tn:7.2f} s  ({n_tasks / tn:.2f} tasks/s)")

    speedup = t1 / tn
    print(f"speed-up: {speedup:.2f}x with {args.jobs} jobs (parallel efficiency {speedup / args.jobs:.0%})")
    same = df1.equals(dfn)
    print(f"results identical (df1.equals(df{args.jobs})): {same}  [{len(df1):,} rows]")
    assert same, "the parallel run gave different results from the serial one"


if __name__ == "__main__":
    main()
