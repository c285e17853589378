"""`govsim fit` through the command line: what it writes, and the one line and exit code
2 (nothing written) for a log it cannot read."""
from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from govsim.cli import app
from govsim.fit.synthetic import example_hall, simulate

from test_shipped_scenarios import test_every_assumed_number_has_a_comment as assert_every_number_commented

GOOD = "ticket,matter,arrived,called,finished,window\n"


@pytest.fixture(scope="module")
def log_text() -> str:
    return simulate(example_hall(days=7), 21).to_csv(index=False)


def run(*args):
    return CliRunner().invoke(app, ["fit", *map(str, args)])


def _bad_cases(log_text):
    rows = log_text.splitlines()
    return {
        "missing file": (None, [], "no such file"),
        "empty file": ("", [], "the file is empty"),
        "header only": (GOOD, [], "no tickets"),
        "missing column": (GOOD.replace(",called", ",call_time") + "\n".join(rows[1:]), [],
                           "no column 'called' (columns: ticket, matter, arrived, call_time, finished, window); "
                           "map it with --columns called=COLUMN"),
        "mapping names no column": (log_text, ["--columns", "arrived=entered"],
                                    "--columns arrived=entered: no column 'entered' in the file"),
        "mapping without =": (log_text, ["--columns", "arrived"], "--columns: 'arrived' is not NAME=COLUMN"),
        "mapping an unknown name": (log_text, ["--columns", "queue=q"], "--columns: 'queue' is not one of matter"),
        "times unreadable throughout": (
            GOOD + "\n".join(f"A{i},tax,yesterday {i},,today,W1" for i in range(20)), [],
            "column 'arrived': no date-time could be read (line 2: 'yesterday 0')"),
        "times without dates": (GOOD + "\n".join(f"A{i},tax,08:{i:02d},08:30,08:40,W1" for i in range(20)), [],
                                "column 'arrived': no date-time could be read (line 2: '08:00'); a time without a date"),
        "a wrong --format": (log_text, ["--format", "%d/%m/%Y"], "column 'arrived': no date-time could be read"),
        "nothing usable": (GOOD + "\n".join(f"A{i},,2024-03-04 08:{i:02d}:00,,2024-03-04 09:00:00,"
                                            for i in range(20)), [], "no usable ticket: all 20 rows set aside"),
        "too few served": (GOOD + "\n".join(f"A{i},tax,2024-03-04 08:{i:02d}:00,,2024-03-04 09:00:00,"
                                            for i in range(20)), [], "only 0 served tickets"),
    }


CASES = ["missing file", "empty file", "header only", "missing column", "mapping names no column",
         "mapping without =", "mapping an unknown name", "times unreadable throughout", "times without dates",
         "a wrong --format", "nothing usable", "too few served"]


@pytest.mark.parametrize("case", CASES)
def test_a_log_that_cannot_be_read_gets_one_line_and_exit_2(case, log_text, tmp_path):
    text, args, words = _bad_cases(log_text)[case]
    log = tmp_path / "hall.csv"
    if text is not None:
        log.write_text(text, encoding="utf-8")
    out = tmp_path / "fitted.yaml"
    result = run(log, *args, "--out", out)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{log}: ") and words in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == (["hall.csv"] if text is not None else [])


def test_an_excel_file_is_named_as_such(tmp_path):
    log = tmp_path / "hall.xlsx"
    log.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    result = run(log, "--out", tmp_path / "f.yaml")
    assert result.exit_code == 2 and result.stderr.strip() == f"{log}: an Excel (or zip) file, not CSV: save it as CSV first"


def test_it_writes_the_scenario_and_the_report_and_never_overwrites_unasked(log_text, tmp_path):
    log = tmp_path / "hall.csv"
    log.write_text(log_text, encoding="utf-8")
    out = tmp_path / "fitted.yaml"
    first = run(log, "--out", out, "--quiet")
    assert first.exit_code == 0, first.output
    report = tmp_path / "fitted-report"
    assert out.exists() and (report / "report.html").exists()
    for name in ("set_aside", "service_fits", "patience_fits", "arrivals", "windows", "roster_choice"):
        assert (report / f"{name}.csv").exists(), name
    assert (report / "figures" / "arrivals.png").exists() and (report / "figures" / "windows_windows.png").exists()
    again = run(log, "--out", out)
    assert again.exit_code == 2 and again.stderr.strip() == \
        f"{out}: exists: choose another --out, or add --force to replace it"
    assert run(log, "--out", out, "--force", "--quiet").exit_code == 0


def test_every_value_of_the_fitted_scenario_says_where_it_came_from(log_text, tmp_path):
    """The shipped scenarios' rule (a comment on every line that sets a number), and the
    comments name the log, the rows used and the estimators."""
    log = tmp_path / "hall.csv"
    log.write_text(log_text, encoding="utf-8")
    out = tmp_path / "fitted.yaml"
    assert run(log, "--out", out, "--quiet").exit_code == 0
    assert_every_number_commented(out)
    text = out.read_text(encoding="utf-8")
    comments = " ".join(line.split("# ", 1)[1] for line in text.splitlines() if "# " in line)
    rows = len(log_text.splitlines()) - 1
    assert f"from the queue-ticket log hall.csv: {rows:,} rows, {rows:,} used as tickets" in comments
    for words in ("Poisson maximum likelihood", "by AIC", "censored maximum likelihood", "right-censored",
                  "windows seen calling"):
        assert words in comments, words
    assert re.search(r"by_class:\n          social_security: \{dist: \w+, mean: [\d.]+.*\}   # [\d,]+ served", text)
