"""Bad input in the licence model's part of a scenario file: one line on stderr
naming the file, the line, the dotted field and the problem; exit code 2; nothing
written (the foundation's treatment, tests/test_bad_input.py)."""
import pytest


from conftest import SCENARIOS, assert_bad_scenario


H3, H7, H12 = "hongjiang_health_licence.yaml", "hongjiang_property_certificate.yaml", "hongjiang_project_approval.yaml"

# (what is wrong, file, (text, replacement), text on the line the error must name, field, words)
CASES = [
    ("unknown department", H3, ("      department: licensing\n", "      department: licencing\n"), "licencing",
     "params.steps.review.department", "no department named 'licencing'"),
    ("impossible date", H3, ("    start: 2022-01-04", '    start: "2022-13-04"'), "2022-13-04",
     "params.calendar.start", "valid date"),
    ("make-up day on a weekday", H3, ("workdays: [2022-01-29,", "workdays: [2022-01-28,"), "workdays:",
     "params.calendar.workdays", "2022-01-28 is a fri, not a weekend day"),
    ("slot in the lunch break", H3, ('slot: {at: "10:00"}', 'slot: {at: "13:00"}'), '"13:00"',
     "params.steps.decision.slot.at", "in office hours"),
    ("weekly slot without its weekday", H3, ('slot: {at: "10:00"}', 'slot: {every: week, at: "10:00"}'),
     "every: week", "params.steps.decision.slot", "needs its weekday"),
    ("slot capacity of zero", H3, ('slot: {at: "10:00"}', 'slot: {at: "10:00", capacity: 0}'), "capacity: 0",
     "params.steps.decision.slot.capacity", "greater than or equal to 1"),
    ("probability above 1", H3, ("    p_missing: 0.05", "    p_missing: 1.5"), "p_missing: 1.5",
     "params.documents.p_missing", "less than or equal to 1"),
    ("too many documents", H3, ("    required: 11 ", "    required: 41 "), "required: 41",
     "params.documents.required", "less than or equal to 40"),
    ("unknown hand-over mode", H3, ("    mode: in_person ", "    mode: by_pigeon "), "by_pigeon",
     "params.handover.mode", "'in_person', 'mail', 'on_the_spot' or 'with_keys'"),
    ("misspelt key", H3, ('      handover: "17:00"   # assumed: the day', '      hand_over: "17:00"   # assumed: the day'),
     "hand_over", "params.steps.review.hand_over", "did you mean 'handover'"),
    ("collecting in person without collect_days", H3,
     ("    collect_days: {dist: uniform, low: 0, high: 2}", "    collect_dayz: {dist: uniform, low: 0, high: 2}"),
     "collect_dayz", "params.handover.collect_dayz", "did you mean 'collect_days'"),
    ("demand beyond the limit", H3, ("  stress: [1.5, 2]", "  stress: [1.5, 5]"), "stress:",
     "params.stress", "at most 4"),
    ("run given in minutes", H3, ("  days: 240 ", "  horizon_min: 50000 "), "run:", "run", "runs in working days"),
    ("policy typo", H3, ("    documents: {required: 4}\n", "    documents: {requird: 4}\n"), "requird",
     "policies.documents_only.documents.requird", "did you mean 'required'"),
    ("policy drops an unknown step", H3,
     ("    steps: {review: {enabled: false}, inspection: {enabled: false}}\n  notice",
      "    steps: {review: {enabled: false}, inspektion: {enabled: false}}\n  notice"), "inspektion",
     "policies.steps_only.steps.inspektion", "did you mean 'inspection'"),
    ("a step waits for an unknown step", H7,
     ("first_review: {handover: null, after: [contract_check, tax]}", "first_review: {handover: null, after: [contract_chek, tax]}"),
     "contract_chek", "policies.remote_approval.steps.first_review.after[0]", "no step named 'contract_chek'"),
    ("filing ahead of the keys by a negative lead", H7, ("    ahead_days: 20\n", "    ahead_days: -5\n"),
     "ahead_days: -5", "params.handover.ahead_days", "greater than or equal to 0"),
    ("a promise counted from receipt", H3, ("    clock: acceptance     # a promised limit", "    clock: receipt     # a promised limit"),
     "clock: receipt", "params.promise.clock", "'acceptance'"),
    ("steps waiting for each other in a circle", H12,
     ("      after: null         # the first approval", "      after: [construction_permit]"), "  steps:",
     "params.steps", "in a circle"),
    ("weekly meeting on a weekend day", H12,
     ('slot: {every: week, weekday: wed, at: "09:00", capacity: 6}  # assumed: the planning',
      'slot: {every: week, weekday: sat, at: "09:00", capacity: 6}  # assumed: the planning'), "weekday: sat",
     "params.steps.land_planning.slot.weekday", "sat is a weekend day"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_licence_scenario(case, tmp_path):
    _, name, (old, new), marker, field, words = case
    assert_bad_scenario(SCENARIOS / name, old, new, marker, field, words, tmp_path)


def test_an_impossible_unquoted_date_gets_one_line_too(tmp_path):
    assert_bad_scenario(SCENARIOS / H3, "    start: 2022-01-04", "    start: 2022-13-04", "2022-13-04",
                        "params.calendar.start", "", tmp_path)
