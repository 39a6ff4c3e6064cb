"""The database schema: Alembic revisions in `api/migrations`, applied on start.

`python -m api.migrate` does what the API and the learner do on start: it brings the
database to the newest revision. With arguments it runs any Alembic command on the same
configuration, e.g. `python -m api.migrate current` or `... downgrade 0002`; no
`alembic.ini` is needed.
"""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import CommandLine, Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.orm import Session

from api import crud
from api.core.config import settings
from api.core.db import make_engine
from api.models import UtcDateTime

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Databases made by `create_all` before the revisions existed have no alembic_version;
# their tables say which revision they match. The schemas of commits c4cfc2c, 2f17eed and
# 8d7eda0 (release 1); every later schema is stamped by Alembic itself.
FIRST_TABLES = {
    "learned_row",
    "quarantined_row",
    "model_record",
    "model_snapshot",
    "learner_cursor",
}
CREATE_ALL_SCHEMAS = {
    "0001": FIRST_TABLES,
    "0002": FIRST_TABLES | {"learner_lease"},
    "0003": FIRST_TABLES | {"learner_lease", "model_reset"},
}

logger = logging.getLogger(__name__)

# Any constant: the key of PostgreSQL's advisory lock that serialises the migrating processes.
POSTGRES_LOCK_KEY = 7_160_601


class DatabaseNewerThanCode(RuntimeError):
    """The database was migrated by a newer release than this code knows."""


class UnknownSchema(RuntimeError):
    """The database holds some of our tables, but no revision and no known schema."""


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes a `UtcDateTime` column as what the schema holds,
    `DateTime(timezone=True)`, so that no revision imports the application's code."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def migration_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # A new revision file leaves `revision` linted and formatted like the rest of the code.
    hooks = {"lint": "check --fix --quiet", "format": "format --quiet"}
    config.set_section_option("post_write_hooks", "hooks", ", ".join(hooks))
    for name, options in hooks.items():
        config.set_section_option("post_write_hooks", f"{name}.type", "module")
        config.set_section_option("post_write_hooks", f"{name}.module", "ruff")
        config.set_section_option(
            "post_write_hooks", f"{name}.options", f"{options} REVISION_SCRIPT_FILENAME"
        )
    config.attributes["connection"] = connection
    return config


def upgrade_database(engine: Engine) -> None:
    """Bring the database to the newest revision and make sure the lease row exists.

    Every process calls this on start; one at a time gets the lock, the others then find
    the database already at the newest revision. Raises `DatabaseNewerThanCode` when the
    database's revision is one this code does not have.
    """
    with _locked(engine) as connection:
        config = migration_config(connection)
        context = MigrationContext.configure(connection)
        current = context.get_current_revision()
        if current is None:
            current = _recognise(connection)
            if current is not None:
                logger.info("tables made by create_all match revision %s: stamped", current)
                command.stamp(config, current)
        else:
            _refuse_unknown(config, current)
        command.upgrade(config, "head")
        head = context.get_current_revision()
        if head != current:
            logger.info(
                "database schema upgraded from %s to revision %s", current or "nothing", head
            )
        with Session(bind=connection) as session:
            crud.create_lease(session)
            session.flush()


def _recognise(connection: Connection) -> str | None:
    """The revision whose tables a database made by `create_all` holds; None when empty."""
    release_1_tables = CREATE_ALL_SCHEMAS["0003"]  # every table of the older schemas too
    ours = set(inspect(connection).get_table_names()) & release_1_tables
    if not ours:
        return None
    for revision, tables in CREATE_ALL_SCHEMAS.items():
        if ours == tables:
            return revision
    raise UnknownSchema(
        f"The database has the tables {sorted(ours)} but no alembic_version, and they match "
        "no schema a release made; refusing to change it."
    )


def _refuse_unknown(config: Config, current: str) -> None:
    script = ScriptDirectory.from_config(config)
    if current not in {revision.revision for revision in script.walk_revisions()}:
        raise DatabaseNewerThanCode(
            f"The database is at schema revision {current!r}, which this code does not know: "
            f"a newer release migrated it (this code's newest revision is "
            f"{script.get_current_head()!r}). Refusing to start; run the newer release, or "
            "restore a backup taken before the upgrade."
        )


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """One transaction that no other migrating process can enter until it ends."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                connection.execute(lock, {"key": POSTGRES_LOCK_KEY})
            yield connection
        return
    # sqlite3 begins a transaction only before DML, so DDL and the version check would run
    # unlocked; BEGIN IMMEDIATE takes the write lock first (SQLAlchemy's pysqlite recipe).
    immediate = make_engine(engine.url.render_as_string(hide_password=False))
    event.listen(immediate, "connect", _no_implicit_transactions)
    event.listen(
        immediate, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE")
    )
    try:
        with immediate.begin() as connection:
            yield connection
    finally:
        immediate.dispose()


def _no_implicit_transactions(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


def main(arguments: list[str]) -> None:
    engine = make_engine(settings.DATABASE_URL)
    try:
        if not arguments:
            upgrade_database(engine)
            arguments = ["current"]
        cli = CommandLine(prog="python -m api.migrate")
        options = cli.parser.parse_args(arguments)
        with _locked(engine) as connection:
            config = migration_config(connection)
            config.set_main_option("sqlalchemy.url", settings.DATABASE_URL.replace("%", "%%"))
            cli.run_cmd(config, options)
    finally:
        engine.dispose()


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (DatabaseNewerThanCode, UnknownSchema) as error:
        sys.exit(str(error))
