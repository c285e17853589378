"""Declared uncertainty: the assumed inputs a scenario is unsure of, each with a range.

A scenario's top-level ``uncertain:`` list names inputs by a dotted path under
``params`` (``*`` stands for every key at that level: ``matters.*.minor_share``), a
``low`` and a ``high`` value that replace the whole value (a number or a whole
distribution), and the ``reason`` for the range.  ``govsim sensitivity`` sets each input
to its low and its high, one at a time, in the base params; every policy's overlay then
goes on top, so a policy that itself sets the path keeps its own value (a decision, not
an assumption).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import did_you_mean
from .yamlio import plain_copy

WILDCARD = "*"


class UncertainEntry(BaseModel):
    """One ``uncertain:`` entry as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    path: Union[str, list[str]] = Field(
        description="dotted path under params ('*' stands for every key at that level), or a list of paths "
        "set together to the same value (a bus's seats and the load it leaves with)")
    low: Any = Field(description="the low end: a number, or a whole distribution")
    high: Any = Field(description="the high end: a number, or a whole distribution")
    reason: str = Field(description="why the input is uncertain and why this range")

    @field_validator("path")
    @classmethod
    def _dotted(cls, value):
        for one in ([value] if isinstance(value, str) else value):
            if not one or any(not p for p in one.split(".")):
                raise ValueError("a dotted path under params, e.g. matters.*.minor_share")
        if not value:
            raise ValueError("give at least one path")
        return value

    @property
    def paths_written(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)

    @property
    def name(self) -> str:
        """How the input is named in tables: its path, or its paths joined with '+'."""
        return "+".join(self.paths_written)

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the input is uncertain and why this range")
        return value


@dataclass(frozen=True)
class UncertainInput:
    """An entry resolved against the params: the concrete paths it covers."""

    path: str  # as written
    paths: tuple[tuple[str, ...], ...]  # every concrete path the wildcard matched
    low: Any
    high: Any
    reason: str

    def level(self, which: str) -> Any:
        return {"low": self.low, "high": self.high}[which]

    def changes(self, which: str) -> dict[tuple[str, ...], Any]:
        value = self.level(which)
        return {p: value for p in self.paths}


def value_text(value: Any) -> str:
    """A value as written, on one line (a number as is, a distribution as compact JSON)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    if isinstance(value, str):
        return value  # a time of day, a rule's name: as written
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def expand(path: str, params: dict, knows) -> list[tuple[str, ...]]:
    """Every concrete path ``path`` names in ``params``.  ``knows(prefix, key)`` says whether
    the model defines ``key`` under ``prefix`` (a field params leaves at its default).
    Raises ValueError naming the first step that matches nothing, with the closest name
    params has there."""
    steps = path.split(".")
    found: list[tuple[tuple[str, ...], Any]] = [((), params)]
    # steps taken on the model's word alone, under a mapping that names other things: a typo
    # of a station or a matter passes there and fails a step later
    unseen: dict[tuple[str, ...], list[str]] = {}
    for k, step in enumerate(steps):
        nxt = []
        for prefix, node in found:
            if step == WILDCARD:
                if isinstance(node, dict):
                    nxt += [(prefix + (key,), v) for key, v in node.items()]
            elif isinstance(node, dict) and step in node:
                nxt.append((prefix + (step,), node[step]))
            elif isinstance(node, dict) and knows(prefix, step):
                nxt.append((prefix + (step,), None))
                if node:
                    unseen[prefix + (step,)] = [str(key) for key in node]
        if not nxt:
            for prefix, _ in found:
                if prefix in unseen:  # the step before named nothing params has: that is the typo
                    raise ValueError(f"no '{prefix[-1]}' at params.{'.'.join(prefix[:-1])}"
                                     f"{did_you_mean(prefix[-1], unseen[prefix])}")
            if step == WILDCARD:
                raise ValueError(f"'*' matches nothing at params.{path}")
            names = [str(key) for _, node in found if isinstance(node, dict) for key in node]
            raise ValueError(f"no field '{step}' at params.{'.'.join(steps[:k + 1])}{did_you_mean(step, names)}")
        found = nxt
    return [p for p, _ in found]


def with_changes(params: dict, changes: dict[tuple[str, ...], Any]) -> dict:
    """A deep copy of ``params`` with each path's whole value replaced."""
    out = plain_copy(params)
    for path, value in changes.items():
        node = out
        for key in path[:-1]:
            node = node[key] if isinstance(node, list) else node.setdefault(key, {})
        node[path[-1]] = plain_copy(value)  # a number in the path indexes a list (a roster entry)
    return out


def ordered_wrongly(low: Any, high: Any) -> bool:
    """Low above high, where the two are numbers (a distribution has no single order)."""
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high))
    return numbers and low > high
