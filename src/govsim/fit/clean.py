"""Sort a log's rows into tickets to fit and rows set aside, by kind.

Each row set aside gets the first kind (in ``KINDS`` order) that applies, so the
counts add up to the rows set aside; the fit never uses them, and the report lists
each kind's count, its first line numbers and what the fit would say if they were kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .read import LogError
from .times import AmbiguousDates, on_the_day_of, parse_times, resolution_s, times_of_day

KINDS = {
    "malformed_line": "a line with the wrong number of fields",
    "duplicate": "the same ticket again (the first copy is kept)",
    "unreadable_time": "a time that no format reads",
    "missing_arrived": "no time the ticket was taken",
    "missing_finished": "no finish time (still waiting or served when exported?)",
    "unknown_matter": "matter empty or unknown",
    "called_before_arrived": "called before the ticket was taken",
    "finished_before_called": "finished before it was called",
    "finished_before_arrived": "left before the ticket was taken",
    "missing_window": "served, but no window named",
    "zero_service": "served in no time (finished at the second it was called: a skipped ticket?)",
    "over_a_day": "more than a day from ticket to finish",
}
UNKNOWN_MATTERS = frozenset({"", "unknown", "null", "none", "nan", "n/a", "#n/a", "na", "-", "--", "?",
                             "未知", "无", "空"})
FIRST_LINES = 5  # line numbers shown per kind
TIME_COLUMNS = ("arrived", "called", "finished")


@dataclass
class Cleaned:
    rows: pd.DataFrame  # tickets to fit: matter, window, line, arrived, called, finished, served
    dirty: pd.DataFrame  # rows set aside, same columns (times where readable) and kind
    malformed_lines: list[int]
    total_rows: int
    formats: dict[str, list[str]] = field(default_factory=dict)  # column -> formats that read it
    resolution_s: int = 1  # 60 when every time is on a whole minute

    def counts(self) -> dict[str, int]:
        n = self.dirty["kind"].value_counts().to_dict()
        if self.malformed_lines:
            n["malformed_line"] = len(self.malformed_lines)
        return {k: int(n[k]) for k in KINDS if n.get(k)}

    def first_lines(self, kind: str) -> list[int]:
        if kind == "malformed_line":
            return self.malformed_lines[:FIRST_LINES]
        return sorted(self.dirty.loc[self.dirty["kind"] == kind, "line"].tolist())[:FIRST_LINES]


def _times(raw: pd.DataFrame, formats, file) -> tuple[dict[str, pd.Series], dict[str, list[str]]]:
    parsed, used = {}, {}
    for col in TIME_COLUMNS:
        try:
            parsed[col], used[col], raw[col] = parse_times(raw[col], formats)
        except AmbiguousDates as exc:
            header = raw.attrs.get("columns", {}).get(col, col)  # as the file names it (取号时间, say)
            line = raw.loc[raw[col] == exc.example, "line"]
            where = f"line {int(line.iloc[0])}: " if len(line) else ""
            raise LogError(file, f"{where}column '{header}': dates such as '{exc.example}' read day-first and "
                                 f"month-first alike; give the format, --format '{exc.fmt}' or --format "
                                 f"'{exc.other}'") from None
    for col in ("called", "finished"):  # a bare time of day: on the arrival's date (or the next)
        unread = parsed[col].isna() & (raw[col] != "")
        if unread.any():
            clock = times_of_day(raw.loc[unread, col])
            parsed[col][clock.index] = parsed[col][clock.index].where(
                clock.isna(), on_the_day_of(parsed["arrived"][clock.index], clock))
    for col in ("arrived", "finished"):
        text = raw[col]
        if (text != "").any() and parsed[col].isna().all():
            first = text[text != ""].index[0]
            hint = "a time without a date" if col == "arrived" and times_of_day(text[[first]]).notna().all() \
                else "give the format with --format, e.g. --format '%d/%m/%Y %H:%M'"
            header = raw.attrs.get("columns", {}).get(col, col)
            raise LogError(file, f"column '{header}': no date-time could be read (line {raw['line'][first]}: "
                                 f"'{text[first]}'); {hint}")
        if (text == "").all():
            raise LogError(file, f"column '{col}' is empty on every line")
    return parsed, used


def _duplicates(raw: pd.DataFrame) -> pd.Series:
    """Later copies of a row; with ticket numbers, of a ticket taken at the same time
    (numbers start again every day, and departments may share them)."""
    if "ticket" in raw:
        return raw.duplicated(["ticket", "arrived"]) & (raw["ticket"] != "") & (raw["arrived"] != "")
    return raw.drop(columns="line").duplicated()


def clean(raw: pd.DataFrame, malformed: list[int], formats: list[str] | None, file) -> Cleaned:
    t, used = _times(raw, formats, file)
    arrived, called, finished = t["arrived"], t["called"], t["finished"]
    served = raw["called"] != ""
    res = resolution_s(arrived, called, finished)
    unreadable = np.zeros(len(raw), dtype=bool)
    for col in TIME_COLUMNS:
        unreadable |= ((raw[col] != "") & t[col].isna()).to_numpy()
    tests = {
        "duplicate": _duplicates(raw).to_numpy(),
        "unreadable_time": unreadable,
        "missing_arrived": (raw["arrived"] == "").to_numpy(),
        "missing_finished": (raw["finished"] == "").to_numpy(),
        "unknown_matter": raw["matter"].str.lower().isin(UNKNOWN_MATTERS).to_numpy(),
        "called_before_arrived": (served & (called < arrived)).to_numpy(),
        "finished_before_called": (served & (finished < called)).to_numpy(),
        "finished_before_arrived": (~served & (finished < arrived)).to_numpy(),
        "missing_window": (served & (raw["window"] == "")).to_numpy(),
        "zero_service": (served & (finished == called)).to_numpy() & (res == 1),
        "over_a_day": ((finished - arrived) > pd.Timedelta(days=1)).to_numpy(),
    }
    kind = np.full(len(raw), "", dtype=object)
    for name, hit in tests.items():
        kind[(kind == "") & hit] = name
    frame = pd.DataFrame({"matter": raw["matter"], "window": raw["window"], "line": raw["line"].astype(int),
                          "arrived": arrived, "called": called.where(served), "finished": finished,
                          "served": served.to_numpy()})
    good = kind == ""
    rows = frame[good].reset_index(drop=True)
    dirty = frame[~good].assign(kind=kind[~good]).reset_index(drop=True)
    if rows.empty:
        raise LogError(file, f"no usable ticket: all {len(raw)} rows set aside "
                             f"({', '.join(f'{k}: {n}' for k, n in dirty['kind'].value_counts().items())})")
    return Cleaned(rows, dirty, malformed, len(raw) + len(malformed), used, res)


def effect_if_kept(c: Cleaned, days: int) -> pd.DataFrame:
    """Per kind set aside: its rows, first lines, and three figures of the fit with and
    without them, where the rows have the times each figure needs (negative ones too)."""
    def figures(rows: pd.DataFrame) -> tuple[float, float, float, int]:
        served = rows[rows["served"]]
        svc = (served["finished"] - served["called"]).dt.total_seconds() / 60
        wait = (served["called"] - served["arrived"]).dt.total_seconds() / 60
        return svc.sum(), svc.count(), wait.sum(), wait.count()

    base_svc, n_svc, base_wait, n_wait = figures(c.rows)
    out = []
    for kind, n in c.counts().items():
        extra = c.dirty[c.dirty["kind"] == kind]
        tickets = len(c.rows) + int(extra["arrived"].notna().sum())
        s, ns, w, nw = figures(extra)
        out.append({
            "kind": kind, "what": KINDS[kind], "rows": n,
            "first_lines": " ".join(map(str, c.first_lines(kind))),
            "tickets_per_day": len(c.rows) / days, "tickets_per_day_if_kept": tickets / days,
            "service_mean_min": base_svc / n_svc, "service_mean_min_if_kept": (base_svc + s) / (n_svc + ns) if ns else np.nan,
            "wait_mean_min": base_wait / n_wait, "wait_mean_min_if_kept": (base_wait + w) / (n_wait + nw) if nw else np.nan,
        })
    return pd.DataFrame(out, columns=["kind", "what", "rows", "first_lines", "tickets_per_day", "tickets_per_day_if_kept",
                                      "service_mean_min", "service_mean_min_if_kept", "wait_mean_min",
                                      "wait_mean_min_if_kept"])
