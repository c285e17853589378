"""Every file in scenarios/ validates and runs a short smoke replication."""
import pytest

from govsim.experiment import run_experiment
from govsim.scenario import load_scenario

from conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_there_are_shipped_scenarios():
    assert FILES


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_scenario_validates_and_runs(path):
    sc = load_scenario(path)
    if sc.run.days is not None:  # day-based models
        short = sc.with_run(replications=1, days=min(sc.run.days, 2), warmup_days=0)
    else:
        short = sc.with_run(replications=1, horizon_min=min(sc.run.horizon_min, 2 * 1440.0), warmup_min=0)
    reps = run_experiment(short, jobs=1)
    assert set(reps["policy"]) == set(sc.policy_names)
    assert len(reps) and reps["value"].notna().any()
    # the model's contract: only its signed metrics go below zero (the others' intervals stop at 0)
    negative = set(reps.loc[reps["value"] < 0, "metric"]) - set(sc.model.signed_metrics)
    assert not negative, f"below zero, though not among {sc.model.name}'s signed_metrics: {sorted(negative)}"
    assert set(sc.model.signed_metrics) <= set(sc.model.metrics)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_assumed_number_has_a_comment(path):
    """Each line of params or policies that sets a number says why, on the line or
    in the comment block just above it (or its parent mapping)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    missing = []
    in_body = False
    for i, line in enumerate(lines):
        if line.startswith(("params:", "policies:")):
            in_body = True
            continue
        if line and not line.startswith((" ", "#")):
            in_body = False
        if not in_body or "#" in line or not any(ch.isdigit() for ch in line.split(":", 1)[-1]):
            continue
        if not _commented_above(lines, i):
            missing.append(f"{path.name}:{i + 1}: {line.strip()}")
    assert not missing, "numbers without a reason:\n" + "\n".join(missing)


def _commented_above(lines, i):
    """A comment in the block of lines above at the same or a shallower indent."""
    indent = len(lines[i]) - len(lines[i].lstrip())
    for j in range(i - 1, -1, -1):
        text = lines[j].strip()
        own = len(lines[j]) - len(lines[j].lstrip())
        if text.startswith("#") and own <= indent + 2:
            return True
        if text and own < indent and "#" in lines[j]:
            return True
        if text and own < indent:
            indent = own
        if own == 0 and text:
            return False
    return False


def test_every_file_the_scenarios_and_docs_cite_exists():
    """A cited path (``docs/sources/figures.md``, ``docs/models/x.md``) names a file of the repository."""
    import re

    repo = SCENARIOS.parent
    texts = [*FILES, repo / "README.md", *sorted((repo / "docs").rglob("*.md"))]
    cited = re.compile(r"(?<![\w/.])((?:\.\./)*(?:shared|docs|scenarios|benchmarks|examples)/[\w/.-]+\.(?:md|yaml|py|csv))")
    missing = []
    for path in texts:
        for ref in cited.findall(path.read_text(encoding="utf-8")):
            ref = ref.rstrip(".")
            inside = [p.resolve() for p in (repo / ref, path.parent / ref) if p.resolve().is_relative_to(repo)]
            if not any(p.exists() for p in inside):  # a path outside the repository is not there for a user
                missing.append(f"{path.relative_to(repo)} cites {ref}")
    assert not missing, "\n".join(missing)
