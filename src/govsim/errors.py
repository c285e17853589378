"""Errors a user can act on: which file, which line, which field, what is wrong."""
from __future__ import annotations


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
