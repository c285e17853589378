"""The warm-up chart of `govsim warmup`: the pooled series from empty, and the cut."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from ..warmup import Suggestion  # noqa: E402


def warmup_figure(s: Suggestion, title: str) -> Figure:
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    mid = (s.edges[:-1] + s.edges[1:]) / 2
    ax.plot(mid, s.series, lw=1.2, color="#1f77b4", label="cases open (mean over replications)")
    ax.axvline(s.value, color="#d62728", ls="--", label=f"suggested warm-up: {s.value:g} {s.unit}")
    ax.set_xlabel("days from the start (from empty)" if s.unit == "days" else "minutes from the start (from empty)")
    ax.set_ylabel("cases open")
    ax.legend(loc="lower right", fontsize="small")
    fig.suptitle(title)
    return fig
