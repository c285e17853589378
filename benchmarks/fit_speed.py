"""Speed of `govsim fit` on a million-row queue-ticket log.

The log is the example hall scaled up (examples/make_example_log.py --days 364 --scale
20: about 1,000,000 tickets over a year, 100 windows, a few dirty rows, rows a little
out of order), made once and not timed.  Timed:

* the whole command, ``govsim fit LOG --out ... --force --quiet`` in a fresh process
  (start-up, reading, cleaning, fitting, the fitted scenario's simulation for the fit
  report, the report), best and median of R runs;
* its phases once, in this process: ``fit_log`` (read, clean, fit), the scenario text,
  ``predict`` (the fitted scenario run as written: 10 replications x 2 rosters), and the
  report (figures, tables, html).

Target: the whole command under 60 s on the 2-core benchmark machine.

    .venv/bin/python benchmarks/fit_speed.py                  # 1,000,000 rows, best of 3
    .venv/bin/python benchmarks/fit_speed.py --quick          # about 100,000 rows, 1 run
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 60.0


def make_log(path: Path, days: int, scale: float) -> int:
    sys.path.insert(0, str(REPO / "examples"))
    from make_example_log import SEED, make

    log = make(days, scale, SEED, dirty=True)
    log.to_csv(path, index=False)
    return len(log)


def phases(log: Path, out: Path) -> dict[str, float]:
    from govsim.fit import fit_log
    from govsim.fit.report import build
    from govsim.fit.scenario_text import scenario_text
    from govsim.fit.whatif import comparison, predict

    t = {}
    t0 = time.perf_counter()
    fit = fit_log(log)
    t["fit_log (read, clean, fit)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    text = scenario_text(fit, "bench-fitted", "govsim fit", "report")
    t["scenario text"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    predicted, problem = predict(text, out.name)
    t["predict (simulate the fitted scenario)" + (" [did not load]" if problem else "")] = time.perf_counter() - t0
    t0 = time.perf_counter()
    build(fit, text, out.name, comparison(fit.observed, predicted), problem, "govsim fit")
    t["report (figures, tables, html)"] = time.perf_counter() - t0
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=364)
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="--scale 2 --repeats 1: a smoke test")
    ap.add_argument("--log", type=Path, help="reuse this log instead of making one")
    ap.add_argument("--json", type=Path, help="save the results")
    args = ap.parse_args()
    if args.quick:
        args.scale, args.repeats = 2.0, 1
    print(f"Python {sys.version.split()[0]} | {platform.platform()} | {os.cpu_count()} CPUs | "
          f"load avg {os.getloadavg()[0]:.2f} (near 0 for clean timings)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        log = args.log or tmp / "big_log.csv"
        if args.log is None:
            t0 = time.perf_counter()
            rows = make_log(log, args.days, args.scale)
            print(f"made {log.name}: {rows:,} rows, {log.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.0f} s (not timed)")
        else:
            rows = sum(1 for _ in log.open(encoding="utf-8")) - 1
        out = tmp / "fitted.yaml"
        cmd = [str(Path(sys.executable).with_name("govsim")), "fit", str(log), "--out", str(out), "--force", "--quiet"]
        runs = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True)
            runs.append(time.perf_counter() - t0)
            if done.returncode != 0:
                sys.exit(f"govsim fit failed: {done.stderr}")
            warning = done.stderr.strip()
        print(f"\ngovsim fit, {rows:,} rows: best {min(runs):.1f} s, median {statistics.median(runs):.1f} s "
              f"over {len(runs)} run(s); target < {TARGET_S:.0f} s: {'met' if min(runs) < TARGET_S else 'NOT met'}")
        if warning:
            print(f"  ({warning})")
        print("\nphases, one run in this process:")
        steps = phases(log, out)
        for name, secs in steps.items():
            print(f"  {name:<55} {secs:6.1f} s")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "runs_s": runs, "phases_s": steps}, indent=2))


if __name__ == "__main__":
    main()
