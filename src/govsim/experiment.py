"""Policies × replications: every policy sees the same random draws in a replication.

Replications run in a local process pool (``jobs``); each task is independent and
deterministic, and results are put back in (policy, rep) order, so the tables are
identical whatever the number of workers.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Optional

import pandas as pd

from .rng import Streams
from .scenario import Scenario

COLUMNS = ["policy", "rep", "seed", "scope", "metric", "value"]


def run_replication(model, params, run, policy: str, rep: int) -> list[tuple]:
    rows = model.run(params, Streams(run.seed, rep), run)
    return [(policy, rep, run.seed, scope, metric, float(value)) for scope, metric, value in rows]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_experiment(scenario: Scenario, policies: Optional[list[str]] = None, jobs: Optional[int] = None,
                   on_done: Optional[Callable[[], None]] = None) -> pd.DataFrame:
    """Run every (policy, rep) and return the long table of results."""
    policies = policies or scenario.policy_names
    run = scenario.run
    tasks = [(p, r) for p in policies for r in range(run.replications)]
    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    results: dict[tuple[str, int], list] = {}
    if jobs == 1:
        for p, r in tasks:
            results[(p, r)] = run_replication(scenario.model, scenario.resolved[p], run, p, r)
            if on_done:
                on_done()
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(run_replication, scenario.model, scenario.resolved[p], run, p, r): (p, r)
                       for p, r in tasks}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                if on_done:
                    on_done()
    rows = [row for task in tasks for row in results[task]]
    return pd.DataFrame(rows, columns=COLUMNS)
