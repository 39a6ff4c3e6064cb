"""`latest` and `history` for each task: what the learner has committed."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from api import crud
from api.deps import ServicesDep
from api.schemas import ClassificationLatest, DriftEvents, History, Problem, RegressionLatest
from api.serving import PublishedRecord, record_to_dict, to_json

NOTHING_LEARNED = (
    "Nothing has been learned yet: the learner has not committed its first batch. "
    "Check GET /status and try again in a few seconds."
)


def _etag_matches(request: Request, etag: str) -> bool:
    candidates = request.headers.get("if-none-match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in candidates.split(",")) or (
        candidates.strip() == "*"
    )


def published_response(request: Request, published: PublishedRecord | None) -> Response:
    """A published body, or 304 when the client holds its ETag already."""
    if published is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOTHING_LEARNED)
    headers = {"ETag": published.etag, "Cache-Control": "no-cache"}
    if _etag_matches(request, published.etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(published.body, media_type="application/json", headers=headers)


PUBLISHED_RESPONSES: dict[int | str, dict] = {
    304: {"description": "Unchanged since the ETag sent in If-None-Match."},
    404: {"model": Problem, "description": "Nothing learned yet."},
}


def records_router(task: str, latest_model: type) -> APIRouter:
    router = APIRouter(prefix=f"/{task}", tags=[task])

    @router.get(
        "/latest", response_model=latest_model, responses=PUBLISHED_RESPONSES,
        name=f"read_{task}_latest",
    )  # fmt: skip
    async def read_latest(request: Request, services: ServicesDep) -> Response:
        """The newest committed record of the reference model: metrics, coefficients, the
        newest batch, and which candidate is champion."""
        return published_response(request, services.serving.latest(task))

    @router.get("/history", response_model=History, name=f"read_{task}_history")
    def read_history(
        services: ServicesDep,
        limit: Annotated[int, Query(ge=1, le=2000, description="Most points returned.")] = 200,
    ) -> Response:
        """Up to `limit` records spread evenly over the whole history, oldest first."""
        with services.session_factory() as session:
            records = crud.read_history(session, task=task, limit=limit)
        keep = (
            "model_version",
            "rows_seen",
            "updated_at",
            "metrics",
            "rolling_metrics",
            "coefficients",
            "coefficient_intervals",
        )
        points = [{key: record_to_dict(r)[key] for key in keep} for r in records]
        return Response(to_json({"task": task, "points": points}), media_type="application/json")

    @router.get("/drift", name=f"read_{task}_drift")
    def read_drift(services: ServicesDep) -> DriftEvents:
        """Every drift event of this task's progressive loss, oldest first."""
        with services.session_factory() as session:
            events = crud.read_drift_events(session, task=task)
        return DriftEvents.model_validate({"task": task, "events": [
            {"rows_seen": e.rows_seen, "updated_at": e.updated_at, "detector": e.detector,
             "loss_before": e.loss_before, "loss_after": e.loss_after, "action": e.action}
            for e in events
        ]})  # fmt: skip

    return router


classification_router = records_router("classification", ClassificationLatest)
regression_router = records_router("regression", RegressionLatest)
