"""Make examples/hall_log.csv: a SYNTHETIC queue-ticket log from known distributions.

No real hall is behind it.  The hall is ``govsim.fit.synthetic.example_hall``: three
matters arriving on a weekday profile (Monday busier, closed at weekends), five
windows (three over lunch, 12:00-13:00) calling first come first served until 17:00,
when whoever still waits is sent home.  Service minutes: social security lognormal
(mean 8, cv 0.6), tax gamma (mean 12, cv 0.5), business licence Weibull (mean 15, cv
0.8); patience: exponential, mean 25 and 40 minutes (business licence visitors wait as
long as it takes).  `govsim fit` should find all of this again, within its standard
errors (tests/test_fit_recovery.py checks it).

Like a real export, the log then gets a few rows that make no sense, one or two of
several kinds `govsim fit` sets aside (DIRTY below), and its rows are shuffled
a little, as exports from several counters are.

    .venv/bin/python examples/make_example_log.py                 # examples/hall_log.csv, 4 weeks
    .venv/bin/python examples/make_example_log.py --days 300 --scale 20 --clean --out /tmp/big.csv
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from govsim.fit.synthetic import example_hall, simulate

SEED = 20240304

# (row to spoil, column, new text): each makes the row one kind of nonsense
DIRTY = [
    (10, "finished", ""),                      # missing_finished: still being served when exported
    (20, "matter", "未知"),                     # unknown_matter
    (30, "called", "2024-03-04 07:00:00"),     # called_before_arrived
    (40, "finished", "2024-03-04 07:00:00"),   # finished_before_called (or before arrived)
    (50, "arrived", "2024-02-31 09:00:00"),    # unreadable_time: no such day
    (60, "arrived", ""),                       # missing_arrived
    (70, "window", ""),                        # missing_window (if served)
]
DUPLICATES = [100, 200]  # rows exported twice


def make(days: int, scale: float, seed: int, dirty: bool) -> pd.DataFrame:
    log = simulate(example_hall(days, scale), seed)
    if not dirty:
        return log
    for row, col, text in DIRTY:
        log.loc[row, col] = text
    log = pd.concat([log, log.loc[DUPLICATES]], ignore_index=True)
    # rows a little out of time order: each moved by up to 3 places
    order = np.argsort(np.arange(len(log)) + np.random.default_rng(seed).uniform(0, 3, len(log)), kind="stable")
    return log.iloc[order].reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("hall_log.csv"))
    ap.add_argument("--days", type=int, default=28, help="days the log covers (weekends included)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies arrivals and windows")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--clean", action="store_true", help="no rows made dirty, none shuffled")
    args = ap.parse_args()
    log = make(args.days, args.scale, args.seed, not args.clean)
    log.to_csv(args.out, index=False)
    print(f"{args.out}: {len(log):,} tickets over {args.days} days (synthetic)")


if __name__ == "__main__":
    main()
