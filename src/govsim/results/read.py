"""Reading a results folder back, checked: what ``govsim report`` and the report's
figures and page are built from (never from the run in memory), so a rebuild is the
same byte for byte.  A missing or broken folder gives one line (ResultsError)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..errors import ResultsError
from ..labels import DisplayNames
from ..models import MODELS, get_model
from .staging import MARKER, METADATA

SCENARIO_COPY = "scenario.yaml"  # the scenario file as written, comments and all
RESOLVED = "scenario.resolved.yaml"
LABELS = "labels"  # the scenario's display names, a key of scenario.resolved.yaml
TABLES = {  # file -> (columns it must have, which of them are numbers)
    "replications.csv": (["policy", "rep", "seed", "scope", "metric", "value"], ["rep", "seed", "value"]),
    "summary.csv": (["policy", "scope", "metric", "mean", "ci_low", "ci_high", "n"], ["mean", "ci_low", "ci_high", "n"]),
    "comparison.csv": (["policy", "baseline", "scope", "metric", "diff_mean", "ci_low", "ci_high", "rel_change"],
                       ["diff_mean", "ci_low", "ci_high", "rel_change"]),
}
BASELINES = ("baselines.csv", (["baseline", "source", "policy", "metric", "expected", "simulated", "ci_low", "ci_high",
                                "reproduced", "robust"], ["simulated", "ci_low", "ci_high"]))
# written by `govsim sensitivity` and by a run with a decompose: block, when there is one
SENSITIVITY = ("sensitivity.csv", (["input", "level", "value", "policy", "scope", "metric", "mean", "ci_low", "ci_high"],
                                   ["mean", "ci_low", "ci_high"]))
DECOMPOSITION = ("decomposition.csv", (["part", "scope", "metric", "from_mean", "to_mean", "shapley", "ci_low",
                                       "ci_high", "share"], ["from_mean", "to_mean", "shapley", "ci_low", "ci_high",
                                                             "share"]))
# libyaml's parser when PyYAML has it: the same safe loading, several times faster on the
# resolved scenario of a large study
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TEXT_COLUMNS = ("policy", "baseline", "scope", "metric", "source", "expected", "reproduced", "robust", "input", "level",
                "value", "part")


@dataclass
class SavedResults:
    """A results folder as ``govsim run`` saved it."""

    folder: Path
    metadata: dict
    model: object
    policies: list
    baseline: str
    replications: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    baselines: pd.DataFrame | None
    resolved: dict
    scenario_text: str | None  # the scenario file as written (None for folders from before it was saved)
    names: DisplayNames = field(default_factory=DisplayNames)  # the scenario's labels: block
    sensitivity: pd.DataFrame | None = None  # `govsim sensitivity`: every uncertain input at its low and high
    decomposition: pd.DataFrame | None = None  # a decompose: block: the reform's parts (Shapley values)

    @property
    def lang(self) -> str:
        """The language of report.html (the run's)."""
        return self.metadata.get("lang") or "en"


def read_results(folder: Path) -> SavedResults:
    """Read and check a results folder; a ResultsError (one line) says what is missing or broken."""
    folder = Path(folder)
    if not folder.exists():
        raise ResultsError(f"{folder}: no such results folder")
    if not folder.is_dir():
        raise ResultsError(f"{folder}: not a folder; give the results folder that `govsim run` wrote")
    meta_path = folder / METADATA
    if not meta_path.is_file():
        raise ResultsError(f"{folder}: not a govsim results folder (no {METADATA}); run `govsim run` first")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ResultsError(f"{meta_path}: not UTF-8 text") from None
    except ValueError as exc:
        raise ResultsError(f"{meta_path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except OSError as exc:
        raise ResultsError(f"{meta_path}: cannot read ({exc.strerror})") from None
    if not isinstance(meta, dict) or MARKER not in meta:
        raise ResultsError(f"{meta_path}: not written by govsim (no '{MARKER}')")
    if meta.get("kind") in ("compare", "optimize", "warmup"):  # govsim's, but not a run's results
        raise ResultsError(f"{folder}: holds what `govsim {meta['kind']}` wrote, not a run's results; "
                           "give the folder of a `govsim run`")
    for key in ("policies", "baseline_policy", "scenario", "replications", "seed"):
        if key not in meta:
            raise ResultsError(f"{meta_path}: '{key}' is missing")
    for key in ("replications", "seed"):
        if not isinstance(meta[key], int) or isinstance(meta[key], bool):
            raise ResultsError(f"{meta_path}: '{key}' must be a whole number (got {meta[key]!r})")
    if "confidence" in meta and not (isinstance(meta["confidence"], (int, float)) and 0 < meta["confidence"] < 1):
        raise ResultsError(f"{meta_path}: 'confidence' must be a number between 0 and 1")
    if meta.get("lang") not in (None, "en", "zh"):
        raise ResultsError(f"{meta_path}: 'lang' must be en or zh (got {meta['lang']!r})")
    model_name = meta["scenario"].get("model") if isinstance(meta["scenario"], dict) else None
    if model_name not in MODELS:
        raise ResultsError(f"{meta_path}: unknown model '{model_name}' (this govsim knows: {', '.join(sorted(MODELS))})")
    policies = meta["policies"]
    if not (isinstance(policies, list) and policies and all(isinstance(p, str) for p in policies)) \
            or meta["baseline_policy"] not in policies:
        raise ResultsError(f"{meta_path}: 'policies' must list the policies run, the baseline among them")

    tables = {name: _read_table(folder / name, *spec, policies) for name, spec in TABLES.items()}
    b_name, b_spec = BASELINES
    baselines = _read_table(folder / b_name, *b_spec, policies) if (folder / b_name).exists() else None
    optional = {name: (_read_table(folder / name, *spec, policies) if (folder / name).exists() else None)
                for name, spec in (SENSITIVITY, DECOMPOSITION)}

    resolved_path = folder / RESOLVED
    try:
        resolved = yaml.load(resolved_path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise ResultsError(f"{resolved_path}: missing; the results folder is incomplete") from None
    except UnicodeDecodeError:
        raise ResultsError(f"{resolved_path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ResultsError(f"{resolved_path}: not valid YAML{where}") from None
    except OSError as exc:
        raise ResultsError(f"{resolved_path}: cannot read ({exc.strerror})") from None
    if not isinstance(resolved, dict) or not isinstance(resolved.get("policies"), dict) \
            or not isinstance(resolved.get("run"), dict):
        raise ResultsError(f"{resolved_path}: must hold 'run' and 'policies' mappings")
    if not isinstance(resolved.get(LABELS, {}), dict):
        raise ResultsError(f"{resolved_path}: '{LABELS}' must map kinds to names")

    try:
        scenario_text = (folder / SCENARIO_COPY).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        scenario_text = None
    return SavedResults(folder=folder, metadata=meta, model=get_model(model_name), policies=list(policies),
                        baseline=meta["baseline_policy"], replications=tables["replications.csv"],
                        summary=tables["summary.csv"], comparison=tables["comparison.csv"], baselines=baselines,
                        resolved=resolved, scenario_text=scenario_text, names=DisplayNames(resolved.get(LABELS)),
                        sensitivity=optional[SENSITIVITY[0]], decomposition=optional[DECOMPOSITION[0]])


def _read_table(path: Path, columns: list[str], numeric: list[str], policies: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise ResultsError(f"{path}: missing; the results folder is incomplete")
    try:
        # only an empty field is missing: a policy called "NA" stays a name
        df = pd.read_csv(path, keep_default_na=False, na_values=[""],
                         dtype={c: str for c in TEXT_COLUMNS if c in columns})
    except pd.errors.EmptyDataError:
        raise ResultsError(f"{path}: empty file") from None
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read ({exc.strerror})") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ResultsError(f"{path}: not a readable table ({first})") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ResultsError(f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    for c in numeric:
        converted = pd.to_numeric(df[c], errors="coerce")
        bad = converted.isna() & df[c].notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is line 1
            raise ResultsError(f"{path}:{row}: column '{c}' is not a number ({df[c][bad].iloc[0]!r})")
        df[c] = converted
    if "policy" in df.columns:
        # a baseline whose policy was left out of the run (--policy) is listed as not run
        run = df[df["reproduced"] != "not run"] if "reproduced" in df.columns else df
        unknown = sorted(set(run["policy"].dropna().unique()) - set(policies))
        if unknown:
            raise ResultsError(f"{path}: policy '{unknown[0]}' is not among metadata.json's policies")
    return df[columns]
