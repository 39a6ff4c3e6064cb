"""Taking the learner back to a kept model version, asked for by an admin or done by the
learner itself when the state it would restore is damaged.

A rewind is one transaction (`crud.write_rewind`): the version's snapshots and records
are committed again as a new, larger version, what came after it is taken back, and the
rows after it are learned again from the source, exactly once. To heal, the learner
rewinds to the newest kept version that restores: its snapshots verify and load, its
checkpoint is a cursor a tick could have written, and the rows its races stand behind
are still in the database.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import crud
from api.learner.restore import Unrestorable, check_cursor, load_parts
from api.learning.cursor import Cursor
from api.learning.names import CLASSIFICATION
from api.models import Checkpoint, LearnedRow, ModelRecord, ModelSnapshot, Recovery

ADMIN_REWIND = "asked for by an admin"


class VersionNotKept(LookupError):
    """No checkpoint and snapshots are kept for that version."""


class CannotHeal(RuntimeError):
    """No kept version restores: the learner stays disabled, and says why."""


def rewind_to(session: Session, *, to_version: int, reason: str, key: str) -> Recovery:
    """Rewind to `to_version` in the caller's transaction; `VersionNotKept` or
    `Unrestorable` when it cannot be."""
    checkpoint = crud.read_checkpoint(session, model_version=to_version)
    if checkpoint is None:
        raise VersionNotKept(f"version {to_version} is not kept")
    check_restorable(session, checkpoint, key=key)
    cursor, _ = crud.read_cursor(session)
    return crud.write_rewind(
        session,
        to=checkpoint,
        from_version=cursor.model_version,
        new_version=newest_version(session) + 1,
        races_at=races_at(session, to_version, checkpoint.rows_seen),
        reason=reason,
    )


def heal(session: Session, *, reason: str, key: str) -> Recovery:
    """Rewind to the newest kept version that restores; `CannotHeal` when none does."""
    refused = []
    for checkpoint in crud.read_checkpoints(session):
        try:
            check_restorable(session, checkpoint, key=key)
        except Unrestorable as error:
            refused.append(str(error))
            continue
        return rewind_to(session, to_version=checkpoint.model_version, reason=reason, key=key)
    kept = "; ".join(refused) if refused else "no version is kept"
    raise CannotHeal(f"{reason}; and no kept version restores ({kept})")


def check_restorable(session: Session, checkpoint: Checkpoint, *, key: str) -> None:
    version = checkpoint.model_version
    check_cursor(
        Cursor(
            next_page=checkpoint.next_page,
            last_id=checkpoint.last_id,
            rows_seen=checkpoint.rows_seen,
            rows_quarantined=checkpoint.rows_quarantined,
            model_version=version,
            rows_held=checkpoint.rows_held,
        )
    )
    tasks, _ = load_parts(session, model_version=version, key=key)
    # The races race again the learned rows after the row they stand at: those must be kept.
    raced = min(
        task.race_blob.rows_raced if task.race_blob is not None else checkpoint.rows_seen
        for task in tasks.values()
    )
    oldest = session.scalar(select(func.min(LearnedRow.rows_seen)))
    if raced < checkpoint.rows_seen and oldest is not None and oldest > raced + 1:
        raise Unrestorable(
            f"the races of version {version} stand at row {raced}, but the learned rows "
            f"kept begin at row {oldest}"
        )


def races_at(session: Session, version: int, rows_seen: int) -> int:
    """How far the races had come at `version` (its record says; before the races ran
    behind, they stood with the learner)."""
    record = session.scalar(
        select(ModelRecord).where(
            ModelRecord.task == CLASSIFICATION, ModelRecord.model_version == version
        )
    )
    if record is None or record.rows_raced is None:
        return rows_seen
    return record.rows_raced


def newest_version(session: Session) -> int:
    """The largest model version ever committed: a rewind's version comes after it."""
    versions = [
        session.scalar(select(func.max(ModelRecord.model_version))),
        session.scalar(select(func.max(ModelSnapshot.model_version))),
        crud.read_model_version(session),
    ]
    return max(v for v in versions if v is not None)
