"""Speed of the service-hall model: hall matters simulated per second, this tree against
an older commit, side by side in one run.

The older tree is extracted with ``git archive COMMIT | tar -x`` into a temporary folder
(nothing is checked out here).  Each tree runs in its own fresh process, with
``PYTHONPATH=TREE/src`` and this virtual environment's python, on one worker, in-process:
it loads a scenario with its own ``load_scenario`` and, for every policy x replication,
calls its own ``experiment.run_replication`` (``model.run`` + the rows, what a task of
``govsim run`` does), timed with ``time.perf_counter``.  One short untimed replication
first (2 days) takes imports, caches and any compiling out of the figure.

matters/s = the sum over tasks of the ``matters`` metric at scope ``all`` (matters whose
first trip falls on a counted day: both trees count them this way; the warm-up days are
simulated too but not counted, alike in both) / the seconds inside ``run_replication``.

Two comparisons:

(a) each tree's own shipped study, ``scenarios/hongjiang_hall.yaml`` as in that tree (the
    current one has more policies and a richer hall: back office, rosters, ...);
(b) the same study on both: the older tree's ``scenarios/hongjiang_hall.yaml`` run by both
    trees; skipped, with the reason, when this tree refuses the older file;
(c) the current tree's study again with garbage collection left running inside the
    replications: what pausing it (``govsim.eventloop.gc_paused``) buys;
(d) the current tree's study on its Python event loop (``GOVSIM_ENGINE=python``), against
    the compiled loop (numba) that runs by default where numba is installed.

Run from the repository root:

    .venv/bin/python benchmarks/hall_speed.py                    # 3 replications, before = 248a71a, ~1 min
    .venv/bin/python benchmarks/hall_speed.py --replications 1   # a smoke test
    .venv/bin/python benchmarks/hall_speed.py --before /tmp/govsim-before   # a tree already on disk
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STUDY = Path("scenarios") / "hongjiang_hall.yaml"


# -- the child: runs inside the tree it measures (PYTHONPATH=TREE/src) ----------------------

def child(scenario: str, replications: int, collector_on: bool = False) -> dict:
    """Time every policy x replication of ``scenario`` with this process's govsim
    (``collector_on``: with garbage collection left running inside the replications)."""
    import govsim
    from govsim.experiment import run_replication
    from govsim.scenario import load_scenario

    if collector_on:
        import contextlib

        import govsim.models.service_hall as hall
        hall.gc_paused = contextlib.nullcontext

    try:
        sc = load_scenario(scenario)
    except Exception as exc:  # noqa: BLE001 - the reason is the result (a tree refusing the file)
        return {"govsim": govsim.__file__, "error": f"{type(exc).__name__}: {exc}".strip()}
    policies = sc.policy_names
    first = policies[0]
    short = sc.with_run(days=sc.run.warmup_days + 2).run  # warm-up: imports, caches, compiling
    run_replication(sc.model, sc.resolved[first], short, first, 0)

    matters, seconds = 0, 0.0
    for policy in policies:
        for rep in range(replications):
            t0 = time.perf_counter()
            rows = run_replication(sc.model, sc.resolved[policy], sc.run, policy, rep)
            seconds += time.perf_counter() - t0
            matters += int(sum(row[5] for row in rows if row[3] == "all" and row[4] == "matters"))
    return {"govsim": govsim.__file__, "policies": len(policies), "replications": replications,
            "days": sc.run.days, "warmup_days": sc.run.warmup_days, "matters": matters, "seconds": seconds}


# -- the parent --------------------------------------------------------------------------

def measure(tree: Path, scenario: Path, replications: int, collector_on: bool = False, engine: str = "") -> dict:
    """Run ``child`` in a fresh process on ``tree``'s source (``engine``: GOVSIM_ENGINE, if any)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    env.pop("GOVSIM_ENGINE", None)
    if engine:
        env["GOVSIM_ENGINE"] = engine
    proc = subprocess.run([sys.executable, __file__, "--child", str(scenario), "--replications", str(replications)]
                          + (["--collector-on"] if collector_on else []),
                          env=env, cwd=tree, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": f"the run failed: {proc.stderr.strip()[-1500:]}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = (tree / "src" / "govsim" / "__init__.py").resolve()
    if "govsim" in result and Path(result["govsim"]).resolve() != expected:
        raise RuntimeError(f"imported {result['govsim']}, not the tree's {expected}")
    return result


def before_tree(before: str, tmp: str) -> tuple[Path, str]:
    """A folder holding the code before: ``before`` itself if it is one, else the commit extracted."""
    if Path(before).is_dir():
        return Path(before).resolve(), str(Path(before).resolve())
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", before], check=True,
                            capture_output=True, text=True).stdout.strip()
    archive = subprocess.Popen(["git", "-C", str(REPO), "archive", commit], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", tmp], stdin=archive.stdout, check=True)
    archive.stdout.close()
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {commit} failed")
    return Path(tmp), commit


def current_label() -> str:
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True,
                           text=True).stdout.strip()
    return f"current ({head}{' + edits' if dirty else ''})"  # edits: uncommitted changes in src/


def rate(r: dict) -> float:
    return r["matters"] / r["seconds"]


def print_table(rows: list[tuple[str, str, str, dict, dict | None]]) -> None:
    """rows: (comparison, tree, scenario, result, the before result it is compared with)."""
    print(f"\n{'':<4} {'tree':<26} {'scenario':<30} {'policies x reps':>15} {'matters':>9} {'seconds':>8} "
          f"{'matters/s':>10} {'ratio':>7}")
    for comparison, tree, scenario, r, ref in rows:
        if "error" in r:
            print(f"{comparison:<4} {tree:<26} {scenario:<30} skipped (below)")
            continue
        if ref is None:
            ratio = f"{'1.00x':>7}"
        else:
            ratio = f"{rate(r) / rate(ref):6.2f}x" if "error" not in ref else f"{'':>7}"
        print(f"{comparison:<4} {tree:<26} {scenario:<30} {r['policies']:>6} x {r['replications']:<6} "
              f"{r['matters']:>9,} {r['seconds']:>8.2f} {rate(r):>10,.0f} {ratio:>7}")
    print("ratio: matters/s over the before tree's on the same comparison's before row")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replications", type=int, default=3, help="replications per policy (default 3)")
    ap.add_argument("--before", default="248a71a", help="the older commit, or a source tree's folder "
                    "(default 248a71a)")
    ap.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    ap.add_argument("--child", metavar="SCENARIO", help=argparse.SUPPRESS)
    ap.add_argument("--collector-on", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.replications, args.collector_on)))
        return

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Python {sys.version.split()[0]} | {platform.platform()} | {cpus} CPUs | "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')} | load avg {os.getloadavg()[0]:.2f} (other work skews timings)")
    with tempfile.TemporaryDirectory(prefix="govsim-before-") as tmp:
        old, old_label = before_tree(args.before, tmp)
        now_label = current_label()
        before_name = f"before ({old_label})"
        print(f"{args.replications} replication(s) per policy, one worker, in-process; "
              f"{now_label} vs {before_name}", flush=True)
        own_now = measure(REPO, REPO / STUDY, args.replications)
        own_old = measure(old, old / STUDY, args.replications)
        old_on_now = measure(REPO, old / STUDY, args.replications)
        collector_on = measure(REPO, REPO / STUDY, args.replications, collector_on=True)
        python_loop = measure(REPO, REPO / STUDY, args.replications, engine="python")
    rows = [("(a)", before_name, "its own " + STUDY.name, own_old, None),
            ("(a)", now_label, "its own " + STUDY.name, own_now, own_old),
            ("(b)", before_name, "before's " + STUDY.name, own_old, None),
            ("(b)", now_label, "before's " + STUDY.name, old_on_now, own_old),
            ("(c)", "current, collector running", "its own " + STUDY.name, collector_on, own_now),
            ("(d)", "current, Python loop", "its own " + STUDY.name, python_loop, own_now)]
    print_table(rows)
    for name, r in (("current tree, own study", own_now), ("before tree, own study", own_old),
                    ("current tree, before's study", old_on_now)):
        if "error" in r:
            print(f"\n{name}: skipped, the tree refused it or failed:\n  {r['error']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"before": old_label, "current": now_label, "replications": args.replications,
                       "own_current": own_now, "own_before": own_old, "before_scenario_on_current": old_on_now,
                       "own_current_collector_on": collector_on, "own_current_python_loop": python_loop},
                      f, indent=2)
        print(f"\nsaved {args.json}")
    print("(c): the current tree with garbage collection left running inside each replication (as the\n"
          "     model would without govsim.eventloop.gc_paused), against the current tree's (a) row\n"
          "(d): the current tree on its Python event loop (GOVSIM_ENGINE=python), against its (a) row")


if __name__ == "__main__":
    main()
