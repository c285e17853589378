"""Matters in the log -> class names a scenario accepts (ASCII identifiers).

A matter's name in the log may be Chinese or carry spaces; the class takes an ASCII
form of it, or ``matter_<rank>`` (rank by tickets), and the scenario's comments keep
the name as the log writes it.  Rare matters (fewer than ``MIN_TICKETS`` tickets each,
at least two of them) share one class, ``other``: an hourly profile from a handful
of tickets would be noise.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

MIN_TICKETS = 30
OTHER = "other"
MAX_LEN = 40


def _ascii(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:MAX_LEN].strip("_")


def class_ids(matter: pd.Series) -> tuple[np.ndarray, list[str], dict[str, list[str]]]:
    """Each ticket's class index, the class names (most tickets first) and, per class,
    the matters of the log it stands for."""
    counts = matter.value_counts(sort=False)
    counts = counts.iloc[np.lexsort((counts.index.astype(str), -counts.to_numpy()))]  # stable: ties by name
    rare = [m for m, n in counts.items() if n < MIN_TICKETS]
    lump = len(rare) >= 2
    names: dict[str, list[str]] = {}
    of: dict[str, str] = {}
    for rank, (m, n) in enumerate(counts.items(), start=1):
        if lump and m in rare:
            continue
        slug = _ascii(str(m))
        if not slug or slug in names or slug == OTHER:
            slug = f"matter_{rank}"
        names[slug] = [m]
        of[m] = slug
    if lump:
        other = OTHER if OTHER not in names else f"{OTHER}_matters"
        names[other] = rare
        of.update({m: other for m in rare})
    classes = list(names)
    index = {c: i for i, c in enumerate(classes)}
    codes = matter.map({m: index[c] for m, c in of.items()}).to_numpy(dtype=int)
    return codes, classes, names
