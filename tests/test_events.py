"""The event log end to end: ``events.events_frame`` (one table from every replication's
trace), ``govsim run --trace`` writing events.csv, the same log whatever ``--jobs``,
nothing changed without ``--trace``, and a process-mining tool (pm4py) reading it."""
import filecmp
import json
from datetime import datetime, timedelta

import pandas as pd
import pm4py
import pytest
from typer.testing import CliRunner

from govsim.cli import app
from govsim.events import EVENT_COLUMNS, events_frame
from govsim.model_api import Model, nominal_clock

from conftest import SCENARIOS

runner = CliRunner()

# a desk that cannot keep up, a small waiting room and impatient customers, then a cashier:
# every activity of the network's log occurs (queue, serve, route, abandon, block, leave)
TANDEM = """\
name: tandem
model: network
run:
  replications: 2
  seed: 3
  horizon_min: 240        # four hours
  warmup_min: 0           # every case counted, so the log and the KPIs cover the same customers
params:
  classes:
    citizen:
      arrivals: {dist: exponential, mean: 1.0}     # one a minute
      route: [desk, cashier]
      patience: {dist: exponential, mean: 5.0}     # gives up after five minutes on average
  stations:
    desk:
      servers: 1
      service: {dist: exponential, mean: 1.2}      # slower than arrivals: a queue builds
      max_waiting: 4                               # a small room: some are turned away
    cashier: {servers: 1, service: {dist: exponential, mean: 0.5}}   # quick: paying takes half a minute
policies:
  base: {}
  two_desks: {stations: {desk: {servers: 2}}}
"""


class Plain(Model):
    name = "plain"


class Office(Model):
    """A model with a calendar: minute m is m minutes after 09:00 on 1 March 2024."""

    name = "office"

    def clock(self, params):
        return lambda minutes: datetime(2024, 3, 1, 9) + timedelta(minutes=minutes + params["shift"])


def test_events_frame_orders_by_policy_rep_and_time_and_keeps_ties_in_the_models_order():
    raw = {
        ("b", 0): [("x:1", "arrive", 2.0, "complete", ""), ("x:0", "arrive", 0.5, "complete", ""),
                   ("x:1", "serve", 2.0, "start", "desk")],
        ("a", 1): [("x:0", "arrive", 1.0, "complete", "")],
        ("a", 0): [("x:0", "serve", 3.0, "complete", "desk"), ("x:0", "leave", 3.0, "complete", ""),
                   ("x:0", "arrive", 1.0 / 3, "complete", "")],
    }
    df = events_frame(Plain(), {"a": None, "b": None}, raw)  # the policies' order: a, then b
    assert tuple(df.columns) == EVENT_COLUMNS
    assert list(zip(df["case:concept:name"], df["concept:name"])) == [
        ("a/0/x:0", "arrive"), ("a/0/x:0", "serve"), ("a/0/x:0", "leave"),
        ("a/1/x:0", "arrive"),
        ("b/0/x:0", "arrive"), ("b/0/x:1", "arrive"), ("b/0/x:1", "serve")]
    assert list(df["policy"]) == ["a"] * 4 + ["b"] * 3 and list(df["rep"]) == [0, 0, 0, 1, 0, 0, 0]
    assert list(df["time:minutes"]) == [1 / 3, 3.0, 3.0, 1.0, 0.5, 2.0, 2.0]
    assert list(df["lifecycle:transition"])[:3] == ["complete", "complete", "complete"]
    assert list(df["org:resource"])[:2] == ["", "desk"]
    # no calendar: the nominal clock, to the microsecond
    assert list(df["time:timestamp"]) == [nominal_clock(m).isoformat(timespec="microseconds")
                                          for m in df["time:minutes"]]


def test_events_frame_uses_each_policys_calendar_where_the_model_has_one():
    raw = {("early", 0): [("v0", "arrive", 90.5, "complete", "")], ("late", 0): [("v0", "arrive", 90.5, "complete", "")]}
    df = events_frame(Office(), {"early": {"shift": 0}, "late": {"shift": 60}}, raw)
    assert list(df["time:timestamp"]) == ["2024-03-01T10:30:30.000000", "2024-03-01T11:30:30.000000"]


def test_events_frame_of_no_events_has_the_columns():
    assert tuple(events_frame(Plain(), {"a": None}, {}).columns) == EVENT_COLUMNS
    assert events_frame(Plain(), {"a": None}, {("a", 0): []}).empty


def run(scenario, out, *args):
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--quiet", *args])
    assert result.exit_code == 0, result.output
    return out


def test_events_csv_is_identical_with_one_or_two_workers(tmp_path):
    one = run(SCENARIOS / "mmc_demo.yaml", tmp_path / "one", "-r", "2", "--jobs", "1", "--trace")
    two = run(SCENARIOS / "mmc_demo.yaml", tmp_path / "two", "-r", "2", "--jobs", "2", "--trace")
    assert filecmp.cmp(one / "events.csv", two / "events.csv", shallow=False)
    head = pd.read_csv(one / "events.csv", nrows=5)
    assert tuple(head.columns) == EVENT_COLUMNS
    reps = pd.read_csv(one / "replications.csv")
    policies = pd.read_csv(one / "events.csv", usecols=["policy", "rep"]).drop_duplicates()
    assert list(zip(policies.policy, policies.rep)) == list(dict.fromkeys(zip(reps.policy, reps.rep)))
    for folder in (one, two):  # 150 MB each: not worth keeping among pytest's temporary folders
        (folder / "events.csv").unlink()


@pytest.fixture(scope="module")
def tandem_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tandem")
    scenario = folder / "tandem.yaml"
    scenario.write_text(TANDEM)
    return run(scenario, folder / "traced", "--jobs", "1", "--trace"), run(scenario, folder / "plain", "--jobs", "1")


def test_without_trace_nothing_changes_and_no_log_is_written(tandem_runs):
    traced, plain = tandem_runs
    assert (traced / "events.csv").exists() and not (plain / "events.csv").exists()
    # every file but the two that record the command and the clock: tables, scenario, figures
    files = sorted(f.relative_to(plain) for f in plain.rglob("*")
                   if f.is_file() and f.name not in ("metadata.json", "report.html"))
    assert {"replications.csv", "summary.csv", "comparison.csv"} <= {f.name for f in files}
    for name in files:
        assert (traced / name).read_bytes() == (plain / name).read_bytes(), name
    commands = [json.loads((f / "metadata.json").read_text())["command"] for f in (traced, plain)]
    assert commands[0].endswith(" --trace") and "--trace" not in commands[1]


def test_pm4py_reads_the_log_with_one_case_per_customer_and_the_network_activities(tandem_runs):
    traced, _ = tandem_runs
    reps = pd.read_csv(traced / "replications.csv")
    total = reps[reps.scope == "all"].groupby("metric")["value"].sum()
    assert total["abandoned"] > 0 and total["blocked"] > 0  # the scenario exercises both
    log = pm4py.format_dataframe(pd.read_csv(traced / "events.csv"), case_id="case:concept:name",
                                 activity_key="concept:name", timestamp_key="time:timestamp")
    assert pm4py.get_start_activities(log) == {"arrive": total["arrived"]}  # one case per customer
    finished = total["served"] + total["abandoned"] + total["blocked"]
    assert pm4py.get_end_activities(log)["leave"] == finished
    activities = pm4py.get_event_attribute_values(log, "concept:name")
    assert set(activities) == {"arrive", "queue", "serve", "route", "abandon", "block", "leave"}
    assert (activities["arrive"], activities["abandon"], activities["block"], activities["leave"]) == (
        total["arrived"], total["abandoned"], total["blocked"], finished)
    dfg, starts, ends = pm4py.discover_dfg(log)
    assert {("arrive", "queue"), ("queue", "serve"), ("serve", "route"), ("queue", "abandon"),
            ("arrive", "block"), ("block", "leave"), ("abandon", "leave"), ("serve", "leave")} <= set(dfg)
