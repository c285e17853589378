"""JSON Schema of scenario files (``govsim schema``), for editors' completion and checks."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Field, TypeAdapter, create_model

from .models import MODELS
from .scenario import SafeName, ScenarioFile


def _scenario_model(kind: str):
    params_model = MODELS[kind].params_model
    return create_model(
        f"{kind.capitalize()}Scenario",
        __base__=ScenarioFile,
        model=(Literal[kind], Field(description=MODELS[kind].description)),
        params=(params_model, ...),
        policies=(dict[SafeName, Optional[dict[str, Any]]],
                  Field(default_factory=dict, description="name -> overlay deep-merged onto params; "
                        "a key params lacks is an error; the first policy is the baseline")),
    )


def scenario_schema(kind: Optional[str] = None) -> dict:
    kinds = [kind] if kind else sorted(MODELS)
    models = [_scenario_model(k) for k in kinds]
    if len(models) == 1:
        schema = models[0].model_json_schema(by_alias=True)
    else:
        union = Annotated[Union[tuple(models)], Field(discriminator="model")]
        schema = TypeAdapter(union).json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"govsim scenario ({kind or 'any model'})"
    return schema
