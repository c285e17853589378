"""Finished replications kept as they complete, so an interrupted study can resume.

Every task (a policy's replication) is saved the moment it finishes, in a hidden folder
beside the results folder (``.<name>.resume/``), one file per task, written to a
temporary name and renamed into place: a file there is always whole, so a run killed
mid-write (Ctrl-C or SIGKILL) never leaves a half-written result to be taken for one.
A task's file is named by a hash of what determines its numbers: the model, the
policy's name and resolved params, the run settings, the seed, the replication and
govsim's version, so a changed policy can never pick up an old result.

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
from pathlib import Path
from typing import Any, Optional

from . import __version__
from .errors import ResultsError

MANIFEST = "manifest.json"


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _run_settings(run) -> dict:
    return run.model_dump(exclude={"replications"}, mode="json")


def task_key(model_name: str, policy: str, params_dump: dict, run, rep: int) -> str:
    return _digest({"govsim": __version__, "model": model_name, "policy": policy, "params": params_dump,
                    "run": _run_settings(run), "rep": int(rep)})[:32]


def fingerprint(scenario, policies: dict) -> str:
    """What a study is: its model, run settings (replications aside) and every policy's params."""
    from .scenario import dump_params

    return _digest({"govsim": __version__, "model": scenario.model.name, "run": _run_settings(scenario.run),
                    "policies": {p: dump_params(params) for p, params in policies.items()}})


def folder_for(out: Path) -> Path:
    out = Path(out)
    return out.parent / f".{out.name}.resume"


def saved_tasks(folder: Path) -> int:
    """How many finished tasks ``folder`` holds (0 when there is no such folder)."""
    return sum(1 for p in Path(folder).glob("*.json") if p.name != MANIFEST)


class Checkpoint:
    """The saved tasks of one study."""

    def __init__(self, folder: Path, study: str, resume: bool):
        self.folder = Path(folder)
        self.study = study
        if resume and self.folder.exists():
            self._check_same_study(study)
        elif self.folder.exists():
            shutil.rmtree(self.folder)
        self._opened = self.folder.exists()  # made at the first save: a study that fails before leaves none

    def _check_same_study(self, study: str) -> None:
        try:
            saved = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8")).get("study")
        except (OSError, ValueError, AttributeError):
            saved = None
        if saved != study:
            raise ResultsError(f"{self.folder}: the saved replications belong to another version of this study "
                               "(the scenario, its run settings or govsim changed): --force starts afresh")

    def load(self, key: str) -> Optional[Any]:
        path = self.folder / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))["result"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError):
            return None  # unreadable: recomputed (a file is renamed into place whole, so this is rare)

    def save(self, key: str, result: Any) -> None:
        try:
            if not self._opened:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._write(self.folder / MANIFEST, {"govsim": __version__, "study": self.study})
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
