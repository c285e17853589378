"""Tables, figures and the HTML report; everything here reads saved tables.

``write_report(folder)`` draws the figures into ``folder/figures/`` and writes
``folder/report.html`` from the tables ``govsim run`` saved there: ``govsim run``
calls it before moving its results into place, ``govsim report`` calls it again
later (in another language, say) without rerunning anything.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Optional

from ..labels import LANGS

REPORT = "report.html"


def write_report(folder: Path, lang: Optional[str] = None) -> Path:
    """(Re)build ``figures/`` and ``report.html`` in a results folder; return the report's path.

    ``lang`` defaults to the language the run was reported in (metadata.json), else English.
    Raises ResultsError for a missing or broken folder and FontMissing for Chinese
    without a CJK font."""
    from ..results import read_results
    from .figures import write_figures
    from .fonts import require_cjk_font
    from .html import write_html

    res = read_results(Path(folder))
    lang = lang or res.metadata.get("lang") or "en"
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGS)})")
    if lang == "zh":
        require_cjk_font()
    folder = res.folder
    pid = os.getpid()
    tmp_figures = folder / f".figures.partial-{pid}"
    tmp_report = folder / f".{REPORT}.partial-{pid}"
    shutil.rmtree(tmp_figures, ignore_errors=True)
    try:
        figures = write_figures(res.summary, res.comparison, res.model, res.policies, res.baseline, tmp_figures,
                                lang=lang, reps=res.replications)
        write_html(res, figures, lang, tmp_report)
        old = folder / f".figures.old-{pid}"
        if (folder / "figures").exists():
            (folder / "figures").rename(old)
        tmp_figures.rename(folder / "figures")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp_report, folder / REPORT)
    finally:
        shutil.rmtree(tmp_figures, ignore_errors=True)
        if tmp_report.exists():
            tmp_report.unlink()
    return folder / REPORT
