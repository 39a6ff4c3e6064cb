"""The learner's status, liveness, and the admin switches."""

import json
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api import crud
from api.deps import AdminDep, Services, ServicesDep, SupervisorDep
from api.learner.status import recovery_fields
from api.learning.names import TaskName
from api.routes.admin import ADMIN_RESPONSES
from api.schemas import (
    Health,
    LastRecovery,
    LearnerProcess,
    Quarantine,
    QuarantinedRow,
    ResetRequested,
    Status,
)
from api.supervisor import LearnerSupervisor

router = APIRouter(tags=["operations"])


@router.get("/health")
async def read_health() -> Health:
    """Liveness: 200 while the process serves."""
    return Health()


@router.get("/metrics", response_class=PlainTextResponse)
async def read_metrics(services: ServicesDep) -> PlainTextResponse:
    """Prometheus metrics: the learner's rows, ticks, faults, events and state, the API's
    request latency and refusals (docs/monitoring.md)."""
    learner_metrics = services.supervisor.metrics_text if services.supervisor else ""
    return PlainTextResponse(
        generate_latest().decode() + learner_metrics, media_type=CONTENT_TYPE_LATEST
    )


@router.get("/status")
def read_status(services: ServicesDep) -> Status:
    """Where the learner stands: state, cursor, counts, the last error, its process."""
    return _status(services)


def _status(services: Services) -> Status:
    supervisor = services.supervisor
    child = supervisor.status if supervisor is not None and supervisor.alive else None
    if child is not None:
        cursor, last_tick_at = child.cursor, child.last_tick_at
        state, last_error = child.state, child.last_error
        last_recovery = child.last_recovery
    else:
        with services.session_factory() as session:
            cursor, last_tick_at = crud.read_cursor(session)
            recovery = crud.read_last_recovery(session)
        last_recovery = None if recovery is None else recovery_fields(recovery)
        state, last_error = "disabled", None
        if supervisor is not None:  # its learner process is not up (yet or again)
            state = "restarting" if supervisor.restarts else "starting"
            last_error = supervisor.last_exit
    return Status(
        state=state,
        **asdict(cursor),
        last_error=last_error,
        last_tick_at=last_tick_at,
        source_url=services.settings.CHALLENGE_API_URL,
        learner=None if supervisor is None else _process(supervisor),
        last_recovery=None if last_recovery is None else LastRecovery(**last_recovery),
    )


@router.get("/quarantine")
def read_quarantine(
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most rows returned.")] = 50,
) -> Quarantine:
    """The rows that were not learned, newest first, each with its reason."""
    with services.session_factory() as session:
        rows = crud.read_quarantine(session, limit=limit)
        reasons = crud.count_quarantine_reasons(session)
    return Quarantine(
        rows=[
            QuarantinedRow(
                id=row.source_id,
                reason=row.reason,
                payload=_as_received(row.payload),
                received_at=row.received_at,
            )
            for row in rows
        ],
        reasons=reasons,
    )


def _as_received(payload: str) -> Any:
    """The stored payload as the JSON it was, or its text if it was cut short or never
    was JSON (NaN is read back as the string "NaN", which JSON can carry)."""
    try:
        value = json.loads(payload, parse_constant=str)
    except ValueError:
        return payload
    return value


def _process(supervisor: LearnerSupervisor) -> LearnerProcess:
    running = supervisor.process if supervisor.alive else None
    return LearnerProcess(
        pid=running.pid if running else None,
        alive=supervisor.alive,
        restarts=supervisor.restarts,
        last_exit=supervisor.last_exit,
    )


@router.post(
    "/{task}/reset",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[AdminDep],
    responses={code: ADMIN_RESPONSES[code] for code in (401, 403)},
)
def reset_model(task: TaskName, services: ServicesDep) -> ResetRequested:
    """Start the task's model afresh from the next learned rows; its history is kept."""
    with services.session_factory() as session, session.begin():
        reset = crud.request_reset(session, task=task)
        reset_id, requested_at = reset.id, reset.requested_at
    detail = f"The learner starts a fresh {task} model with the next learned rows."
    return ResetRequested(task=task, reset_id=reset_id, requested_at=requested_at, detail=detail)


@router.post("/learner/pause", dependencies=[AdminDep], responses=ADMIN_RESPONSES)
async def pause_learner(services: ServicesDep, supervisor: SupervisorDep) -> Status:
    """Stop learning after the current tick; the API keeps serving."""
    await supervisor.set_paused(True)
    return _status(services).model_copy(update={"state": "paused"})


@router.post("/learner/resume", dependencies=[AdminDep], responses=ADMIN_RESPONSES)
async def resume_learner(services: ServicesDep, supervisor: SupervisorDep) -> Status:
    """Learn again from the committed cursor."""
    await supervisor.set_paused(False)
    status = _status(services)
    return status.model_copy(update={"state": "running"}) if status.state == "paused" else status
