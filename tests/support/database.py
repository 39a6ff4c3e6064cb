"""The learner's database read by another connection, on SQLite or PostgreSQL alike."""

import contextlib
import functools
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DatabaseError

from api.models import Base

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


def sqlite_url(directory: Path) -> str:
    """The URL of an API's SQLite database kept in `directory`."""
    return f"sqlite:///{directory / 'api.db'}"


def query(database_url: str, sql: str, **params) -> list[tuple]:
    """Rows of a read-only SQL query."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def learned_ids(database_url: str) -> list[int]:
    return [row[0] for row in query(database_url, "SELECT id FROM learned_row ORDER BY id")]


def committed_rows(database_url: str) -> int:
    """Rows learned so far per the committed cursor; 0 before the first commit."""
    try:
        rows = query(database_url, "SELECT rows_seen FROM learner_cursor")
    except DatabaseError:  # the tables are not created yet
        return 0
    return rows[0][0] if rows else 0


def fresh_postgres_url(purpose: str = "") -> str:
    """A database on the PostgreSQL server of TEST_POSTGRES_URL with the project's tables
    dropped: that URL's own, or under pytest-xdist one per worker, so that tests running
    side by side never drop each other's tables. A `purpose` names another one beside it,
    for a database a module keeps while its tests take fresh ones."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: .ci/run starts a PostgreSQL server for it")
        pytest.skip("TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server)")
    suffix = "_".join(filter(None, [os.environ.get("PYTEST_XDIST_WORKER"), purpose]))
    url = database_beside(POSTGRES_URL, suffix)
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return url


@functools.cache
def database_beside(url: str, suffix: str) -> str:
    """The URL of the database named as the one of `url` and `suffix`, created if missing."""
    if not suffix:
        return url
    server = make_url(url)
    name = f"{server.database}_{suffix}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")  # CREATE DATABASE needs it
    try:
        with engine.connect() as connection:
            exists = "SELECT 1 FROM pg_database WHERE datname = :name"
            if connection.execute(text(exists), {"name": name}).first() is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def postgres_copy(url: str, name: str) -> str:
    """A copy named `name` of the PostgreSQL database of `url`, replacing any of that name:
    cheaper than learning it again. No connection may be open on `url` meanwhile."""
    server = make_url(url)
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{server.database}"'))
    finally:
        engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def write_lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Hold SQLite's write lock on `db_path` (BEGIN IMMEDIATE) until the block ends."""
    connection = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield connection
        connection.execute("ROLLBACK")
    finally:
        connection.close()
