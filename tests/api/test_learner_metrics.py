"""The learner's Prometheus metrics that the alert rules read, kept by a learner in process
on a real SQLite file. The registry lives as long as the test process, so each test reads
what changed."""

import pickle
import time

import pytest
from sqlalchemy import create_engine, text

from api.core.db import make_engine, make_session_factory
from api.learner import metrics
from api.learner.loop import Learner
from api.learner.rewind import CannotHeal
from api.learner.status import LearnerStatus
from api.learning.committed import TickCommit
from api.learning.cursor import Cursor
from tests.support.learners import learn_a_few_ticks, make_settings
from tests.support.rows import page_of, stream_row


def value(name: str, **labels: str) -> float:
    found = metrics.LEARNER_REGISTRY.get_sample_value(name, labels)
    assert found is not None, f"{name}{labels} is not exported"
    return found


def test_a_commit_counts_its_rows_and_keeps_its_time(learner):
    """Two full pages, one bad row among them: 19 rows learned, 1 quarantined, and the
    time of the commit kept as a unix time."""
    learned, quarantined = (
        value("learner_rows_learned_total"),
        value("learner_rows_quarantined_total", reason="malformed"),
    )
    page = page_of(11)
    page[4] = stream_row(15, competence="abc")
    before = time.time()
    learner.learn_and_commit([page_of(1), page])
    assert value("learner_rows_learned_total") - learned == 19
    assert value("learner_rows_quarantined_total", reason="malformed") - quarantined == 1
    assert before <= value("learner_last_commit_timestamp_seconds") <= time.time()


def test_rows_wait_after_a_tick_whose_every_page_was_full(learner):
    """The source's backlog: every page full (the tick stopped on its budget) means rows
    wait; a partial page means the tick reached the end of the stream."""
    learner.learn_and_commit([page_of(1), page_of(11)])
    assert value("learner_source_backlog") == 1
    learner.learn_and_commit([page_of(21, count=3)])
    assert value("learner_source_backlog") == 0
    learner.learn_and_commit([page_of(21, count=10)])
    assert value("learner_source_backlog") == 1
    learner.learn_and_commit([page_of(31, count=10), []])
    assert value("learner_source_backlog") == 0


def test_a_learner_that_reads_no_source_knows_of_no_rows_waiting():
    """Paused or standing by, the learner asks the source nothing: its backlog is 0 and its
    state is the one series at 1."""
    metrics.see_pages(read=3, full=3)
    assert value("learner_source_backlog") == 1
    metrics.show_status(LearnerStatus(state="backing_off"))
    assert value("learner_source_backlog") == 1
    metrics.show_status(LearnerStatus(state="standby"))
    assert value("learner_source_backlog") == 0
    states = {
        state: value("learner_state", state=state)
        for state in ("running", "backing_off", "paused", "disabled", "standby")
    }
    assert states == {"running": 0, "backing_off": 0, "paused": 0, "disabled": 0, "standby": 1}


def test_drift_events_and_champion_changes_are_counted_by_task():
    """Each event of a committed tick adds one to its task's and detector's series."""
    tasks = ("classification", "regression")
    series = [(task, detector) for task in tasks for detector in metrics.DETECTORS]
    drift = {(t, d): value("learner_drift_events_total", task=t, detector=d) for t, d in series}
    changes = {task: value("learner_champion_changes_total", task=task) for task in tasks}
    tick = TickCommit(
        cursor=Cursor(),
        drift_events=[
            {"task": "regression", "detector": "fence"},
            {"task": "regression", "detector": "relationship"},
        ],
        champion_changes=[{"task": "classification"}, {"task": "classification"}],
    )
    metrics.count_commit(tick, outliers=0, held=0, shift_learned=0)
    counted = {
        (t, d): value("learner_drift_events_total", task=t, detector=d) - drift[(t, d)]
        for t, d in series
    }
    assert counted == {
        key: int(key in {("regression", "fence"), ("regression", "relationship")}) for key in series
    }
    assert {t: value("learner_champion_changes_total", task=t) - changes[t] for t in tasks} == {
        "classification": 2,
        "regression": 0,
    }


@pytest.mark.e2e  # the learner restores into a race process
def test_a_snapshot_that_fails_verification_is_counted_as_refused(sqlite_url):
    """Every kept blob tampered with: the restore is refused, no version heals it, and
    the refusal is counted once."""
    learn_a_few_ticks(sqlite_url)
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE model_snapshot SET blob = :blob"), {"blob": pickle.dumps(1)}
        )
    engine.dispose()
    refused = value("learner_snapshots_refused_total")
    engine = make_engine(sqlite_url)
    learner = Learner(make_settings(sqlite_url), make_session_factory(engine))
    try:
        with pytest.raises(CannotHeal, match="failed signature verification"):
            learner.tick()
    finally:
        learner.close()
        learner.lease.release()
        engine.dispose()
    assert value("learner_snapshots_refused_total") - refused == 1
