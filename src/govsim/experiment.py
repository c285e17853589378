"""Policies × replications: every policy sees the same random draws in a replication.

Replications run in a local process pool (``jobs``), or on a Dask cluster
(``scheduler``: a scheduler address, or "local" for a cluster on this machine) when a
study outgrows one machine.  Each task is independent and deterministic, and results
are put back in (policy, rep) order, so the tables are identical whatever runs them.
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
                   on_done: Optional[Callable[[], None]] = None, scheduler: Optional[str] = None) -> pd.DataFrame:
    """Run every (policy, rep) and return the long table of results."""
    policies = policies or scenario.policy_names
    run = scenario.run
    tasks = [(p, r) for p in policies for r in range(run.replications)]
    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    results: dict[tuple[str, int], list] = {}
    if scheduler is not None:
        _run_on_dask(scenario, tasks, jobs, scheduler, results, on_done)
    elif jobs == 1:
        for p, r in tasks:
            results[(p, r)] = run_replication(scenario.model, scenario.resolved[p], run, p, r)
            if on_done:
                on_done()
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
        try:
            futures = {pool.submit(run_replication, scenario.model, scenario.resolved[p], run, p, r): (p, r)
                       for p, r in tasks}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                if on_done:
                    on_done()
        except BaseException:
            # interrupted (Ctrl-C, SIGTERM) or a failed task: stop the workers too
            workers = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown forgets them
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in workers:
                proc.terminate()
            raise
        pool.shutdown()
    rows = [row for task in tasks for row in results[task]]
    return pd.DataFrame(rows, columns=COLUMNS)


def _run_on_dask(scenario: Scenario, tasks, jobs: int, scheduler: str, results: dict, on_done) -> None:
    """The same tasks on a Dask cluster (``pip install govsim[cluster]``)."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("the Dask backend needs dask[distributed]: pip install -e '.[cluster]'") from exc
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None) \
        if scheduler == "local" else None
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            futures = {client.submit(run_replication, scenario.model, scenario.resolved[p], scenario.run, p, r,
                                     pure=False): (p, r) for p, r in tasks}
            for fut in dask_completed(futures):
                results[futures[fut]] = fut.result()
                if on_done:
                    on_done()
    finally:
        if cluster is not None:
            cluster.close()
