"""What every chaos test needs: the API's settings for a fast catch-up, the learner's
ledger read straight from its SQLite file, and a line of figures printed per test."""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.core.db import make_engine, make_session_factory
from api.learning.loop import Learner
from api.learning.source import SourceClient
from api.migrate import upgrade_database
from tests.api.conftest import make_settings, page_of
from tests.support.fake_source import FakeSource
from tests.support.processes import Service, wait_until

# Short ticks, a short lease (a SIGKILLed holder blocks its successor for this long) and
# short back-off, so that each fault is met many times within a few seconds.
CHAOS_API_SETTINGS = {
    "POLL_INTERVAL_SECONDS": 0.2,
    "LEASE_SECONDS": 1,
    "BACKOFF_MAX_SECONDS": 1,
    "SOURCE_TIMEOUT_SECONDS": 2,
}


@dataclass(frozen=True)
class Ledger:
    """What the learner committed, read from its database by another connection."""

    learned_ids: list[int]
    quarantined: dict[int | None, str]
    quarantined_rows: int
    next_page: int
    last_id: int | None
    rows_seen: int
    rows_quarantined: int
    model_version: int
    snapshot_tasks: set[str]

    def duplicated(self) -> int:
        return len(self.learned_ids) - len(set(self.learned_ids))


def read_ledger(db_path: Path) -> Ledger:
    with sqlite3.connect(db_path, timeout=30) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM learned_row ORDER BY id")]
        quarantined = connection.execute("SELECT source_id, reason FROM quarantined_row").fetchall()
        cursor = connection.execute(
            "SELECT next_page, last_id, rows_seen, rows_quarantined, model_version "
            "FROM learner_cursor"
        ).fetchone() or (0, None, 0, 0, 0)
        snapshot_tasks = {
            task
            for (task,) in connection.execute(
                "SELECT task FROM model_snapshot WHERE model_version = ?", (cursor[4],)
            )
        }
    return Ledger(ids, dict(quarantined), len(quarantined), *cursor, snapshot_tasks=snapshot_tasks)


def committed_rows(db_path: Path) -> int:
    """Rows learned so far per the committed cursor; 0 before the first commit."""
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(db_path, timeout=30) as connection:
            row = connection.execute("SELECT rows_seen FROM learner_cursor").fetchone()
    except sqlite3.OperationalError:  # the tables are not created yet
        return 0
    return row[0] if row else 0


def status_of(api: Service) -> dict:
    return httpx.get(api.url + "/status", timeout=5).json()


def latest_of(api: Service, task: str) -> dict:
    response = httpx.get(f"{api.url}/{task}/latest", timeout=5)
    response.raise_for_status()
    return response.json()


def wait_for_rows(api: Service, rows: int, *, timeout: float) -> dict:
    """The learner's status once it has learned exactly `rows` rows."""
    return wait_until(
        lambda: (status := status_of(api))["rows_seen"] == rows and status,
        timeout=timeout,
        interval=0.2,
        message=f"{rows} rows learned",
    )


def assert_learned_exactly_once(api: Service, ledger: Ledger, good_ids: list[int]) -> None:
    """Every good id in learned_row once, both models and every candidate of the
    leaderboard scored on exactly those rows, and a restorable snapshot of both tasks at
    the cursor's model version."""
    assert ledger.learned_ids == good_ids
    assert ledger.rows_seen == len(good_ids)
    for task in ("classification", "regression"):
        latest = latest_of(api, task)
        assert latest["metrics"]["count"] == latest["rows_seen"] == len(good_ids), task
        assert latest["model_version"] == ledger.model_version
        board = httpx.get(f"{api.url}/{task}/leaderboard", timeout=5).json()
        assert len(board["candidates"]) > 1, "the default candidates race"
        for candidate in board["candidates"]:
            counts = candidate["rows_seen"], candidate["metrics"]["count"]
            assert counts == (len(good_ids), len(good_ids)), (task, candidate["name"])
    assert ledger.snapshot_tasks == {"classification", "regression"}


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "api.db"


@pytest.fixture
def figures(request, capsys):
    """Print the test's measured figures on one line, even when output is captured."""
    measured: dict[str, object] = {}
    yield measured
    if measured:
        line = " ".join(f"{name}={value}" for name, value in measured.items())
        with capsys.disabled():
            print(f"\n[reliability] {request.node.name}: {line}")


@pytest.fixture
def make_learner(db_path):
    """Build learners in this process on the test's SQLite file, fed by a fake source."""
    engines = []

    def build(
        *, busy_timeout: float | None = None, source: SourceClient | None = None, **overrides
    ) -> Learner:
        settings = make_settings(f"sqlite:///{db_path}", **overrides)
        engine = make_engine(settings.DATABASE_URL, **_busy(busy_timeout))
        engines.append(engine)
        upgrade_database(engine)
        learner = Learner(settings, make_session_factory(engine), source=source)
        learner.restore()
        return learner

    yield build
    for engine in engines:
        engine.dispose()


def _busy(timeout: float | None) -> dict:
    return {} if timeout is None else {"busy_timeout": timeout}


@pytest.fixture
def fake_source():
    """Build the learner's source client on a stream of `pages` full pages served over HTTP
    by this process, whose page N answers 503 while `fail(N)` is true."""
    sources: list[tuple[FakeSource, SourceClient]] = []

    def build(
        *, pages: int, fail: Callable[[int], bool] = lambda page: False, concurrency: int = 1
    ) -> SourceClient:
        def answer(page: int) -> tuple[int, Any]:
            if fail(page):
                return 503, {"detail": "injected fault"}
            return 200, page_of(page * 10 + 1) if page < pages else []

        source = FakeSource(answer)
        client = SourceClient(source.url, timeout=2, concurrency=concurrency)
        sources.append((source, client))
        return client

    yield build
    for source, client in sources:
        client.close()
        source.close()
