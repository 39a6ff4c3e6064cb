"""`latest`, `history` and `drift` of a task: what the learner has committed."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api import crud
from api.deps import Published, ServicesDep
from api.learning.names import TaskName
from api.routes.responses import (
    PUBLISHED_RESPONSES,
    HistoryLimit,
    json_response,
    published_response,
)
from api.schemas import (
    ClassificationLatest,
    DriftEvents,
    History,
    HistoryPoint,
    RegressionLatest,
)
from api.serving import PublishedRecord, Serving

LATEST_SCHEMAS = {"classification": ClassificationLatest, "regression": RegressionLatest}


def records_router(task: TaskName) -> APIRouter:
    router = APIRouter(prefix=f"/{task}", tags=[task])
    latest_of_task = Depends(Published(task, Serving.latest))

    @router.get(
        "/latest",
        response_model=LATEST_SCHEMAS[task],
        responses=PUBLISHED_RESPONSES,
        name=f"read_{task}_latest",
    )
    async def read_latest(
        request: Request, latest: Annotated[PublishedRecord, latest_of_task]
    ) -> Response:
        """The newest committed record of the reference model: metrics, coefficients, the
        newest batch, and which candidate is champion."""
        return published_response(request, latest)

    @router.get("/history", response_model=History, name=f"read_{task}_history")
    def read_history(services: ServicesDep, limit: HistoryLimit = 200) -> Response:
        """Up to `limit` records spread evenly over the whole history, oldest first."""
        with services.session_factory() as session:
            records = crud.read_history(
                session, task=task, limit=limit, thinned_to=services.settings.OLDER_RECORDS_EVERY
            )
        points = [{key: getattr(r, key) for key in HistoryPoint.model_fields} for r in records]
        return json_response({"task": task, "points": points})

    @router.get("/drift", name=f"read_{task}_drift")
    def read_drift(services: ServicesDep) -> DriftEvents:
        """Every drift event of this task, oldest first, and every rewind."""
        with services.session_factory() as session:
            events = crud.read_drift_events(session, task=task)
            rewinds = crud.read_recoveries(session)
            return DriftEvents.model_validate(
                {"task": task, "events": events, "rewinds": rewinds}, from_attributes=True
            )

    return router
