"""Model kinds, keyed by a scenario's ``model:``.

A model kind subclasses ``govsim.model_api.Model`` (every attribute a model provides,
each with a default) and is listed in ``MODELS`` below: one line per kind.
"""
from __future__ import annotations

from ..model_api import Model
from .job_fair import JobFairModel
from .licence import LicenceModel
from .network import NetworkModel
from .service_hall import ServiceHallModel
from .shuttle import ShuttleModel

# one line per model kind
MODELS: dict[str, type[Model]] = {m.name: m for m in (
    NetworkModel,
    ServiceHallModel,
    LicenceModel,
    ShuttleModel,
    JobFairModel,
)}


def get_model(name: str) -> Model:
    return MODELS[name]()
