"""Date-times from text, as exports write them.

Without ``--format``: ISO 8601 first (pandas reads 2024-03-01 08:05 and 2024/03/01 08:05
fast), then Chinese exports' 2024年3月4日 8:05(:13), then a format guessed from the first value still unread, a few rounds, so a
log whose format changed mid-way is read too.  With ``--format`` (repeatable): those
formats in order, each row by the first that reads it.  A cell that is empty stays
missing; a cell with text that no format reads is *unreadable* (the caller counts it).
"""
from __future__ import annotations

import re
import warnings

import pandas as pd
from pandas.tseries.api import guess_datetime_format

GUESSES = 4  # rounds of guessing a format from the first value still unread
# 2024年3月4日 8:01:21 (pandas's guesser does not read the characters); the month and day
# are named, so nothing is ambiguous
CHINESE = ("%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M")


class AmbiguousDates(ValueError):
    """A guessed format that reads as well day-first as month-first (03/04/2024)."""

    def __init__(self, fmt: str, other: str, example: str):
        super().__init__(fmt)
        self.fmt, self.other, self.example = fmt, other, example


def _swapped(fmt: str) -> str:
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
TIME_OF_DAY = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _try(text: pd.Series, fmt: str) -> pd.Series:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = pd.to_datetime(text, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError):  # e.g. mixed time zones
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)  # wall-clock time, as the hall saw it
    return out.astype("datetime64[us]")


DATE_PARTS = ("%Y", "%y", "%d", "%m", "%j", "%b", "%B", "%U", "%W")


def _read(text: pd.Series, todo: pd.Series, fmt: str, guessed: bool, out: pd.Series, used: list[str]) -> str:
    """Read the cells still to do with ``fmt`` (in place); a guessed format with day and
    month is checked against its swap.  Returns the format used."""
    got = _try(text[todo], fmt)
    if guessed and "%d" in fmt and "%m" in fmt:  # day or month first?
        other = _try(text[todo], _swapped(fmt))
        if other.notna().sum() > got.notna().sum():  # some day above 12 settles it
            fmt, got = _swapped(fmt), other
        elif other.notna().sum() == got.notna().sum() > 0 and not other.equals(got):  # a coin toss: ask
            raise AmbiguousDates(fmt, _swapped(fmt), text[todo][got.notna()].iloc[0])
    if fmt != "ISO8601" and not any(p in fmt for p in DATE_PARTS):  # %H:%M alone: the year 1900
        got = got.where(~text[todo].str.match(TIME_OF_DAY))
    ok = got.notna()
    if ok.any():
        out[got.index[ok]] = got[ok]
        todo[got.index[ok]] = False
        if fmt not in used:
            used.append(fmt)
    return fmt


def parse_times(text: pd.Series, formats: list[str] | None = None) -> tuple[pd.Series, list[str], pd.Series]:
    """Date-times (NaT where empty, unreadable or a bare time of day), the formats that
    read something, and the text with blanks stripped where they stopped a reading."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    todo = text != ""
    used: list[str] = []
    given = list(formats) if formats else ["ISO8601"]
    for attempt in range(2):
        for fmt in given:
            if todo.any():
                _read(text, todo, fmt, False, out, used)
        if attempt == 0 and todo.any():  # blanks around a time: strip only the cells still unread
            text = text.copy()
            text[todo] = text[todo].str.strip()
            todo &= text != ""
    if not formats and todo.any():  # what pandas does not guess: Chinese exports' own formats
        for fmt in CHINESE:
            if todo.any():
                _read(text, todo, fmt, False, out, used)
    tried = set(given) | (set() if formats else set(CHINESE))
    for _ in range(0 if formats else GUESSES):
        left = text[todo]
        left = left[~left.str.match(TIME_OF_DAY)]  # a bare time is read against the arrival's date
        if left.empty:
            break
        guess = _new_guess(left, tried)
        if guess is None:
            break
        tried.add(_read(text, todo, guess, True, out, used))
        tried.add(guess)
    return out, used, text


SAMPLES = 50  # distinct unread values a new format is guessed from


def _new_guess(left: pd.Series, tried: set) -> str | None:
    """A format not tried yet, guessed from the first unread values: the first may be an
    impossible date in a format already read (2024-02-31), with the rows in a new format
    after it (a log whose format changed mid-way)."""
    seen: set = set()
    for value in left:  # the first distinct values only: no need to hash a million unread cells
        if value in seen:
            continue
        seen.add(value)
        with warnings.catch_warnings():  # day-first or not is settled in _read, not by a warning
            warnings.simplefilter("ignore")
            guess = guess_datetime_format(value)
        if guess and guess not in tried:
            return guess
        if len(seen) == SAMPLES:
            break
    return None


def times_of_day(text: pd.Series) -> pd.Series:
    """'08:05' or '08:05:30' as a Timedelta from midnight (NaT for anything else)."""
    match = text.str.match(TIME_OF_DAY)
    out = pd.Series(pd.NaT, index=text.index, dtype="timedelta64[us]")
    if match.any():
        t = text[match]
        t = t.where(t.str.count(":") == 2, t + ":00")
        out[match] = pd.to_timedelta(t, errors="coerce").astype("timedelta64[us]")
    return out


ROLL_OVER = pd.Timedelta(hours=12)


def on_the_day_of(arrived: pd.Series, clock: pd.Series) -> pd.Series:
    """A time of day on the arrival's date, or the next day when that is the nearer reading
    (service that crossed midnight: arrived 23:50, finished 00:10).  A time some hours
    before the arrival stays on its day (arrived 09:20, finished 07:00 is a wrong row, set
    aside as such, not a service of 21 hours that would keep a window open all night)."""
    t = arrived.dt.normalize() + clock
    return t.where(~((t < arrived) & (arrived - t > ROLL_OVER)), t + pd.Timedelta(days=1))


def resolution_s(*columns: pd.Series) -> int:
    """1 when some time has seconds; 60 when every time is on a whole minute."""
    for col in columns:
        t = col.dropna()
        if len(t) and ((t.dt.second != 0) | (t.dt.microsecond != 0)).any():
            return 1
    return 60
