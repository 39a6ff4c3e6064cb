"""Predictions from the newest committed models."""

from fastapi import APIRouter, HTTPException, status

from api.deps import ServicesDep
from api.routes.records import NOTHING_LEARNED
from api.schemas import (
    ClassificationInput,
    ClassificationPrediction,
    Problem,
    RegressionInput,
    RegressionPrediction,
)

router = APIRouter()
NOT_LEARNED = {404: {"model": Problem, "description": "Nothing learned yet."}}


def _served(services, task: str):
    served = services.serving.model(task)
    if served is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOTHING_LEARNED)
    return served


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
        network_ability=task.predict(body.competence, body.promoted), model_version=version
    )
