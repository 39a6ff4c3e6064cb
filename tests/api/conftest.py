import sqlite3
from pathlib import Path

import pytest

from api.core.config import Settings
from api.core.db import make_engine, make_session_factory
from api.crud import create_tables
from api.learning.learner import Learner
from api.serving import Serving
from tests.support.processes import Service, free_port
from tests.support.services import api_service, simulator_service


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


def learned_ids(db_path: Path) -> list[int]:
    with sqlite3.connect(db_path) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM learned_row ORDER BY id")]


def make_settings(db_path: Path, **overrides) -> Settings:
    values = {
        "DATABASE_URL": f"sqlite:///{db_path}",
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


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "api.db"


@pytest.fixture
def learner(db_path) -> Learner:
    """A learner on a real SQLite file, fed pages by the test instead of HTTP."""
    settings = make_settings(db_path)
    engine = make_engine(settings.DATABASE_URL)
    create_tables(engine)
    learner = Learner(settings, make_session_factory(engine), Serving())
    learner.restore()
    yield learner
    engine.dispose()


@pytest.fixture
def start_simulator(tmp_path):
    """Start `python -m simulator` with the given SIMULATOR_* settings; stopped at teardown."""
    started: list[Service] = []

    def start(*, port: int | None = None, **settings) -> Service:
        service = simulator_service(
            db_path=tmp_path / "simulator.db", log_dir=tmp_path, port=port, **settings
        )
        started.append(service.start())
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def start_api(tmp_path, db_path):
    """Start `python -m api` on the test's SQLite file; stopped at teardown."""
    started: list[Service] = []

    def start(*, source_url: str, port: int | None = None, **settings) -> Service:
        service = api_service(
            database_url=f"sqlite:///{db_path}", source_url=source_url, log_dir=tmp_path,
            port=port, **settings,
        )  # fmt: skip
        started.append(service.start())
        return service

    yield start
    for service in started:
        service.stop()
