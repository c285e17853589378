"""Policies × replications: every policy sees the same random draws in a replication.

Replications run in a local process pool (``jobs``), or on a Dask cluster
(``scheduler``: a scheduler address, or "local" for a cluster on this machine) when a
study outgrows one machine.  Each task is independent and deterministic, and results
are put back in (policy, rep) order, so the tables (and, with ``trace``, the event
log) are identical whatever runs them.
"""
from __future__ import annotations

import gc
import os
from dataclasses import replace
from typing import Callable, Optional, Union

import pandas as pd

from .checkpoint import Checkpoint, task_key
from .model_api import Trace
from .rng import Streams
from .scenario import Scenario, dump_params
from .workers import WorkerPool, default_context

COLUMNS = ["policy", "rep", "seed", "scope", "metric", "value"]


class SchedulerUnreachable(OSError):
    """``--scheduler``'s address answers no Dask scheduler (the message says which)."""


def run_replication(model, params, run, policy: str, rep: int, trace: bool = False):
    """One task: its rows; with ``trace``, ``(rows, events)``, events being the
    replication's ``Trace.rows``."""
    log = Trace() if trace else None
    rows = model.run(params, Streams(run.seed, rep), run, log)
    rows = [(policy, rep, run.seed, scope, metric, float(value)) for scope, metric, value in rows]
    return (rows, log.rows) if trace else rows


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_experiment(scenario: Scenario, policies: Optional[list[str]] = None, jobs: Optional[int] = None,
                   on_done: Optional[Callable[[], None]] = None, scheduler: Optional[str] = None,
                   trace: bool = False, checkpoint: Optional[Checkpoint] = None, first_rep: int = 0
                   ) -> Union[pd.DataFrame, tuple[pd.DataFrame, dict]]:
    """Run every (policy, rep) and return the long table of results; with ``trace``,
    ``(table, events)``, events being ``{(policy, rep): Trace rows}`` in task order
    (``govsim.events.events_frame`` makes them one table).  With a ``checkpoint``, tasks
    it holds are taken from it and every finished task is saved to it at once.  Replications
    ``first_rep`` to ``run.replications - 1`` run (a study adding rounds)."""
    policies = policies or scenario.policy_names
    run = scenario.run
    tasks = [(p, r) for p in policies for r in range(first_rep, run.replications)]
    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    results: dict[tuple[str, int], list] = {}
    keys = {}
    if checkpoint is not None:
        keys = {(p, r): task_key(scenario.model.name, p, dump_params(scenario.resolved[p]), run, r, trace)
                for p, r in tasks}
        for task in tasks:
            saved = checkpoint.load(keys[task])
            if saved is not None:
                results[task] = saved
                if on_done:
                    on_done()

    def finished(task, result) -> None:
        results[task] = result
        if checkpoint is not None:
            checkpoint.save(keys[task], result)
        if on_done:
            on_done()

    # replication after replication: a worker meets a replication's policies together, and
    # the hall's keep the visitors drawn for one policy for the next (population_of)
    todo = sorted((t for t in tasks if t not in results), key=lambda t: t[1])
    if todo and scheduler is not None:
        _run_on_dask(scenario, todo, jobs, scheduler, finished, trace)
    elif todo and jobs == 1:
        try:
            for p, r in todo:
                finished((p, r), run_replication(scenario.model, scenario.resolved[p], run, p, r, trace))
        finally:
            scenario.model.forget()
    elif todo:
        # a worker starts with the parent's imports: frozen, the collector never rescans them;
        # an exception or Ctrl-C leaves the block with the workers killed
        with WorkerPool(jobs, initializer=gc.freeze, context=default_context()) as pool:
            for i, result in pool.imap_unordered(
                    run_replication, [(scenario.model, scenario.resolved[p], run, p, r, trace) for p, r in todo]):
                finished(todo[i], result)
    rows = [row for task in tasks for row in (results[task][0] if trace else results[task])]
    table = pd.DataFrame(rows, columns=COLUMNS)
    return (table, {task: results[task][1] for task in tasks}) if trace else table


def check_scheduler(address: str) -> None:
    """Raise ``SchedulerUnreachable`` (one line) unless ``--scheduler`` is "local" or reads as
    a scheduler's address with its port, so a typo is told before anything runs."""
    if address == "local":
        return
    try:
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:  # pragma: no cover - depends on the installation
        raise SchedulerUnreachable("--scheduler: the Dask backend needs dask[distributed]: "
                                   "pip install -e '.[cluster]'") from None
    try:
        protocol, location = parse_address(address)
        if protocol in ("tcp", "tls", "ws", "wss"):
            parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise SchedulerUnreachable(f"--scheduler: '{address}' is neither 'local' nor a scheduler's address such as "
                                   f"tcp://HOST:8786 ({exc})") from None


def _run_on_dask(scenario: Scenario, tasks, jobs: int, scheduler: str, finished: Callable,
                 trace: bool = False) -> None:
    """The same tasks on a Dask cluster (``pip install govsim[cluster]``)."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("the Dask backend needs dask[distributed]: pip install -e '.[cluster]'") from exc
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0") \
        if scheduler == "local" else None
    try:
        try:
            client = Client(cluster if cluster is not None else scheduler)
        except (OSError, TimeoutError) as exc:
            raise SchedulerUnreachable(f"--scheduler: cannot reach the Dask scheduler '{scheduler}' ({exc})") from exc
        with client:
            futures = {client.submit(run_replication, scenario.model, scenario.resolved[p], scenario.run, p, r,
                                     trace, pure=False): (p, r) for p, r in tasks}
            for fut in dask_completed(futures):
                finished(futures[fut], fut.result())
    finally:
        if cluster is not None:
            cluster.close()


def run_decomposition(scenario, reps: pd.DataFrame, jobs: Optional[int] = None, on_done=None,
                      scheduler: Optional[str] = None) -> pd.DataFrame:
    """Run the combinations of parts the main run did not (the same seeds: common random
    numbers) and return ``decomposition.csv`` for the model's key metrics."""
    from .decompose import decomposition_table

    d = scenario.decomposition
    need = dict(scenario.decompose_resolved)
    for name in (d.from_, d.to):
        if name not in set(reps["policy"]):
            need[name] = scenario.resolved[name]
    extra = run_experiment(replace(scenario, resolved=need), list(need), jobs=jobs, on_done=on_done,
                           scheduler=scheduler)
    both = pd.concat([reps[reps["policy"].isin([d.from_, d.to])], extra], ignore_index=True)
    return decomposition_table(d, both, list(scenario.model.key_metrics))
