"""Write the fitted scenario and its report all at once or not at all."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .read import LogError


def paths(log: Path, out: Path | None) -> tuple[Path, Path]:
    """The scenario's path (default: <log name>.fitted.yaml here) and its report folder."""
    out = out if out is not None else Path(f"{log.stem}.fitted.yaml")
    return out, out.with_name(out.stem + "-report")


def check(out: Path, report: Path, force: bool) -> None:
    """Refuse, before any fitting, what would fail or overwrite silently."""
    if not out.parent.exists():
        raise LogError(out, f"no folder {out.parent} to write into")
    if out.is_dir():
        raise LogError(out, "is a folder: give the scenario file to write (--out fitted.yaml)")
    if not force:
        for p in (out, report):
            if p.exists():
                raise LogError(p, "exists: choose another --out, or add --force to replace it")


def write(out: Path, text: str, report: Path, files: dict[str, bytes]) -> None:
    staging = Path(tempfile.mkdtemp(prefix=".fit-", dir=out.parent))
    try:
        for name, data in files.items():
            target = staging / "report" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (staging / "scenario.yaml").write_text(text, encoding="utf-8")
        if report.exists():
            shutil.rmtree(report)
        os.replace(staging / "report", report)
        os.replace(staging / "scenario.yaml", out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
