"""Moments in the tables: aware UTC datetimes when read back, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from api.core.db import make_engine
from api.migrate import render_item, upgrade_database
from api.models import Base, ModelReset
from tests.support.database import query

INDIA = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
def session(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def stored_and_read_back(session: Session, moment: datetime) -> datetime:
    session.add(ModelReset(task="classification", requested_at=moment))
    session.commit()
    session.expunge_all()  # read from the database, not from the session's objects
    return session.query(ModelReset).one().requested_at


def test_a_moment_written_in_any_zone_reads_back_as_the_same_moment_in_utc(session):
    moment = datetime(2026, 11, 29, 23, 45, 1, 250_000, tzinfo=INDIA)
    read = stored_and_read_back(session, moment)
    assert read == moment
    assert read.tzinfo == UTC
    assert read.isoformat() == "2026-11-29T18:15:01.250000+00:00"


def test_a_moment_without_a_zone_is_refused(session):
    with pytest.raises(StatementError, match="has no zone"):
        stored_and_read_back(session, datetime(2026, 11, 29, 18, 15))


def test_sqlite_keeps_storing_utc_wall_time_as_release_1_did(sqlite_url):
    """The type changes what Python reads, not what the file holds: a database written
    before it reads the same, and one written after it reads the same in release 1."""
    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    with Session(engine) as session:
        stored_and_read_back(session, datetime(2026, 11, 29, 23, 45, 1, tzinfo=INDIA))
    engine.dispose()
    assert query(sqlite_url, "SELECT requested_at FROM model_reset") == [
        ("2026-11-29 18:15:01.000000",)
    ]


def test_autogenerate_writes_the_column_as_the_schema_holds_it(sqlite_url):
    """A revision generated from the models names no application type."""
    engine = create_engine(sqlite_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        operations = produce_migrations(context, Base.metadata).upgrade_ops
        code = render_python_code(operations, render_item=render_item, migration_context=context)
    engine.dispose()
    assert "sa.Column('requested_at', sa.DateTime(timezone=True)" in code
    assert "UtcDateTime" not in code
