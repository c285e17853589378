"""Finished replications saved as they complete; a resumed study recomputes nothing it
has and gives the same table; a changed study is refused."""
from __future__ import annotations

import json
import os
import time

import pytest

from govsim import experiment
from govsim.checkpoint import Checkpoint, fingerprint, folder_for
from govsim.errors import ResultsError
from govsim.experiment import run_experiment
from govsim.scenario import load_scenario

from conftest import MMC_DEMO

SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 2000").replace("warmup_min: 2000", "warmup_min: 200") \
    .replace("replications: 10", "replications: 4")


class Stop(Exception):
    pass


def _stop_after(n):
    count = {"done": 0}

    def on_done():
        count["done"] += 1
        if count["done"] == n:
            raise Stop

    return on_done


def test_an_interrupted_study_resumes_without_recomputing_and_gives_the_same_table(write_scenario, tmp_path,
                                                                                     monkeypatch):
    sc = load_scenario(write_scenario(SHORT))
    whole = run_experiment(sc, jobs=1)
    folder = folder_for(tmp_path / "out")
    study = fingerprint(sc, sc.resolved)
    with pytest.raises(Stop):
        run_experiment(sc, jobs=1, checkpoint=Checkpoint(folder, study, resume=False), on_done=_stop_after(3))
    assert Checkpoint(folder, study, resume=True).done() == 3

    calls = []
    real = experiment.run_replication
    monkeypatch.setattr(experiment, "run_replication", lambda *a, **k: calls.append(a[3:5]) or real(*a, **k))
    resumed = run_experiment(sc, jobs=1, checkpoint=Checkpoint(folder, study, resume=True))
    assert len(calls) == 8 - 3 and ("base", 0) not in calls  # only what was missing
    assert resumed.equals(whole)


def test_without_resume_the_saved_tasks_are_dropped(write_scenario, tmp_path):
    sc = load_scenario(write_scenario(SHORT))
    folder = folder_for(tmp_path / "out")
    study = fingerprint(sc, sc.resolved)
    run_experiment(sc, jobs=1, checkpoint=Checkpoint(folder, study, resume=False))
    assert Checkpoint(folder, study, resume=True).done() == 8
    assert Checkpoint(folder, study, resume=False).done() == 0


def test_resuming_a_changed_study_is_refused_in_one_line(write_scenario, tmp_path):
    sc = load_scenario(write_scenario(SHORT))
    folder = folder_for(tmp_path / "out")
    Checkpoint(folder, fingerprint(sc, sc.resolved), resume=False).save("a-task", [])
    changed = load_scenario(write_scenario(SHORT.replace("servers: 5", "servers: 7"), "changed.yaml"))
    with pytest.raises(ResultsError, match="another version of this study"):
        Checkpoint(folder, fingerprint(changed, changed.resolved), resume=True)
    # a `govsim run --resume` over what `govsim sensitivity` saved: the message names the command
    with pytest.raises(ResultsError, match="saved replications are of `govsim sensitivity`, not of `govsim run`: "
                                           "`govsim sensitivity --resume` continues them"):
        other = folder_for(tmp_path / "sens")
        Checkpoint(other, fingerprint(sc, sc.resolved) + ":sensitivity", resume=False).save("a-task", [])
        Checkpoint(other, fingerprint(sc, sc.resolved), resume=True)
    more_reps = sc.with_run(replications=9)  # more replications is the same study, continued
    Checkpoint(folder, fingerprint(more_reps, more_reps.resolved), resume=True)


def test_a_saved_file_is_whole_or_absent(tmp_path):
    cp = Checkpoint(tmp_path / ".x.resume", "s", resume=False)
    cp.save("k", [[1, 2.5, float("nan")]])
    assert [p.name for p in cp.folder.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    (cp.folder / "broken.json").write_text('{"result": [[1, 2', encoding="utf-8")  # a file cut short
    assert cp.load("broken") is None and cp.load("missing") is None
    assert json.dumps(cp.load("k")) == "[[1, 2.5, NaN]]"


def test_a_study_that_saves_nothing_leaves_no_folder(tmp_path):
    """The folder is made at the first save: a study refused or failing before its first
    replication leaves nothing for a later run to trip over."""
    folder = tmp_path / ".x.resume"
    cp = Checkpoint(folder, "s", resume=False)
    assert not folder.exists() and cp.done() == 0
    cp.save("k", [1])
    assert cp.done() == 1 and Checkpoint(folder, "s", resume=True).load("k") == [1]


def test_saved_replications_of_other_code_are_refused(write_scenario, tmp_path, monkeypatch):
    """govsim's version number stays put between releases while the models change: the key
    is the code itself, so an interrupted run of older code is never mixed into a newer one."""
    from govsim import checkpoint

    sc = load_scenario(write_scenario(SHORT))
    folder = folder_for(tmp_path / "out")
    with pytest.raises(Stop):  # interrupted after 3 tasks
        run_experiment(sc, jobs=1, checkpoint=Checkpoint(folder, fingerprint(sc, sc.resolved), resume=False),
                       on_done=_stop_after(3))
    monkeypatch.setattr(checkpoint, "code_identity", lambda: "0.1.0+another-source")
    with pytest.raises(ResultsError, match="another version of this study .*govsim changed"):
        Checkpoint(folder, fingerprint(sc, sc.resolved), resume=True)


def test_the_code_identity_follows_every_source_file(tmp_path):
    from govsim.checkpoint import code_identity, source_digest

    (tmp_path / "pkg" / "models").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "models" / "b.py").write_text("y = 2\n")
    before = source_digest(tmp_path / "pkg")
    (tmp_path / "pkg" / "models" / "b.py").write_text("y = 3\n")  # a model changed, the version did not
    assert source_digest(tmp_path / "pkg") != before
    (tmp_path / "pkg" / "models" / "b.py").write_text("y = 2\n")
    assert source_digest(tmp_path / "pkg") == before
    (tmp_path / "pkg" / ".#a.py").symlink_to("user@host.1:1")  # an editor's lock: a dangling link, not source
    (tmp_path / "pkg" / "models" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "models" / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"\0")
    assert source_digest(tmp_path / "pkg") == before
    (tmp_path / "pkg" / "models" / "b.py").rename(tmp_path / "pkg" / "b2.py")  # moved: another layout
    assert source_digest(tmp_path / "pkg") != before
    assert "numpy-" in code_identity() and "scipy-" in code_identity()


def test_a_traced_and_an_untraced_task_are_different_tasks(write_scenario, tmp_path, monkeypatch):
    """A traced task saves its event log too: resuming with --trace after a run without it
    (or the other way) recomputes the tasks rather than read a result of the other shape."""
    sc = load_scenario(write_scenario(SHORT))
    folder = folder_for(tmp_path / "out")
    study = fingerprint(sc, sc.resolved)
    run_experiment(sc, jobs=1, checkpoint=Checkpoint(folder, study, resume=False))
    calls = []
    real = experiment.run_replication
    monkeypatch.setattr(experiment, "run_replication", lambda *a, **k: calls.append(a[3:5]) or real(*a, **k))
    table, events = run_experiment(sc, jobs=1, trace=True, checkpoint=Checkpoint(folder, study, resume=True))
    assert len(calls) == 8 and len(events) == 8 and table.equals(run_experiment(sc, jobs=1))
    calls.clear()
    again = Checkpoint(folder, study, resume=True)
    plain = run_experiment(sc, jobs=1, checkpoint=again)  # the untraced tasks are still there
    assert calls == [] and again.reused == 8 and plain.equals(table)


def test_a_folder_killed_before_its_first_save_resumes_as_new(tmp_path):
    """Made, then killed before the manifest was written: nothing to resume, nothing refused."""
    folder = tmp_path / ".x.resume"
    folder.mkdir()
    cp = Checkpoint(folder, "s", resume=True)
    assert cp.done() == 0 and cp.reused == 0
    cp.save("k", [1])
    assert Checkpoint(folder, "s", resume=True).load("k") == [1]


def _manifest_of(folder, pid):
    import socket

    from govsim.checkpoint import _process_identity

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"study": "s", "host": socket.gethostname(), "pid": pid,
                                                      "process": _process_identity(pid)}))
    (folder / "k.json").write_text(json.dumps({"result": [1]}))


def test_a_process_id_given_to_another_process_is_no_writer(tmp_path):
    """After a reboot (the usual reason to resume) the saving run's id may belong to some
    other process: the manifest's start time tells them apart."""
    import socket
    import subprocess
    import sys

    from govsim.checkpoint import _process_identity, writer

    folder = tmp_path / ".x.resume"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _manifest_of(folder, other.pid)
        meta = json.loads((folder / "manifest.json").read_text())
        meta["process"] = "another-boot:12345"  # the run that saved: same id, another process
        (folder / "manifest.json").write_text(json.dumps(meta))
        assert writer(folder) is None
        assert Checkpoint(folder, "s", resume=True).load("k") == [1]
        assert _process_identity(other.pid) != _process_identity(os.getpid()) and socket.gethostname()
    finally:
        other.kill()
        other.wait()


def test_a_study_another_run_is_saving_now_is_refused(tmp_path):
    """Two terminals, one folder: the second run must neither resume nor discard the work
    of the first while it runs; once it has ended (killed, even before being reaped) it may."""
    import subprocess
    import sys

    from govsim.checkpoint import writer

    folder = tmp_path / ".x.resume"
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _manifest_of(folder, running.pid)
        assert writer(folder) == running.pid
        for resume in (True, False):
            with pytest.raises(ResultsError, match=f"another govsim run \\(process {running.pid}\\) is saving"):
                Checkpoint(folder, "s", resume=resume)
        assert (folder / "k.json").exists()
        running.kill()
        deadline = time.monotonic() + 10
        while writer(folder) is not None and time.monotonic() < deadline:  # a zombie until reaped: not a writer
            time.sleep(0.05)
        assert writer(folder) is None and running.poll() is not None
        assert Checkpoint(folder, "s", resume=True).load("k") == [1]
    finally:
        running.kill()
        running.wait()


def test_govsim_run_into_a_study_another_run_is_writing_is_one_line(write_scenario, tmp_path):
    import subprocess
    import sys

    from typer.testing import CliRunner

    from govsim.cli import app

    out = tmp_path / "out"
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _manifest_of(folder_for(out), running.pid)
        for extra in ([], ["--resume"], ["--force"]):
            result = CliRunner().invoke(app, ["run", str(write_scenario(SHORT)), "--out", str(out), "-q", *extra])
            assert result.exit_code == 2 and result.stderr.strip() == (
                f"{out}: another govsim run (process {running.pid}) is writing this study now; wait for it to end "
                "or choose another --out"), result.output
        assert (folder_for(out) / "k.json").exists() and not out.exists()
    finally:
        running.kill()
        running.wait()
