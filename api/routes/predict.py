"""Predictions from the newest committed models."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.deps import ServedModel, served_model
from api.learning.names import TaskName
from api.learning.task_protocol import Classifier, Regressor
from api.schemas import (
    ClassificationInput,
    ClassificationPrediction,
    Problem,
    RegressionInput,
    RegressionPrediction,
)

NOT_LEARNED: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON text."},
    404: {"model": Problem, "description": "Nothing learned yet, or `model` is not racing."},
    413: {"description": "The body is over 64 KiB: refused unread."},
    503: {"model": Problem, "description": "The stored model was refused."},
}

ServedClassifier = Annotated[ServedModel[Classifier], Depends(served_model("classification"))]
ServedRegressor = Annotated[ServedModel[Regressor], Depends(served_model("regression"))]


async def predict_promoted(
    body: ClassificationInput, served: ServedClassifier
) -> ClassificationPrediction:
    """Would this person be promoted? The champion's answer, or the named candidate's."""
    question = (body.competence, body.network_ability, served.candidate)
    promoted, probability = served.task.predict(*question)
    return ClassificationPrediction(
        promoted=promoted,
        probability=probability,
        model_version=served.version,
        model=served.candidate,
    )


async def predict_network_ability(
    body: RegressionInput, served: ServedRegressor
) -> RegressionPrediction:
    """network_ability for this competence and promotion: the champion's answer, or the
    named candidate's."""
    question = (body.competence, body.promoted, served.candidate)
    interval = served.task.predictive_interval(*question)
    return RegressionPrediction(
        network_ability=served.task.predict(*question),
        interval=None if interval is None else list(interval),
        model_version=served.version,
        model=served.candidate,
    )


# The task's own body and answer; what the routes share is in `served_model`.
PREDICTORS: dict[TaskName, Callable[..., Any]] = {
    "classification": predict_promoted,
    "regression": predict_network_ability,
}


def predict_router(task: TaskName) -> APIRouter:
    router = APIRouter(prefix=f"/{task}", tags=[task])
    router.add_api_route("/predict", PREDICTORS[task], methods=["POST"], responses=NOT_LEARNED)
    return router
