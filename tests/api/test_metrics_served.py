"""What the API's /metrics says about its learner process, as Prometheus would scrape it:
the figures the alert rules in monitoring/alerts.yml read."""

import pickle
import time

import pytest
from sqlalchemy import create_engine, text

from api import crud
from api.core.db import make_engine, make_session_factory
from harness.processes import Service, wait_until
from tests.support.api_reads import sample, status_of, wait_for_rows
from tests.support.database import committed_rows
from tests.support.ledger import wait_for_races
from tests.support.services import kill_learner, learner_service

pytestmark = pytest.mark.e2e


def committed_at(database_url: str) -> float:
    """The unix time of the newest commit, as the database has it."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            stamp = crud.read_committed_at(session)
    finally:
        engine.dispose()
    assert stamp is not None, "nothing committed"
    return stamp.timestamp()


def test_the_learner_says_its_state_its_last_commit_and_no_rows_waiting(
    start_simulator, start_api, sqlite_url
):
    """At the end of a 200-row stream: running, nothing waiting, the last commit's time;
    a restarted learner process takes that time from the database and counts as restarted."""
    started = time.time()
    simulator = start_simulator(SIMULATOR_ROWS=200)
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    wait_for_rows(api, 200)
    wait_for_races(api, 200, timeout=60)
    assert sample(api, 'learner_state{state="running"}') == 1
    assert sample(api, 'learner_state{state="backing_off"}') == 0
    assert sample(api, "learner_source_backlog") == 0
    first_start = sample(api, "learner_process_start_time_seconds")
    assert started < first_start < time.time()
    last_commit = sample(api, "learner_last_commit_timestamp_seconds")
    assert started < last_commit < time.time()
    assert sample(api, "api_learner_restarts_total") == 0

    kill_learner(api)
    wait_until(
        lambda: sample(api, "learner_process_start_time_seconds") > first_start,
        timeout=30,
        message="a new learner process",
    )
    assert sample(api, "api_learner_restarts_total") == 1
    assert status_of(api)["rows_seen"] == 200
    assert sample(api, "learner_last_commit_timestamp_seconds") == committed_at(sqlite_url)


def test_a_tampered_snapshot_is_counted_where_it_was_refused(
    start_simulator, start_api, sqlite_url
):
    """Both tasks' blobs altered: the API refuses to serve each model once, the learner
    refuses to restore once and says it is disabled."""
    simulator = start_simulator(SIMULATOR_ROWS=100)
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    wait_for_rows(api, 100)
    api.stop()
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE model_snapshot SET blob = :blob"), {"blob": pickle.dumps(1)}
        )
    engine.dispose()
    api.start()
    wait_until(lambda: status_of(api)["state"] == "disabled", timeout=15, message="disabled")
    assert sample(api, 'api_snapshots_refused_total{task="classification"}') == 1
    assert sample(api, 'api_snapshots_refused_total{task="regression"}') == 1
    assert sample(api, "learner_snapshots_refused_total") == 1
    assert sample(api, 'learner_state{state="disabled"}') == 1


def state_of(learner: Service) -> str | None:
    """The state whose `learner_state` series is 1."""
    states = ("running", "backing_off", "paused", "disabled", "standby")
    return next((s for s in states if sample(learner, f'learner_state{{state="{s}"}}') == 1), None)


def test_learners_run_alone_say_which_one_learns(start_simulator, sqlite_url, tmp_path):
    """Two `python -m api.learner` on one database, each serving its own metrics: one
    learns and says `running`, the other says `standby` and knows of no rows waiting."""
    started = time.time()
    simulator = start_simulator(SIMULATOR_ROWS=200)
    settings = {"database_url": sqlite_url, "source_url": simulator.url, "log_dir": tmp_path}
    learners = [learner_service(**settings).start() for _ in range(2)]
    try:
        wait_until(lambda: committed_rows(sqlite_url) == 200, timeout=60, message="200 rows")
        wait_until(
            lambda: sorted(map(state_of, learners)) == ["running", "standby"],
            timeout=30,
            message="one learner running, the other standing by",
        )
        [active] = [learner for learner in learners if state_of(learner) == "running"]
        [standby] = [learner for learner in learners if learner is not active]
        assert sample(active, "learner_rows_learned_total") == 200
        assert started < sample(active, "learner_last_commit_timestamp_seconds") < time.time()
        assert sample(standby, "learner_rows_learned_total") == 0
        assert sample(standby, "learner_source_backlog") == 0
    finally:
        for learner in learners:
            learner.stop()
