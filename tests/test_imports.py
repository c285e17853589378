"""Import hygiene: no cycle among govsim's modules (imports inside functions count: a
lazy import only hides a cycle until the day it runs), the report reads results but
never writes them, and a model or the experiment runner never pulls in plotting."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "govsim"


def module_name(path: Path) -> str:
    """govsim/report/__init__.py -> govsim.report (a package's __init__ is the package)."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The govsim modules ``name`` imports anywhere in its file (top level, functions,
    conditionals).  ``from X import y`` counts as importing X.y when that is a module,
    else X."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known and target.startswith(PACKAGE + "."):
                target = target.rpartition(".")[0]  # `import govsim.x.y as z` where y is a name
            if target in known and target != name:
                out.add(target)
    return out


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported(name, path, known) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as [a, b, ..., a], or None (depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_graph_sees_lazy_and_relative_imports():
    """The parser itself: a lazy import in a function and `from .. import x` are edges."""
    graph = import_graph()
    assert "govsim.report" in graph["govsim.results.write"]  # imported inside a function
    assert "govsim.report.html" in graph["govsim.report"]  # `from .html import ...` inside a function
    assert "govsim.documents" in graph["govsim.models.service_hall.hall"]  # `from ... import documents`
    assert "govsim" in graph["govsim.report.html"]  # `from .. import __version__`: the package itself
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle_among_govsim_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_report_reads_results_and_never_writes_them():
    """results.write calls the report; the report may use results.read and results.staging only."""
    graph = import_graph()
    for name, targets in graph.items():
        if name == "govsim.report" or name.startswith("govsim.report."):
            into_results = {t for t in targets if t == "govsim.results" or t.startswith("govsim.results.")}
            assert into_results <= {"govsim.results.read", "govsim.results.staging"}, (name, into_results)
    callers = {name for name, targets in graph.items() if "govsim.report" in targets}
    assert {c for c in callers if c.startswith("govsim.results")} == {"govsim.results.write"}


LIGHT = sorted(n for n in modules() if n.count(".") == 2 and n.startswith("govsim.models.")) + ["govsim.experiment"]


@pytest.mark.parametrize("name", LIGHT)
def test_models_and_the_runner_do_not_import_plotting_or_the_report(name):
    """Each worker process imports a model to run it: matplotlib would cost every worker
    its start-up time, and the report has no business in a replication."""
    code = (f"import sys, {name}\n"
            "bad = sorted(m for m in sys.modules if m == 'matplotlib' or m.startswith('matplotlib.')\n"
            "             or m == 'govsim.report' or m.startswith('govsim.report.'))\n"
            "print(','.join(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"importing {name} imports {proc.stdout.strip()}"


def test_a_run_starts_without_the_slow_parts_of_scipy():
    """What ``govsim run`` imports before its first replication: scipy.special yes (the t
    quantile, binomial and gamma quantiles), but not scipy.stats or scipy.optimize, which
    take 0.2-0.5 s each at every start and are imported where a rare path needs them."""
    code = ("import sys, govsim.cli, govsim.experiment, govsim.scenario, govsim.results.write\n"
            "print(','.join(sorted(m for m in sys.modules if m in ('scipy.stats', 'scipy.optimize'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
