"""Model kinds, keyed by a scenario's ``model:``.

A model is process logic in code; its params are data.  Each model offers:

- ``name`` and a one-line ``description`` (``govsim models``);
- ``params_model``: a pydantic model for its ``params`` with a ``cross_check()``
  method returning ``[(path, message)]`` for checks that span fields;
- ``key_metrics``: the metrics shown first in tables and charts;
- ``metrics``: every metric name it reports (baselines are checked against it);
- ``check_run(run_settings)`` (optional): ``[(path, message)]`` for run settings it cannot use;
- ``run(params, streams, run_settings)``: one replication, returning rows of
  ``(scope, metric, value)``.
"""
from __future__ import annotations

from typing import Any, Protocol

from .licence import LicenceModel
from .job_fair import JobFairModel
from .network import NetworkModel
from .service_hall import ServiceHallModel
from .shuttle import ShuttleModel


class Model(Protocol):
    name: str
    description: str
    params_model: Any
    key_metrics: tuple[str, ...]

    def run(self, params: Any, streams: Any, run: Any) -> list[tuple[str, str, float]]: ...


# one line per model kind
MODELS: dict[str, type] = {m.name: m for m in (
    NetworkModel,
    ServiceHallModel,
    LicenceModel,
    ShuttleModel,
    JobFairModel,
)}


def get_model(name: str) -> Model:
    return MODELS[name]()
