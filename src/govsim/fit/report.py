"""The fit report: report.html (figures embedded) and its tables as CSV.

What a planner needs to judge the fit: which rows were set aside and why, what each
estimate rests on (rows, estimator, standard error, goodness of fit), the windows by
hour and which roster the scenario uses, and the fitted scenario against the log's
own waits and abandonment.
"""
from __future__ import annotations

import base64
import html
import math

import numpy as np
import pandas as pd

from ..report.assumptions import scenario_notes
from . import figures
from .arrivals import WEEKDAYS
from .clean import effect_if_kept
from .mle import SIMPLER_WITHIN
from .scenario_text import num

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.2em;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}img{max-width:100%}h2{border-bottom:1px solid #ddd;margin-top:1.6em}
.note{color:#555}"""


def _fmt(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    return num(x, digits)


def _table(frame: pd.DataFrame, left: tuple = ()) -> str:
    head = "".join(f'<th class="{"l" if c in left else ""}">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for _, r in frame.iterrows():
        cells = "".join(f'<td class="{"l" if c in left else ""}">{html.escape(_fmt(v) if not isinstance(v, str) else v)}</td>'
                        for c, v in r.items())
        body.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _img(name: str, data: bytes) -> str:
    return f'<p><img alt="{html.escape(name)}" src="data:image/png;base64,{base64.b64encode(data).decode()}"></p>'


def fit_tables(fit) -> dict[str, pd.DataFrame]:
    """The report's tables, also written as CSV."""
    def ranking(owner: str, fits, chosen) -> list[dict]:
        best = fits[0].aic
        weights = np.exp(-0.5 * (np.array([f.aic for f in fits]) - best))
        weights /= weights.sum()
        return [{"of": owner, "family": f.family, "chosen": "yes" if f is chosen else "", "n": f.n, "mean": f.mean,
                 "mean_se": f.se[0], "cv": f.cv, "cv_se": f.se[1] if f.family != "exponential" else np.nan,
                 "loglik": f.loglik, "aic": f.aic, "delta_aic": f.aic - best, "akaike_weight": w,
                 "gof": f.gof, "gof_stat": f.gof_stat, "gof_p": f.gof_p} for f, w in zip(fits, weights)]

    service = []
    for c in fit.classes:
        if fit.service[c] is not None:
            service += ranking(c, fit.service[c].fits, fit.service[c].chosen)
    for s in fit.stations:
        d = fit.default_service[s.name]
        service += ranking(f"{s.name} (all matters)", d.fits, d.chosen)
    patience = []
    for c in fit.classes:
        p = fit.patience[c]
        if p is not None:
            for row in ranking(c, p.fits, p.chosen):
                row.update(left_unserved=p.counts[0], served_censored=p.counts[1], sent_home_censored=p.counts[2])
                patience.append(row)
    a = fit.arrivals
    arr = []
    for k, c in enumerate(fit.classes):
        for i, (r, se) in enumerate(zip(a.rates(k), a.standard_errors(k))):
            arr.append({"class": c, "weekday": WEEKDAYS[i // 24] if a.weekly else "any", "hour": i % 24,
                        "tickets_per_hour": r, "se": se})
    win = []
    for s in fit.stations:
        for h in range(24):
            win.append({"station": s.name, "hour": h, "days_with_calls": int(s.active[h]), "windows_seen": s.seen[h],
                        "busy_windows": s.busy[h], "roster": s.roster()[h], "busy_windows_roster": s.busy_roster()[h]})
    return {"set_aside": effect_if_kept(fit.cleaned, a.days), "service_fits": pd.DataFrame(service),
            "patience_fits": pd.DataFrame(patience), "arrivals": pd.DataFrame(arr), "windows": pd.DataFrame(win)}


def build(fit, yaml_text: str, yaml_name: str, comparison: pd.DataFrame, run_error: str, command: str) -> dict[str, bytes]:
    """Every file of the report folder: name -> content."""
    tables = fit_tables(fit)
    tables["roster_choice"] = comparison
    files = {f"{name}.csv": t.to_csv(index=False).encode() for name, t in tables.items()}
    figs = {"arrivals.png": figures.png(figures.arrivals(fit))}
    for c in fit.classes:
        if fit.service[c] is not None:
            figs[f"service_{c}.png"] = figures.png(figures.service(fit.service[c], f"{c}: service time"))
    for s in fit.stations:
        figs[f"windows_{s.name}.png"] = figures.png(figures.windows(s))
    if any(p is not None for p in fit.patience.values()):
        figs["patience.png"] = figures.png(figures.patience(fit))
    if run_error == "":
        figs["roster_choice.png"] = figures.png(figures.roster_choice(comparison))
    files.update({f"figures/{k}": v for k, v in figs.items()})
    files["report.html"] = _html(fit, tables, figs, yaml_text, yaml_name, run_error, command).encode("utf-8")
    return files


def _html(fit, tables, figs, yaml_text, yaml_name, run_error, command) -> str:
    c, a = fit.cleaned, fit.arrivals
    esc = html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Fit report: {esc(fit.path.name)}</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<h1>Fit report: {esc(fit.path.name)}</h1>",
             f"<p><code>{esc(command)}</code> wrote <code>{esc(yaml_name)}</code>, a <code>network</code> scenario: "
             f"{len(fit.classes)} classes (matters), {len(fit.stations)} bank(s) of windows. "
             f"{c.total_rows:,} rows: {len(c.rows):,} tickets used, {c.total_rows - len(c.rows):,} set aside. "
             f"The log covers {a.days} days from {a.first_day:%Y-%m-%d}; times "
             f"{'to the second' if c.resolution_s == 1 else 'to the minute'}"
             f" (read as {esc(', '.join(sorted({f for v in c.formats.values() for f in v})))}).</p>"]
    parts += ["<h2>1. The fitted scenario against the log</h2>"]
    if run_error:
        parts.append(f"<p><b>The fitted scenario did not load, so nothing was simulated:</b> <code>{esc(run_error)}</code></p>")
    else:
        parts += ["<p>The log's own mean wait (served visitors) and share left unserved, with 95% intervals over "
                  "its days, beside the fitted scenario run as written (95% intervals over replications), under the "
                  "fitted roster (<code>fitted</code>) and the busy-windows roster (<code>busy_windows_roster</code>). "
                  "When the log's interval and the <code>fitted</code> one overlap, the fit reproduces the hall.</p>",
                  _img("roster_choice", figs["roster_choice.png"])]
    parts.append(_table(tables["roster_choice"], left=("source", "scope", "metric")))
    parts += ["<h2>2. Rows set aside</h2>"]
    if len(tables["set_aside"]):
        parts += ["<p>Each row set aside is counted once, under the first kind that applies; none is used in the fit. "
                  "The columns <i>if kept</i> show what the fit would say with them (where they have the times needed).</p>",
                  _table(tables["set_aside"], left=("kind", "what", "first_lines"))]
    else:
        parts.append("<p>None: every row was usable.</p>")
    if fit.arrivals.weekly or not np.isnan(a.test[0]):
        verdict = "one profile per weekday" if a.weekly else "one daily profile"
        test = f"likelihood ratio G = {num(a.test[0], 3)} on {a.test[1]} df, p = {num(a.test[2], 2)}: {verdict}"
    else:
        test = "the log is shorter than a week: one daily profile"
    parts += ["<h2>3. Arrivals</h2>",
              f"<p>Per class, the tickets taken in each hour over the days the log covers: the maximum-likelihood rate of "
              f"a Poisson process (standard error sqrt(count)/days). Weekdays: {esc(test)}. The day-to-day variance of "
              f"the hourly counts over their mean, over the open days and within each weekday when weekdays get their "
              f"own profile (1 for Poisson; above 1, busy and quiet days differ more than chance) "
              f"by hour: {esc(', '.join(f'{h:02d}h {num(d, 2)}' for h, d in enumerate(a.dispersion) if not np.isnan(d)))}.</p>",
              _img("arrivals", figs["arrivals.png"])]
    parts += ["<h2>4. Service times</h2>",
              "<p>Minutes from called to finished, per class: maximum likelihood (scipy.stats) for the exponential, "
              "lognormal, gamma and Weibull; the chosen family has the lowest AIC, unless the exponential is within "
              f"{num(SIMPLER_WITHIN, 2)} of it (no real support for the extra parameter). "
              + ("Times to the minute: durations are fitted as read from rounded time stamps (each end cut to the minute), "
                 "goodness of fit by chi-square. " if c.resolution_s >= 60 else
                 "Goodness of fit by Kolmogorov–Smirnov (its p-value is optimistic, the parameters being estimated; with "
                 "thousands of tickets any small misfit shows). ")
              + "Standard errors from the observed information.</p>",
              _table(tables["service_fits"], left=("of", "family", "chosen", "gof"))]
    parts += [_img(k, v) for k, v in figs.items() if k.startswith("service_")]
    parts += ["<h2>5. Patience</h2>",
              "<p>Censored maximum likelihood: a visitor who left unserved shows its patience (finished − arrived); "
              "a served visitor's wait is right-censored (its patience was longer), and so is the wait of a visitor "
              "sent home at closing (unserved tickets closed at the same second, in a batch). Families and choice as for service "
              "(the exponential only below 30 visitors left unserved), except that a family whose mean has a standard error "
              "above half of it is passed over: the waits in the log never reach its tail, so its mean would be a guess. "
              + ("Times to the minute: each time is known only to within its minute, as for service: an abandon "
                 "read as d minutes lies between d − 1 and d + 1, and a served visitor's wait read as w says its "
                 "patience outlasted a wait between w − 1 and w + 1. " if c.resolution_s >= 60 else "")
              + "The chart sets the fit beside the Kaplan–Meier "
              "estimate.</p>"]
    if len(tables["patience_fits"]):
        parts.append(_table(tables["patience_fits"], left=("of", "family", "chosen", "gof")))
    if "patience.png" in figs:
        parts.append(_img("patience", figs["patience.png"]))
    parts += ["<h2>6. Windows by hour, and which roster</h2>",
              "<p>Per hour of the day, over the days with a call in that hour: the <i>windows seen</i> calling a ticket "
              "(or serving through the hour) and the <i>busy windows</i> (service minutes / 60, the occupancy). "
              "The fitted roster uses the windows seen, rounded: a window seen calling was on duty. Windows seen "
              "overstate capacity where staff do other work between tickets (breaks, back-office tasks, wrap-up); "
              "busy windows understate it, for they are the demand the windows served, and a roster of them runs the hall "
              "near 100% busy. The scenario carries the busy-windows roster as the policy "
              "<code>busy_windows_roster</code>; section 1 shows how far the choice moves the predicted waits and "
              "abandonment against the log's own.</p>",
              _table(tables["windows"][tables["windows"]["days_with_calls"] > 0], left=("station",))]
    parts += [_img(k, v) for k, v in figs.items() if k.startswith("windows_")]
    header, notes = scenario_notes(yaml_text)
    rows = pd.DataFrame([(n.path, n.value, n.comment) for n in notes if n.value], columns=["setting", "value", "where it came from"])
    parts += ["<h2>7. Every value and where it came from</h2>", f"<p class='note'>{esc(' '.join(header))}</p>",
              _table(rows, left=("setting", "value", "where it came from")), "</body></html>"]
    return "\n".join(parts)
