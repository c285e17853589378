"""The offered load of a network's stations, from its params: a station offered more work
than its servers can do has no steady state, and `govsim run` says so before it runs."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from govsim.cli import app
from govsim.models.network.load import offered_loads, overload_warnings, visits
from govsim.models.network.params import CustomerClass, NetworkParams

from conftest import MMC_DEMO
from test_report import need_cjk_font


def _params(**stations_and_classes) -> NetworkParams:
    return NetworkParams.model_validate(stations_and_classes)


def test_the_load_of_an_mmc_is_lambda_over_c_mu():
    p = _params(classes={"c": {"arrivals": {"dist": "exponential", "mean": 0.2}, "route": ["w"]}},
                stations={"w": {"servers": 4, "service": {"dist": "exponential", "mean": 0.5}}})
    assert offered_loads(p, 10_000.0) == {"w": pytest.approx(5 * 0.5 / 4)}
    assert overload_warnings(p, 10_000.0) == []


def test_rework_visits_come_from_the_traffic_equations():
    """Half of those checked go back to the desk: each visits it 1 / (1 - 0.5) = 2 times."""
    c = CustomerClass.model_validate({"arrivals": {"dist": "exponential", "mean": 1.0}, "start": "desk",
                                      "transitions": {"desk": {"check": 1.0}, "check": {"desk": 0.5, "exit": 0.5}}})
    assert visits(c) == {"desk": pytest.approx(2.0), "check": pytest.approx(2.0)}
    route = CustomerClass.model_validate({"arrivals": {"dist": "exponential", "mean": 1.0},
                                          "route": ["desk", "check", "desk"]})
    assert visits(route) == {"desk": 2.0, "check": 1.0}


def test_a_roster_counts_its_mean_servers_and_a_waiting_room_or_patience_bound_the_queue():
    day = [["00:00", 0], ["08:00", 4], ["16:00", 0]]  # a third of the day: 4/3 servers on average
    p = _params(classes={"c": {"arrivals": {"dist": "exponential", "mean": 1.0}, "route": ["w"]}},
                stations={"w": {"servers": day, "service": {"dist": "exponential", "mean": 1.0}}})
    assert offered_loads(p, 14 * 1440.0)["w"] == pytest.approx(1.0 / (4 / 3))
    over = _params(classes={"c": {"arrivals": {"dist": "exponential", "mean": 0.5}, "route": ["w"]}},
                   stations={"w": {"servers": day, "service": {"dist": "exponential", "mean": 1.0}}})
    assert offered_loads(over, 14 * 1440.0)["w"] == pytest.approx(2.0 / (4 / 3))
    assert len(overload_warnings(over, 14 * 1440.0)) == 1
    blocked = over.model_copy(update={"stations": {"w": over.stations["w"].model_copy(update={"max_waiting": 10})}})
    assert offered_loads(blocked, 14 * 1440.0) == {}
    impatient = _params(classes={"c": {"arrivals": {"dist": "exponential", "mean": 0.5}, "route": ["w"],
                                       "patience": {"dist": "exponential", "mean": 5}}},
                        stations={"w": {"servers": day, "service": {"dist": "exponential", "mean": 1.0}}})
    assert offered_loads(impatient, 14 * 1440.0) == {}


def test_govsim_run_warns_of_an_overloaded_station_even_quiet(write_scenario, tmp_path):
    over = MMC_DEMO.replace("mean: 0.2353", "mean: 0.15").replace("horizon_min: 20000", "horizon_min: 2000") \
        .replace("warmup_min: 2000", "warmup_min: 200")
    assert over != MMC_DEMO
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(write_scenario(over)), "-o", str(out), "-r", "2", "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    bare = ["policy 'base': station 'window' is offered 133% of what its servers can do on average: its queue "
            "grows without bound, so its waits depend on the run's length, not on a steady state",
            "policy 'six_windows': station 'window' is offered 111% of what its servers can do on average: its queue "
            "grows without bound, so its waits depend on the run's length, not on a steady state"]
    assert result.stderr.splitlines() == [f"Warning: {w}" for w in bare]
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["warnings"]["en"] == bare
    assert meta["warnings"]["zh"][0] == ("政策“base”：服务台“window”承接的工作量为其服务人员平均处理能力的 133%：其队列会无限增长，"
                                         "等候时间取决于运行时长，而非稳态")
    page = (out / "report.html").read_text(encoding="utf-8")  # at the top of the answer, where a reader starts
    answer = page[page.index('<section id="answer">'):page.index('id="bottom-line"')]
    assert all(f"<p><strong>Warning.</strong> {w.replace(chr(39), '&#x27;')}</p>" in answer for w in bare)
    need_cjk_font()
    assert CliRunner().invoke(app, ["report", str(out), "--lang", "zh"]).exit_code == 0  # rebuilt in Chinese
    page = (out / "report.zh.html").read_text(encoding="utf-8")
    assert f"<p><strong>警告：</strong> {meta['warnings']['zh'][0]}</p>" in page
    fine = CliRunner().invoke(app, ["run", str(write_scenario(MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 2000")
                                                              .replace("warmup_min: 2000", "warmup_min: 200"),
                                                              "fine.yaml")),
                                    "-o", str(tmp_path / "fine"), "-r", "2", "-j", "1", "-q"])
    assert fine.exit_code == 0 and fine.stderr == ""
    assert 'class="warning"' not in (tmp_path / "fine" / "report.html").read_text(encoding="utf-8")


def test_stations_a_class_cannot_reach_are_left_out_of_its_traffic_equations():
    """A cycle no customer reaches passes validation (nothing is trapped there) and must not
    make the equations singular: it ran at 4f7b551 and must still run."""
    c = CustomerClass.model_validate({"arrivals": {"dist": "exponential", "mean": 1.0}, "start": "window",
                                      "transitions": {"window": {"exit": 1.0}, "a": {"b": 1.0}, "b": {"a": 1.0}}})
    assert visits(c) == {"window": 1.0}


def test_a_run_of_part_of_a_day_counts_the_arrivals_and_servers_of_that_part():
    """Open 08:00-17:00 with 2 servers, arrivals from 08:00 at 1.5 a minute... over a run of
    10 hours (to 10:00) the load is that of 08:00-10:00; over 17 hours, that of the open day."""
    rates = [0.0] * 8 + [90.0] * 9 + [0.0] * 7  # per hour: 1.5 a minute while open
    p = _params(classes={"c": {"arrivals": {"rate_per_hour": rates}, "route": ["w"]}},
                stations={"w": {"servers": [["00:00", 0], ["08:00", 2], ["17:00", 0]],
                                "service": {"dist": "exponential", "mean": 1.0}}})
    assert offered_loads(p, 600.0)["w"] == pytest.approx(1.5 / 2)
    assert offered_loads(p, 1020.0)["w"] == pytest.approx(1.5 / 2)
    assert offered_loads(p, 3 * 1440.0)["w"] == pytest.approx(1.5 / 2)


def test_validate_says_the_warnings_of_a_valid_file(write_scenario):
    over = MMC_DEMO.replace("mean: 0.2353", "mean: 0.15")
    result = CliRunner().invoke(app, ["validate", str(write_scenario(over))])
    assert result.exit_code == 0 and result.stdout.strip().endswith(": ok")
    assert result.stderr.splitlines()[0].startswith("Warning: policy 'base': station 'window' is offered 133%")
