"""Sweeps: one input (or several, crossed) over a list or range of values, expanded into
named policies so that everything a run does (common random numbers, tables, paired
comparisons, the report) works on them unchanged.

Written in a scenario as ``sweep: [{path: stations.window.servers, values: "4..8"}]`` or
on the command line as ``--sweep stations.window.servers=4..8`` (or ``=4,5,6``).  The
path is dotted under params (``*`` for every key at a level, as in ``uncertain:``).  Each
value makes a policy named ``<last key>=<value>`` from the base policy's overlay with the
path set; several sweeps cross (``servers=5,visitors_per_day=240``).  The first value's
policy is the baseline.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .uncertain import value_text, with_changes

RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")


def parse_values(text: Union[str, list]) -> list[Any]:
    """``"4..8"`` -> [4, 5, 6, 7, 8]; ``"0.8,1,1.2"`` -> numbers; a list as it is."""
    if isinstance(text, list):
        if not text:
            raise ValueError("give at least one value")
        return text
    if ".." in str(text) and not RANGE.match(str(text)):
        raise ValueError(f"the range {text!r}: LO..HI takes whole numbers; list other values as a,b,c "
                         "(say 0.8,0.9,1.0)")
    m = RANGE.match(str(text))
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo > hi:
            raise ValueError(f"the range {text!r} runs backwards: write LO..HI with LO <= HI")
        return list(range(lo, hi + 1))
    out = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            raise ValueError(f"an empty value in {text!r}")
        out.append(_number(part))
    return out


def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class SweepEntry(BaseModel):
    """One ``sweep:`` entry as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str = Field(description="dotted path under params; '*' stands for every key at that level")
    values: Union[str, list[Any]] = Field(description="'LO..HI' (whole numbers), 'a,b,c', or a list")

    @field_validator("values")
    @classmethod
    def _parsed(cls, value):
        parse_values(value)
        return value


@dataclass(frozen=True)
class Sweep:
    path: str
    paths: tuple[tuple[str, ...], ...]
    values: tuple[Any, ...]

    @property
    def label(self) -> str:
        return self.path.rsplit(".", 1)[-1]


def from_cli(spec: str) -> tuple[str, list[Any]]:
    """``PATH=VALUES`` from the command line."""
    if "=" not in spec:
        raise ValueError(f"--sweep {spec!r}: write PATH=LO..HI or PATH=a,b,c")
    path, values = spec.split("=", 1)
    try:
        return path.strip(), parse_values(values)
    except ValueError as exc:
        raise ValueError(f"--sweep {spec}: {exc}") from None


def policy_name(sweeps: list[Sweep], combo: tuple) -> str:
    return ",".join(f"{s.label}={value_text(v)}" for s, v in zip(sweeps, combo))


def expand(sweeps: list[Sweep], overlay: dict) -> dict[str, tuple[dict, dict]]:
    """Policy name -> (overlay, {path: value}) for every combination of the swept values:
    the base ``overlay`` with each swept path set."""
    out = {}
    for combo in itertools.product(*(s.values for s in sweeps)):
        changes = {p: v for s, v in zip(sweeps, combo) for p in s.paths}
        out[policy_name(sweeps, combo)] = (with_changes(overlay, changes), dict(zip([s.path for s in sweeps], combo)))
    return out
