from collections.abc import Iterator

import pytest

from api.learner.loop import Learner
from harness.streams import CHECKPOINTS, learn, simulated
from tests.support.database import fresh_postgres_url
from tests.support.learners import learner_on, settle_races
from tests.support.rows import page_of


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'api.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, sqlite_url) -> str:
    """The same test on a SQLite file and on the PostgreSQL server of TEST_POSTGRES_URL."""
    return sqlite_url if request.param == "sqlite" else fresh_postgres_url()


@pytest.fixture
def learner(database_url) -> Iterator[Learner]:
    with learner_on(database_url) as learner:
        yield learner


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def learned_url(request, tmp_path_factory) -> str:
    """A database holding 25 learned rows over 3 ticks, races settled: learned once a module
    for the tests that only read it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('learned') / 'api.db'}"
    else:  # not the tests' own, which each test that asks for a fresh one empties
        url = fresh_postgres_url("learned")
    with learner_on(url) as learner:
        for first in (1, 11):
            learner.learn_and_commit([page_of(first)])
        learner.learn_and_commit([page_of(21, count=5)])
        settle_races(learner)
    return url


@pytest.fixture(scope="session")
def stationary_run():
    """50,000 simulated rows through both tasks in process, intervals read at 5,000 and
    50,000 rows: shared by the interval and the drift tests."""
    rows = list(simulated(50_000))
    tasks, events, snapshots = learn(rows, snapshot_at=CHECKPOINTS)
    return rows, tasks, events, snapshots
