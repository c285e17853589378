"""Read a queue-ticket export into strings with standard column names.

Exports come from many systems: UTF-8 with or without a byte-order mark, or GB18030
from Chinese Windows machines; commas, tabs or semicolons; header names that differ
(``--columns``).  Everything is read as text here; times are parsed in ``times``.
A file that cannot be read at all raises ``LogError``: one line, ``file: what is wrong``.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED = ("matter", "arrived", "called", "finished", "window")
OPTIONAL = ("ticket",)  # a ticket number: duplicates are then the same ticket on the same day
STANDARD = REQUIRED + OPTIONAL
HEADER_LINE = 1  # the first ticket is on line 2


class LogError(Exception):
    """A log that cannot be read at all."""

    def __init__(self, file, message: str):
        super().__init__(message)
        self.file, self.message = str(file), message

    def one_line(self) -> str:
        return f"{self.file}: {self.message}"


def parse_columns(specs: list[str], file) -> dict[str, str]:
    """``["matter=type,arrived=entered"]`` -> ``{"matter": "type", "arrived": "entered"}``."""
    mapping: dict[str, str] = {}
    for spec in specs:
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, eq, column = (s.strip() for s in part.partition("="))
            if not eq or not name or not column:
                raise LogError(file, f"--columns: '{part}' is not NAME=COLUMN")
            if name not in STANDARD:
                raise LogError(file, f"--columns: '{name}' is not one of {', '.join(STANDARD)}")
            mapping[name] = column
    return mapping


def _text(path: Path) -> str:
    if not path.exists():
        raise LogError(path, "no such file")
    if path.is_dir():
        raise LogError(path, "is a folder, not a CSV file")
    raw = path.read_bytes()
    if raw[:4] == b"PK\x03\x04":
        raise LogError(path, "an Excel (or zip) file, not CSV: save it as CSV first")
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030: Chinese Windows exports
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LogError(path, "the text is neither UTF-8 nor GB18030")
    if not text.strip():
        raise LogError(path, "the file is empty")
    return text


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _unclosed_quote(text: str) -> int:
    """The line of the first quote that is not closed on its own line (0: none).  A ticket
    log has no field over several lines, and a parser would read such a quote to the next
    one, perhaps the end of the file, swallowing every ticket between."""
    if '"' not in text:
        return 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"') % 2:  # "" inside a quoted field counts two
            return number
    return 0


def _frame(text: str, sep: str, path: Path) -> tuple[pd.DataFrame, list[int]]:
    """All cells as text; rows whose field count is wrong come back as line numbers."""
    unclosed = _unclosed_quote(text)
    if unclosed:
        raise LogError(path, f"line {unclosed}: a quote (\") is opened and not closed on that line; close it or "
                             "remove it (a ticket log has no field over several lines)")
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                         skip_blank_lines=False, engine="c")
        return df, []
    except pd.errors.ParserError:
        pass
    # slow path, only for files with broken lines: the csv module knows each row's line
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows, lines, bad = [], [], []
    try:
        header = next(reader)
        for row in reader:
            if len(row) == len(header):
                rows.append(row)
                lines.append(reader.line_num)
            elif any(cell.strip() for cell in row):
                bad.append(reader.line_num)
    except csv.Error as exc:  # what the quote check cannot see: a field too large, a NUL byte
        raise LogError(path, f"line {reader.line_num}: cannot be read as CSV ({exc})") from None
    df = pd.DataFrame(rows, columns=header, dtype=str)
    df.index = pd.Index(lines) - HEADER_LINE - 1
    return df, bad


def _stripped(col: pd.Series, name: str) -> pd.Series:
    """Names without surrounding blanks, stripped once per distinct value (a million rows
    hold a few dozen matters); times are stripped later, only where they fail to read."""
    if name in ("arrived", "called", "finished"):
        return col.astype(str)
    codes, uniques = pd.factorize(col.astype(str))
    return pd.Series(np.asarray([u.strip() for u in uniques], dtype=object)[codes] if len(uniques) else col,
                     index=col.index, dtype=str)


def read_log(path, columns: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[int]]:
    """The log's standard columns as stripped text, a ``line`` column (its line in the
    file), and the lines that had the wrong number of fields."""
    path = Path(path)
    text = _text(path)
    header = text[:text.find("\n")] if "\n" in text else text
    df, bad = _frame(text, _delimiter(header), path)
    names = [str(c).strip() for c in df.columns]
    df.columns = names
    lower = {n.lower(): n for n in names}
    listed = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    columns = columns or {}
    picked = {}
    for name in STANDARD:
        if name in columns:
            want = columns[name]
            found = want if want in names else lower.get(want.lower())
            if found is None:
                raise LogError(path, f"--columns {name}={want}: no column '{want}' in the file (columns: {listed})")
        else:
            found = name if name in names else lower.get(name)
            if found is None and name in REQUIRED:
                raise LogError(path, f"no column '{name}' (columns: {listed}); map it with --columns {name}=COLUMN")
        if found is not None:
            picked[name] = found
    out = pd.DataFrame({name: _stripped(df[col], name) for name, col in picked.items()})
    out["line"] = df.index.to_numpy() + HEADER_LINE + 1
    out.attrs["columns"] = picked  # standard name -> the file's own header, for messages
    blank = (out[list(picked)] == "").all(axis=1)
    out = out[~blank.to_numpy()].reset_index(drop=True)
    if out.empty:
        raise LogError(path, "no tickets: the file has a header but no rows")
    return out, bad
