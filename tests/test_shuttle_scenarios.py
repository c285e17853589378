"""The shipped shuttle scenarios: the article's A1 and A3 replayed from their
mechanisms, what does not reproduce them, and bad input in the shuttle's part
of a scenario file through the CLI."""
import pytest

from govsim.baselines import evaluate
from govsim.experiment import run_experiment
from govsim.scenario import load_scenario

from conftest import SCENARIOS, assert_bad_scenario

SHUTTLE = SCENARIOS / "anren_shuttle.yaml"
VISIT = SCENARIOS / "anren_secretaries_visit.yaml"


# ----------------------------------------------------------------------------- baselines

@pytest.mark.statistical
def test_a1_761_seekers_in_26_trips_from_sign_ups_seats_and_the_dispatch_rule():
    sc = load_scenario(SHUTTLE)
    a1 = [b for b in sc.baselines if b.id == "A1"]
    assert {b.metric for b in a1} == {"vehicle_trips", "riders_per_trip", "seekers_delivered"}
    reps = run_experiment(sc, policies=["reported"], jobs=2)
    checked = evaluate(a1, reps)
    assert list(checked["reproduced"]) == ["calibrated" if b.calibrated else "yes" for b in a1], \
        checked.to_dict("records")


@pytest.mark.statistical
def test_one_township_per_trip_or_larger_coaches_do_not_give_a1():
    """The trip count is an outcome: the same seekers need about twice the trips
    from each township alone, and fewer with 49-seat coaches."""
    sc = load_scenario(SHUTTLE).with_run(replications=10)
    (trips,) = [b for b in sc.baselines if b.metric == "vehicle_trips"]
    reps = run_experiment(sc, policies=["reported", "per_township", "larger_coaches"], jobs=2)
    alone = evaluate([trips.model_copy(update={"policy": "per_township"})], reps).iloc[0]
    larger = evaluate([trips.model_copy(update={"policy": "larger_coaches"})], reps).iloc[0]
    assert alone["reproduced"] == "no" and alone["ci_low"] > 40
    assert larger["reproduced"] == "no" and larger["ci_high"] < 24


@pytest.mark.statistical
def test_a3_174_secretaries_in_5_coaches():
    sc = load_scenario(VISIT)
    reps = run_experiment(sc, jobs=2)
    checked = evaluate(sc.baselines, reps)
    assert list(checked["reproduced"]) == ["calibrated" if b.calibrated else "yes" for b in sc.baselines], \
        checked.to_dict("records")
    # picking the secretaries up in their townships would have taken 13 coaches, along routes 6
    trips = evaluate([b.model_copy(update={"policy": p}) for b in sc.baselines if b.metric == "vehicle_trips"
                      for p in ("township_pickups", "route_pickups", "gathered_49_seats")], reps)
    assert list(trips["simulated"]) == [13, 6, 4]
    assert (trips["reproduced"] == "no").all()


# ----------------------------------------------------------------------------- bad input

# (what is wrong, file, (text, replacement), text on the line the error must name, field, words)
CASES = [
    ("hybrid without a maximum wait", SHUTTLE,
     ('    max_wait_h: 168       # ... or after 7 days at most (assumed: "at least weekly")\n', ""),
     "  dispatch:", "params.dispatch.max_wait_h", "the hybrid rule needs max_wait_h"),
    ("minimum load above the seats", SHUTTLE, ("min_load: 33 ", "min_load: 40 "), "min_load: 40",
     "params.dispatch.min_load", "40 is more than the 33 seats"),
    ("minimum load above the seats in a policy", SHUTTLE, ("dispatch: {min_load: 49}", "dispatch: {min_load: 60}"),
     "min_load: 60", "policies.larger_coaches.dispatch.min_load", "60 is more than the 49 seats"),
    ("route through an unknown township", SHUTTLE, ("north: [t13, t09, t05, t02]", "north: [t13, t99, t05, t02]"),
     "t99", "params.routes.north[1]", "no township named 't99'"),
    ("township on two routes", SHUTTLE, ("east: [t12, t08, t04]", "east: [t12, t08, t04, t02]"),
     "east: [t12, t08, t04, t02]", "params.routes.east[3]", "'t02' is already on route 'north'"),
    ("unknown dispatch rule", SHUTTLE, ("    rule: hybrid\n", "    rule: hybird\n"), "rule: hybird",
     "params.dispatch.rule", "input should be"),
    ("misspelt key in a policy", SHUTTLE, ("fleet: {seats: 49,", "fleet: {seat: 49,"), "seat: 49",
     "policies.larger_coaches.fleet.seat", "did you mean 'seats'"),
    ("bad time of day", SHUTTLE, ('first: "07:30"', 'first: "7h30"'), "7h30", "params.service_hours.first",
     "'HH:MM'"),
    ("negative travel time", SHUTTLE, ("travel_min: 35,", "travel_min: -35,"), "travel_min: -35",
     "params.townships.t05.travel_min", "greater than 0"),
    ("show-up chance above 1", SHUTTLE, ("show_up: 0.9 ", "show_up: 1.9 "), "show_up: 1.9",
     "params.seekers.show_up", "less than or equal to 1"),
    ("a warm-up for a campaign", SHUTTLE, ("  warmup_days: 0 ", "  warmup_days: 2 "), "warmup_days: 2",
     "run.warmup_days", "leave warmup_days at 0"),
    ("central pooling without a gathering point", VISIT,
     ("  central:\n    travel_min: 10        # assumed: county seat to the park, as anren_shuttle.yaml\n"
      "    km: 5                 # assumed, as anren_shuttle.yaml\n"
      "    own_travel_factor: 1.0   # assumed: township cars bring the secretaries as fast as a coach would\n", ""),
     "params:", "params.central", "central pooling needs the gathering point"),
    ("preregistered not a whole number", VISIT, ("preregistered: 22,", "preregistered: 22.5,"), "22.5",
     "params.townships.t01.preregistered", "valid integer"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_shuttle_scenario_gives_one_clear_line_and_exit_2(case, tmp_path):
    _, source, (old, new), marker, field, words = case
    assert_bad_scenario(source, old, new, marker, field, words, tmp_path)
