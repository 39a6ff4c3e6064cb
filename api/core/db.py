"""The database engine: any SQLAlchemy URL, with SQLite tuned for one writer and many readers."""

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def make_engine(url: str, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS) -> Engine:
    """An engine for `url`; on SQLite a write waits up to `busy_timeout` seconds for
    another writer's lock before it fails."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
    )

    def tune(dbapi_connection, _record) -> None:
        _tune_sqlite_connection(dbapi_connection, busy_timeout=busy_timeout)

    event.listen(engine, "connect", tune)
    return engine


def _tune_sqlite_connection(dbapi_connection, *, busy_timeout: float) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API read while the learner writes; NORMAL sync is still safe against
    # a killed process (only a power cut can lose the newest transaction).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
