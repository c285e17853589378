"""How long a 10,000-replication study would take on a Dask cluster of N workers, projected
from what one task costs here and what Dask adds to each task.

For each study (default: the shipped hall study ``scenarios/hongjiang_hall.yaml`` and
``scenarios/mmc_demo.yaml``, one policy each, its first unless ``--policy``):

1. the task time t: R replications of the policy as written, each timed in this process
   through ``experiment.run_replication`` (what a worker runs for one task), after one
   short untimed replication (imports, caches, numba's compiling); t is their mean;
2. Dask's overhead per task o, through the ``--scheduler local`` path of ``govsim run``
   (``run_experiment(..., scheduler="local")``: a ``LocalCluster`` of W worker processes
   with one thread each, W = 1 unless ``--workers``): a batch of B short tasks (the same
   policy, the same results to send back, over 2 working days for the hall and 100
   minutes for the network, so the overhead is not lost in the task's noise) runs on
   the cluster; the time each task finishes is taken from ``run_experiment``'s
   ``on_done``, each task's own time on the worker inside it (``run_replication``
   wrapped to return it as one more row), and

       o = (last finish - first finish) / (B - 1)  -  the mean task time on the worker / W

   (both from the same batch, so a load that changes meanwhile does not count as
   overhead; the cluster's start, its first task and its shutdown fall outside; what is
   left is the scheduler's dispatch, sending the task and its results, and the client's
   bookkeeping, per task, as far as they do not overlap the work);
3. the projection, for T = 10,000 tasks (replications of the one policy) on N workers:

       wall(N) = ceil(T / N) * t  +  T * o / min(N, S)

   the workers' share, in rounds of N tasks, plus the overhead; S is how many workers'
   worth of overhead can go on at once.  Two rows a study: S = 1 (``--overhead-parallelism``;
   one scheduler thread dispatches every task and one client process collects every
   result, so the overhead is taken as serial: an upper bound, since in practice much
   of it overlaps the workers' work) and S = N (the overhead spread over the workers,
   as the part a worker pays itself is: a lower bound).
   Not included: starting the cluster, a slower network than this machine's loopback,
   workers slower or faster than this machine's cores, and the tables and report after
   the run.

Run from the repository root:

    .venv/bin/python benchmarks/dask_projection.py                 # ~1 min
    .venv/bin/python benchmarks/dask_projection.py --batch 100 --replications 2
    .venv/bin/python benchmarks/dask_projection.py --scenario scenarios/mmc_demo.yaml --tasks 1000000

Needs dask[distributed] (``pip install -e .[cluster]``; ``make`` installs it).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from govsim import experiment
from govsim.experiment import run_experiment, run_replication
from govsim.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
STUDIES = [REPO / "scenarios" / "hongjiang_hall.yaml", REPO / "scenarios" / "mmc_demo.yaml"]
WORKERS = (1, 2, 8, 32, 128)


def short_run(sc):
    """The same study over a short run: the overhead's measure."""
    if sc.run.days is not None:
        return sc.with_run(days=2, warmup_days=1, replications=1)
    return sc.with_run(horizon_min=100.0, warmup_min=0, replications=1)


def task_times(sc, policy: str, replications: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each replication (CPU: what an idle core would take, near enough)."""
    wall, cpu = [], []
    for rep in range(replications):
        t0, c0 = time.perf_counter(), time.process_time()
        run_replication(sc.model, sc.resolved[policy], sc.run, policy, rep)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


TIMING = ("benchmark", "task_seconds")  # the row timed_replication adds


def timed_replication(model, params, run, policy, rep, trace=False):
    """``run_replication`` and one more row: its own seconds on the worker.  Defined here, so
    sent to the workers by value, where ``experiment.run_replication`` is the real one."""
    from govsim import experiment

    t0 = time.perf_counter()
    rows = experiment.run_replication(model, params, run, policy, rep, trace)
    return rows + [(policy, rep, run.seed, TIMING[0], TIMING[1], time.perf_counter() - t0)]


def dask_per_task(sc, policy: str, batch: int, workers: int) -> tuple[float, float, float]:
    """(seconds between finishes per task in steady state, mean seconds of a task inside the
    worker after the first, seconds from the call to the first finish)."""
    finishes: list[float] = []
    real = experiment.run_replication
    experiment.run_replication = timed_replication  # what _run_on_dask submits
    try:
        t0 = time.perf_counter()
        table = run_experiment(sc.with_run(replications=batch), [policy], jobs=workers, scheduler="local",
                               on_done=lambda: finishes.append(time.perf_counter()))
    finally:
        experiment.run_replication = real
    inside = table[(table["scope"] == TIMING[0]) & (table["metric"] == TIMING[1])].sort_values("rep")["value"]
    return (finishes[-1] - finishes[0]) / (len(finishes) - 1), float(inside.iloc[1:].mean()), finishes[0] - t0


def measure(path: Path, policy: str | None, replications: int, batch: int, workers: int) -> dict:
    sc = load_scenario(path)
    policy = policy if policy in sc.policy_names else sc.policy_names[0]
    short = short_run(sc)
    task_times(short, policy, 1)  # untimed: imports, caches, compiling
    full, full_cpu = task_times(sc, policy, replications)
    short_inproc = statistics.mean(task_times(short, policy, min(batch, 50))[0])
    apart, on_worker, start = dask_per_task(short, policy, batch, workers)
    length = f"{sc.run.days} days ({sc.run.warmup_days} warm-up)" if sc.run.days is not None else \
        f"{sc.run.horizon_min:g} min ({sc.run.warmup_min:g} warm-up)"
    return {"scenario": path.name, "path": str(path), "policy": policy, "run": length,
            "task_s": statistics.mean(full), "task_s_runs": full, "task_cpu_s": statistics.mean(full_cpu),
            "short_task_s_in_process": short_inproc, "short_task_s_on_worker": on_worker,
            "short_tasks_s_apart_on_dask": apart,
            "overhead_s": max(0.0, apart - on_worker / workers), "overhead_s_raw": apart - on_worker / workers,
            "cluster_start_and_first_task_s": start, "batch": batch, "workers": workers}


def projected(tasks: int, n: int, task_s: float, overhead_s: float, parallel: int) -> float:
    return math.ceil(tasks / n) * task_s + tasks * overhead_s / min(n, parallel)


def print_projection(studies: list[dict], tasks: int, S: int) -> None:
    """Two rows a study: the overhead S workers' worth at once (S = 1: serial, an upper
    bound) and spread over all N workers (S = N: a lower bound)."""
    print(f"\nProjected wall time of {tasks:,} tasks on N workers: wall(N) = ceil({tasks:,} / N) x t + "
          f"{tasks:,} x o / min(N, S)")
    print("(t: one task here; o: Dask's overhead per task; S = 1: the overhead serial, an upper bound; S = N: it "
          "spreads over the workers, a lower bound; cluster start-up, the network and the report not included)\n")
    print(f"{'study':<30} {'t (s)':>7} {'o (ms)':>7} {'S':>3}" + "".join(f" {'N = ' + str(n):>10}" for n in WORKERS))
    for s in studies:
        s["projected_s"] = {}
        for label, spread in ((str(S), S), ("N", max(WORKERS))):
            times = {n: projected(tasks, n, s["task_s"], s["overhead_s"], spread) for n in WORKERS}
            s["projected_s"][f"S={label}"] = times
            name = f"{s['scenario']} [{s['policy']}]" if label != "N" else ""
            print(f"{name:<30} {s['task_s']:>7.3f} {s['overhead_s'] * 1e3:>7.1f} {label:>3}"
                  + "".join(f" {clock(times[n]):>10}" for n in WORKERS))
        s["overhead_share_at_128"] = tasks * s["overhead_s"] / min(128, S) / s["projected_s"][f"S={S}"][128]
    print(f"\noverhead's share of the projected time at N = 128, S = {S}: " +
          ", ".join(f"{s['scenario']} {s['overhead_share_at_128']:.0%}" for s in studies))


def clock(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", action="append", help="a study to measure (repeatable; default the hall study and "
                    "mmc_demo.yaml)")
    ap.add_argument("--policy", help="the policy to run (default each study's first)")
    ap.add_argument("--replications", type=int, default=3, help="full replications timed in-process (default 3)")
    ap.add_argument("--batch", type=int, default=200, help="short tasks run on the local Dask cluster (default 200)")
    ap.add_argument("--workers", type=int, default=1, help="workers of the local cluster measuring the overhead "
                    "(default 1)")
    ap.add_argument("--tasks", type=int, default=10_000, help="tasks (replications) of the projected study "
                    "(default 10000)")
    ap.add_argument("--overhead-parallelism", type=int, default=1, metavar="S",
                    help="workers' worth of overhead going on at once, S in the formula (default 1: serial)")
    ap.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    args = ap.parse_args()
    if args.batch < 2:
        ap.error("--batch needs at least 2 tasks")

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import dask
    import distributed
    print(f"Python {sys.version.split()[0]} | {platform.platform()} | {cpus} CPUs | dask {dask.__version__} | "
          f"distributed {distributed.__version__} | {time.strftime('%Y-%m-%d %H:%M %Z')} | "
          f"load avg {os.getloadavg()[0]:.2f} (other work skews timings)", flush=True)

    studies = []
    for path in [Path(p).resolve() for p in args.scenario] if args.scenario else STUDIES:
        print(f"measuring {path.name} ...", flush=True)
        s = measure(path, args.policy, args.replications, args.batch, args.workers)
        studies.append(s)
        print(f"{s['scenario']} [{s['policy']}], {s['run']}: task {s['task_s']:.3f} s "
              f"(CPU {s['task_cpu_s']:.3f} s; mean of {args.replications}); "
              f"short task {s['short_task_s_in_process'] * 1e3:.1f} ms in-process, "
              f"{s['short_task_s_on_worker'] * 1e3:.1f} ms on the worker, finishing "
              f"{s['short_tasks_s_apart_on_dask'] * 1e3:.1f} ms apart ({args.workers} worker, {args.batch} tasks): "
              f"overhead o = {s['overhead_s_raw'] * 1e3:.1f} ms per task; cluster start + first task "
              f"{s['cluster_start_and_first_task_s']:.1f} s", flush=True)

    S = args.overhead_parallelism
    print_projection(studies, args.tasks, S)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"tasks": args.tasks, "overhead_parallelism": S, "studies": studies}, f, indent=2)
        print(f"\nsaved {args.json}")


if __name__ == "__main__":
    main()
