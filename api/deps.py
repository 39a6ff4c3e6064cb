"""Request dependencies: the app's shared parts, the admin check, and what a per-task
route needs to exist before it answers (404, 503 and 409 otherwise)."""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Generic, NoReturn, TypeVar

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings
from api.core.security import token_matches
from api.learning.candidates import known_names
from api.learning.names import TaskName
from api.learning.task_protocol import Task
from api.serving import PublishedRecord, Serving
from api.supervisor import LearnerSupervisor


@dataclass
class Services:
    settings: Settings
    session_factory: sessionmaker[Session]
    serving: Serving
    supervisor: LearnerSupervisor | None  # None: LEARNER_ENABLED=false, serve only


# async, so FastAPI calls it on the event loop: a sync dependency costs every request a
# hop to the thread pool (measured: 290-330 us of API CPU a `latest` request, 95-105 us
# without it).
async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]

_bearer = HTTPBearer(auto_error=False, description="The ADMIN_TOKEN setting.")


def require_admin(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected = services.settings.ADMIN_TOKEN
    if expected is None or not expected.get_secret_value():
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Admin endpoints are disabled: ADMIN_TOKEN is not set."
        )
    if credentials is None or not token_matches(
        credentials.credentials, expected.get_secret_value()
    ):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "A valid admin token is required: Authorization: Bearer <ADMIN_TOKEN>.",
            headers={"WWW-Authenticate": "Bearer"},
        )


AdminDep = Depends(require_admin)


async def get_supervisor(services: ServicesDep) -> LearnerSupervisor:
    if services.supervisor is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "This process runs no learner (LEARNER_ENABLED=false)."
        )
    return services.supervisor


SupervisorDep = Annotated[LearnerSupervisor, Depends(get_supervisor)]

NOTHING_LEARNED = (
    "Nothing has been learned yet: the learner has not committed its first batch. "
    "Check GET /status and try again in a few seconds."
)


@dataclass(frozen=True)
class Published:
    """A dependency: what `read` finds published for `task`; 404 before the first commit.
    `Annotated[PublishedRecord, Depends(Published(task, Serving.latest))]` in a route."""

    task: TaskName
    read: Callable[[Serving, TaskName], PublishedRecord | None]

    async def __call__(self, services: ServicesDep) -> PublishedRecord:
        published = self.read(services.serving, self.task)
        if published is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, NOTHING_LEARNED)
        return published


TaskT = TypeVar("TaskT", bound=Task)


@dataclass(frozen=True)
class ServedModel(Generic[TaskT]):
    """The committed model a prediction comes from, and the candidate that answers."""

    version: int
    task: TaskT
    candidate: str


MODEL_REFUSED = (
    "The newest committed record exists but its model snapshot was refused (it failed "
    "signature verification), so there is no model to predict with. See GET /status."
)


def served_model(task: TaskName) -> Callable[..., Coroutine[Any, Any, ServedModel]]:
    """A dependency for `task`'s predict route: the newest committed model and the
    candidate that answers, the champion unless the `model` query parameter names another.
    404 before anything is learned or for a candidate not racing, 503 for a refused
    snapshot, 422 for a name outside the registry."""
    model_query = Query(
        description="A candidate to answer instead of the champion: one of GET "
        f"/{task}/leaderboard's candidates (another name of the registry: 404).",
        json_schema_extra={"enum": list(known_names(task))},
        examples=["reference"],
    )

    async def serve(
        services: ServicesDep, model: Annotated[str | None, model_query] = None
    ) -> ServedModel:
        served = services.serving.model(task)
        if served is None:
            if services.serving.latest(task) is not None:
                raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, MODEL_REFUSED)
            raise HTTPException(status.HTTP_404_NOT_FOUND, NOTHING_LEARNED)
        version, learned = served
        names = learned.live_race.names()
        if model is not None and model not in names:
            _refuse(task, model, names)
        return ServedModel(version, learned, model or learned.champion)

    return serve


def _refuse(task: TaskName, model: str, names: tuple[str, ...]) -> NoReturn:
    listed = ", ".join(names)
    if model in known_names(task):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"{model!r} is not racing (see {task.upper()}_CANDIDATES); the {task} "
            f"candidates are: {listed}.",
        )
    # Shaped as FastAPI's own 422, which Swagger documents for this parameter.
    message = f"No candidate named {model!r}; the {task} candidates are: {listed}."
    raise RequestValidationError(
        [{"type": "value_error", "loc": ("query", "model"), "msg": message, "input": model}]
    )
