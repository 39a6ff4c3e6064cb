"""The learner's tick logic on a real SQLite file, with pages handed in directly."""

import subprocess
import sys
from dataclasses import replace

import pytest

from api import crud
from api.learning.cursor import Cursor
from api.learning.names import CLASSIFICATION, REGRESSION
from harness.processes import PROJECT_ROOT
from tests.support.database import learned_ids, query
from tests.support.learners import learn_a_few_ticks, settle_races
from tests.support.rows import page_of, stream_row


def test_full_pages_are_learned_and_the_cursor_moves_past_them(learner, database_url):
    """Two full pages: 20 rows learned, next page 2, one model version."""
    assert learner.learn_and_commit([page_of(1), page_of(11)]) is True
    assert learned_ids(database_url) == list(range(1, 21))
    assert (learner.cursor.next_page, learner.cursor.last_id) == (2, 20)
    assert learner.cursor.model_version == 1
    assert learner.cursor.rows_seen == 20


def test_partial_last_page_that_fills_later_is_never_learned_twice(learner, database_url):
    """Page 1 first seen with 3 rows, later with 10: only the 7 new rows are learned."""
    learner.learn_and_commit([page_of(1), page_of(11, count=3)])
    assert learner.cursor.next_page == 1
    learner.learn_and_commit([page_of(11, count=10), page_of(21, count=2)])
    assert learned_ids(database_url) == list(range(1, 23))
    assert (learner.cursor.next_page, learner.cursor.last_id) == (2, 22)


def test_an_empty_page_commits_nothing(learner, database_url):
    """The end of the stream is not an error, and a tick that finds nothing commits nothing
    once the candidates' race has caught up; until then it commits how far they came."""
    assert learner.learn_and_commit([[]]) is False
    learner.learn_and_commit([page_of(1, count=4)])
    assert learner.cursor.model_version == 1
    settle_races(learner)  # the race's progress may commit versions of its own
    settled = learner.cursor.model_version
    assert learner.learn_and_commit([page_of(1, count=4)]) is False
    assert learner.cursor.model_version == settled
    assert learned_ids(database_url) == [1, 2, 3, 4]


def test_bad_rows_are_quarantined_once_with_their_reason(learner, database_url):
    """A bad row is stored with its reason, never learned, and not stored again on refetch."""
    page = page_of(1, count=5)
    page[1] = stream_row(2, competence="abc")
    page[3] = {"competence": 0.1, "network_ability": 0.2, "promoted": True}  # no id at all
    learner.learn_and_commit([page])
    learner.learn_and_commit([[*page, stream_row(6)]])
    assert learned_ids(database_url) == [1, 3, 5, 6]
    stored = query(
        database_url,
        "SELECT page, position, source_id, reason FROM quarantined_row ORDER BY position",
    )
    assert stored == [
        (0, 1, 2, "'competence' must be a number, got 'abc'"),
        (0, 3, None, "missing field 'id'"),
    ]
    assert learner.cursor.rows_quarantined == 2
    assert learner.cursor.rows_seen == 4


def test_a_failed_commit_leaves_the_models_at_the_committed_state(
    learner, database_url, monkeypatch
):
    """When the transaction fails, nothing is half-learned: the retry learns each row once."""
    learner.learn_and_commit([page_of(1)])
    real_write = crud.write_tick

    def failing_write(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(crud, "write_tick", failing_write)
    with pytest.raises(RuntimeError, match="disk full"):
        learner.learn_and_commit([page_of(11)])
    monkeypatch.setattr(crud, "write_tick", real_write)

    learner.learn_and_commit([page_of(11)])
    assert learned_ids(database_url) == list(range(1, 21))
    for task in (CLASSIFICATION, REGRESSION):
        assert learner.tasks[task].scores.report()["count"] == 20


def test_snapshots_are_pruned_to_the_retention(learner, database_url):
    """SNAPSHOT_RETENTION=3: after 6 ticks only versions 4-6 of each task and of the
    outlier fence remain."""
    for first in range(1, 61, 10):
        learner.learn_and_commit([page_of(first)])
    kept = query(
        database_url, "SELECT task, model_version FROM model_snapshot ORDER BY task, model_version"
    )
    parts = (CLASSIFICATION, "fence", REGRESSION)
    assert kept == [(part, v) for part in parts for v in (4, 5, 6)]


def test_restore_continues_exactly_where_the_last_commit_left(learner):
    """A restored learner predicts exactly as the one that committed, with the same cursor."""
    learner.learn_and_commit([page_of(1), page_of(11, count=5)])
    before = (
        learner.tasks[CLASSIFICATION].predict(0.3, 0.8),
        learner.tasks[REGRESSION].predict(0.3, True),
    )
    learner.tasks = {}
    learner.status = replace(learner.status, cursor=Cursor(next_page=99))
    learner.restore()
    after = (
        learner.tasks[CLASSIFICATION].predict(0.3, 0.8),
        learner.tasks[REGRESSION].predict(0.3, True),
    )
    assert after == before
    assert (learner.cursor.next_page, learner.cursor.last_id) == (1, 15)


def request_reset(learner, task: str) -> None:
    with learner.session_factory() as session, session.begin():
        crud.request_reset(session, task=task)


def test_a_reset_starts_the_task_afresh_with_the_next_learned_rows(learner, database_url):
    """The reset task's scores restart at the next tick that learns; the other task's go on."""
    learner.learn_and_commit([page_of(1)])
    old_model = learner.tasks[CLASSIFICATION]
    request_reset(learner, CLASSIFICATION)
    assert learner.learn_and_commit([[]]) is False  # nothing new: the reset waits
    assert learner.tasks[CLASSIFICATION] is old_model

    learner.learn_and_commit([page_of(11, count=4)])
    assert learner.tasks[CLASSIFICATION].scores.report()["count"] == 4
    assert learner.tasks[REGRESSION].scores.report()["count"] == 14
    assert query(database_url, "SELECT task, applied_version FROM model_reset") == [
        (CLASSIFICATION, 2)
    ]
    learner.restore()  # the reset was committed with the tick: a restart keeps it
    assert learner.tasks[CLASSIFICATION].scores.report()["count"] == 4


# A learner in a fresh interpreter: restore races with trees in them, learn, let the
# races catch up, then name the modules it imported that build or unpickle a race.
LEARN_AND_LIST_RACE_MODULES = """
import sys
from tests.support.learners import learner_on, settle_races
from tests.support.rows import page_of

with learner_on(sys.argv[1]) as learner:
    learner.learn_and_commit([page_of(26)])
    settle_races(learner)
    print(learner.rows_raced)
print(*(m for m in ("api.learning.race", "api.learning.candidate_models") if m in sys.modules))
"""


@pytest.mark.e2e  # a learner in a Python process of its own
def test_the_learner_never_imports_the_models_it_races(sqlite_url):
    """Only the race process builds, unpickles and pickles the candidates: the learner hands
    it their blobs, so its start does not import every model River has."""
    learn_a_few_ticks(sqlite_url)
    result = subprocess.run(
        [sys.executable, "-c", LEARN_AND_LIST_RACE_MODULES, sqlite_url],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["35", ""]
