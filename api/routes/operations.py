"""The learner's status, liveness, and the admin switches."""

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api import crud
from api.deps import AdminDep, Services, ServicesDep
from api.learning.learner import Learner
from api.schemas import Health, Problem, ResetRequested, Status
from api.serving import as_utc

router = APIRouter(tags=["operations"])


@router.get("/health")
async def read_health() -> Health:
    """Liveness: 200 while the process serves."""
    return Health()


@router.get("/metrics", response_class=PlainTextResponse)
async def read_metrics() -> PlainTextResponse:
    """Prometheus metrics: rows learned, ticks, tick duration, faults, request latency."""
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/status")
def read_status(services: ServicesDep) -> Status:
    """Where the learner stands: state, cursor, counts, the last error."""
    source_url = services.settings.CHALLENGE_API_URL
    if services.learner is not None:
        return _learner_status(services.learner, source_url)
    with services.session_factory() as session:
        cursor = crud.read_cursor(session)
    return Status(
        state="disabled", next_page=cursor.next_page, last_id=cursor.last_id,
        rows_seen=cursor.rows_seen, rows_quarantined=cursor.rows_quarantined,
        model_version=cursor.model_version, last_error=None,
        last_tick_at=as_utc(cursor.updated_at) if cursor.updated_at else None,
        source_url=source_url,
    )  # fmt: skip


def _learner_status(learner: Learner, source_url: str) -> Status:
    s = learner.status
    return Status(
        state=s.state, next_page=s.next_page, last_id=s.last_id, rows_seen=s.rows_seen,
        rows_quarantined=s.rows_quarantined, model_version=s.model_version,
        last_error=s.last_error, last_tick_at=s.last_tick_at, source_url=source_url,
    )  # fmt: skip


ADMIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or wrong admin token."},
    403: {"model": Problem, "description": "ADMIN_TOKEN is not set: admin endpoints are off."},
    409: {"model": Problem, "description": "This process runs no learner."},
}


def _learner(services: Services) -> Learner:
    if services.learner is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "This process runs no learner (LEARNER_ENABLED=false)."
        )
    return services.learner


@router.post(
    "/{task}/reset",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[AdminDep],
    responses={code: ADMIN_RESPONSES[code] for code in (401, 403)},
)
def reset_model(
    task: Literal["classification", "regression"], services: ServicesDep
) -> ResetRequested:
    """Start the task's model afresh from the next learned rows; its history is kept."""
    with services.session_factory() as session, session.begin():
        reset = crud.request_reset(session, task=task)
        reset_id, requested_at = reset.id, as_utc(reset.requested_at)
    return ResetRequested(
        task=task, reset_id=reset_id, requested_at=requested_at,
        detail=f"The learner starts a fresh {task} model with the next learned rows.",
    )  # fmt: skip


@router.post("/learner/pause", dependencies=[AdminDep], responses=ADMIN_RESPONSES)
async def pause_learner(services: ServicesDep) -> Status:
    """Stop learning after the current tick; the API keeps serving."""
    learner = _learner(services)
    learner.pause()
    return _learner_status(learner, services.settings.CHALLENGE_API_URL)


@router.post("/learner/resume", dependencies=[AdminDep], responses=ADMIN_RESPONSES)
async def resume_learner(services: ServicesDep) -> Status:
    """Learn again from the committed cursor."""
    learner = _learner(services)
    learner.resume()
    return _learner_status(learner, services.settings.CHALLENGE_API_URL)
