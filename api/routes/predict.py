"""Predictions from the newest committed models."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError

from api.deps import Services, ServicesDep
from api.learning.candidates import known_names
from api.routes.records import NOTHING_LEARNED
from api.schemas import (
    ClassificationInput,
    ClassificationPrediction,
    Problem,
    RegressionInput,
    RegressionPrediction,
)

router = APIRouter()
NOT_LEARNED: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON text."},
    404: {"model": Problem, "description": "Nothing learned yet, or `model` is not racing."},
    413: {"description": "The body is over 64 KiB: refused unread."},
    503: {"model": Problem, "description": "The stored model was refused."},
}


def model_query(task: str) -> Any:
    """The optional `model` parameter: a candidate of the registry (422 for any other)."""
    return Query(
        description="A candidate to answer instead of the champion: one of GET "
        f"/{task}/leaderboard's candidates (another name of the registry: 404).",
        json_schema_extra={"enum": list(known_names(task))},
        examples=["reference"],
    )


ClassificationModel = Annotated[str | None, model_query("classification")]
RegressionModel = Annotated[str | None, model_query("regression")]


MODEL_REFUSED = (
    "The newest committed record exists but its model snapshot was refused (it failed "
    "signature verification), so there is no model to predict with. See GET /status."
)


def _served(services: Services, task: str, model: str | None) -> tuple[int, Any, str]:
    """The version, the task and the candidate to answer with: `model`, or the champion."""
    served = services.serving.model(task)
    if served is None:
        if services.serving.latest(task) is not None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, MODEL_REFUSED)
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOTHING_LEARNED)
    version, learned = served
    names = learned.race.names()
    if model is not None and model not in names:
        listed = ", ".join(names)
        if model in known_names(task):
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"{model!r} is not racing (see {task.upper()}_CANDIDATES); the {task} "
                f"candidates are: {listed}.",
            )
        # Shaped as FastAPI's own 422, which Swagger documents for this parameter.
        message = f"No candidate named {model!r}; the {task} candidates are: {listed}."
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "model"), "msg": message, "input": model}]
        )
    return version, learned, model or learned.champion


@router.post("/classification/predict", tags=["classification"], responses=NOT_LEARNED)
async def predict_promoted(
    body: ClassificationInput, services: ServicesDep, model: ClassificationModel = None
) -> ClassificationPrediction:
    """Would this person be promoted? The champion's answer, or the named candidate's."""
    version, task, name = _served(services, "classification", model)
    promoted, probability = task.predict(body.competence, body.network_ability, name)
    return ClassificationPrediction(
        promoted=promoted, probability=probability, model_version=version, model=name
    )


@router.post("/regression/predict", tags=["regression"], responses=NOT_LEARNED)
async def predict_network_ability(
    body: RegressionInput, services: ServicesDep, model: RegressionModel = None
) -> RegressionPrediction:
    """network_ability for this competence and promotion: the champion's answer, or the
    named candidate's."""
    version, task, name = _served(services, "regression", model)
    return RegressionPrediction(
        network_ability=task.predict(body.competence, body.promoted, name),
        interval=task.predictive_interval(body.competence, body.promoted, name),
        model_version=version, model=name,
    )  # fmt: skip
