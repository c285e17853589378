"""Finished replications kept as they complete, so an interrupted study can resume.

Every task (a policy's replication) is saved the moment it finishes, in a hidden folder
beside the results folder (``.<name>.resume/``), one file per task, written to a
temporary name and renamed into place: a file there is always whole, so a run killed
mid-write (Ctrl-C or SIGKILL) never leaves a half-written result to be taken for one.
A task's file is named by a hash of what determines its numbers: the model, the
policy's name and resolved params, the run settings, the seed, the replication, whether
it logs its events (``--trace``) and the code that computes it (``code_identity``: govsim's
own source and the numpy and scipy that draw), so neither a changed policy nor changed
code can pick up an old result.

``--resume`` continues from the folder; without it a study starts afresh.  The folder
also records the study it belongs to (a fingerprint of the scenario's resolved
policies and run settings, replications aside): resuming a changed scenario is refused
with one line rather than mixed in.  When the results are written, the folder goes.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
from functools import cache
from pathlib import Path
from typing import Any, Optional

from . import __version__
from .errors import ResultsError

MANIFEST = "manifest.json"


PACKAGE = Path(__file__).resolve().parent


@cache
def code_identity() -> str:
    """What computes a result: a digest of govsim's source files (``__version__`` stays
    the same between releases while the models change) and the versions of numpy (the
    random streams) and scipy (the quantiles)."""
    import numpy
    import scipy

    return f"{__version__}+{source_digest(PACKAGE)[:16]}:numpy-{numpy.__version__}:scipy-{scipy.__version__}"


def source_digest(root: Path) -> str:
    """A digest of every ``.py`` file under ``root``: their paths and contents, in path order."""
    h = hashlib.sha256()
    # an editor's lock or backup file (.#cli.py, a dangling link) is not source
    for path in sorted(p for p in root.rglob("*.py") if p.is_file() and not p.name.startswith(".")):
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _run_settings(run) -> dict:
    return run.model_dump(exclude={"replications"}, mode="json")


def task_key(model_name: str, policy: str, params_dump: dict, run, rep: int, trace: bool = False) -> str:
    """A task's file name: a traced task saves its event log too, so it is another task."""
    return _digest({"govsim": code_identity(), "model": model_name, "policy": policy, "params": params_dump,
                    "run": _run_settings(run), "rep": int(rep), "trace": bool(trace)})[:32]


def fingerprint(scenario, policies: dict) -> str:
    """What a study is: its model, run settings (replications aside) and every policy's params."""
    from .scenario import dump_params

    return _digest({"govsim": code_identity(), "model": scenario.model.name, "run": _run_settings(scenario.run),
                    "policies": {p: dump_params(params) for p, params in policies.items()}})


def _command_of(study: str) -> str:
    """The command a study's fingerprint is of: ``run``, or the suffix the others add (``:sensitivity``)."""
    return study.partition(":")[2] or "run"


def folder_for(out: Path) -> Path:
    out = Path(out)
    return out.parent / f".{out.name}.resume"


def writer(folder: Path) -> Optional[int]:
    """The process id of another govsim run on this host that is saving into ``folder`` now
    (None: none is; a run killed or finished is no writer)."""
    from .results.staging import process_alive

    try:
        meta = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
        pid, host = int(meta["pid"]), meta["host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if host != socket.gethostname() or pid == os.getpid() or not process_alive(pid):
        return None
    # the process id may have been given to another process since (after a reboot, say)
    return pid if meta.get("process") == _process_identity(pid) else None


def _process_identity(pid: int) -> Optional[str]:
    """This boot and the process's start time (Linux), telling a process from a later one
    given the same id; None where the system does not say."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        started = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return None
    return f"{boot}:{started}"


def saved_tasks(folder: Path) -> int:
    """How many finished tasks ``folder`` holds (0 when there is no such folder)."""
    return sum(1 for p in Path(folder).glob("*.json") if p.name != MANIFEST)


class Checkpoint:
    """The saved tasks of one study."""

    last_opened: Optional["Checkpoint"] = None  # this process's latest: what an interruption leaves

    def __init__(self, folder: Path, study: str, resume: bool):
        Checkpoint.last_opened = self
        self.folder = Path(folder)
        self.study = study
        self.reused = 0  # tasks taken from the folder by this run
        busy = writer(self.folder)
        if busy is not None:  # two terminals, one folder: the second must not take the first's work
            raise ResultsError(f"{self.folder}: another govsim run (process {busy}) is saving its replications "
                               "there now; wait for it to end or choose another --out")
        if resume and self.folder.exists() and not (self.folder / MANIFEST).exists() and not self.done():
            shutil.rmtree(self.folder)  # made, then killed before anything was saved: nothing to resume
        if resume and self.folder.exists():
            self._check_same_study(study)
        elif self.folder.exists():
            shutil.rmtree(self.folder)
        self._opened = False  # the folder is made (and the manifest names this run) at the first save

    def _check_same_study(self, study: str) -> None:
        try:
            saved = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8")).get("study")
        except (OSError, ValueError, AttributeError):
            saved = None
        if saved != study and isinstance(saved, str) and _command_of(saved) != _command_of(study):
            raise ResultsError(f"{self.folder}: the saved replications are of `govsim {_command_of(saved)}`, not of "
                               f"`govsim {_command_of(study)}`: `govsim {_command_of(saved)} --resume` continues them, "
                               "--force starts afresh")
        if saved != study:
            raise ResultsError(f"{self.folder}: the saved replications belong to another version of this study "
                               "(the scenario, its run settings or govsim changed): --force starts afresh")

    def load(self, key: str) -> Optional[Any]:
        path = self.folder / f"{key}.json"
        try:
            result = json.loads(path.read_text(encoding="utf-8"))["result"]
            self.reused += 1
            return result
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError):
            return None  # unreadable: recomputed (a file is renamed into place whole, so this is rare)

    def save(self, key: str, result: Any) -> None:
        try:
            if not self._opened:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._write(self.folder / MANIFEST, {"govsim": code_identity(), "study": self.study,
                                                     "host": socket.gethostname(), "pid": os.getpid(),
                                                     "process": _process_identity(os.getpid())})
                self._opened = True
            self._write(self.folder / f"{key}.json", {"result": result})
        except OSError as exc:
            raise ResultsError(f"{self.folder}: cannot save the finished replications there "
                               f"({exc.strerror or exc}); choose another --out") from None

    @staticmethod
    def _write(path: Path, payload: dict) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)  # atomic: the file is whole or absent

    def done(self) -> int:
        return saved_tasks(self.folder)

    def finish(self) -> None:
        """The results are written: the saved tasks are no longer needed."""
        shutil.rmtree(self.folder, ignore_errors=True)
