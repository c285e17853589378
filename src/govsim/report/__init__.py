"""Tables, figures and the HTML report; everything here reads saved tables.

``write_report(folder)`` draws the figures into ``folder/figures/`` and writes
``folder/report.html`` from the tables ``govsim run`` saved there: ``govsim run``
calls it before moving its results into place, ``govsim report`` calls it again
later (in another language, say) without rerunning anything.  The report depends on
``govsim.results.read`` (what it draws from) and ``govsim.results.staging`` (how it
writes) only: the writer of results calls the report, never the other way round.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..labels import LANGS

REPORT = "report.html"
FIGURES = "figures"


def write_report(folder: Path, lang: Optional[str] = None) -> Path:
    """(Re)build ``figures/`` and ``report.html`` in a results folder; return the report's path.

    ``lang`` defaults to the language the run was reported in (metadata.json), else English.
    Raises ResultsError for a missing or broken folder and FontMissing for Chinese
    without a CJK font."""
    from ..results.read import read_results
    from ..results.staging import staged_entries
    from .figures import write_figures
    from .fonts import require_cjk_font
    from .html import write_html

    res = read_results(Path(folder))
    lang = lang or res.metadata.get("lang") or "en"
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGS)})")
    if lang == "zh":
        require_cjk_font()
    with staged_entries(res.folder, (FIGURES, REPORT)) as tmp:
        figures = write_figures(res.summary, res.comparison, res.model, res.policies, res.baseline, tmp / FIGURES,
                                lang=lang, reps=res.replications)
        write_html(res, figures, lang, tmp / REPORT)
    return res.folder / REPORT
