"""The fit report's charts (matplotlib's object API: no global state, no display)."""
from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from .arrivals import WEEKDAYS

MAX_LINES = 8  # classes drawn in one chart


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def arrivals(fit) -> Figure:
    a = fit.arrivals
    fig = Figure(figsize=(9 if a.weekly else 7, 3.6))
    ax = fig.subplots()
    for k, c in enumerate(fit.classes[:MAX_LINES]):
        r, se = a.rates(k), a.standard_errors(k)
        x = np.arange(len(r)) + 0.5
        ax.step(x, r, where="mid", label=c)
        ax.fill_between(x, r - 1.96 * se, r + 1.96 * se, step="mid", alpha=0.2)
    if a.weekly:
        ax.set_xticks(np.arange(7) * 24 + 12, [d[:3] for d in WEEKDAYS])
        for d in range(1, 7):
            ax.axvline(24 * d, color="0.8", lw=0.8)
        ax.set_xlabel("hour of the week (from Monday 00:00)")
    else:
        ax.set_xticks(range(0, 25, 3))
        ax.set_xlabel("hour of the day")
    ax.set_ylabel("tickets per hour")
    ax.set_title("Arrivals by hour (band: 95% interval)")
    ax.legend(fontsize=8, ncols=2)
    return fig


def service(sf, title: str) -> Figure:
    fig = Figure(figsize=(9, 3.4))
    hist, qq = fig.subplots(1, 2)
    x = sf.minutes
    top = float(np.quantile(x, 0.99))
    bins = np.arange(-0.5, top + 1.5, 1.0) if sf.rounded else np.linspace(0, top, 40)
    hist.hist(x[x <= top + 1], bins=bins, density=True, color="0.75", label="log")
    grid = np.linspace(max(top / 400, 1e-3), top, 300)
    for f in sf.fits:
        chosen = f is sf.chosen
        hist.plot(grid, f.dist().pdf(grid), lw=2.2 if chosen else 1, ls="-" if chosen else "--",
                  label=f"{f.family}{' (chosen)' if chosen else ''}")
    hist.set_xlabel("minutes from called to finished")
    hist.set_ylabel("density")
    hist.set_title(title)
    hist.legend(fontsize=7)
    p = (np.arange(200) + 0.5) / 200
    q_log = np.quantile(x, p)
    q_fit = sf.chosen.dist().ppf(p)
    qq.plot(q_fit, q_log, ".", ms=3)
    lim = [0, max(q_fit.max(), q_log.max())]
    qq.plot(lim, lim, color="0.5", lw=1)
    qq.set_xlabel(f"{sf.chosen.family} quantile (min)")
    qq.set_ylabel("log quantile (min)")
    qq.set_title("QQ plot, 200 quantiles")
    return fig


def patience(fit) -> Figure:
    from .mle import kaplan_meier

    shown = [c for c in fit.classes if fit.patience[c] is not None][:MAX_LINES]
    fig = Figure(figsize=(min(3.2 * max(len(shown), 1), 13), 3.2))
    axes = np.atleast_1d(fig.subplots(1, max(len(shown), 1)))
    for ax, c in zip(axes, shown):
        p = fit.patience[c]
        t, s = kaplan_meier(p.data.exact, p.data.right)
        if len(t):
            ax.step(np.concatenate([[0], t]), np.concatenate([[1], s]), where="post", color="0.3", label="Kaplan-Meier")
            grid = np.linspace(0, t.max(), 200)
            ax.plot(grid, p.chosen.dist().sf(grid), lw=2, label=f"{p.chosen.family} (fitted)")
        ax.set_title(c, fontsize=9)
        ax.set_xlabel("minutes waiting")
        ax.set_ylim(0, 1.02)
    axes[0].set_ylabel("still waiting")
    axes[0].legend(fontsize=7)
    return fig


def windows(station) -> Figure:
    fig = Figure(figsize=(7, 3.2))
    ax = fig.subplots()
    h = np.arange(24) + 0.5
    ax.plot(h, station.seen, "o-", label="windows seen (calling)")
    ax.plot(h, station.busy, "s-", label="busy windows (occupancy)")
    ax.step(np.arange(25), station.roster() + station.roster()[-1:], where="post", color="k", lw=1.5, label="roster (fitted)")
    alt = station.busy_roster()
    ax.step(np.arange(25), alt + alt[-1:], where="post", color="k", lw=1, ls=":", label="busy-windows roster")
    ax.set_xticks(range(0, 25, 3))
    ax.set_xlabel("hour of the day")
    ax.set_ylabel("windows")
    ax.set_title(f"{station.name}: windows by hour")
    ax.legend(fontsize=7)
    return fig


def roster_choice(comp) -> Figure:
    fig = Figure(figsize=(8, 3.2))
    axes = fig.subplots(1, 2)
    rows = comp[comp["scope"] == "all"]
    for ax, metric, label in zip(axes, ("wait_mean_min", "abandon_frac"), ("mean wait, served (min)", "share left unserved")):
        sub = rows[rows["metric"] == metric]
        x = np.arange(len(sub))
        err = np.vstack([sub["mean"] - sub["ci_low"], sub["ci_high"] - sub["mean"]])
        ax.bar(x, sub["mean"], yerr=np.nan_to_num(err), color=["0.4"] + ["C0", "C1", "C2"][: len(sub) - 1], capsize=4)
        ax.set_xticks(x, sub["source"], fontsize=8)
        ax.set_title(label, fontsize=10)
    fig.suptitle("The log against the fitted scenario under each roster (95% intervals)", fontsize=10)
    return fig
