"""Errors a user can act on: which file, which line, which field, what is wrong."""
from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(name, options: Iterable, cutoff: float = 0.6) -> str:
    """`` (did you mean 'X'?)`` with the option closest to ``name``, or nothing."""
    close = difflib.get_close_matches(str(name), sorted(set(map(str, options))), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


class ScenarioError(Exception):
    """Bad input in a scenario file.  ``str()`` is the one line shown to the user."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str):
        self.file, self.line, self.field, self.message = str(file), line, field, message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"{self.field}: {self.message}" if self.field else self.message
        return " ".join(f"{where}: {what}".split())  # always one line


class ScenarioErrors(Exception):
    """Several independent problems found in one pass (``govsim validate`` lists them all)."""

    def __init__(self, errors: list[ScenarioError]):
        self.errors = errors
        super().__init__("\n".join(e.one_line() for e in errors))


class ResultsError(Exception):
    """A results folder that is missing or not one govsim wrote."""


class FolderHoldsResults(ResultsError):
    """An output folder that holds results a run may not replace (no --force)."""

    def __init__(self, out, what: str = "earlier results"):
        super().__init__(f"{out}: holds {what}, left as they are; use --force to replace them, "
                         f"or choose another --out")
