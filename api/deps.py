"""Request dependencies: the app's shared parts and the admin check."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings
from api.core.security import token_matches
from api.serving import Serving
from api.supervisor import LearnerSupervisor


@dataclass
class Services:
    settings: Settings
    session_factory: sessionmaker[Session]
    serving: Serving
    supervisor: LearnerSupervisor | None  # None: LEARNER_ENABLED=false, serve only


# async, so FastAPI calls it on the event loop: a sync dependency costs every request a
# hop to the thread pool (the README's Performance section has the figures).
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
