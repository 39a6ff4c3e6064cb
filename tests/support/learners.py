"""Learners in the test's own process, on a real database, fed pages by the test or by a
source over HTTP."""

import contextlib
import time
from collections.abc import Iterator

from api import crud
from api.core.config import Settings
from api.core.db import SQLITE_BUSY_TIMEOUT_SECONDS, make_engine, make_session_factory
from api.core.security import load_signed
from api.learner.loop import Learner
from api.learner.source import SourceClient
from api.learning.names import CLASSIFICATION, REGRESSION
from api.learning.tasks import Task
from api.migrate import upgrade_database
from harness.processes import free_port
from tests.support.rows import page_of

# For the apps that a test builds with admin endpoints on.
ADMIN_TOKEN = "test-admin-token"


def make_settings(database_url: str, **overrides) -> Settings:
    """Fast settings with the learner off and nothing read from `.env`."""
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


@contextlib.contextmanager
def learner_on(
    database_url: str,
    *,
    source: SourceClient | None = None,
    busy_timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS,
    **overrides,
) -> Iterator[Learner]:
    """A learner restored from the database, which is upgraded first."""
    settings = make_settings(database_url, **overrides)
    engine = make_engine(settings.DATABASE_URL, busy_timeout=busy_timeout)
    try:
        upgrade_database(engine)
        learner = Learner(settings, make_session_factory(engine), source=source)
        learner.restore()
        yield learner
        learner.close()
        learner.lease.release()  # as `run` does when it stops: another learner may go on
    finally:
        engine.dispose()


def settle_races(learner: Learner, *, timeout: float = 240) -> None:
    """Tick without new rows until the committed races have raced every learned row."""
    deadline = time.monotonic() + timeout
    while learner.rows_raced < learner.cursor.rows_seen:
        assert time.monotonic() < deadline, "the races did not catch up"
        learner.learn_and_commit([])


def learn_from_cursor(
    learner: Learner, pages: list, *, pages_per_tick: int, until_page: int
) -> None:
    """Tick from the learner's own cursor, as a source would serve it, up to `until_page`
    (after any rewind asked for, as a tick does)."""
    while True:
        learner.apply_rewind_requests()
        first = learner.cursor.next_page
        if first >= until_page:
            return
        learner.learn_and_commit(pages[first : min(first + pages_per_tick, until_page)])


def committed_tasks(learner: Learner) -> dict[str, Task]:
    """The tasks of the learner's last commit as the API loads them, races and all."""
    key = learner.settings.SECRET_KEY.get_secret_value()
    with learner.session_factory() as session:
        snapshots = crud.read_snapshots(session, model_version=learner.cursor.model_version)
    return {
        s.task: load_signed(s.blob, s.signature, key=key)
        for s in snapshots
        if s.task in (CLASSIFICATION, REGRESSION)
    }


def learn_a_few_ticks(database_url: str) -> None:
    """25 rows learned over three committed ticks, as the learner writes them."""
    with learner_on(database_url) as learner:
        for pages in ([page_of(1)], [page_of(11)], [page_of(21, count=5)]):
            learner.learn_and_commit(pages)
