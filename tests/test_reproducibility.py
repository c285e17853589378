"""Same seed → identical tables, whatever the number of worker processes; every
policy sees the same draws (common random numbers)."""
import pandas as pd
from typer.testing import CliRunner

from govsim.cli import app
from govsim.experiment import run_experiment
from govsim.scenario import load_scenario

from conftest import MMC_DEMO, SCENARIOS

runner = CliRunner()
SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 4000").replace("warmup_min: 2000", "warmup_min: 400")


def run_to(tmp_path, name, *args):
    scenario = tmp_path / "mmc.yaml"
    scenario.write_text(SHORT)
    out = tmp_path / name
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "-q", "-r", "6", *args])
    assert result.exit_code == 0, result.output
    return (out / "replications.csv").read_bytes(), (out / "summary.csv").read_bytes()


def test_two_runs_are_byte_identical(tmp_path):
    assert run_to(tmp_path, "a", "--jobs", "1") == run_to(tmp_path, "b", "--jobs", "1")


def test_one_or_two_workers_give_byte_identical_tables(tmp_path):
    assert run_to(tmp_path, "one", "--jobs", "1") == run_to(tmp_path, "two", "--jobs", "2")


def test_another_seed_gives_other_numbers(tmp_path):
    assert run_to(tmp_path, "a", "-j", "1")[0] != run_to(tmp_path, "b", "-j", "1", "--seed", "2")[0]


def test_a_policy_change_leaves_the_arrival_stream_untouched():
    sc = load_scenario(SCENARIOS / "pooling_demo.yaml").with_run(replications=3, horizon_min=3 * 1440, warmup_min=0)
    reps = run_experiment(sc, jobs=1)
    arrived = reps[(reps.metric == "arrived") & reps.scope.str.startswith("class:")]
    table = arrived.pivot_table(index=["rep", "scope"], columns="policy", values="value")
    assert table.nunique(axis=1).eq(1).all()  # same arrivals under every policy
    assert table.iloc[:, 0].nunique() > 1  # and they do differ between replications


def test_an_empty_policy_changes_nothing(tmp_path):
    text = SHORT.replace("six_windows: {stations: {window: {servers: 6}}}", "same: {}")
    (tmp_path / "s.yaml").write_text(text)
    reps = run_experiment(load_scenario(tmp_path / "s.yaml").with_run(replications=3), jobs=1)
    a = reps[reps.policy == "base"].drop(columns="policy").reset_index(drop=True)
    b = reps[reps.policy == "same"].drop(columns="policy").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_a_dask_cluster_gives_the_same_table(tmp_path):
    """Studies that outgrow one machine run on Dask; the table must not change."""
    (tmp_path / "s.yaml").write_text(SHORT)
    sc = load_scenario(tmp_path / "s.yaml").with_run(replications=3)
    local = run_experiment(sc, jobs=1)
    on_dask = run_experiment(sc, jobs=2, scheduler="local")
    pd.testing.assert_frame_equal(local, on_dask)


def _service_times(params, seed=5):
    """Service minutes of every served visit, keyed by (class, arrival time): a customer's
    identity across policies, since arrivals are the same under every policy."""
    from govsim.models.network import simulate
    from govsim.models.network.engine import SERVED
    from govsim.rng import Streams

    a = simulate(params, Streams(seed, 0), 3 * 1440, 0).arrays()
    served = a["v_outcome"] == SERVED
    keys = zip(a["v_class"][served].tolist(), a["v_t0"][served].tolist())
    return dict(zip(keys, (a["v_end"] - a["v_start"])[served].tolist()))


def test_a_customer_keeps_its_service_draw_when_a_policy_reroutes_it():
    """Pooling demo: the same customer's time at the comprehensive window is its time
    at its department's window times the generalist slowdown (lognormal, same cv)."""
    sc = load_scenario(SCENARIOS / "pooling_demo.yaml")
    separate = _service_times(sc.resolved["separate"])
    pooled = _service_times(sc.resolved["integrated"])
    common = set(separate) & set(pooled)
    assert len(common) > 0.95 * len(separate)
    ratios = [pooled[k] / separate[k] for k in common]
    assert max(abs(r - 1.05) for r in ratios) < 1e-9


def test_a_customer_keeps_its_service_draw_when_others_abandon():
    from govsim.models.network import NetworkParams

    def params(servers):
        return NetworkParams.model_validate({
            "classes": {"c": {"arrivals": {"dist": "exponential", "mean": 0.5}, "route": ["w"],
                              "patience": {"dist": "exponential", "mean": 3}}},
            "stations": {"w": {"servers": servers, "service": {"dist": "exponential", "mean": 1.2}}}})

    two, three = _service_times(params(2)), _service_times(params(3))
    common = set(two) & set(three)
    assert len(common) > 0.8 * len(two)
    assert max(abs(two[k] - three[k]) for k in common) < 1e-9  # (start + s) - start, rounded
