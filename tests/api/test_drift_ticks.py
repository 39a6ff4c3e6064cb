"""Drift events and intervals go through the learner's ticks: committed with the tick,
exactly once, and a release-1 snapshot (tasks without them) still restores."""

import pickle

import pytest
from river import compose, linear_model, preprocessing

from api import crud
from api.learning.names import CLASSIFICATION, REGRESSION
from api.learning.options import TaskOptions
from api.learning.pipelines import classification_features
from api.learning.tasks import new_tasks
from harness.streams import ROWS, SWITCH, learn, pages_of_drifting_stream, simulated
from simulator.synthetic import Drift
from tests.support.database import query
from tests.support.learners import learner_on

OPTIONS = TaskOptions(drift_action="reset")
LATER_ATTRIBUTES = {
    "window",
    "options",
    "drift_events",
    "rows_since_drain",
    "loss_watch",
    "uncertainty",
    "relationship",
    "block_loss",
    "previous_block_loss",
}


@pytest.fixture
def reset_learner(sqlite_url):
    with learner_on(sqlite_url, DRIFT_ACTION="reset") as learner:
        yield learner


@pytest.mark.e2e  # its learner starts the race process
def test_a_reset_on_drift_is_committed_once_even_when_its_first_commit_fails(
    reset_learner, sqlite_url, monkeypatch
):
    """DRIFT_ACTION=reset: the tick holding the detection fails to commit once; its retry
    records one event and one reset, and a restore keeps the reset model."""
    ticks = pages_of_drifting_stream(ticks=6)
    for pages in ticks[:3]:
        reset_learner.learn_and_commit(pages)
    real_write = crud.write_tick
    monkeypatch.setattr(crud, "write_tick", lambda *a, **k: (_ for _ in ()).throw(OSError("io")))
    with pytest.raises(OSError):
        reset_learner.learn_and_commit(ticks[3])
    monkeypatch.setattr(crud, "write_tick", real_write)
    for pages in ticks[3:]:
        reset_learner.learn_and_commit(pages)

    _, reference, _ = learn(simulated(ROWS, drift=Drift(SWITCH)), options=OPTIONS)
    expected = [(e["task"], e["rows_seen"], e["detector"], "reset") for e in reference]
    assert sorted(e[0] for e in expected) == [CLASSIFICATION, REGRESSION], "a reset each"
    events = query(
        sqlite_url, "SELECT task, rows_seen, detector, action FROM drift_event ORDER BY id"
    )
    assert events == expected
    reset_learner.restore()
    for task, reset_at, _, _ in expected:
        count = reset_learner.tasks[task].scores.report()["count"]
        assert count == ROWS - reset_at, task


def test_each_record_commits_its_coefficient_intervals(learner, database_url):
    learner.learn_and_commit(pages_of_drifting_stream(ticks=60)[0])
    for task in (CLASSIFICATION, REGRESSION):
        with learner.session_factory() as session:
            record = crud.read_latest_record(session, task=task)
        assert record is not None and record.coefficient_intervals
        assert set(record.coefficient_intervals) == set(record.coefficients), task
        for name, (low, high) in record.coefficient_intervals.items():
            assert low <= high, (task, name)


def release_one_snapshot(task, classifier) -> bytes:
    """The task pickled as release 1 did: model and scores, none of the later attributes;
    its classifier was scaling and SGD logistic regression (`classifier`)."""
    state = {name: value for name, value in task.__dict__.items() if name not in LATER_ATTRIBUTES}
    if task.name == CLASSIFICATION:
        state["model"] = classifier
    old = object.__new__(type(task))
    old.__dict__.update(state)
    return pickle.dumps(old)


def release_one_classifier(rows):
    model = compose.Pipeline(
        ("scale", preprocessing.StandardScaler()),
        ("logistic", linear_model.LogisticRegression()),
    )
    for row in rows:
        model.learn_one(classification_features(row.competence, row.network_ability), row.promoted)
    return model


def sgd_coefficients(pipeline) -> dict[str, float]:
    """Release 1's coefficients in original units: w / sd, and the intercept less w * mean / sd."""
    scaler, logistic = pipeline["scale"], pipeline["logistic"]
    coefficients, intercept = {}, logistic.intercept
    for name in ("competence", "network_ability"):
        coefficients[name] = logistic.weights[name] / scaler.vars[name] ** 0.5
        intercept -= coefficients[name] * scaler.means[name]
    return {"intercept": intercept, **coefficients}


def test_a_release_one_snapshot_restores_and_its_intervals_start_from_then():
    """Model and scores go on where they were (the classifier's SGD weights become the
    Bayesian model's mean, with the prior's covariance); the intervals and the detectors
    start with the rows learned after the restore."""
    rows = list(simulated(2_000))
    tasks = new_tasks(50)
    for row in rows[:1_000]:
        for task in tasks.values():
            task.learn_one(row)
    classifier = release_one_classifier(rows[:1_000])
    for name, task in tasks.items():
        restored = pickle.loads(release_one_snapshot(task, classifier))
        if name == CLASSIFICATION:
            expected = sgd_coefficients(classifier)
            assert restored.coefficients() == pytest.approx(expected, rel=1e-12)
        else:
            assert restored.coefficients() == task.coefficients()
        assert restored.coefficient_intervals() is None
        for row in rows[1_000:]:
            restored.learn_one(row)
        assert restored.scores.report()["count"] == 2_000, name
        assert restored.coefficient_intervals() is not None, name
