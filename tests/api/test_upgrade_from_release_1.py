"""A database release 1 made and learned into, upgraded by this code on start: the learner
goes on from the cursor release 1 stored."""

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from api.migrate import migration_config
from harness import loopback
from harness.processes import Service, wait_until
from simulator.store import RowStore
from tests.support.database import committed_rows, learned_ids, query
from tests.support.releases import release_api, release_tree, table_names

pytestmark = pytest.mark.e2e

# The last commit of release 1 (main when release 2 began); its tables have no revision.
RELEASE_1 = "f1ee8e09cb706f84a4f5d5ec1110044a901c9791"
SEED = 42


@pytest.fixture
def release_1_tree(tmp_path) -> Path:
    """Release 1's files, from the repository's history."""
    return release_tree(RELEASE_1, tmp_path)


def release_1_api(tree: Path, *, database_url: str, source_url: str, log_dir: Path) -> Service:
    return release_api(tree, database_url=database_url, source_url=source_url, log_dir=log_dir)


def versions_of(database_url: str, task: str) -> list[int]:
    sql = "SELECT model_version FROM model_record WHERE task = :task ORDER BY model_version"
    return [row[0] for row in query(database_url, sql, task=task)]


def test_release_1_database_is_upgraded_and_learning_goes_on_from_its_cursor(
    start_simulator, start_api, database_url, release_1_tree, tmp_path
):
    """Release 1 learns 25 rows, leaving page 2 half read; the stream grows to 60 and this
    code, started on the same database, learns rows 26..60: none lost, none twice, and the
    model versions and metric counts carry on from release 1's."""
    simulator = start_simulator(SIMULATOR_ROWS=25, SIMULATOR_SEED=SEED)
    with release_1_api(
        release_1_tree, database_url=database_url, source_url=simulator.url, log_dir=tmp_path
    ):
        wait_until(lambda: committed_rows(database_url) == 25, timeout=60, message="25 rows")
    assert query(database_url, "SELECT next_page, last_id FROM learner_cursor") == [(2, 25)]
    assert "alembic_version" not in table_names(database_url), "not release 1's own schema"
    before = {task: versions_of(database_url, task) for task in ("classification", "regression")}
    assert before["classification"] == before["regression"] != []
    release_1_version = before["classification"][-1]

    simulator.stop()
    RowStore(tmp_path / "simulator.db").append_generated(count=35, seed=SEED)
    simulator = start_simulator(SIMULATOR_SEED=SEED)
    api = start_api(database_url=database_url, source_url=simulator.url)
    wait_until(lambda: committed_rows(database_url) == 60, timeout=60, message="60 rows")

    head = ScriptDirectory.from_config(migration_config()).get_current_head()
    assert query(database_url, "SELECT version_num FROM alembic_version") == [(head,)]
    assert learned_ids(database_url) == list(range(1, 61))
    for task in ("classification", "regression"):
        versions = versions_of(database_url, task)
        assert versions[: len(before[task])] == before[task]
        assert versions == list(range(1, versions[-1] + 1))
        assert versions[-1] > release_1_version
        # Served once the API has heard of the commit, a moment after the database has it.
        latest = wait_until(
            lambda task=task: (
                (read := loopback.get(f"{api.url}/{task}/latest", timeout=5).json())["rows_seen"]
                == 60
                and read
            ),
            timeout=30,
            message=f"{task}: the API serving the newest commit",
        )
        assert latest["model_version"] == versions[-1]
        # Restored from release 1's snapshot, the metrics count its 25 rows as well.
        assert latest["metrics"]["count"] == 60
