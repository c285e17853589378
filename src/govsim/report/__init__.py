"""Tables, figures and the HTML report; everything here reads saved tables.

``write_report(folder)`` draws the figures into ``folder/figures/`` and writes
``folder/report.html`` from the tables ``govsim run`` saved there: ``govsim run``
calls it before moving its results into place, ``govsim report`` calls it again
later without rerunning anything.  The run's language (metadata.json's ``lang``) owns
``report.html`` and ``figures/``; a report in another language goes beside them
(``report.zh.html`` and ``figures/zh/``), leaving the run's own untouched.  The report
depends on ``govsim.results.read`` (what it draws from) and ``govsim.results.staging``
(how it writes) only: the writer of results calls the report, never the other way round.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

from ..labels import LANGS

REPORT = "report.html"
FIGURES = "figures"


def report_paths(lang: str, run_lang: str) -> tuple[str, str]:
    """(report file, figures folder) of a report in ``lang`` inside a results folder whose
    run was reported in ``run_lang``: report.html and figures/, or report.zh.html and figures/zh/."""
    if lang == run_lang:
        return REPORT, FIGURES
    return f"report.{lang}.html", f"{FIGURES}/{lang}"


def write_report(folder: Path, lang: Optional[str] = None) -> Path:
    """(Re)build the figures and the report of a results folder; return the report's path.

    ``lang`` defaults to the language the run was reported in (metadata.json), else English.
    Raises ResultsError for a missing or broken folder and FontMissing for Chinese
    without a CJK font."""
    from ..results.read import read_results
    from ..results.staging import list_written_here, staged_entries
    from .figures import write_figures
    from .fonts import require_cjk_font
    from .html import write_html
    from .studies import study_figures

    res = read_results(Path(folder))
    lang = lang or res.lang
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGS)})")
    if lang == "zh":
        require_cjk_font()
    report, fig_dir = report_paths(lang, res.lang)
    with staged_entries(res.folder, (fig_dir, report)) as tmp:
        figures = write_figures(res.summary, res.comparison, res.model, res.policies, res.baseline, tmp / fig_dir,
                                lang=lang, reps=res.replications, names=res.names)
        figures += study_figures(res, lang, tmp / fig_dir)  # sensitivity, decomposition, sweep: when run
        if fig_dir == FIGURES:  # the reports in other languages keep their figures
            for other in LANGS:
                if (res.folder / FIGURES / other).is_dir():
                    shutil.copytree(res.folder / FIGURES / other, tmp / FIGURES / other)
        if (tmp / fig_dir).is_dir():
            list_written_here(tmp / fig_dir)
        write_html(res, figures, lang, tmp / report, fig_dir)
    return res.folder / report
