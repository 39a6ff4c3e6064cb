"""The race of a task's candidates: who is champion, everyone's scores, and over time."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api import crud
from api.deps import Published, ServicesDep
from api.leaderboard import history_point
from api.learning.candidates import RANKING_METRICS
from api.learning.names import TaskName
from api.routes.responses import (
    PUBLISHED_RESPONSES,
    HistoryLimit,
    json_response,
    published_response,
)
from api.schemas import Leaderboard, LeaderboardHistory
from api.serving import PublishedRecord, Serving


def leaderboard_router(task: TaskName) -> APIRouter:
    router = APIRouter(prefix=f"/{task}", tags=[task])
    leaderboard_of_task = Depends(Published(task, Serving.leaderboard))

    @router.get(
        "/leaderboard",
        response_model=Leaderboard,
        responses=PUBLISHED_RESPONSES,
        name=f"read_{task}_leaderboard",
    )
    async def read_leaderboard(
        request: Request, board: Annotated[PublishedRecord, leaderboard_of_task]
    ) -> Response:
        """Every candidate's progressive scores, the champion, and each change of champion."""
        return published_response(request, board)

    @router.get(
        "/leaderboard/history",
        response_model=LeaderboardHistory,
        name=f"read_{task}_leaderboard_history",
    )
    def read_leaderboard_history(services: ServicesDep, limit: HistoryLimit = 200) -> Response:
        """Each candidate's rolling ranking metric over up to `limit` ticks, oldest first."""
        with services.session_factory() as session:
            records = crud.read_history(
                session, task=task, limit=limit, thinned_to=services.settings.OLDER_RECORDS_EVERY
            )
        points = [history_point(record) for record in records]
        return json_response({"task": task, "metric": RANKING_METRICS[task], "points": points})

    return router
