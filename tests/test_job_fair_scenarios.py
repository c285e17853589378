"""The shipped job-fair scenario: the article's A2 replayed from its mechanisms,
the lever that carries it (mobilisation), and bad input in the job-fair part of
a scenario file through the CLI."""
import pytest

from govsim.baselines import evaluate
from govsim.experiment import run_experiment
from govsim.scenario import load_scenario

from conftest import SCENARIOS, assert_bad_scenario

FAIRS = SCENARIOS / "anren_job_fairs.yaml"


# ----------------------------------------------------------------------------- baselines

@pytest.mark.statistical
def test_a2_36_fairs_7000_attendees_3000_intentions():
    sc = load_scenario(FAIRS)
    a2 = [b for b in sc.baselines if b.id == "A2"]
    assert {b.metric for b in a2} == {"attendees", "intentions", "intention_rate"}
    reps = run_experiment(sc, policies=["reported"], jobs=2)
    checked = evaluate(a2, reps)
    assert list(checked["reproduced"]) == ["calibrated" if b.calibrated else "yes" for b in a2], \
        checked.to_dict("records")
    assert set(reps.loc[(reps.scope == "all") & (reps.metric == "fairs"), "value"]) == {36}


@pytest.mark.statistical
def test_without_mobilisation_the_fairs_fall_short_of_a2():
    """Walk-ins alone give fewer attendees and a rate in the middle of the 4%-43%
    reported for other county fairs, not Anren's 43%."""
    sc = load_scenario(FAIRS).with_run(replications=6)
    reps = run_experiment(sc, policies=["reported", "no_mobilisation"], jobs=2)
    a2 = [b.model_copy(update={"policy": "no_mobilisation"}) for b in sc.baselines]
    checked = evaluate(a2, reps).set_index("metric")
    assert (checked["reproduced"] == "no").all()
    assert checked.loc["intention_rate", "ci_high"] < 0.38
    assert checked.loc["attendees", "ci_high"] < 7000


# ----------------------------------------------------------------------------- bad input

# (what is wrong, (text, replacement), text on the line the error must name, field, words)
CASES = [
    ("no fairs", ("    count: 36 ", "    count: 0 "), "count: 0", "params.fairs.count", "greater than or equal to 1"),
    ("no recruiters in a policy", ("other: {recruiters: 2}}", "other: {recruiters: 0}}"), "recruiters: 0}}",
     "policies.one_more_recruiter.booths.other.recruiters", "greater than or equal to 1"),
    ("a chance above 1", ("comes: 0.7 ", "comes: 1.5 "), "comes: 1.5", "params.attendance.mobilisation.comes",
     "less than or equal to 1"),
    ("a fit of 1 or more", ("fit: {mean: 0.17,", "fit: {mean: 1.2,"), "mean: 1.2", "params.visitors.fit.mean",
     "less than 1"),
    ("closing before opening", ('closes: "12:00"', 'closes: "08:00"'), 'closes: "08:00"', "params.fairs.closes",
     "the fair must close after it opens"),
    ("unknown allocation", ("allocation: by_pool", "allocation: by_size"), "by_size", "params.fairs.allocation",
     "input should be"),
    ("run in minutes", ("  days: 238 ", "  horizon_min: 10000 "), "run:", "run",
     "a job-fair campaign runs in days"),
    ("misspelt key in a policy", ("mobilisation: {contacts: 0}", "mobilisation: {contact: 0}"), "contact: 0",
     "policies.no_mobilisation.attendance.mobilisation.contact", "did you mean 'contacts'"),
    ("negative pool", ("t05: {pool: 910}", "t05: {pool: -910}"), "pool: -910", "params.townships.t05.pool",
     "greater than or equal to 0"),
    ("unknown after-intention rule", ("after_intention: leave ", "after_intention: stay "), "stay",
     "params.visitors.after_intention", "input should be"),
    ("negative talk time", ("talk_min: {dist: lognormal, mean: 8,", "talk_min: {dist: lognormal, mean: -8,"),
     "mean: -8", "params.visitors.talk_min.mean", "greater than 0"),
    ("unknown booth key", ("key: {count: 5, recruiters: 2,", "key: {count: 5, recruiter: 2,"), "recruiter: 2",
     "params.booths.key.recruiter", "did you mean 'recruiters'"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_job_fair_scenario_gives_one_clear_line_and_exit_2(case, tmp_path):
    _, (old, new), marker, field, words = case
    assert_bad_scenario(FAIRS, old, new, marker, field, words, tmp_path)
