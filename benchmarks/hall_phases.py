"""Where the shipped hall study's time goes: the phases of one replication, and the fixed
costs of ``govsim run`` around the replications, side by side in one run.

Per replication (one worker, in-process, garbage collection paused as in a task): drawing
the population, building the hall, the event loop, the KPIs, and freeing the replication's
objects, each timed with ``time.perf_counter`` over every policy x ``--replications``; for
both event loops side by side: the compiled one (numba, the default; "build" is filling its
arrays from the population, done once per population, "event loop" the rest of
``compiled.simulate``: the loop and its records) and the Python one (``hall.Hall``).
Beside it, the population as a task gets it (``population_of``: a worker keeps the
populations it drew, and two workers take a replication's policies in turn, each with its
own), which is what the projection counts.
Fixed costs: importing what ``govsim run`` imports (in a fresh process), loading and
checking the scenario, and writing the results (tables, charts, report) from the
replications of this run, into a temporary folder.

Run from the repository root:

    .venv/bin/python benchmarks/hall_phases.py                  # 3 replications per policy, ~1 min
    .venv/bin/python benchmarks/hall_phases.py --replications 1
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

PHASES = ("population", "build", "event loop", "KPIs", "freeing")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default=str(REPO / "scenarios" / "hongjiang_hall.yaml"))
    ap.add_argument("--replications", type=int, default=3)
    args = ap.parse_args()
    print(f"Python {platform.python_version()} | {platform.platform()} | {os.cpu_count()} CPUs | "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC | load avg {os.getloadavg()[0]:.2f} "
          f"(other work skews timings)")

    imports = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); "
                              "import govsim.cli, govsim.experiment, govsim.scenario, govsim.results.write; "
                              "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    import pandas as pd

    from govsim.eventloop import gc_paused
    from govsim.experiment import COLUMNS
    from govsim.results.write import write_results
    from govsim.rng import Streams
    from govsim.scenario import load_scenario

    hall = importlib.import_module("govsim.models.service_hall.hall")
    kpis = importlib.import_module("govsim.models.service_hall.kpis")
    population = importlib.import_module("govsim.models.service_hall.population")
    compiled = importlib.import_module("govsim.models.service_hall.compiled")

    t0 = time.perf_counter()
    sc = load_scenario(args.scenario)
    load_s = time.perf_counter() - t0
    run = sc.run
    engines = ["compiled", "python"] if compiled.available() else ["python"]
    if compiled.available():  # compiling (or loading numba's cache) is not a replication's
        p0 = sc.resolved[sc.policy_names[0]]
        compiled.simulate(p0, population.Population(p0, Streams(run.seed, 0), 2), 2, 0)
    totals = {engine: dict.fromkeys(PHASES, 0.0) for engine in engines}
    rows, n = [], 0
    for rep in range(args.replications):
        for policy in sc.policy_names:
            params = sc.resolved[policy]
            for engine in engines:
                with gc_paused():
                    t = [time.perf_counter()]
                    pop = population.Population(params, Streams(run.seed, rep), run.days)
                    t.append(time.perf_counter())
                    if engine == "compiled":
                        compiled._person_columns(pop)
                        t.append(time.perf_counter())
                        rec = compiled.simulate(params, pop, run.days, run.warmup_days)
                    else:
                        h = hall.Hall(params, pop, run.days, run.warmup_days)
                        t.append(time.perf_counter())
                        rec = h.run()
                        del h
                    t.append(time.perf_counter())
                    out = kpis.kpis(rec, params)
                    t.append(time.perf_counter())
                    del rec, pop
                    t.append(time.perf_counter())
                for k, phase in enumerate(PHASES):
                    totals[engine][phase] += t[k + 1] - t[k]
            rows += [(policy, rep, run.seed, scope, metric, float(value)) for scope, metric, value in out]
            n += 1
    # the population as two workers get it: each keeps its own, and they take tasks in turn
    kept_by_worker = [population._Kept(), population._Kept()]
    t0 = time.perf_counter()
    for task, (rep, policy) in enumerate((r, p) for r in range(args.replications) for p in sc.policy_names):
        population._kept = kept_by_worker[task % 2]
        with gc_paused():
            population.population_of(sc.resolved[policy], Streams(run.seed, rep), run.days)
    kept_ms = (time.perf_counter() - t0) / n * 1000
    per = {engine: {phase: totals[engine][phase] / n * 1000 for phase in PHASES} for engine in engines}
    print(f"\n{Path(args.scenario).name}: {len(sc.policy_names)} policies x {args.replications} replications, "
          f"{run.days} days each")
    print("one replication, ms of CPU:" + "".join(f"{engine:>12}" for engine in engines))
    for phase in PHASES:
        print(f"  {phase:<12}" + "".join(f"{per[engine][phase]:12.1f}" for engine in engines))
    print(f"  {'total':<12}" + "".join(f"{sum(per[engine].values()):12.1f}" for engine in engines))
    for engine in engines:
        per[engine]["population"] = kept_ms
    print(f"  population as a task gets it (kept across policies, two workers): {kept_ms:.1f}; total "
          + ", ".join(f"{engine} {sum(per[engine].values()):.1f}" for engine in engines))
    per = per[engines[0]]  # the engine a study runs on
    reps = pd.DataFrame(rows, columns=COLUMNS)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_results(Path(tmp) / "out", sc, reps, sc.policy_names, {})
        write_s = time.perf_counter() - t0
    print("fixed costs of `govsim run`, s:")
    print(f"  imports      {float(imports.stdout):7.2f}")
    print(f"  load+checks  {load_s:7.2f}")
    print(f"  write        {write_s:7.2f}  (tables, charts in two processes, report)")
    tasks = len(sc.policy_names) * run.replications
    print(f"projected whole study ({tasks} tasks on 2 cores): "
          f"{tasks * sum(per.values()) / 1000 / 2 + float(imports.stdout) + load_s + write_s:.1f} s")


if __name__ == "__main__":
    main()
