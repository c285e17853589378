"""Safe YAML loading that remembers on which line every key and item stands.

Only plain data is built (SafeLoader: no object-construction tags).  Duplicate
keys, which YAML would silently let the last one win, are rejected: in a scenario
file they are almost always a copy-paste mistake.
"""
from __future__ import annotations

import copy
from typing import Any

import re

import yaml

Path_ = tuple  # a path of mapping keys and list indices

class _Loader(yaml.SafeLoader):
    """SafeLoader without two YAML 1.1 surprises.  Timestamps: a date stays text, so a
    model's validation reports a bad one (2022-13-04) with its field and line instead of
    PyYAML failing inside its constructor.  Base-60 numbers: ``12:00`` stays the text
    "12:00", not the integer 720, so a time of day means what it says and a bare ``8``
    is not silently 00:08."""


_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_Loader.yaml_implicit_resolvers = {
    first: ([("tag:yaml.org,2002:str", _SEXAGESIMAL)] if first in "+-0123456789" else [])
    + [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def plain_copy(value: Any) -> Any:
    """A deep copy of loaded YAML data: mappings and lists are copied, the rest (text,
    numbers, booleans, None) is immutable and shared.  Ten times faster than
    ``copy.deepcopy``, which a scenario's checks call thousands of times."""
    if isinstance(value, dict):
        return {k: plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_copy(v) for v in value]
    if isinstance(value, (str, int, float, bool, type(None), tuple)):
        return value
    return copy.deepcopy(value)  # anything else a caller put there


class YamlProblem(Exception):
    def __init__(self, line: int | None, path: Path_, message: str):
        self.line, self.path, self.message = line, path, message
        super().__init__(message)


def load(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse ``text``; return the data and a map from each path to its 1-based line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlProblem(line, (), f"not valid YAML: {_plain(exc)}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(None, (), f"not valid YAML: {exc}") from None
    if node is None:
        return None, {}
    lines: dict[Path_, int] = {}
    _index(node, (), lines)
    try:
        data = _Loader(text).construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise YamlProblem(mark.line + 1 if mark else None, (), f"unsupported YAML: {exc.problem}") from None
    return data, lines


def _plain(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's complaint, with a hint in plain words for the usual slips."""
    problem = str(exc.problem or exc.context)
    if "'\\t'" in problem or "\t" in problem:
        return "a tab character: indent with spaces"
    if "expected <block end>" in problem or "mapping values are not allowed" in problem:
        return f"{problem} (check the indentation of this line and the one above, and the ':' after each key)"
    return problem


def _index(node: yaml.Node, path: Path_, lines: dict) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key == "<<":
                raise YamlProblem(key_node.start_mark.line + 1, path, "YAML merge keys ('<<') are not supported")
            if key in seen:
                raise YamlProblem(key_node.start_mark.line + 1, path + (key,), "key given twice")
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _index(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, path + (i,), lines)


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of ``path``, or of its nearest ancestor that the file contains."""
    for n in range(len(path), -1, -1):
        line = lines.get(tuple(path[:n]))
        if line is not None:
            return line
    return None
