"""Scenario files: load safely, validate, resolve policy overlays.

A scenario is one YAML file with run settings, base ``params`` for one model kind,
and named ``policies``, each an overlay deep-merged onto ``params``.  Every
problem becomes a ``ScenarioError`` naming the file, the line, the dotted field
and what is wrong.
"""
from __future__ import annotations

import copy
import dataclasses
import difflib
import re
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import yamlio
from .yamlio import plain_copy
from .calendar import DAY
from .baselines import Baseline
from .errors import ScenarioError, ScenarioErrors, did_you_mean
from .models import MODELS, get_model
from . import sweep as sweeps_
from .decompose import DecomposeBlock, Decomposition
from .uncertain import UncertainEntry, UncertainInput, expand, ordered_wrongly, with_changes

SafeName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$", max_length=80)]


class RunSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    replications: Annotated[int, Field(ge=1, le=100_000, strict=True)] = Field(
        10, description="independent replications per policy")
    seed: Annotated[int, Field(ge=0, strict=True)] = Field(1, description="base seed; streams derive from it")
    horizon_min: Optional[Annotated[float, Field(gt=0)]] = Field(
        None, description="simulated minutes per replication (or give days)")
    warmup_min: Annotated[float, Field(ge=0)] = Field(
        0.0, description="customers arriving before this are not counted; time averages start here")
    days: Optional[Annotated[int, Field(ge=1, strict=True)]] = Field(
        None, description="simulated days per replication (working days for day-based models)")
    warmup_days: Annotated[int, Field(ge=0, strict=True)] = Field(0, description="days not counted, with days")

    @model_validator(mode="after")
    def _length(self):
        if (self.horizon_min is None) == (self.days is None):
            raise ValueError("give the run length as either horizon_min or days")
        if self.horizon_min is not None and self.warmup_min >= self.horizon_min:
            raise ValueError("warmup_min must be less than horizon_min")
        if self.days is not None and self.warmup_days >= self.days:
            raise ValueError("warmup_days must be less than days")
        return self

    @property
    def horizon(self) -> float:
        """Run length in minutes."""
        return self.horizon_min if self.horizon_min is not None else self.days * DAY

    @property
    def warmup(self) -> float:
        return self.warmup_min if self.horizon_min is not None else self.warmup_days * DAY


class DisplayName(BaseModel):
    """A name as a reader sees it, in English and/or Chinese; identifiers stay ASCII."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: Optional[str] = Field(None, description="the name in English")
    zh: Optional[str] = Field(None, description="the name in Chinese")

    @model_validator(mode="after")
    def _some(self):
        if not (self.en or self.zh):
            raise ValueError("give en, zh or both")
        return self

    def get(self, lang: str) -> Optional[str]:
        return self.zh if lang == "zh" and self.zh else self.en


# what a ``labels:`` kind names: policies, or the keys of a params mapping
LABEL_KINDS = {"policy": None, "matter": "matters", "department": "departments", "group": "groups",
               "station": "stations", "class": "classes", "township": "townships", "employer": "employers",
               "booths": "booths", "step": "steps"}


class ScenarioFile(BaseModel):
    """The top level of a scenario file."""

    model_config = ConfigDict(extra="forbid")
    name: SafeName = Field(description="names the results folder: letters, digits, _ . -")
    model: str = Field(description="model kind, see `govsim models`")
    description: str = ""
    run: RunSettings
    params: dict[str, Any]
    policies: dict[SafeName, Optional[dict[str, Any]]] = Field(
        default_factory=dict, description="name -> overlay on params; the first is the baseline")
    baseline_policy: Optional[str] = Field(None, description="policy the others are compared with")
    baselines: list[Baseline] = Field(default_factory=list, description="article figures the run must reproduce")
    labels: dict[str, dict[str, DisplayName]] = Field(
        default_factory=dict, description="display names: {policy|matter|department|group|station|class|...: "
        "{identifier: {en: ..., zh: ...}}}, used by the report, the figures and the terminal")
    decompose: Optional[DecomposeBlock] = Field(
        None, description="which part of a reform buys what: from (baseline policy), to (reform policy) and "
        "parts (name -> overlay on 'from'; together they make 'to'); Shapley values on common random numbers")
    sweep: list[sweeps_.SweepEntry] = Field(
        default_factory=list, description="inputs to sweep: each value (crossed over entries) becomes a policy "
        "built on the baseline policy; path is dotted under params, '*' every key at that level")
    uncertain: list[UncertainEntry] = Field(
        default_factory=list, description="assumed inputs with a low and a high value and the reason "
        "(govsim sensitivity); path is dotted under params, '*' every key at that level")
    lang: Optional[Literal["en", "zh"]] = Field(
        None, description="language of report.html and the figures: en or zh (default en; `govsim run --lang` overrides)")


@dataclass
class Scenario:
    path: Path
    name: str
    description: str
    model: Any
    run: RunSettings
    params: dict  # base params as written
    overlays: dict[str, dict]  # policy -> overlay as written
    resolved: dict[str, Any]  # policy -> validated params object
    baseline_policy: str
    baselines: list = field(default_factory=list)
    raw: dict = field(repr=False, default_factory=dict)
    lang: Optional[str] = None  # the report's language, if the file sets one
    uncertain: list[UncertainInput] = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # kind -> identifier -> DisplayName
    decomposition: Optional[Decomposition] = None
    decompose_resolved: dict = field(default_factory=dict)  # combination policy name -> params
    sweeps: list = field(default_factory=list)  # govsim.sweep.Sweep, when the policies are a sweep
    swept: dict = field(default_factory=dict)  # policy -> {path: value} of a sweep
    swept_on: Optional[str] = None  # the policy a sweep is built on (its own name is gone)

    def with_sweeps(self, specs: list[tuple[str, list]], on: Optional[str] = None) -> "Scenario":
        """The scenario with its policies replaced by a sweep built on policy ``on`` (default:
        the baseline).  ``specs``: (path, values).  Raises ScenarioErrors naming --sweep."""
        problems = []
        built = []
        for path_text, values in specs:
            try:
                paths = expand(path_text, self.params, _knows_in(self.model))
            except ValueError as exc:
                problems.append(ScenarioError(str(self.path), None, "--sweep", f"{path_text}: {exc}"))
                continue
            built.append(sweeps_.Sweep(path_text, tuple(paths), tuple(values)))
        twice = sweeps_.swept_twice(built)
        if twice:
            problems.append(ScenarioError(str(self.path), None, "--sweep", twice[1]))
        if problems:
            raise ScenarioErrors(problems)
        return _swept(self, built, on or self.baseline_policy, "--sweep")

    @property
    def policy_names(self) -> list[str]:
        return list(self.resolved)

    def variant(self, policy: str, changes: dict) -> Any:
        """``policy``'s params with ``changes`` ({path: value}) made in the base params first
        (the policy's overlay then goes on top). Checked when the scenario was loaded."""
        merged = deep_merge(with_changes(self.params, changes), self.overlays[policy])
        return self.model.params_model.model_validate(merged)

    def with_values(self, policy: str, changes: dict) -> Any:
        """``policy``'s params with ``changes`` ({path: value}) made on top of its overlay
        (the policy's own staffing, say, being searched)."""
        merged = with_changes(deep_merge(self.params, self.overlays[policy]), changes)
        return self.model.params_model.model_validate(merged)

    def resolved_dict(self, policy: str) -> dict:
        return dump_params(self.resolved[policy])

    def with_run(self, **changes) -> "Scenario":
        settings = self.run.model_dump()
        settings.update({k: v for k, v in changes.items() if v is not None})
        if changes.get("days") is not None:
            settings["horizon_min"] = None
        if changes.get("horizon_min") is not None:
            settings["days"] = None
        copy_ = copy.copy(self)
        try:
            copy_.run = RunSettings.model_validate(settings)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ScenarioError(str(self.path), None, ".".join(map(str, err["loc"])) or "run", _message(err)) from None
        return copy_


def dump_params(params: BaseModel) -> dict:
    return params.model_dump(mode="json", by_alias=True, exclude_none=True)


def load_scenario(path: str | Path) -> Scenario:
    """Load and fully validate a scenario file; raise ScenarioErrors listing every problem."""
    path = Path(path)
    fname = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioErrors([ScenarioError(fname, None, None, "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioErrors([ScenarioError(fname, None, None, "is a folder, not a scenario file")]) from None
    except UnicodeDecodeError:
        raise ScenarioErrors([ScenarioError(fname, None, None, "not UTF-8 text")]) from None
    except OSError as exc:
        raise ScenarioErrors([ScenarioError(fname, None, None, f"cannot read: {exc.strerror}")]) from None
    try:
        data, lines = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        raise ScenarioErrors([ScenarioError(fname, exc.line, _dotted(exc.path) or None, exc.message)]) from None
    if not isinstance(data, dict):
        raise ScenarioErrors([ScenarioError(fname, 1, None, "a scenario file must be a mapping of keys (name, model, run, params, policies)")])

    ctx = _Context(fname, data, lines)
    top = ctx.validate(ScenarioFile, data, ())
    ctx.raise_if_any()
    if top.model not in MODELS:
        ctx.add(("model",), f"unknown model '{top.model}' (known: {', '.join(sorted(MODELS))})")
        ctx.raise_if_any()
    model = get_model(top.model)
    for sub, msg in model.check_run(top.run):
        ctx.add(tuple(sub), msg)

    base = ctx.validate(model.params_model, top.params, ("params",))
    ctx.raise_if_any()
    for sub, msg in base.cross_check():
        ctx.add(("params",) + tuple(sub), msg)
    ctx.raise_if_any()

    overlays = {name: (ov or {}) for name, ov in top.policies.items()} or {"base": {}}
    params_schema = model.params_model.model_json_schema()
    resolved: dict[str, Any] = {}
    for pname, overlay in overlays.items():
        where = ("policies", pname)
        if not isinstance(overlay, dict):
            ctx.add(where, "a policy must be a mapping (an overlay on params)")
            continue
        unknown = _unknown_paths(top.params, overlay, params_schema, params_schema.get("$defs", {}))
        for sub, close in unknown:
            hint = f" (did you mean '{close}'?)" if close else ""
            ctx.add(where + sub, f"unknown key: model '{model.name}' has no such field{hint}")
        if unknown:
            continue
        merged = deep_merge(top.params, overlay)
        params = ctx.validate(model.params_model, merged, ("params",), overlay=(where, overlay))
        if params is None:
            continue
        for sub, msg in params.cross_check():
            ctx.add(ctx.place(("params",) + tuple(sub), (where, overlay)), msg)
        resolved[pname] = params
    ctx.raise_if_any()

    baseline = top.baseline_policy or next(iter(overlays))
    if baseline not in overlays:
        ctx.add(("baseline_policy",), f"no policy named '{baseline}' (policies: {', '.join(overlays)})")
        ctx.raise_if_any()
    known_metrics = model.metrics
    for i, b in enumerate(top.baselines):
        where = ("baselines", i)
        for key in ("policy", "compare_to"):
            name = getattr(b, key)
            if name is not None and name not in overlays:
                ctx.add(where + (key,), f"no policy named '{name}' (policies: {', '.join(overlays)})")
        if b.metric not in known_metrics:
            ctx.add(where + ("metric",), f"model '{model.name}' has no metric '{b.metric}'"
                                         f"{did_you_mean(b.metric, known_metrics)}")
    ctx.raise_if_any()
    uncertain = _check_uncertain(ctx, top, model, overlays)
    _check_labels(ctx, top, overlays)
    decomposition, decompose_resolved = _check_decompose(ctx, top, model, overlays, resolved, params_schema)
    built = []
    for i, entry in enumerate(top.sweep):
        try:
            paths = expand(entry.path, top.params, _knows_in(model))
        except ValueError as exc:
            ctx.add(("sweep", i, "path"), str(exc))
            continue
        built.append(sweeps_.Sweep(entry.path, tuple(paths), tuple(sweeps_.parse_values(entry.values))))
    twice = sweeps_.swept_twice(built) if len(built) == len(top.sweep) else None  # indices are the file's
    if twice:
        ctx.add(("sweep", twice[0], "path"), twice[1])
    ctx.raise_if_any()
    scenario = Scenario(path=path, name=top.name, description=top.description, model=model, run=top.run,
                        params=top.params, overlays=overlays, resolved=resolved, baseline_policy=baseline,
                        baselines=list(top.baselines), raw=data, lang=top.lang, uncertain=uncertain,
                        labels=top.labels, decomposition=decomposition, decompose_resolved=decompose_resolved)
    return _swept(scenario, built, baseline, "sweep") if built else scenario


def _check_labels(ctx: "_Context", top: ScenarioFile, overlays: dict) -> None:
    """Display names must name something: a policy, or a key of the params mapping of
    that kind (matters, departments, stations, ...)."""
    for kind, names in top.labels.items():
        if kind not in LABEL_KINDS:
            ctx.add(("labels", kind), f"unknown kind of name{_suggest(kind, frozenset(LABEL_KINDS))} "
                                      f"(known: {', '.join(LABEL_KINDS)})")
            continue
        section = LABEL_KINDS[kind]
        known = overlays if section is None else top.params.get(section)
        if not isinstance(known, dict):
            ctx.add(("labels", kind), f"this model's params have no {section}")
            continue
        for name in names:
            if name not in known:
                ctx.add(("labels", kind, name), f"no {kind} named '{name}'{_suggest(name, frozenset(known))}")


def _check_decompose(ctx: "_Context", top: ScenarioFile, model, overlays: dict, resolved: dict, schema: dict):
    """The parts of a reform: known policies, overlays the model defines, every combination
    valid, and all parts together making the reform policy exactly."""
    block = top.decompose
    if block is None:
        return None, {}
    where = ("decompose",)
    for key, name in (("from", block.from_), ("to", block.to)):
        if name not in overlays:
            ctx.add(where + (key,), f"no policy named '{name}' (policies: {', '.join(overlays)})")
    if ctx.errors:
        return None, {}
    defs = schema.get("$defs", {})
    for part, overlay in block.parts.items():
        for sub, close in _unknown_paths(top.params, overlay or {}, schema, defs):
            hint = f" (did you mean '{close}'?)" if close else ""
            ctx.add(where + ("parts", part) + sub, f"unknown key: model '{model.name}' has no such field{hint}")
    if ctx.errors:
        return None, {}
    d = Decomposition(block.from_, block.to, tuple(block.parts), tuple(o or {} for o in block.parts.values()))
    out = {}
    for combo in d.combinations():
        name = d.policy_name(combo)
        merged = deep_merge(top.params, d.overlay(combo, overlays[block.from_], deep_merge))
        try:
            params = model.params_model.model_validate(merged)
        except ValidationError as exc:
            err = exc.errors()[0]
            ctx.add(where + ("parts",), f"{'+'.join(combo)}: {_dotted(('params',) + tuple(err['loc']))}: {_message(err)}")
            return None, {}
        if len(combo) == len(d.parts):
            if dump_params(params) != dump_params(resolved[block.to]):
                diff = _first_difference(dump_params(params), dump_params(resolved[block.to]))
                ctx.add(where + ("parts",), f"the parts together do not make policy '{block.to}': "
                                            f"they differ at params.{diff}")
                return None, {}
            continue
        if combo:
            out[name] = params
    return d, out


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
    return path


def _knows_in(model):
    """``knows(prefix, key)``: whether the model's params schema defines ``key`` under ``prefix``."""
    schema = model.params_model.model_json_schema()
    defs = schema.get("$defs", {})

    def knows(prefix: tuple, key: str) -> bool:
        node = schema
        for step in prefix:
            node = _schema_child(node, step, defs) or {}
        return _schema_child(node, key, defs) is not None

    return knows


def _swept(scenario: Scenario, built: list, on: str, where: str) -> Scenario:
    """``scenario`` with its policies replaced by the sweep's, each validated."""
    if on not in scenario.overlays:
        raise ScenarioErrors([ScenarioError(str(scenario.path), None, where,
                                            f"no policy named '{on}' to sweep on")])
    overlays, resolved, swept, problems = {}, {}, {}, []
    for name, (overlay, values) in sweeps_.expand(built, scenario.overlays[on]).items():
        merged = deep_merge(scenario.params, overlay)
        try:
            params = scenario.model.params_model.model_validate(merged)
            trouble = params.cross_check()
        except ValidationError as exc:
            err = exc.errors()[0]
            trouble = [(tuple(err["loc"]), _message(err))]
        if trouble:
            sub, msg = trouble[0]
            problems.append(ScenarioError(str(scenario.path), None, where,
                                          f"{name}: {_dotted(('params',) + tuple(sub))}: {msg}"))
            continue
        overlays[name], resolved[name], swept[name] = overlay, params, values
    if problems:
        raise ScenarioErrors(problems)
    first = next(iter(resolved))
    return dataclasses.replace(scenario, overlays=overlays, resolved=resolved, baseline_policy=first,
                               baselines=[], sweeps=built, swept=swept, swept_on=on)


def _check_uncertain(ctx: "_Context", top: ScenarioFile, model, overlays: dict) -> list[UncertainInput]:
    """Resolve each ``uncertain:`` entry's path and check that every policy is valid at its
    low and at its high."""
    knows = _knows_in(model)
    out = []
    for i, entry in enumerate(top.uncertain):
        where = ("uncertain", i)
        try:
            paths = [p for one in entry.paths_written for p in expand(one, top.params, knows)]
        except ValueError as exc:
            ctx.add(where + ("path",), str(exc))
            continue
        if ordered_wrongly(entry.low, entry.high):
            ctx.add(where + ("low",), f"low ({entry.low:g}) is above high ({entry.high:g})")
            continue
        item = UncertainInput(entry.name, tuple(paths), entry.low, entry.high, entry.reason)
        for level in ("low", "high"):
            problem = _first_problem(model, top.params, overlays, item.changes(level))
            if problem:
                ctx.add(where + (level,), problem)
                break
        out.append(item)
    return out


def _first_problem(model, params: dict, overlays: dict, changes: dict) -> Optional[str]:
    """The first reason a policy's params would be invalid with ``changes``, or None."""
    for pname, overlay in overlays.items():
        merged = deep_merge(with_changes(params, changes), overlay)
        try:
            resolved = model.params_model.model_validate(merged)
        except ValidationError as exc:
            err = exc.errors()[0]
            return f"makes policy '{pname}' invalid: {_dotted(('params',) + tuple(err['loc']))}: {_message(err)}"
        for sub, msg in resolved.cross_check():
            return f"makes policy '{pname}' invalid: {_dotted(('params',) + tuple(sub))}: {msg}"
    return None


def deep_merge(base: dict, overlay: dict) -> dict:
    """``overlay`` onto ``base``.  Mappings merge key by key; anything else (numbers,
    lists, and whole distributions, which carry a ``dist`` key) replaces."""
    out = plain_copy(base)
    for key, value in overlay.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict) and not _is_atomic(value):
            out[key] = deep_merge(old, value)
        else:
            out[key] = plain_copy(value)
    return out


def _is_atomic(value: dict) -> bool:
    # a distribution or an arrival profile is replaced whole, so a policy can swap
    # exponential for lognormal without inheriting the old one's fields
    return "dist" in value or "rate_per_hour" in value


def _unknown_paths(base: Any, overlay: dict, schema: dict, defs: dict,
                   path: tuple = ()) -> list[tuple[tuple, Optional[str]]]:
    """Keys of a policy overlay that the model does not define.  A key params leaves
    out is fine when the model's schema has it (a field with a default, an optional
    block): a policy may set any field the model defines."""
    out = []
    base = base if isinstance(base, dict) else {}
    for key, value in overlay.items():
        sub = _schema_child(schema, str(key), defs)
        # a new entry in a collection of named things (a step, a matter) is a typo far more
        # often than a new thing: policies change what params names, they do not add names
        if key not in base and (sub is None or not _schema_field(schema, str(key), defs)):
            options = set(map(str, base)) | set(_schema_keys(schema, defs))
            close = difflib.get_close_matches(str(key), sorted(options), n=1)
            out.append((path + (key,), close[0] if close else None))
        elif isinstance(value, dict) and not _is_atomic(value):
            out.extend(_unknown_paths(base.get(key), value, sub or {}, defs, path + (key,)))
    return out


def _schema_branches(schema: dict, defs: dict) -> list[dict]:
    """The object schemas a value may match: $ref followed, anyOf/oneOf/allOf opened."""
    if "$ref" in schema:
        return _schema_branches(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return [b for option in schema[key] for b in _schema_branches(option, defs)]
    return [schema]


def _schema_child(schema: dict, key: str, defs: dict) -> Optional[dict]:
    for branch in _schema_branches(schema, defs):
        if key in branch.get("properties", {}):
            return branch["properties"][key]
        for pattern, sub in branch.get("patternProperties", {}).items():
            if re.fullmatch(pattern, key):
                return sub
        extra = branch.get("additionalProperties")
        if isinstance(extra, dict):
            return extra
    return None


def _schema_field(schema: dict, key: str, defs: dict) -> bool:
    """``key`` is a declared field (not a name in a collection of named things)."""
    return any(key in branch.get("properties", {}) for branch in _schema_branches(schema, defs))


def _schema_keys(schema: dict, defs: dict) -> list[str]:
    return [k for branch in _schema_branches(schema, defs) for k in branch.get("properties", {})]


class _Context:
    """Collects errors with their file positions."""

    def __init__(self, fname: str, data: dict, lines: dict):
        self.fname, self.data, self.lines = fname, data, lines
        self.errors: list[ScenarioError] = []

    def add(self, path: tuple, message: str) -> None:
        err = ScenarioError(self.fname, yamlio.line_of(self.lines, path), _dotted(path), message)
        if all(e.one_line() != err.one_line() for e in self.errors):
            self.errors.append(err)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ScenarioErrors(self.errors)

    def place(self, path: tuple, overlay: Optional[tuple] = None) -> tuple:
        """Where in the file a params path was written: in the policy's overlay if
        the overlay sets it (or a parent of it), else in params."""
        if overlay is not None and path[:1] == ("params",):
            where, ov = overlay
            node, sub = ov, path[1:]
            for i, key in enumerate(sub):
                if not isinstance(node, dict) or key not in node:
                    break
                node = node[key]
                if i == len(sub) - 1 or not isinstance(node, dict) or _is_atomic(node):
                    return where + sub
        return path

    def validate(self, model: type[BaseModel], data: Any, prefix: tuple, overlay=None):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            found = []
            for err in exc.errors():
                loc = _data_path(data, err["loc"], err["type"])
                if err["type"] == "union_tag_invalid" and isinstance(_get(data, loc), dict):
                    loc += (str((err.get("ctx") or {}).get("discriminator", "")).strip("'"),)
                found.append((loc, err))
            for loc, err in _drop_missing_explained_by_typos(found):
                self.add(self.place(prefix + loc, overlay), _message(err, loc, _vocabulary(model)))
            return None


def _drop_missing_explained_by_typos(found: list) -> list:
    """'server: 5' is one mistake, not two: drop 'servers: required' when an unknown
    sibling key is a close spelling of it."""
    unknown = {loc for loc, err in found if err["type"] == "extra_forbidden" and loc}
    keep = []
    for loc, err in found:
        if err["type"] == "missing" and loc:
            siblings = [str(u[-1]) for u in unknown if u[:-1] == loc[:-1]]
            if difflib.get_close_matches(str(loc[-1]), siblings, n=1, cutoff=0.7):
                continue
        keep.append((loc, err))
    return keep


def _get(data: Any, path: tuple) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _data_path(data: Any, loc: tuple, err_type: str) -> tuple:
    """Drop the union tags pydantic inserts into ``loc`` (e.g. 'exponential' in
    service.exponential.mean): keep only the steps that exist in the data."""
    out, node = [], data
    for i, step in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and step in node:
            out.append(step)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            out.append(step)
            node = node[step]
        elif last and err_type in ("missing", "extra_forbidden"):
            out.append(step)
        elif isinstance(node, (dict, list)):
            continue  # a tag
        else:
            break
    return tuple(out)


def _message(err: dict, loc: tuple = (), vocabulary: frozenset = frozenset()) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key" + _suggest(loc[-1] if loc else "", vocabulary)
    if kind == "missing":
        return "required but missing"
    if kind == "union_tag_invalid":
        return f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} '{ctx.get('tag')}' (expected one of: {ctx.get('expected_tags')})"
    if kind == "union_tag_not_found":
        return f"needs a {ctx.get('discriminator', 'kind')} key"
    if kind == "string_pattern_mismatch" and isinstance(err.get("input"), str) and not err["input"].isascii():
        return (f"identifiers are ASCII (letters, digits, _ and -), got {err['input']!r}: give the name shown to "
                f"readers in the labels: block, e.g. labels: {{matter: {{my_matter: {{zh: {err['input']}}}}}}}")
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "input" in err and kind not in ("dict_type", "model_type") and not isinstance(err["input"], (dict, list)) \
            and "(got " not in msg:
        msg += f" (got {err['input']!r})"
    return msg[:1].lower() + msg[1:]


def _suggest(key: Any, vocabulary: frozenset) -> str:
    return did_you_mean(key, vocabulary, cutoff=0.7)


@functools.lru_cache(maxsize=None)
def _vocabulary(model: type[BaseModel]) -> frozenset:
    """Every field name a model (and the models inside it) accepts, for spelling hints."""
    names: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(model.model_json_schema(by_alias=True))
    return frozenset(names)


def _dotted(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
