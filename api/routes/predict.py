"""Predictions from the newest committed models."""

from typing import Any

from fastapi import APIRouter, HTTPException, status

from api.deps import Services, ServicesDep
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
    404: {"model": Problem, "description": "Nothing learned yet."},
    413: {"description": "The body is over 64 KiB: refused unread."},
    503: {"model": Problem, "description": "The stored model was refused."},
}


MODEL_REFUSED = (
    "The newest committed record exists but its model snapshot was refused (it failed "
    "signature verification), so there is no model to predict with. See GET /status."
)


def _served(services: Services, task: str) -> tuple[int, Any]:
    served = services.serving.model(task)
    if served is not None:
        return served
    if services.serving.latest(task) is not None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, MODEL_REFUSED)
    raise HTTPException(status.HTTP_404_NOT_FOUND, NOTHING_LEARNED)


@router.post("/classification/predict", tags=["classification"], responses=NOT_LEARNED)
async def predict_promoted(
    body: ClassificationInput, services: ServicesDep
) -> ClassificationPrediction:
    """Would this person be promoted? The newest committed classifier's answer."""
    version, task = _served(services, "classification")
    promoted, probability = task.predict(body.competence, body.network_ability)
    return ClassificationPrediction(
        promoted=promoted, probability=probability, model_version=version
    )


@router.post("/regression/predict", tags=["regression"], responses=NOT_LEARNED)
async def predict_network_ability(
    body: RegressionInput, services: ServicesDep
) -> RegressionPrediction:
    """The newest committed regressor's network_ability for this competence and promotion."""
    version, task = _served(services, "regression")
    return RegressionPrediction(
        network_ability=task.predict(body.competence, body.promoted),
        interval=task.predictive_interval(body.competence, body.promoted),
        model_version=version,
    )
