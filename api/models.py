"""Tables. None is named `data`: that is the challenge's own table."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, read back as an aware UTC datetime on every backend. PostgreSQL keeps the
    zone; SQLite keeps none, so the moment is written there in UTC and given its zone back
    when read. The column is `DateTime(timezone=True)` as before: nothing stored changes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"{value!r} has no zone: the tables hold aware UTC moments")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LearnedRow(Base):
    """A stream row that was learned, with what each model predicted before learning it."""

    __tablename__ = "learned_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    page: Mapped[int]
    competence: Mapped[float] = mapped_column(Float)
    network_ability: Mapped[float] = mapped_column(Float)
    promoted: Mapped[bool]
    predicted_promoted: Mapped[bool]
    promoted_probability: Mapped[float] = mapped_column(Float)
    predicted_network_ability: Mapped[float] = mapped_column(Float)
    model_version: Mapped[int] = mapped_column(index=True)
    # Rows learned when it was learned, itself included: the order of learning, which is
    # the order of ids but for rows the outlier fence held back and learned later.
    rows_seen: Mapped[int] = mapped_column(index=True)


class QuarantinedRow(Base):
    """A row the source served that could not be learned, kept with the reason."""

    __tablename__ = "quarantined_row"
    __table_args__ = (UniqueConstraint("page", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[int]
    position: Mapped[int]
    source_id: Mapped[int | None]
    payload: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    # Rows taken before it, learned, quarantined or held: what a rewind takes back. Null
    # on rows quarantined before rewinds existed.
    taken: Mapped[int | None]


class HeldRow(Base):
    """A row the outlier fence holds back, until it is learned (a shift) or quarantined
    (an outlier); see `api.learning.held`."""

    __tablename__ = "held_row"
    __table_args__ = (UniqueConstraint("page", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[int]
    position: Mapped[int]
    source_id: Mapped[int]
    taken: Mapped[int]  # rows taken before it, learned, quarantined or held
    features: Mapped[str] = mapped_column(String(64))  # beyond the fence, comma-separated
    payload: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    held_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class ModelRecord(Base):
    """What one task's model looked like after one tick: metrics, coefficients, newest batch."""

    __tablename__ = "model_record"
    __table_args__ = (UniqueConstraint("task", "model_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[int]
    page: Mapped[int]
    rows_seen: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    rolling_metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    coefficients: Mapped[dict[str, float]] = mapped_column(JSON)
    # Null before enough rows, with the intervals off, and on records of release 1.
    coefficient_intervals: Mapped[dict[str, list[float]] | None] = mapped_column(JSON)
    batch: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The race after this tick: the champion's name and each candidate's name, rows_seen,
    # metrics and rolling_metrics. Null on records from before the leaderboard.
    champion: Mapped[str | None] = mapped_column(String(64))
    leaderboard: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # The rows the race had raced (it runs behind the reference). Null on records from
    # before it did: their race stood at rows_seen.
    rows_raced: Mapped[int | None]
    # Committed after the version a rewind went back to: kept, never served as current.
    superseded: Mapped[bool] = mapped_column(default=False)


def current_only(table: str, *columns: str) -> Index:
    """A unique index over the rows a rewind has not superseded: an event taken back by a
    rewind may happen again, at the same row, in the history that replaces it."""
    return Index(
        f"uq_{table}_current",
        *columns,
        unique=True,
        sqlite_where=text("superseded = 0"),
        postgresql_where=text("NOT superseded"),
    )


class RowEvent:
    """Columns of an event on one task's stream, committed with the tick that learned the
    row it happened on; at most one per task and row among the current ones."""

    __tablename__: str

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        return (current_only(cls.__tablename__, "task", "rows_seen"),)

    # First, as the migrations made them: a mixin's columns would otherwise come last.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    task: Mapped[str] = mapped_column(String(32), sort_order=-1)
    rows_seen: Mapped[int] = mapped_column(sort_order=-1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), sort_order=-1)
    superseded: Mapped[bool] = mapped_column(default=False)


class DriftEvent(RowEvent, Base):
    """A change of the world one of a task's detectors flagged: a rise of its progressive
    loss (ADWIN), a shift of a feature beyond the outlier fence (`fence`, naming the
    feature and its median before and after) or a coefficient that moved
    (`relationship`, naming the coefficient and its value before and after). At most one
    per task, row and detector."""

    __tablename__ = "drift_event"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        return (current_only(cls.__tablename__, "task", "rows_seen", "detector"),)

    detector: Mapped[str] = mapped_column(String(32))
    loss_before: Mapped[float] = mapped_column(Float)
    loss_after: Mapped[float] = mapped_column(Float)
    action: Mapped[str] = mapped_column(String(16))
    coefficient: Mapped[str | None] = mapped_column(String(32))
    feature: Mapped[str | None] = mapped_column(String(64))
    value_before: Mapped[float | None] = mapped_column(Float)
    value_after: Mapped[float | None] = mapped_column(Float)


class ChampionChange(RowEvent, Base):
    """A candidate took over as its task's champion, on the row on which it had led for
    long enough."""

    __tablename__ = "champion_change"

    previous: Mapped[str] = mapped_column(String(64))
    champion: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(16))
    previous_score: Mapped[float] = mapped_column(Float)
    champion_score: Mapped[float] = mapped_column(Float)


class ModelSnapshot(Base):
    """A task's pickled model and metric state, HMAC-signed; pruned to SNAPSHOT_RETENTION."""

    __tablename__ = "model_snapshot"
    __table_args__ = (
        UniqueConstraint("task", "model_version"),
        Index("ix_model_snapshot_task_version", "task", "model_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[int]
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class ModelReset(Base):
    """An admin's request to start a task's model afresh, applied by the learner in the
    next tick that learns rows (then `applied_version` is that tick's model version)."""

    __tablename__ = "model_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    applied_version: Mapped[int | None]


class Checkpoint(Base):
    """Where the stream stood at a model version whose snapshots are kept: what a rewind
    to it restores beside them (the held rows as JSON, `HeldRowValues`). Pruned with the
    snapshots."""

    __tablename__ = "checkpoint"

    model_version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    next_page: Mapped[int]
    last_id: Mapped[int | None]
    rows_seen: Mapped[int]
    rows_quarantined: Mapped[int]
    rows_held: Mapped[int]
    held: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class RewindRequest(Base):
    """An admin's request to take the learner back to a kept model version, applied by the
    learner at the start of its next tick (then `applied_at` and `result`)."""

    __tablename__ = "rewind_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_version: Mapped[int]
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    result: Mapped[str | None] = mapped_column(Text)


class Recovery(Base):
    """A rewind, asked for or done by the learner itself to heal: from the version it
    stood at, back to a kept one, committed as a new version."""

    __tablename__ = "recovery"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_version: Mapped[int]
    to_version: Mapped[int]
    new_version: Mapped[int]
    rows_seen: Mapped[int]  # of the version gone back to: where the charts mark it
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class LearnerLease(Base):
    """Who may learn: one holder at a time, until `expires_at` unless renewed."""

    __tablename__ = "learner_lease"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(String(128), default="")
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LearnerCursor(Base):
    """Where the stream stands: one row, moved in the same transaction as what was learned."""

    __tablename__ = "learner_cursor"

    id: Mapped[int] = mapped_column(primary_key=True)
    next_page: Mapped[int] = mapped_column(default=0)
    last_id: Mapped[int | None] = mapped_column(default=None)
    rows_seen: Mapped[int] = mapped_column(default=0)
    rows_quarantined: Mapped[int] = mapped_column(default=0)
    model_version: Mapped[int] = mapped_column(default=0)
    rows_held: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
