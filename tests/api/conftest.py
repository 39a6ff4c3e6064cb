from collections.abc import Iterator

import pytest

from api.learner.loop import Learner
from harness.streams import CHECKPOINTS, learn, simulated
from tests.support.database import fresh_postgres_url
from tests.support.learners import learner_on


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


@pytest.fixture(scope="session")
def stationary_run():
    """50,000 simulated rows through both tasks in process, intervals read at 5,000 and
    50,000 rows: shared by the interval and the drift tests."""
    rows = list(simulated(50_000))
    tasks, events, snapshots = learn(rows, snapshot_at=CHECKPOINTS)
    return rows, tasks, events, snapshots
