"""Data access. Every function takes a session; the caller owns the transaction."""

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any, get_type_hints

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from api.learning.committed import CommittedRecord, TickCommit
from api.learning.cursor import Cursor
from api.learning.names import CLASSIFICATION, TASKS, TaskName
from api.learning.rows import RaceRow
from api.models import (
    Base,
    ChampionChange,
    Checkpoint,
    DriftEvent,
    HeldRow,
    LearnedRow,
    LearnerCursor,
    LearnerLease,
    ModelRecord,
    ModelReset,
    ModelSnapshot,
    QuarantinedRow,
    Recovery,
    RewindRequest,
    utc_now,
)

CURSOR_ID = 1
LEASE_ID = 1
# The cursor's fields are columns of `learner_cursor`, of the same names.
CURSOR_COLUMNS = tuple(cursor_field.name for cursor_field in fields(Cursor))
COMMITTED_FIELDS = tuple(get_type_hints(CommittedRecord))
CHECKPOINT_COLUMNS = (
    "next_page",
    "last_id",
    "rows_seen",
    "rows_quarantined",
    "rows_held",
    "held",
)


def create_lease(session: Session) -> None:
    """The one lease row learners compete for, unless it exists; the caller flushes."""
    if session.get(LearnerLease, LEASE_ID) is None:
        session.add(LearnerLease(id=LEASE_ID, holder="", expires_at=datetime.fromtimestamp(0, UTC)))


def hold_lease(
    session: Session, *, holder: str, seconds: float, take_over: str | None = None
) -> bool:
    """Take the learner lease if it is free or expired, or renew it if `holder` has it;
    also take it from `take_over`, a holder known to be dead.

    One conditional UPDATE: the database serialises competing holders, and inside a
    tick's transaction it fences off a learner whose lease another one has taken since.
    """
    now = utc_now()
    holders = [holder] if take_over is None else [holder, take_over]
    result = session.execute(
        update(LearnerLease)
        .where(LearnerLease.id == LEASE_ID)
        .where(or_(LearnerLease.holder.in_(holders), LearnerLease.expires_at < now))
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release_lease(session: Session, *, holder: str) -> None:
    session.execute(
        update(LearnerLease)
        .where(LearnerLease.id == LEASE_ID, LearnerLease.holder == holder)
        .values(expires_at=datetime.fromtimestamp(0, UTC))
    )


def read_cursor(session: Session) -> tuple[Cursor, datetime | None]:
    """The committed cursor and when it was committed (the epoch's cursor before any)."""
    row = session.get(LearnerCursor, CURSOR_ID)
    if row is None:
        return Cursor(), None
    cursor = Cursor(**{column: getattr(row, column) for column in CURSOR_COLUMNS})
    return cursor, row.updated_at


def read_committed_at(session: Session) -> datetime | None:
    """When the newest tick was committed; None before any."""
    return session.scalar(select(LearnerCursor.updated_at).where(LearnerCursor.id == CURSOR_ID))


def read_model_version(session: Session) -> int:
    version = session.scalar(
        select(LearnerCursor.model_version).where(LearnerCursor.id == CURSOR_ID)
    )
    return version or 0


def read_snapshots(session: Session, *, model_version: int) -> list[ModelSnapshot]:
    return list(
        session.scalars(select(ModelSnapshot).where(ModelSnapshot.model_version == model_version))
    )


def request_reset(session: Session, *, task: TaskName) -> ModelReset:
    reset = ModelReset(task=task)
    session.add(reset)
    session.flush()
    return reset


def read_pending_resets(session: Session) -> list[ModelReset]:
    query = select(ModelReset).where(ModelReset.applied_version.is_(None)).order_by(ModelReset.id)
    return list(session.scalars(query))


def read_quarantined_positions(session: Session, *, page: int) -> set[int]:
    return set(session.scalars(select(QuarantinedRow.position).where(QuarantinedRow.page == page)))


def read_rows_to_race(session: Session, *, after: int) -> list[RaceRow]:
    """The learned rows after the first `after`, in the order they were learned, as races
    take them."""
    columns = (
        LearnedRow.id,
        LearnedRow.competence,
        LearnedRow.network_ability,
        LearnedRow.promoted,
        LearnedRow.promoted_probability,
        LearnedRow.predicted_network_ability,
    )
    query = select(*columns).where(LearnedRow.rows_seen > after).order_by(LearnedRow.rows_seen)
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def read_reset_rows(session: Session, *, after: int) -> dict[int, list[str]]:
    """The tasks reset by an admin from each learned row on (numbered as `rows_seen`), for
    the rows after the first `after`: a reset takes effect with the first row of the tick
    that applied it."""
    first_rows = (
        select(func.min(LearnedRow.rows_seen), ModelReset.task)
        .join(LearnedRow, LearnedRow.model_version == ModelReset.applied_version)
        .group_by(ModelReset.id, ModelReset.task)
    )
    swaps: dict[int, set[str]] = {}
    for rows_seen, task in session.execute(first_rows):
        if rows_seen > after:
            swaps.setdefault(rows_seen, set()).add(task)
    return {rows_seen: sorted(tasks) for rows_seen, tasks in swaps.items()}


def read_recent_learned_values(session: Session, *, limit: int) -> list[tuple[float, float]]:
    """(competence, network_ability) of the last `limit` rows learned, oldest first."""
    query = (
        select(LearnedRow.competence, LearnedRow.network_ability)
        .order_by(LearnedRow.rows_seen.desc())
        .limit(limit)
    )
    return [(competence, ability) for competence, ability in session.execute(query)][::-1]


def read_held_rows(session: Session) -> list[HeldRow]:
    return list(session.scalars(select(HeldRow).order_by(HeldRow.taken)))


def read_quarantine(session: Session, *, limit: int) -> list[QuarantinedRow]:
    """The newest quarantined rows first."""
    query = select(QuarantinedRow).order_by(QuarantinedRow.id.desc()).limit(limit)
    return list(session.scalars(query))


def count_quarantine_reasons(session: Session) -> dict[str, int]:
    """How many rows were quarantined for each kind of reason (`reason_kind`)."""
    counts: dict[str, int] = {}
    for reason, count in session.execute(
        select(QuarantinedRow.reason, func.count()).group_by(QuarantinedRow.reason)
    ):
        kind = reason_kind(reason)
        counts[kind] = counts.get(kind, 0) + count
    return counts


def reason_kind(reason: str) -> str:
    """A reason without the value it quotes: what rows quarantined alike share.

    >>> reason_kind("outlier: competence 1e+06 is 2e+06 IQRs above the fence [-2, 3]")
    'outlier: competence'
    >>> reason_kind("'competence' must be finite, got nan")
    "'competence' must be finite"
    """
    if reason.startswith("outlier: "):
        return " ".join(reason.split(" ")[:2])
    return reason.split(", got ")[0]


def read_latest_record(session: Session, *, task: TaskName) -> ModelRecord | None:
    """The task's newest record that no rewind superseded."""
    return session.scalar(
        select(ModelRecord)
        .where(ModelRecord.task == task, ModelRecord.superseded.is_(False))
        .order_by(ModelRecord.model_version.desc())
        .limit(1)
    )


def committed_record(record: ModelRecord) -> CommittedRecord:
    """A record read back as the learner committed it."""
    return {name: getattr(record, name) for name in COMMITTED_FIELDS}  # type: ignore[return-value]


def read_drift_events(session: Session, *, task: TaskName) -> list[DriftEvent]:
    """The task's current drift events (a rewind supersedes those after it), oldest first."""
    query = select(DriftEvent).where(DriftEvent.task == task, DriftEvent.superseded.is_(False))
    return list(session.scalars(query.order_by(DriftEvent.rows_seen)))


def read_champion_changes(session: Session, *, task: TaskName) -> list[ChampionChange]:
    query = select(ChampionChange).where(
        ChampionChange.task == task, ChampionChange.superseded.is_(False)
    )
    return list(session.scalars(query.order_by(ChampionChange.rows_seen)))


def read_history(
    session: Session, *, task: TaskName, limit: int, thinned_to: int = 1
) -> list[ModelRecord]:
    """At most `limit` current records spread evenly over the whole history, newest
    included.

    Versions grow by one per learning tick, so the evenly spaced versions are computed
    rather than scanned. Old versions are thinned to one in `thinned_to` (retention): a
    wanted version that is gone gives way to the nearest such one kept. Any still missing
    (superseded by a rewind) are simply absent.
    """
    current = (ModelRecord.task == task, ModelRecord.superseded.is_(False))
    newest = session.scalar(select(func.max(ModelRecord.model_version)).where(*current))
    if newest is None:
        return []
    if newest <= limit:
        wanted = list(range(1, newest + 1))
    elif limit == 1:
        wanted = [newest]
    else:
        step = (newest - 1) / (limit - 1)
        wanted = [1 + round(i * step) for i in range(limit)]
    stand_ins = {v: max(thinned_to, round(v / thinned_to) * thinned_to) for v in wanted}
    query = select(ModelRecord).where(
        *current, ModelRecord.model_version.in_(set(wanted) | set(stand_ins.values()))
    )
    found = {record.model_version: record for record in session.scalars(query)}
    chosen = {v if v in found else stand_ins[v] for v in wanted} & found.keys()
    return [found[version] for version in sorted(chosen)]


def write_tick(session: Session, tick: TickCommit, *, snapshot_retention: int) -> None:
    """Rows, predictions, records, snapshots and the cursor of one tick; the caller commits."""
    if tick.learned:
        # Into the table, not the mapped class: a plain executemany, without the ORM's bulk
        # bookkeeping, which weighs on a catch-up's thousands of rows.
        learned_rows = Base.metadata.tables[LearnedRow.__tablename__]
        session.execute(insert(learned_rows), tick.learned)
    if tick.quarantined:
        session.execute(insert(QuarantinedRow), tick.quarantined)
    if tick.records:
        session.execute(insert(ModelRecord), tick.records)
    if tick.held:
        session.execute(insert(HeldRow), tick.held)
    for page, position in tick.released:
        session.execute(delete(HeldRow).where(HeldRow.page == page, HeldRow.position == position))
    if tick.drift_events:
        session.execute(insert(DriftEvent), tick.drift_events)
    if tick.champion_changes:
        session.execute(insert(ChampionChange), tick.champion_changes)
    for snapshot in tick.snapshots:
        session.add(ModelSnapshot(**snapshot))
    if tick.checkpoint is not None:
        session.add(Checkpoint(**tick.checkpoint))
        oldest_kept = tick.cursor.model_version - snapshot_retention + 1
        # A version a pending rewind goes back to stays until the rewind is carried out: the
        # tick in flight when an admin asked for it must not take it away.
        asked_for = select(RewindRequest.to_version).where(RewindRequest.applied_at.is_(None))
        for kept in (ModelSnapshot, Checkpoint):
            session.execute(
                delete(kept).where(
                    kept.model_version < oldest_kept, kept.model_version.not_in(asked_for)
                )
            )
    if tick.applied_resets:
        session.execute(
            update(ModelReset)
            .where(ModelReset.id.in_(tick.applied_resets))
            .values(applied_version=tick.cursor.model_version)
        )
    row = session.get(LearnerCursor, CURSOR_ID)
    if row is None:
        row = LearnerCursor(id=CURSOR_ID)
        session.add(row)
    for column in CURSOR_COLUMNS:
        setattr(row, column, getattr(tick.cursor, column))
    row.updated_at = utc_now()


def read_checkpoint(session: Session, *, model_version: int) -> Checkpoint | None:
    return session.get(Checkpoint, model_version)


def read_checkpoints(session: Session) -> list[Checkpoint]:
    """The kept versions' checkpoints, newest first."""
    return list(session.scalars(select(Checkpoint).order_by(Checkpoint.model_version.desc())))


def read_versions(session: Session) -> list[tuple[Checkpoint, ModelRecord | None]]:
    """The kept model versions, newest first, each with its classification record."""
    records = {
        record.model_version: record
        for record in session.scalars(
            select(ModelRecord).where(
                ModelRecord.task == CLASSIFICATION,
                ModelRecord.model_version.in_(select(Checkpoint.model_version)),
            )
        )
    }
    return [(c, records.get(c.model_version)) for c in read_checkpoints(session)]


def request_rewind(session: Session, *, to_version: int) -> RewindRequest | None:
    """Ask the learner to go back to `to_version`; None, and nothing asked, when that
    version is not kept.

    A tick prunes old versions, but none a pending request goes back to. So the request
    and the check that its version is kept must not cross a tick's commit: the lease row,
    which a tick's transaction updates first, is locked (PostgreSQL), and the request is
    written before the check (SQLite, where the first write waits for a tick's). Either a
    tick committed before the check, which then sees what it pruned, or the tick waits
    for the request, and keeps its version."""
    session.scalar(select(LearnerLease.id).where(LearnerLease.id == LEASE_ID).with_for_update())
    request = RewindRequest(to_version=to_version)
    session.add(request)
    session.flush()
    if read_checkpoint(session, model_version=to_version) is None:
        session.delete(request)
        session.flush()
        return None
    return request


def read_pending_rewinds(session: Session) -> list[RewindRequest]:
    query = select(RewindRequest).where(RewindRequest.applied_at.is_(None))
    return list(session.scalars(query.order_by(RewindRequest.id)))


def settle_rewinds(session: Session, *, ids: list[int], result: str) -> None:
    session.execute(
        update(RewindRequest)
        .where(RewindRequest.id.in_(ids))
        .values(applied_at=utc_now(), result=result)
    )


def write_rewind(
    session: Session,
    *,
    to: Checkpoint,
    from_version: int,
    new_version: int,
    races_at: int,
    reason: str,
) -> Recovery:
    """Make the state of version `to.model_version` the learner's again, as version
    `new_version`; the caller commits. Its snapshots and records are copied to the new
    version; what came after it is taken back: the rows learned and quarantined after it
    are deleted (the source serves them again), the records and events after it are kept
    but superseded, its held rows are held again, and the later snapshots go."""
    version = to.model_version
    for snapshot in read_snapshots(session, model_version=version):
        session.add(
            ModelSnapshot(
                task=snapshot.task,
                model_version=new_version,
                blob=snapshot.blob,
                signature=snapshot.signature,
            )
        )
    now = utc_now()
    for record in session.scalars(select(ModelRecord).where(ModelRecord.model_version == version)):
        copied = {name: getattr(record, name) for name in COMMITTED_FIELDS}
        session.add(ModelRecord(**{**copied, "model_version": new_version, "updated_at": now}))
    later = ModelRecord.model_version.between(version + 1, from_version)
    session.execute(update(ModelRecord).where(later).values(superseded=True))
    session.execute(delete(LearnedRow).where(LearnedRow.rows_seen > to.rows_seen))
    taken = to.rows_seen + to.rows_quarantined + to.rows_held
    legacy = QuarantinedRow.taken.is_(None) & or_(
        QuarantinedRow.source_id > (to.last_id if to.last_id is not None else -(2**31)),
        QuarantinedRow.source_id.is_(None) & (QuarantinedRow.page >= to.next_page),
    )
    session.execute(delete(QuarantinedRow).where(or_(QuarantinedRow.taken >= taken, legacy)))
    session.execute(delete(HeldRow))
    if to.held:
        session.execute(insert(HeldRow), to.held)
    session.execute(
        update(DriftEvent).where(DriftEvent.rows_seen > to.rows_seen).values(superseded=True)
    )
    session.execute(
        update(ChampionChange).where(ChampionChange.rows_seen > races_at).values(superseded=True)
    )
    gone = ModelSnapshot.model_version.between(version + 1, from_version)
    session.execute(delete(ModelSnapshot).where(gone))
    session.execute(
        delete(Checkpoint).where(Checkpoint.model_version.between(version + 1, from_version))
    )
    session.add(
        Checkpoint(
            **{column: getattr(to, column) for column in CHECKPOINT_COLUMNS},
            model_version=new_version,
        )
    )
    cursor = session.get(LearnerCursor, CURSOR_ID) or LearnerCursor(id=CURSOR_ID)
    session.add(cursor)
    for column in CHECKPOINT_COLUMNS:
        if column != "held":
            setattr(cursor, column, getattr(to, column))
    cursor.model_version, cursor.updated_at = new_version, now
    recovery = Recovery(
        from_version=from_version,
        to_version=version,
        new_version=new_version,
        rows_seen=to.rows_seen,
        reason=reason,
        at=now,
    )
    session.add(recovery)
    session.flush()
    return recovery


def read_recoveries(session: Session) -> list[Recovery]:
    return list(session.scalars(select(Recovery).order_by(Recovery.id)))


def read_last_recovery(session: Session) -> Recovery | None:
    return session.scalar(select(Recovery).order_by(Recovery.id.desc()).limit(1))


# --- retention: old rows and records pruned in small steps (`api.learner.retention`) ------


def _span(session: Session, column: Any) -> tuple[int | None, int | None]:
    # One aggregate a query: SQLite reads a lone min() or max() off the index, but scans
    # the whole table for both at once.
    return session.scalar(select(func.min(column))), session.scalar(select(func.max(column)))


def _delete_through(session: Session, column: Any, through: int) -> int:
    result = session.execute(delete(column.class_).where(column <= through))
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def read_learned_span(session: Session) -> tuple[int | None, int | None]:
    """The oldest and newest `rows_seen` of the learned rows kept."""
    return _span(session, LearnedRow.rows_seen)


def delete_learned_rows(session: Session, *, through: int) -> int:
    """Delete the learned rows up to row `through` (numbered as `rows_seen`)."""
    return _delete_through(session, LearnedRow.rows_seen, through)


def read_quarantine_prunable(session: Session, *, kept: int) -> tuple[int | None, int | None]:
    """The oldest quarantined row's id, and the newest id beyond the newest `kept` rows
    (None when no more are kept). Counted, not subtracted from the newest id: ids have
    gaps (a rewind deletes rows, a PostgreSQL sequence skips what a rollback took)."""
    oldest = session.scalar(select(func.min(QuarantinedRow.id)))
    newest_beyond = session.scalar(
        select(QuarantinedRow.id).order_by(QuarantinedRow.id.desc()).offset(kept).limit(1)
    )
    return oldest, newest_beyond


def delete_quarantined_rows(session: Session, *, through: int) -> int:
    return _delete_through(session, QuarantinedRow.id, through)


def read_races_floor(session: Session) -> int | None:
    """The oldest row a kept version's races stand at: the rows after it are raced again
    by a restore or a rewind to that version. None before any checkpoint."""
    checkpoints = select(Checkpoint.model_version)
    oldest = session.scalar(select(func.min(Checkpoint.rows_seen)))
    raced = session.scalar(
        select(func.min(ModelRecord.rows_raced)).where(
            ModelRecord.task == CLASSIFICATION, ModelRecord.model_version.in_(checkpoints)
        )
    )
    floors = [floor for floor in (oldest, raced) if floor is not None]
    return min(floors) if floors else None


def read_oldest_checkpoint(session: Session) -> int | None:
    return session.scalar(select(func.min(Checkpoint.model_version)))


def read_first_unthinned_version(session: Session, *, every: int) -> int | None:
    """The oldest version whose records thinning to one version in `every` would delete."""
    return session.scalar(
        select(ModelRecord.model_version)
        .where(ModelRecord.task == CLASSIFICATION, ModelRecord.model_version % every != 0)
        .order_by(ModelRecord.model_version)
        .limit(1)
    )


def thin_records(session: Session, *, first: int, last: int, every: int) -> int:
    """Delete the records of versions `first` to `last` but one version in `every`."""
    deleted = 0
    for task in TASKS:
        result = session.execute(
            delete(ModelRecord).where(
                ModelRecord.task == task,
                ModelRecord.model_version.between(first, last),
                ModelRecord.model_version % every != 0,
            )
        )
        deleted += result.rowcount  # type: ignore[attr-defined]
    return deleted
