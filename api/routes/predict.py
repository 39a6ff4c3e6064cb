"""Predictions from the newest committed models."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import ServedModel, served_model
from api.learning.explain import network_ability_answer, promotion_answer
from api.learning.names import TaskName
from api.learning.task_protocol import Classifier, Regressor
from api.routes.responses import BODY_RESPONSES
from api.schemas import (
    ClassificationAnswer,
    ClassificationInput,
    ClassificationPrediction,
    Problem,
    RegressionAnswer,
    RegressionInput,
    RegressionPrediction,
)

NOT_LEARNED: dict[int | str, dict[str, Any]] = {
    **BODY_RESPONSES,
    404: {"model": Problem, "description": "Nothing learned yet, or `model` is not racing."},
    503: {"model": Problem, "description": "The stored model was refused."},
}

ServedClassifier = Annotated[ServedModel[Classifier], Depends(served_model("classification"))]
ServedRegressor = Annotated[ServedModel[Regressor], Depends(served_model("regression"))]
# `all` names the parameter for callers; `every` keeps Python's builtin unshadowed.
EveryCandidate = Annotated[
    bool,
    Query(
        alias="all",
        description="Also every racing candidate's answer for the same person, in "
        "`candidates`: the whole leaderboard asked in one request.",
        examples=[True],
    ),
]


def _asked(served: ServedModel, every: bool) -> tuple[str, ...]:
    """The candidates to answer: every one racing (the reference first), or the one that
    answers (the served candidate is always among those racing)."""
    return served.task.live_race.names() if every else (served.candidate,)


async def predict_promoted(
    body: ClassificationInput, served: ServedClassifier, every: EveryCandidate = False
) -> ClassificationPrediction:
    """Would this person be promoted, how sure is the model, and why? The champion's
    answer, or the named candidate's; with `all=true`, every candidate's too."""

    answers = {
        name: promotion_answer(served.task, body.competence, body.network_ability, name)
        for name in _asked(served, every)
    }
    return ClassificationPrediction(
        **answers[served.candidate],
        model_version=served.version,
        candidates=[ClassificationAnswer(**a) for a in answers.values()] if every else None,
    )


async def predict_network_ability(
    body: RegressionInput, served: ServedRegressor, every: EveryCandidate = False
) -> RegressionPrediction:
    """network_ability for this competence and promotion, and the terms it adds up from:
    the champion's answer, or the named candidate's; with `all=true`, every candidate's too."""

    answers = {
        name: network_ability_answer(served.task, body.competence, body.promoted, name)
        for name in _asked(served, every)
    }
    return RegressionPrediction(
        **answers[served.candidate],
        model_version=served.version,
        candidates=[RegressionAnswer(**a) for a in answers.values()] if every else None,
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
