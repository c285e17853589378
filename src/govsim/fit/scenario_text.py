"""The fitted scenario as YAML text, every value beside where it came from.

Written by hand rather than by a YAML dumper so that each value carries its comment
(the log, the rows used, the estimator): `govsim run` shows these comments in the
report's assumptions table, so the planner sees data, not guesses.
"""
from __future__ import annotations

import re
import textwrap

import numpy as np

from .. import __version__
from ..calendar import DAY
from .arrivals import WEEKDAYS
from .matters import MIN_TICKETS
from .mle import Fit
from .patience import MAX_REL_SE, MIN_FOR_SHAPE
from .service import MIN_SERVED
from .windows import timetable

REPLICATIONS = 10
MAX_DAYS = 28  # simulated days counted: enough for tight intervals, short enough to run in seconds


def num(x: float, digits: int = 4) -> str:
    """Plain decimal with ``digits`` significant digits (YAML reads 1e3 as text)."""
    return np.format_float_positional(float(x), precision=digits, unique=False, fractional=False, trim="-")


def n_(k) -> str:
    return f"{int(k):,}"


def _quote(text: str) -> str:
    return '"' + " ".join(str(text).split()).replace('"', "'") + '"'


def _flow(spec: dict) -> str:
    return "{" + ", ".join(f"{k}: {num(v) if isinstance(v, float) else v}" for k, v in spec.items()) + "}"


WIDTH = 104  # of a comment line


def comment(text: str, indent: int) -> list[str]:
    """``text`` as comment lines at ``indent``, wrapped."""
    pad = " " * indent + "# "
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=pad, subsequent_indent=pad,
                         break_on_hyphens=False)


def p_value(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {num(p, 2)}"


def _se(fit: Fit) -> str:
    se_m, se_cv = fit.se
    return f"se {num(se_m, 2)}" + (f", cv se {num(se_cv, 2)}" if fit.family != "exponential" else "")


def run_days(fit) -> int:
    """Counted days: the log's length, whole weeks when the profile is weekly, at most MAX_DAYS."""
    days = min(max(fit.arrivals.days, 7), MAX_DAYS)
    return int(np.ceil(days / 7) * 7) if fit.arrivals.weekly else days


def scenario_name(stem: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_.\-]+", "_", stem).strip("_.-") or "log"
    return f"{base[:60]}-fitted"


def _header(fit, command: str, report: str) -> list[str]:
    c = fit.cleaned
    used, aside = len(c.rows), c.total_rows - len(c.rows)
    a = fit.arrivals
    last = a.first_day + np.timedelta64(a.days - 1, "D")
    stamps = ("times to the second" if c.resolution_s == 1 else
              "times to the minute (service and patience fitted as rounded)")
    return comment(
        f"Fitted by `{command}` (govsim {__version__}) from the queue-ticket log {fit.path.name}: "
        f"{n_(c.total_rows)} rows, {n_(used)} used as tickets, {n_(aside)} set aside (by kind, with line numbers, in "
        f"the fit report {report}). The log covers {a.first_day:%Y-%m-%d} to {last:%Y-%m-%d} ({a.days} days); {stamps}. "
        "Every value below was estimated from it; each comment names the rows and the estimator. Run it as it is, or "
        "add policies at the end: it is the baseline.", 0)


def _run(fit) -> list[str]:
    days = run_days(fit)
    why = f" ({days // 7} whole weeks of the weekday profile)" if fit.arrivals.weekly else ""
    return [
        "run:",
        f"  replications: {REPLICATIONS}          # 95% intervals over {REPLICATIONS} replications; raise it for narrower ones",
        "  seed: 1                   # any seed: the same seed gives the same numbers",
        f"  horizon_min: {int((days + 1) * DAY)}       # {days} counted days{why}, plus the warm-up; the log covers "
        f"{fit.arrivals.days}",
        f"  warmup_min: {int(DAY)}          # the first day is not counted: the run starts with an empty hall",
    ]


def _arrivals(fit, k: int) -> list[str]:
    a = fit.arrivals
    rates = [num(r, 4) for r in a.rates(k)]
    used = n_(fit.tickets[k])
    source = ("Poisson maximum likelihood; standard errors in the fit report")
    if not a.weekly:
        test = "" if np.isnan(a.test[0]) else (
            f" One profile for every day: the weekdays do not differ enough for one each (likelihood ratio "
            f"G = {num(a.test[0], 3)} on {a.test[1]} df, {p_value(a.test[2])}).")
        return comment(f"Tickets taken per hour from midnight (24 entries): this matter's {used} tickets in each "
                       f"hour of the day / the {a.days} day{'s' if a.days > 1 else ''} the log covers ({source}).{test}",
                       6) + \
            [f"      arrivals: {{rate_per_hour: [{', '.join(rates)}]}}"]
    lines = comment(f"Tickets taken per hour from Monday 00:00 (168 entries, a week): this matter's {used} tickets "
                    f"in each weekday-hour / the days of that weekday the log covers ({source}). A profile per "
                    f"weekday: the weekdays differ (likelihood ratio G = {num(a.test[0], 3)} on {a.test[1]} df, "
                    f"{p_value(a.test[2])}).", 6)
    lines += ["      arrivals:", "        rate_per_hour: ["]
    for d in range(7):
        lines.append(f"          {', '.join(rates[24 * d:24 * d + 24])},  # {WEEKDAYS[d]} ({a.days_by_weekday[d]} in the log)")
    return lines + ["        ]"]


def _patience(fit, cls: str) -> list[str]:
    p = fit.patience[cls]
    if p is None:
        return comment("No patience: nobody of this matter left unserved in the log (the maximum-likelihood "
                       "patience is endless).", 6)
    left, served, batch = p.counts
    if len(p.fits) == 1:
        how = f" (the exponential only: fewer than {MIN_FOR_SHAPE} left unserved)"
    else:
        passed = [f.family for f in p.fits if f.family != "exponential" and f.se[0] > MAX_REL_SE * f.mean]
        how = f" ({', '.join(passed)} passed over: the waits do not reach far enough to pin its mean down)" \
            if passed else ""
    home = f", {n_(batch)} of them sent home at closing" if batch else ""
    return comment(f"Minutes a visitor waits before leaving unserved: censored maximum likelihood, {p.chosen.family} "
                   f"by AIC{how}, from {n_(left)} visitors who left unserved and {n_(served + batch)} waits of visitors "
                   f"who did not (right-censored: their patience was longer{home}).", 6) + \
        [f"      patience: {_flow(p.chosen.spec())}   # {_se(p.chosen)}"]


def _class(fit, k: int) -> list[str]:
    cls = fit.classes[k]
    share = 100 * fit.tickets[k] / fit.tickets.sum()
    matters = fit.matters[cls]
    if len(matters) == 1:
        who = f"{_quote(matters[0])} in the log: {n_(fit.tickets[k])} tickets ({num(share, 3)}%)"
    else:
        listed = ", ".join(_quote(m) for m in matters[:8]) + (", ..." if len(matters) > 8 else "")
        who = f"{len(matters)} matters with fewer than {MIN_TICKETS} tickets each ({num(share, 3)}%): {listed}"
    return [f"    {cls}:", *comment(who, 6), *_arrivals(fit, k),
            f"      route: [{fit.station_of(cls).name}]", *_patience(fit, cls)]


def _station(fit, s) -> list[str]:
    seen = ", ".join(f"{h:02d}h={num(x, 2)}" for h, x in enumerate(s.seen) if x > 0)
    names = ", ".join(_quote(w) for w in s.windows[:10]) + (", ..." if len(s.windows) > 10 else "")
    lines = [f"    {s.name}:", *comment(
        "Windows on duty by hour of the day (a daily roster): the windows seen calling a ticket in the hour (or "
        f"serving through it), averaged over the days with calls in that hour, rounded. Seen: {seen}. The busy "
        "windows (occupancy) are fewer, but they are demand, not capacity (policy busy_windows_roster below; the "
        f"fit report compares both). The log's {len(s.windows)} windows here: {names}.", 6),
        f"      servers: {_roster(s.roster())}",
        "      service:", *comment(
            "Minutes from called to finished, by maximum likelihood; the family by AIC among exponential, lognormal, "
            "gamma and Weibull (the ranking and goodness of fit in the fit report).", 8)]
    if any(fit.service[fit.classes[k]] is None for k in s.classes):
        d = fit.default_service[s.name].chosen
        lines += comment(f"default: every served ticket at these windows, for matters with fewer than {MIN_SERVED} "
                         "served.", 8)
        lines.append(f"        default: {_flow(d.spec())}   # {n_(d.n)} served; {d.family} by AIC; {_se(d)}")
    lines.append("        by_class:")
    for k in s.classes:
        sf = fit.service[fit.classes[k]]
        if sf is not None:
            lines.append(f"          {fit.classes[k]}: {_flow(sf.chosen.spec())}   "
                         f"# {n_(sf.chosen.n)} served; {sf.chosen.family} by AIC; {_se(sf.chosen)}")
    return lines


def _roster(per_hour: list[int]) -> str:
    return "[" + ", ".join(f'["{t}", {n}]' for t, n in timetable(per_hour)) + "]"


def scenario_text(fit, name: str, command: str, report: str) -> str:
    lines = _header(fit, command, report)
    lines += [f"name: {name}", "model: network",
              f"description: {_quote('Fitted to the queue-ticket log ' + fit.path.name + ' by govsim fit.')}", *_run(fit),
              "params:", "  classes:"]
    for k in range(len(fit.classes)):
        lines += _class(fit, k)
    lines.append("  stations:")
    for s in fit.stations:
        lines += _station(fit, s)
    lines += ["policies:",
              "  fitted: {}                # the hall as the log shows it: the baseline",
              *comment("How much the roster matters: windows busy on average (rounded up) instead of windows seen. "
                       "Staff who do other work between tickets make windows seen overstate capacity; busy windows "
                       "understate it (they are the demand served). The truth lies between.", 2),
              "  busy_windows_roster:",
              "    stations:"]
    for s in fit.stations:
        lines += [f"      {s.name}:",
                  f"        servers: {_roster(s.busy_roster())}   # busy windows per hour, rounded up"]
    return "\n".join(lines) + "\n"
