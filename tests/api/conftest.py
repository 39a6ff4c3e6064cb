import contextlib
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from api.core.config import Settings
from api.core.db import make_engine, make_session_factory
from api.learning.loop import Learner
from api.migrate import upgrade_database
from api.models import Base
from tests.api.streams import CHECKPOINTS, learn, simulated
from tests.support.processes import free_port


def stream_row(row_id: int, **overrides) -> dict:
    """A well-formed row as the challenge serves it, deterministic per id."""
    row = {
        "id": row_id,
        "competence": (row_id * 37 % 100) / 100,
        "network_ability": (row_id * 53 % 100) / 100,
        "promoted": row_id % 3 != 0,
    }
    return {**row, **overrides}


def page_of(first_id: int, count: int = 10) -> list[dict]:
    return [stream_row(i) for i in range(first_id, first_id + count)]


POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


def query(database_url: str, sql: str, **params) -> list[tuple]:
    """Rows of a read-only SQL query, on SQLite or PostgreSQL alike."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def learned_ids(database_url: str) -> list[int]:
    return [row[0] for row in query(database_url, "SELECT id FROM learned_row ORDER BY id")]


def make_settings(database_url: str, **overrides) -> Settings:
    values = {
        "DATABASE_URL": database_url,
        "CHALLENGE_API_URL": f"http://127.0.0.1:{free_port()}",
        "POLL_INTERVAL_SECONDS": 0.2,
        "ROLLING_WINDOW": 50,
        "SNAPSHOT_RETENTION": 3,
        "SECRET_KEY": "test-secret-key",
        "ADMIN_TOKEN": None,
        "LEARNER_ENABLED": False,
        **overrides,
    }
    return Settings(_env_file=None, **values)


def fresh_postgres_url() -> str:
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: .ci/run starts a PostgreSQL server for it")
        pytest.skip("TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server)")
    engine = create_engine(POSTGRES_URL)
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'api.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, sqlite_url) -> str:
    """The same test on a SQLite file and on the PostgreSQL server of TEST_POSTGRES_URL."""
    return sqlite_url if request.param == "sqlite" else fresh_postgres_url()


@contextlib.contextmanager
def learner_on(database_url: str, **overrides) -> Iterator[Learner]:
    """A learner on a real database, fed pages by the test instead of HTTP."""
    settings = make_settings(database_url, **overrides)
    engine = make_engine(settings.DATABASE_URL)
    upgrade_database(engine)
    learner = Learner(settings, make_session_factory(engine))
    learner.restore()
    yield learner
    engine.dispose()


@pytest.fixture
def learner(database_url) -> Iterator[Learner]:
    with learner_on(database_url) as learner:
        yield learner


@pytest.fixture(scope="session")
def stationary_run():
    """50,000 simulated rows through both tasks in process, intervals read at 5,000 and
    50,000 rows: shared by the interval and the drift tests."""
    rows = list(simulated(50_000))
    tasks, events, snapshots = learn(rows, snapshot_at=CHECKPOINTS)
    return rows, tasks, events, snapshots
