"""The comments of a scenario file, each beside the setting it explains.

In a shipped scenario every assumed number carries its reason in a comment on its
line or in the comment block just above it; the report lists them so a planner sees
what was assumed and why.  A comment block before the first key is the file's header.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import yamlio

_KEY = re.compile(r"^(\s*)(?:-\s+)?(?:\"[^\"]*\"|'[^']*'|[^\s#'\"][^#]*?)\s*:(?:\s+|$)(.*)$")
_BLOCK_SCALAR = re.compile(r"^[|>][+-]?\d*$")


@dataclass(frozen=True)
class Note:
    line: int
    path: str   # dotted, e.g. params.demand.visitors_per_day; "" for a line that is no setting
    value: str  # what the line sets, as written
    comment: str


def comment_start(line: str) -> int | None:
    """Where a YAML comment starts in ``line`` (a ``#`` at the start or after a blank,
    outside quotes), or None."""
    quote = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = None
        elif quote == "'":
            if ch == "'":
                quote = None
        elif ch in "\"'" and (i == 0 or line[i - 1] in " \t[{,:-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        i += 1
    return None


def dotted(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def scenario_notes(text: str) -> tuple[list[str], list[Note]]:
    """The header paragraphs and the notes of a scenario file's text."""
    try:
        _, lines = yamlio.load(text)
    except yamlio.YamlProblem:
        lines = {}
    path_at: dict[int, tuple] = {}
    for path, line in lines.items():
        if path and (line not in path_at or len(path) < len(path_at[line])):
            path_at[line] = path

    header: list[str] = []
    notes: list[Note] = []
    pending: list[str] = []
    seen_content = False
    block_indent = None  # inside a block scalar (| or >): deeper lines are text, not comments
    last_path: tuple = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped:
            if pending and not seen_content:
                header.append(" ".join(pending))
                pending = []
            continue
        if stripped.startswith("#"):
            body = stripped.lstrip("#").strip()
            if body:
                pending.append(body)
            elif pending and not seen_content:  # a bare '#' separates header paragraphs
                header.append(" ".join(pending))
                pending = []
            continue
        if not seen_content and pending:
            header.append(" ".join(pending))
            pending = []
        seen_content = True
        cut = comment_start(raw)
        content = raw[:cut].rstrip() if cut is not None else raw.rstrip()
        inline = raw[cut:].lstrip("#").strip() if cut is not None else ""
        path = path_at.get(number, last_path)
        last_path = path
        match = _KEY.match(content)
        value = match.group(2).strip() if match else content.strip()
        if match and _BLOCK_SCALAR.match(value):
            block_indent = len(match.group(1))
        comment = " ".join(pending + ([inline] if inline else []))
        pending = []
        if comment:
            notes.append(Note(number, dotted(path), value, comment))
    if pending:
        if seen_content:
            notes.append(Note(len(text.splitlines()), "", "", " ".join(pending)))
        else:
            header.append(" ".join(pending))
    return header, notes
