"""``govsim fit``: a network scenario from a queue-ticket system's export.

One row per ticket (``matter``, ``arrived``, ``called``, ``finished``, ``window``) ->
per matter an hourly arrival profile, a service-time distribution and a patience
distribution, and per bank of windows a roster by hour; rows that make no sense are
set aside by kind.  The modules, in the order they run: ``read`` (the file), ``times``
and ``clean`` (rows to fit and rows set aside), ``matters`` (class names), ``arrivals``,
``service`` and ``patience`` (on ``families`` and ``mle``), ``windows``, ``observed`` (the
log's own waits); then ``scenario_text`` writes the YAML and ``report`` the fit report.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from .arrivals import ArrivalFit, fit_arrivals
from .clean import Cleaned, clean
from .matters import class_ids
from .observed import observed
from .patience import PatienceFit, batch_closed, fit_patience, patience_data
from .read import LogError, read_log
from .service import MIN_SERVED, ServiceFit, fit_service
from .windows import Station, stations

__all__ = ["LogError", "LogFit", "fit_log"]


@dataclass
class LogFit:
    path: Path
    cleaned: Cleaned
    classes: list[str]
    matters: dict[str, list[str]]  # class -> the log's matter names
    tickets: np.ndarray  # per class
    arrivals: ArrivalFit
    service: dict[str, Optional[ServiceFit]]  # per class; None: the station's default
    default_service: dict[str, ServiceFit]  # per station, over every matter it serves
    patience: dict[str, Optional[PatienceFit]]  # per class; None: nobody left unserved
    stations: list[Station]
    observed: pd.DataFrame

    def station_of(self, cls: str) -> Station:
        k = self.classes.index(cls)
        return next(s for s in self.stations if k in s.classes)


def _minutes(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return ((later - earlier).dt.total_seconds() / 60).to_numpy()


def fit_log(path, columns: Optional[dict[str, str]] = None, formats: Optional[list[str]] = None) -> LogFit:
    """Read, clean and fit a log; ``LogError`` when it cannot be read at all."""
    path = Path(path)
    raw, malformed = read_log(path, columns)
    cleaned = clean(raw, malformed, formats, path)
    rows = cleaned.rows
    served = rows["served"].to_numpy()
    if served.sum() < MIN_SERVED:
        raise LogError(path, f"only {int(served.sum())} served tickets (with a time called): too few to fit "
                             f"service times (need at least {MIN_SERVED})")
    cls, classes, matters = class_ids(rows["matter"])
    arr = fit_arrivals(rows["arrived"], cls, classes)
    day = ((rows["arrived"] - arr.first_day) // pd.Timedelta(days=1)).to_numpy()
    srv = rows[served]
    banks = stations(srv, cls[served], classes, day, cls, arr.first_day)
    service_min = _minutes(srv["finished"], srv["called"])
    res = cleaned.resolution_s
    service = {c: fit_service(service_min[cls[served] == k], res) for k, c in enumerate(classes)}
    default = {s.name: fit_service(service_min[np.isin(cls[served], s.classes)], res) for s in banks}
    if None in default.values():  # a bank with too few served tickets of its own: the fit over all
        overall = fit_service(service_min, res)
        default = {name: fit or overall for name, fit in default.items()}
    batch = batch_closed(rows)
    patience = {c: fit_patience(patience_data(rows[cls == k], batch[cls == k], res)) for k, c in enumerate(classes)}
    return LogFit(path, cleaned, classes, matters, np.bincount(cls, minlength=len(classes)), arr, service,
                  default, patience, banks, observed(rows, day, cls, classes))
