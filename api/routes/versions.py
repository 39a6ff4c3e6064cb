"""The kept model versions, and the admin's rewind to one of them."""

from fastapi import APIRouter, HTTPException, status

from api import crud
from api.deps import AdminDep, ServicesDep
from api.routes.admin import ADMIN_RESPONSES
from api.routes.responses import BODY_RESPONSES
from api.schemas import KeptVersion, KeptVersions, Problem, RewindAccepted, RewindBody

router = APIRouter(prefix="/learner", tags=["operations"])


@router.get("/versions")
def read_versions(services: ServicesDep) -> KeptVersions:
    """The versions a rewind can go back to, newest first."""
    with services.session_factory() as session:
        kept = crud.read_versions(session)
    return KeptVersions(
        versions=[
            KeptVersion(
                model_version=checkpoint.model_version,
                rows_seen=checkpoint.rows_seen,
                page=None if record is None else record.page,
                updated_at=None if record is None else record.updated_at,
            )
            for checkpoint, record in kept
        ]
    )


@router.post(
    "/rewind",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[AdminDep],
    responses={
        **BODY_RESPONSES,
        **{code: ADMIN_RESPONSES[code] for code in (401, 403)},
        404: {"model": Problem, "description": "That version is not kept."},
    },
)
def rewind_learner(body: RewindBody, services: ServicesDep) -> RewindAccepted:
    """Take the models, races, metrics and cursor back to a kept version; the rows after
    it are learned again, and the first commit after it is a new, larger version."""
    with services.session_factory() as session, session.begin():
        request = crud.request_rewind(session, to_version=body.model_version)
        if request is None:
            kept = [c.model_version for c in crud.read_checkpoints(session)]
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"Version {body.model_version} is not kept; the kept versions are: "
                f"{', '.join(map(str, kept)) or 'none yet'}.",
            )
        request_id = request.id
    return RewindAccepted(
        request_id=request_id,
        to_version=body.model_version,
        detail=f"The learner goes back to version {body.model_version} before its next tick.",
    )
