"""A model's inputs as a reference page (Markdown), generated from its params schema so
that it never drifts: every key as a dotted path, its type, default, whether it is
required, and its description (units are in the names and descriptions).

``govsim schema MODEL --markdown`` prints it; docs/reference/<model>.md holds it and a
test checks the page is current.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from .models import MODELS

DISTRIBUTION = "distribution"  # a {dist: ...} mapping, one of the distributions


def _ref(schema: dict, defs: dict) -> dict:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_distribution(schema: dict, defs: dict) -> bool:
    options = schema.get("oneOf") or schema.get("anyOf") or []
    return any(_ref(o, defs).get("properties", {}).get("dist") for o in options if isinstance(o, dict)) or \
        bool(schema.get("discriminator", {}).get("propertyName") == "dist")


def _type(schema: dict, defs: dict) -> str:
    """A short, readable type: integer >= 0, number in [0, 1], "HH:MM", one of a | b, ..."""
    schema = _ref(schema, defs)
    if _is_distribution(schema, defs):
        return DISTRIBUTION
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts = [_type(o, defs) for o in schema[key]]
            parts = [p for p in parts if p != "null"]
            if any(_is_distribution(_ref(o, defs), defs) for o in schema[key]):
                parts = [DISTRIBUTION if p.startswith("{dist") else p for p in parts]
            return " or ".join(dict.fromkeys(parts)) + (" (optional)" if len(parts) < len(schema[key]) else "")
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    if "enum" in schema:
        return "one of " + " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "string" and "pattern" in schema and ":" in schema["pattern"]:
        return "time of day 'HH:MM'"
    if kind == "string" and schema.get("format") == "date":
        return "date 'YYYY-MM-DD'"
    if kind in ("integer", "number"):
        if schema.get("minimum") == 0 and schema.get("maximum") == 1:
            return f"{kind} in [0, 1]"
        bounds = []
        if "minimum" in schema:
            bounds.append(f">= {schema['minimum']:g}")
        if "exclusiveMinimum" in schema:
            bounds.append(f"> {schema['exclusiveMinimum']:g}")
        if "maximum" in schema:
            bounds.append(f"<= {schema['maximum']:g}")
        return " ".join([kind, *bounds])
    if kind == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(_type(i, defs) for i in schema["prefixItems"]) + "]"
        return f"list of {_type(schema.get('items', {}), defs)}"
    if kind == "object":
        if "properties" in schema:
            return "mapping"
        values = list(schema.get("patternProperties", {}).values()) or [schema.get("additionalProperties", {})]
        return f"mapping of name to {_type(values[0], defs)}" if values and values[0] else "mapping"
    return kind or "any"


def _rows(schema: dict, defs: dict, path: str) -> Iterator[tuple[str, str, str, str, str]]:
    """(path, type, default, required, description) for every key under ``schema``."""
    schema = _ref(schema, defs)
    required = set(schema.get("required", []))
    for key, sub in schema.get("properties", {}).items():
        here = f"{path}.{key}" if path else key
        default = json.dumps(sub["default"], ensure_ascii=False) if "default" in sub else ""
        description = sub.get("description") or _ref(sub, defs).get("description", "")
        yield here, _type(sub, defs), default, "yes" if key in required else "", " ".join(description.split())
        yield from _children(sub, defs, here)


def _children(sub: dict, defs: dict, here: str) -> Iterator[tuple[str, str, str, str, str]]:
    sub = _ref(sub, defs)
    if _is_distribution(sub, defs):
        return
    for key in ("anyOf", "oneOf"):
        for option in sub.get(key, []):
            yield from _children(option, defs, here)
    if sub.get("type") == "object":
        if "properties" in sub:
            yield from _rows(sub, defs, here)
        for value in list(sub.get("patternProperties", {}).values()):
            yield from _children(value, defs, f"{here}.<name>")
        extra = sub.get("additionalProperties")
        if isinstance(extra, dict):
            yield from _children(extra, defs, f"{here}.<name>")
    if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
        yield from _children(sub["items"], defs, f"{here}[]")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def reference_markdown(kind: str) -> str:
    model = MODELS[kind]
    schema = model.params_model.model_json_schema()
    defs = schema.get("$defs", {})
    seen, rows = set(), []
    for row in _rows(schema, defs, "params"):
        if row[0] not in seen:
            seen.add(row[0])
            rows.append(row)
    lines = [f"# `model: {kind}`: every input", "",
             f"{model.description}", "",
             "Generated from the model's params schema by `govsim schema " + kind + " --markdown`; "
             "do not edit by hand (a test checks it is current). `<name>` stands for a name you choose "
             "(letters, digits, `_` and `-`); a *distribution* is a mapping such as "
             "`{dist: lognormal, mean: 12, cv: 0.6}` (see docs/models/network.md). A policy may set any key "
             "listed here.", "",
             "| key | type | default | required | meaning |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join([f"`{_cell(p)}`", _cell(t), f"`{_cell(d)}`" if d else "", r, _cell(m)]) + " |"
              for p, t, d, r, m in rows]
    return "\n".join(lines) + "\n"
