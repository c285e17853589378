"""Speed-up of a govsim study from running replications in parallel processes.

Runs the same study through ``run_experiment`` with ``jobs=1`` and then with ``jobs=N``,
times both with the wall clock, prints the speed-up and checks that the two result
tables are identical (they must be: every task is deterministic and results are put
back in order).

The default is a long study: the shipped hall (``scenarios/hongjiang_hall.yaml``, 13
policies) at 6 replications, 78 tasks of about 0.2 s, so ``jobs=1`` takes well over 10 s
and starting the worker processes is a small part of the parallel time.  The M/M/5 demo
(``--scenario scenarios/mmc_demo.yaml --replications 40``) is now a short study: its
compiled loop makes a task about 0.03 s.

Run from the repository root:

    .venv/bin/python benchmarks/parallel_speedup.py                  # the hall, 6 reps, jobs 1 vs 2
    .venv/bin/python benchmarks/parallel_speedup.py --scenario scenarios/mmc_demo.yaml --replications 40
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

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "hongjiang_hall.yaml"


def length(run) -> str:
    """A replication's length, as the run states it: working days or minutes."""
    return f"{run.days} days" if getattr(run, "days", None) else f"horizon {run.horizon_min:g} min"


def timed_run(scenario, jobs: int):
    t0 = time.perf_counter()
    df = run_experiment(scenario, None, jobs)
    return time.perf_counter() - t0, df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replications", type=int, default=6, help="replications per policy (default 6)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for the parallel run (default 2)")
    ap.add_argument("--scenario", default=str(SCENARIO), help="scenario file (default scenarios/hongjiang_hall.yaml)")
    args = ap.parse_args()

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Python {sys.version.split()[0]} | {platform.platform()} | {cpus} CPUs | "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')} | load avg {os.getloadavg()[0]:.2f} (other work skews timings)")
    sc = load_scenario(args.scenario).with_run(replications=args.replications)
    n_tasks = len(sc.policy_names) * args.replications
    print(f"{Path(args.scenario).name}: {len(sc.policy_names)} policies x {args.replications} replications "
          f"= {n_tasks} tasks, {length(sc.run)} each")
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
