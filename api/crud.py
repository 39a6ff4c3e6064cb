"""Data access. Every function takes a session; the caller owns the transaction."""

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.models import (
    Base,
    DriftEvent,
    LearnedRow,
    LearnerCursor,
    LearnerLease,
    ModelRecord,
    ModelReset,
    ModelSnapshot,
    QuarantinedRow,
    utc_now,
)

CURSOR_ID = 1
LEASE_ID = 1


@dataclass
class TickWrite:
    """Everything one tick commits, in one transaction."""

    next_page: int
    last_id: int | None
    model_version: int
    rows_seen: int
    rows_quarantined: int
    learned: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    applied_resets: list[int] = field(default_factory=list)
    drift_events: list[dict[str, Any]] = field(default_factory=list)


def create_tables(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        if session.get(LearnerLease, LEASE_ID) is None:
            session.add(
                LearnerLease(id=LEASE_ID, holder="", expires_at=datetime.fromtimestamp(0, UTC))
            )
            with contextlib.suppress(IntegrityError):  # another process created it first
                session.commit()


def hold_lease(session: Session, *, holder: str, seconds: float) -> bool:
    """Take the learner lease if it is free or expired, or renew it if `holder` has it.

    One conditional UPDATE: the database serialises competing holders, and inside a
    tick's transaction it fences off a learner whose lease another one has taken since.
    """
    now = utc_now()
    result = session.execute(
        update(LearnerLease)
        .where(LearnerLease.id == LEASE_ID)
        .where(or_(LearnerLease.holder == holder, LearnerLease.expires_at < now))
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release_lease(session: Session, *, holder: str) -> None:
    session.execute(
        update(LearnerLease)
        .where(LearnerLease.id == LEASE_ID, LearnerLease.holder == holder)
        .values(expires_at=datetime.fromtimestamp(0, UTC))
    )


def read_cursor(session: Session) -> LearnerCursor:
    cursor = session.get(LearnerCursor, CURSOR_ID)
    return (
        cursor
        if cursor is not None
        else LearnerCursor(
            id=CURSOR_ID,
            next_page=0,
            last_id=None,
            rows_seen=0,
            rows_quarantined=0,
            model_version=0,
        )
    )


def read_model_version(session: Session) -> int:
    version = session.scalar(
        select(LearnerCursor.model_version).where(LearnerCursor.id == CURSOR_ID)
    )
    return version or 0


def read_snapshots(session: Session, *, model_version: int) -> list[ModelSnapshot]:
    return list(
        session.scalars(select(ModelSnapshot).where(ModelSnapshot.model_version == model_version))
    )


def request_reset(session: Session, *, task: str) -> ModelReset:
    reset = ModelReset(task=task)
    session.add(reset)
    session.flush()
    return reset


def read_pending_resets(session: Session) -> list[ModelReset]:
    query = select(ModelReset).where(ModelReset.applied_version.is_(None)).order_by(ModelReset.id)
    return list(session.scalars(query))


def read_quarantined_positions(session: Session, *, page: int) -> set[int]:
    return set(session.scalars(select(QuarantinedRow.position).where(QuarantinedRow.page == page)))


def read_latest_record(session: Session, *, task: str) -> ModelRecord | None:
    return session.scalar(
        select(ModelRecord)
        .where(ModelRecord.task == task)
        .order_by(ModelRecord.model_version.desc())
        .limit(1)
    )


def read_drift_events(session: Session, *, task: str) -> list[DriftEvent]:
    query = select(DriftEvent).where(DriftEvent.task == task).order_by(DriftEvent.rows_seen)
    return list(session.scalars(query))


def read_history(session: Session, *, task: str, limit: int) -> list[ModelRecord]:
    """At most `limit` records spread evenly over the whole history, newest included.

    Versions grow by one per learning tick, so the evenly spaced versions are computed
    rather than scanned; any that are missing are simply absent.
    """
    newest = session.scalar(
        select(func.max(ModelRecord.model_version)).where(ModelRecord.task == task)
    )
    if newest is None:
        return []
    if newest <= limit:
        wanted = None
    elif limit == 1:
        wanted = {newest}
    else:
        step = (newest - 1) / (limit - 1)
        wanted = {1 + round(i * step) for i in range(limit)}
    query = select(ModelRecord).where(ModelRecord.task == task)
    if wanted is not None:
        query = query.where(ModelRecord.model_version.in_(wanted))
    return list(session.scalars(query.order_by(ModelRecord.model_version)))


def write_tick(session: Session, tick: TickWrite, *, snapshot_retention: int) -> None:
    """Rows, predictions, records, snapshots and the cursor of one tick; the caller commits."""
    if tick.learned:
        # Into the table, not the mapped class: a plain executemany, without the ORM's bulk
        # bookkeeping that cost a third of the commit on a catch-up's thousands of rows.
        learned_rows = Base.metadata.tables[LearnedRow.__tablename__]
        session.execute(insert(learned_rows), tick.learned)
    if tick.quarantined:
        session.execute(insert(QuarantinedRow), tick.quarantined)
    if tick.records:
        session.execute(insert(ModelRecord), tick.records)
    if tick.drift_events:
        session.execute(insert(DriftEvent), tick.drift_events)
    for snapshot in tick.snapshots:
        session.add(ModelSnapshot(**snapshot))
        session.execute(
            delete(ModelSnapshot).where(
                ModelSnapshot.task == snapshot["task"],
                ModelSnapshot.model_version <= tick.model_version - snapshot_retention,
            )
        )
    if tick.applied_resets:
        session.execute(
            update(ModelReset)
            .where(ModelReset.id.in_(tick.applied_resets))
            .values(applied_version=tick.model_version)
        )
    cursor = session.get(LearnerCursor, CURSOR_ID)
    if cursor is None:
        cursor = LearnerCursor(id=CURSOR_ID)
        session.add(cursor)
    cursor.next_page = tick.next_page
    cursor.last_id = tick.last_id
    cursor.model_version = tick.model_version
    cursor.rows_seen = tick.rows_seen
    cursor.rows_quarantined = tick.rows_quarantined
    cursor.updated_at = utc_now()
