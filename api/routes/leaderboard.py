"""The race of each task's candidates: who is champion, everyone's scores, and over time."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api import crud
from api.deps import ServicesDep
from api.leaderboard import RANKING_METRIC, history_point
from api.routes.records import PUBLISHED_RESPONSES, published_response
from api.schemas import Leaderboard, LeaderboardHistory
from api.serving import to_json


def leaderboard_router(task: str) -> APIRouter:
    router = APIRouter(prefix=f"/{task}", tags=[task])

    @router.get(
        "/leaderboard", response_model=Leaderboard, responses=PUBLISHED_RESPONSES,
        name=f"read_{task}_leaderboard",
    )  # fmt: skip
    async def read_leaderboard(request: Request, services: ServicesDep) -> Response:
        """Every candidate's progressive scores, the champion, and each change of champion."""
        return published_response(request, services.serving.leaderboard(task))

    @router.get(
        "/leaderboard/history", response_model=LeaderboardHistory,
        name=f"read_{task}_leaderboard_history",
    )  # fmt: skip
    def read_leaderboard_history(
        services: ServicesDep,
        limit: Annotated[int, Query(ge=1, le=2000, description="Most points returned.")] = 200,
    ) -> Response:
        """Each candidate's rolling ranking metric over up to `limit` ticks, oldest first."""
        with services.session_factory() as session:
            records = crud.read_history(session, task=task, limit=limit)
        points = [history_point(record) for record in records]
        body = {"task": task, "metric": RANKING_METRIC[task], "points": points}
        return Response(to_json(body), media_type="application/json")

    return router


classification_router = leaderboard_router("classification")
regression_router = leaderboard_router("regression")
