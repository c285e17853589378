"""Sweeps: one input (or several, crossed) over a list or range of values, expanded into
named policies so that everything a run does (common random numbers, tables, paired
comparisons, the report) works on them unchanged.

Written in a scenario as ``sweep: [{path: stations.window.servers, values: "4..8"}]`` or
on the command line as ``--sweep stations.window.servers=4..8`` (or ``=4,5,6``).  The
path is dotted under params (``*`` for every key at a level, as in ``uncertain:``).  Each
value makes a policy named ``<last key>=<value>`` from the base policy's overlay with the
path set; several sweeps cross (``servers=5,visitors_per_day=240``), each named by the
shortest end of its path that the other swept paths do not share (``civil_desk.servers=2,
tax_desk.servers=3``).  The first value's policy is the baseline.  A sweep is built on one
policy (the baseline, or the one ``--policy``), and each input is swept once.

On common random numbers every policy sees the same draws, so an input the policy does not
read gives exactly the same replications at every value: ``without_effect`` finds such
inputs, for a warning instead of a flat curve read as an answer.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

import pandas as pd
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


def short_labels(paths: list[str]) -> list[str]:
    """The shortest end of each dotted path that no other path ends with: ``servers`` when
    one swept path ends so, ``civil_desk.servers`` and ``tax_desk.servers`` when two do."""
    keys = [p.split(".") for p in paths]
    out = []
    for i, mine in enumerate(keys):
        n = 1
        while n < len(mine) and any(other[-n:] == mine[-n:] for j, other in enumerate(keys) if j != i):
            n += 1
        out.append(".".join(mine[-n:]))
    return out


def swept_twice(sweeps: list[Sweep]) -> Optional[tuple[int, str]]:
    """The first sweep that sets an input an earlier one sets (its values would silently
    replace the earlier's), as (its index, why), or None."""
    first: dict[tuple, str] = {}
    for i, s in enumerate(sweeps):
        for p in s.paths:
            if p in first:
                if first[p] == s.path:
                    return i, f"{s.path}: swept twice; give all its values in one sweep"
                return i, f"{s.path}: sets params.{'.'.join(p)}, which {first[p]} sweeps already; sweep each input once"
        first.update({p: s.path for p in s.paths})
    return None


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
    labels = short_labels([s.path for s in sweeps])
    return ",".join(f"{label}={value_text(v)}" for label, v in zip(labels, combo))


def expand(sweeps: list[Sweep], overlay: dict) -> dict[str, tuple[dict, dict]]:
    """Policy name -> (overlay, {path: value}) for every combination of the swept values:
    the base ``overlay`` with each swept path set."""
    out = {}
    for combo in itertools.product(*(s.values for s in sweeps)):
        changes = {p: v for s, v in zip(sweeps, combo) for p in s.paths}
        out[policy_name(sweeps, combo)] = (with_changes(overlay, changes), dict(zip([s.path for s in sweeps], combo)))
    return out


def results_of(reps: pd.DataFrame, policy: str) -> pd.Series:
    """Every metric of every replication of ``policy``, in one order: what two policies share
    value for value when nothing they differ in is read."""
    sel = reps[reps["policy"] == policy]
    return sel.set_index(["rep", "scope", "metric"])["value"].sort_index()


def made_no_difference(groups: list[list[pd.Series]]) -> bool:
    """Whether the results in every group are identical, at least one comparison made (a
    group: the results at each value of one input, every other input held)."""
    compared = [g for g in groups if len(g) > 1]
    return bool(compared) and all(g[0].equals(other) for g in compared for other in g[1:])


def without_effect(sweeps: list[Sweep], swept: dict[str, dict], reps: pd.DataFrame) -> list[Sweep]:
    """The sweeps whose every value gave exactly the same replications, the other swept
    inputs held (``swept``: policy -> {path: value}; policies not in ``reps`` are left out)."""
    ran = set(reps["policy"])
    results = {p: results_of(reps, p) for p in swept if p in ran}
    out = []
    for s in sweeps:
        groups: dict[tuple, list[pd.Series]] = {}
        for policy, result in results.items():
            held = tuple(value_text(v) for path, v in swept[policy].items() if path != s.path)
            groups.setdefault(held, []).append(result)
        if made_no_difference(list(groups.values())):
            out.append(s)
    return out


def no_effect_warning(where: str, path: str, policy: str, what: str = "value") -> str:
    """The warning for an input that changed nothing (``where``: --sweep, sweep or --vary)."""
    return (f"{where} {path}: every {what} gave identical results for policy '{policy}': it does not read this "
            f"input, or these values change nothing (did you mean another policy, -p ...?)")
