"""experiment.py: every (policy, rep) runs once, in any order on any number of workers,
and comes back in (policy, rep) order; with ``trace`` the event logs come back too."""
import dataclasses

import pandas as pd
import pytest

from govsim.experiment import COLUMNS, run_experiment, run_replication
from govsim.models.network import NetworkModel
from govsim.scenario import load_scenario

from conftest import MMC_DEMO

SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 600").replace("warmup_min: 2000", "warmup_min: 60")
REPS = 3


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("exp") / "mmc.yaml"
    path.write_text(SHORT)
    return load_scenario(path).with_run(replications=REPS)


class FailsInRepOne(NetworkModel):
    """Replication 1 fails, as a model bug would (module level: workers unpickle it)."""

    def simulate(self, params, streams, run, trace=None):
        if streams.rep == 1:
            raise RuntimeError("model failed in replication 1")
        return super().simulate(params, streams, run, trace)


def test_one_task_gives_its_rows_and_with_trace_the_same_rows_and_its_events(scenario):
    params, run = scenario.resolved["base"], scenario.run
    rows = run_replication(scenario.model, params, run, "base", 2)
    assert rows and all(r[:3] == ("base", 2, run.seed) and isinstance(r[5], float) for r in rows)
    traced, events = run_replication(scenario.model, params, run, "base", 2, trace=True)
    assert traced == rows
    assert events and {e[1] for e in events} >= {"arrive", "serve", "leave"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_rows_come_back_in_policy_and_replication_order_whatever_the_workers(scenario, jobs):
    reps = run_experiment(scenario, jobs=jobs)
    assert list(reps.columns) == COLUMNS
    tasks = list(dict.fromkeys(zip(reps.policy, reps.rep)))
    assert tasks == [(p, r) for p in scenario.policy_names for r in range(REPS)]
    pd.testing.assert_frame_equal(reps, run_experiment(scenario, jobs=1))


def test_events_are_identical_with_one_or_two_workers(scenario):
    one, events_one = run_experiment(scenario, jobs=1, trace=True)
    two, events_two = run_experiment(scenario, jobs=2, trace=True)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, run_experiment(scenario, jobs=1))  # tracing changes no number
    assert list(events_one) == [(p, r) for p in scenario.policy_names for r in range(REPS)]
    assert events_one == events_two


def test_events_are_identical_on_a_dask_cluster(scenario):
    local, events_local = run_experiment(scenario, jobs=1, trace=True)
    on_dask, events_dask = run_experiment(scenario, jobs=2, scheduler="local", trace=True)
    pd.testing.assert_frame_equal(local, on_dask)
    assert events_local == events_dask


@pytest.mark.parametrize("jobs", [1, 2])
def test_on_done_is_called_once_per_task(scenario, jobs):
    calls = []
    run_experiment(scenario, policies=["six_windows"], jobs=jobs, on_done=lambda: calls.append(1))
    assert len(calls) == REPS
    calls.clear()
    run_experiment(scenario, jobs=jobs, on_done=lambda: calls.append(1), trace=True)
    assert len(calls) == len(scenario.policy_names) * REPS


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_exception_in_a_task_reaches_the_caller(scenario, jobs):
    failing = dataclasses.replace(scenario, model=FailsInRepOne())
    with pytest.raises(RuntimeError, match="model failed in replication 1"):
        run_experiment(failing, jobs=jobs)
