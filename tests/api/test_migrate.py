"""Schema revisions: each matches the tables `create_all` made at its commit, a database
from before the revisions is recognised and upgraded, a newer one is refused."""

import os
import subprocess
import sys
import types

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, text

from api.core.db import make_engine
from api.migrate import (
    DatabaseNewerThanCode,
    UnknownSchema,
    migration_config,
    upgrade_database,
)
from api.models import Base
from harness.processes import PROJECT_ROOT, free_port
from tests.support.database import fresh_postgres_url, query
from tests.support.services import FAST_API_ENV

# The revisions written after `create_all` had made their schema, each with the commit
# whose `api/models.py` it reproduces. Later revisions are checked against the models.
HISTORY = [("0001", "c4cfc2c"), ("0002", "2f17eed"), ("0003", "8d7eda0")]
SCRIPT = ScriptDirectory.from_config(migration_config())
HEAD = SCRIPT.get_current_head()


def models_at(commit: str) -> MetaData:
    """`Base.metadata` as `api/models.py` declared it at `commit`."""
    source = subprocess.run(
        ["git", "show", f"{commit}:api/models.py"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType(f"models_at_{commit}")
    sys.modules[module.__name__] = module  # the mapper resolves annotations through it
    try:
        exec(compile(source, f"{commit}:api/models.py", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module.Base.metadata


def schema_differences(database_url: str, metadata: MetaData) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()


def revision_of(database_url: str) -> str | None:
    rows = query(database_url, "SELECT version_num FROM alembic_version")
    return rows[0][0] if rows else None


def migrate_to(database_url: str, revision: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(migration_config(connection), revision)
    finally:
        engine.dispose()


def create_all_at(database_url: str, commit: str) -> None:
    engine = create_engine(database_url)
    models_at(commit).create_all(engine)
    engine.dispose()


def sqlite_ddl(database_url: str) -> set[tuple[str, str]]:
    sql = "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'alembic%' AND sql IS NOT NULL"
    return set(query(database_url, sql))


def test_the_revisions_are_one_line_that_starts_with_the_create_all_schemas():
    """One head, so every database has one way up; release 1's schemas come first."""
    line = [revision.revision for revision in reversed(list(SCRIPT.walk_revisions()))]
    assert SCRIPT.get_heads() == [HEAD] == line[-1:]
    assert line[: len(HISTORY)] == [revision for revision, _ in HISTORY]


@pytest.mark.e2e  # git show
@pytest.mark.parametrize(("revision", "commit"), HISTORY)
def test_each_revision_builds_the_schema_create_all_made_at_its_commit(
    database_url, revision, commit
):
    """Migrated from nothing to the revision, the database has exactly the tables, columns,
    types, keys, constraint names and indexes of that commit's models."""
    migrate_to(database_url, revision)
    assert schema_differences(database_url, models_at(commit)) == []


@pytest.mark.e2e  # git show
@pytest.mark.parametrize(("revision", "commit"), HISTORY)
def test_on_sqlite_each_revision_writes_the_same_ddl_as_create_all_at_its_commit(
    tmp_path, revision, commit
):
    """SQLite keeps each table's CREATE statement: they are identical, word for word."""
    migrated, created = (f"sqlite:///{tmp_path / name}.db" for name in ("migrated", "created"))
    migrate_to(migrated, revision)
    create_all_at(created, commit)
    assert sqlite_ddl(migrated) == sqlite_ddl(created)
    assert len(sqlite_ddl(created)) > len(HISTORY)


def postgres_catalog(connection, schema: str) -> set[tuple]:
    """Every column, constraint and index of `schema` as PostgreSQL describes them, with
    the serial defaults that tell an autoincrementing key from a plain integer."""
    queries = [
        "SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length,"
        " is_nullable, column_default FROM information_schema.columns"
        " WHERE table_schema = :schema AND table_name <> 'alembic_version'",
        "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)"
        " FROM pg_constraint WHERE connamespace = CAST(:schema AS regnamespace)"
        " AND conrelid::regclass::text <> 'alembic_version'",
        "SELECT tablename, indexname, replace(indexdef, :schema || '.', '') FROM pg_indexes"
        " WHERE schemaname = :schema AND tablename <> 'alembic_version'",
    ]
    return {
        (number, *row)
        for number, sql in enumerate(queries)
        for row in connection.execute(text(sql), {"schema": schema})
    }


@pytest.mark.postgres
@pytest.mark.parametrize(("revision", "commit"), HISTORY)
def test_on_postgresql_each_revision_builds_the_same_catalog_as_create_all_at_its_commit(
    revision, commit
):
    """create_all and the migrations each build into a schema of their own; PostgreSQL's
    catalog describes both alike, down to column order, defaults and constraint text."""
    url = fresh_postgres_url()
    admin = create_engine(url)
    catalogs = {}
    try:
        for schema in ("created", "migrated"):
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
            with engine.begin() as connection:
                if schema == "created":
                    models_at(commit).create_all(connection)
                else:
                    command.upgrade(migration_config(connection), revision)
                catalogs[schema] = postgres_catalog(connection, schema)
            engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS created, migrated CASCADE"))
        admin.dispose()
    assert catalogs["migrated"] == catalogs["created"]
    assert len(catalogs["created"]) > 30


def test_a_fresh_database_is_upgraded_to_the_models_with_its_lease(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    upgrade_database(engine)  # again, as every later start does: nothing to do
    engine.dispose()
    assert revision_of(database_url) == HEAD
    assert schema_differences(database_url, Base.metadata) == []
    assert query(database_url, "SELECT id, holder FROM learner_lease") == [(1, "")]


def test_every_revision_downgrades_to_nothing_and_upgrades_again(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    with engine.begin() as connection:
        command.downgrade(migration_config(connection), "base")
        assert inspect(connection).get_table_names() == ["alembic_version"]
    upgrade_database(engine)
    engine.dispose()
    assert schema_differences(database_url, Base.metadata) == []


@pytest.mark.e2e  # git show
@pytest.mark.parametrize(("revision", "commit"), HISTORY)
def test_a_database_made_by_create_all_is_stamped_with_its_revision_and_upgraded(
    database_url, revision, commit
):
    """No alembic_version, as every release-1 database: its tables name its revision, so it
    is stamped there and upgraded, keeping its rows."""
    create_all_at(database_url, commit)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO learner_cursor VALUES (1, 7, 70, 68, 2, 7, NULL)"))
    engine.dispose()
    engine = make_engine(database_url)
    upgrade_database(engine)
    engine.dispose()
    assert revision_of(database_url) == HEAD
    assert schema_differences(database_url, Base.metadata) == []
    assert query(database_url, "SELECT next_page, last_id, model_version FROM learner_cursor") == [
        (7, 70, 7)
    ]
    assert query(database_url, "SELECT count(*) FROM learner_lease") == [(1,)]


def test_a_database_at_a_revision_the_code_does_not_know_is_refused(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    with pytest.raises(DatabaseNewerThanCode, match=r"'0999'.*newer release.*Refusing to start"):
        upgrade_database(engine)
    engine.dispose()
    assert revision_of(database_url) == "0999"


@pytest.mark.e2e
@pytest.mark.parametrize("module", ["api", "api.learner"])
def test_the_api_and_the_learner_refuse_to_start_on_a_newer_database(sqlite_url, module):
    """The process exits at start, saying why, and leaves the database as it found it."""
    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    env = {
        **os.environ,
        **FAST_API_ENV,
        "DATABASE_URL": sqlite_url,
        "API_PORT": str(free_port()),
        "LEARNER_METRICS_PORT": str(free_port()),
    }
    result = subprocess.run(
        [sys.executable, "-m", module],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "schema revision '0999', which this code does not know" in result.stderr
    assert revision_of(sqlite_url) == "0999"


def test_our_tables_in_no_known_combination_are_left_alone(database_url):
    engine = make_engine(database_url)
    Base.metadata.tables["learner_cursor"].create(engine)
    with pytest.raises(UnknownSchema, match="learner_cursor"):
        upgrade_database(engine)
    assert inspect(engine).get_table_names() == ["learner_cursor"]
    engine.dispose()


@pytest.mark.e2e  # migrating processes
@pytest.mark.parametrize("start", ["fresh", "release 1"])
def test_processes_that_migrate_at_once_leave_one_schema_and_one_lease(
    database_url, tmp_path, start
):
    """Four `python -m api.migrate` started together, as the API and its learner start:
    each waits for the lock, one migrates, the others find nothing left to do."""
    if start == "release 1":
        create_all_at(database_url, HISTORY[-1][1])
    env = {**os.environ, "DATABASE_URL": database_url}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "api.migrate"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, outputs
    assert all(f"{HEAD} (head)" in output for output in outputs), outputs
    assert schema_differences(database_url, Base.metadata) == []
    assert query(database_url, "SELECT count(*) FROM learner_lease") == [(1,)]
