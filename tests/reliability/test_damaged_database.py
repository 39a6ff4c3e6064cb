"""The real services on copies of a learned database, each damaged one way, and rewinds
asked for over HTTP: the API starts and serves whatever the damage, the learner heals by
rewinding and reaches the end of the stream exactly once, and a rewind ends as a run that
never rewound, whenever the learner is killed."""

import shutil
import sqlite3
import time

import httpx
import pytest
from sqlalchemy import make_url

from harness import loopback
from harness.processes import wait_until
from simulator.store import RowStore
from tests.api.test_rewind import DAMAGES, damage
from tests.support.api_reads import latest_of, status_of, wait_for_rows
from tests.support.database import fresh_postgres_url, learned_ids, postgres_copy, query
from tests.support.learners import ADMIN_TOKEN
from tests.support.services import (
    api_service,
    kill_learner,
    simulator_service,
    sqlite_api_service,
)

pytestmark = pytest.mark.e2e

SEED, FIRST, MORE = 1234, 1_500, 700
TASKS = ("classification", "regression")
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SETTINGS = {"ADMIN_TOKEN": ADMIN_TOKEN, "SNAPSHOT_RETENTION": 5, "MAX_PAGES_PER_TICK": 10}


def final(api) -> dict:
    """What a run ends with: each task's latest record but its version and time."""
    ended = {}
    for task in TASKS:
        latest = latest_of(api, task)
        ended[task] = {
            key: latest[key] for key in ("rows_seen", "metrics", "rolling_metrics", "coefficients")
        }
    return ended


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The stream's file (its first rows, then more appended), and a learned database of
    the first rows to copy."""
    directory = tmp_path_factory.mktemp("learned")
    stream = directory / "stream.db"
    with (
        simulator_service(
            db_path=stream, log_dir=directory, SIMULATOR_ROWS=FIRST, SIMULATOR_SEED=SEED
        ) as simulator,
        sqlite_api_service(directory, source_url=simulator.url, **SETTINGS) as api,
    ):
        wait_for_rows(api, FIRST)
    RowStore(stream).append_generated(count=MORE, seed=SEED)
    return stream, directory / "api.db"


@pytest.fixture(scope="module")
def never_rewound(world, tmp_path_factory):
    """The whole stream learned in one run, undamaged."""
    stream, _ = world
    directory = tmp_path_factory.mktemp("never-rewound")
    with (
        simulator_service(db_path=stream, log_dir=directory, SIMULATOR_SEED=SEED) as simulator,
        sqlite_api_service(directory, source_url=simulator.url, **SETTINGS) as api,
    ):
        wait_for_rows(api, FIRST + MORE)
        return final(api)


@pytest.mark.parametrize("how", list(DAMAGES))
def test_a_damaged_copy_starts_serves_and_heals_to_the_end_of_the_stream(
    world, never_rewound, start_simulator, start_api, tmp_path, how
):
    stream, learned = world
    copy = tmp_path / "api.db"
    shutil.copy(learned, copy)
    url = f"sqlite:///{copy}"
    damage(url, how)
    simulator_db = tmp_path / "simulator.db"
    shutil.copy(stream, simulator_db)
    simulator = start_simulator(SIMULATOR_SEED=SEED)
    api = start_api(database_url=url, source_url=simulator.url, **SETTINGS)
    assert loopback.get(f"{api.url}/health", timeout=5).status_code == 200
    for task in TASKS:
        assert loopback.get(f"{api.url}/{task}/latest", timeout=5).status_code == 200
    wait_for_rows(api, FIRST + MORE, timeout=120)
    assert learned_ids(url) == list(range(1, FIRST + MORE + 1))
    recovery = status_of(api)["last_recovery"]
    assert recovery is not None and recovery["to_version"] <= recovery["from_version"]
    assert final(api) == never_rewound


@pytest.fixture(scope="module")
def learned_on_postgresql(world, tmp_path_factory) -> str:
    """The stream's first rows learned on PostgreSQL, for each test to damage a copy of."""
    stream, _ = world
    directory = tmp_path_factory.mktemp("postgresql")
    url = fresh_postgres_url("first_rows")
    first_rows = directory / "first.db"
    shutil.copy(stream, first_rows)
    with sqlite3.connect(first_rows) as db:
        db.execute("DELETE FROM data WHERE id > ?", (FIRST,))
    with (
        simulator_service(db_path=first_rows, log_dir=directory, SIMULATOR_SEED=SEED) as first,
        api_service(
            database_url=url, source_url=first.url, log_dir=directory, **SETTINGS
        ) as learning,
    ):
        wait_for_rows(learning, FIRST)
    return url


@pytest.mark.postgres
@pytest.mark.parametrize("how", list(DAMAGES))
def test_a_damaged_postgresql_database_starts_serves_and_heals(
    world, never_rewound, learned_on_postgresql, start_simulator, start_api, tmp_path, how
):
    """The same on PostgreSQL, on a copy of the first rows learned there."""
    stream, _ = world
    url = postgres_copy(learned_on_postgresql, f"{make_url(learned_on_postgresql).database}_copy")
    damage(url, how)
    shutil.copy(stream, tmp_path / "simulator.db")
    simulator = start_simulator(SIMULATOR_SEED=SEED)
    api = start_api(database_url=url, source_url=simulator.url, **SETTINGS)
    assert loopback.get(f"{api.url}/health", timeout=5).status_code == 200
    for task in TASKS:
        assert loopback.get(f"{api.url}/{task}/latest", timeout=5).status_code == 200
    wait_for_rows(api, FIRST + MORE, timeout=120)
    assert learned_ids(url) == list(range(1, FIRST + MORE + 1))
    recovery = status_of(api)["last_recovery"]
    assert recovery is not None and recovery["to_version"] <= recovery["from_version"]
    assert final(api) == never_rewound


def oldest_kept(api) -> int:
    versions = loopback.get(f"{api.url}/learner/versions", timeout=5).json()["versions"]
    assert len(versions) == SETTINGS["SNAPSHOT_RETENTION"]
    assert [v["model_version"] for v in versions] == sorted(
        (v["model_version"] for v in versions), reverse=True
    )
    return versions[-1]["model_version"]


def switch(api, action: str) -> None:
    """Pause or resume the learner: paused, it commits nothing after the tick in flight."""
    response = loopback.post(f"{api.url}/learner/{action}", headers=ADMIN, timeout=5)
    assert response.status_code == 200, response.text


def rewind(api, version: int, headers=ADMIN) -> httpx.Response:
    return loopback.post(
        f"{api.url}/learner/rewind", json={"model_version": version}, headers=headers, timeout=5
    )


def rewind_to_oldest(api) -> tuple[int, httpx.Response]:
    """Ask for the oldest kept version. A tick in flight as the learner paused still
    commits, and may prune that version between reading it and asking: then it is 404
    (as the API must answer), and the new oldest is asked for."""
    for _ in range(3):
        oldest = oldest_kept(api)
        response = rewind(api, oldest)
        if response.status_code != 404:
            return oldest, response
    raise AssertionError(f"the oldest kept version kept changing: {response.text}")


@pytest.mark.parametrize("during_catch_up", [True, False], ids=["during", "after"])
def test_a_rewind_over_http_ends_as_a_run_that_never_rewound(
    world, never_rewound, start_simulator, start_api, db_path, tmp_path, during_catch_up
):
    sqlite_url = f"sqlite:///{db_path}"
    stream, _ = world
    shutil.copy(stream, tmp_path / "simulator.db")
    simulator = start_simulator(SIMULATOR_SEED=SEED, SIMULATOR_LATENCY_MS=10)
    api = start_api(database_url=sqlite_url, source_url=simulator.url, **SETTINGS)
    wait_until(
        lambda: status_of(api)["rows_seen"] >= (700 if during_catch_up else FIRST + MORE),
        timeout=120,
        message="rows learned",
    )
    switch(api, "pause")
    before = status_of(api)["model_version"]
    assert rewind(api, oldest_kept(api), headers={}).status_code in (401, 403)
    missing = rewind(api, 10**6)
    assert missing.status_code == 404
    assert f"Version {10**6} is not kept" in missing.json()["detail"]
    oldest, accepted = rewind_to_oldest(api)
    assert accepted.status_code == 202 and accepted.json()["to_version"] == oldest
    switch(api, "resume")
    recovery = wait_until(
        lambda: status_of(api)["last_recovery"], timeout=60, message="the rewind done"
    )
    assert (recovery["to_version"], recovery["reason"]) == (oldest, "asked for by an admin")
    wait_until(
        lambda: (
            status_of(api)["rows_seen"] == FIRST + MORE and status_of(api)["model_version"] > before
        ),
        timeout=120,
        message="the stream learned again to its end",
    )
    assert learned_ids(sqlite_url) == list(range(1, FIRST + MORE + 1))
    assert final(api) == never_rewound
    assert latest_of(api, "classification")["model_version"] > before
    rewinds = loopback.get(f"{api.url}/classification/drift", timeout=5).json()["rewinds"]
    assert [(r["from_version"], r["to_version"]) for r in rewinds] == [
        (recovery["from_version"], oldest)
    ]


def test_sigkills_of_the_learner_around_a_rewind_lose_and_double_nothing(
    world, never_rewound, start_simulator, start_api, db_path, tmp_path
):
    """The learner killed as it takes the request up (three times, a little later each
    time): the rewind is done once, in one transaction, and the end is the same."""
    sqlite_url = f"sqlite:///{db_path}"
    stream, _ = world
    shutil.copy(stream, tmp_path / "simulator.db")
    simulator = start_simulator(SIMULATOR_SEED=SEED, SIMULATOR_LATENCY_MS=10)
    api = start_api(database_url=sqlite_url, source_url=simulator.url, **SETTINGS)
    wait_until(lambda: status_of(api)["rows_seen"] >= 900, timeout=120, message="900 rows")
    switch(api, "pause")
    oldest, accepted = rewind_to_oldest(api)
    assert accepted.status_code == 202
    switch(api, "resume")
    for delay in (0.0, 0.05, 0.15):
        pid = kill_learner(api)
        wait_until(
            lambda pid=pid: (
                status_of(api)["learner"]["pid"] not in (None, pid)
                and status_of(api)["state"] == "running"
            ),
            timeout=60,
            message="a new learner",
        )
        time.sleep(delay)  # the moment of the next kill, a little later each time
    wait_until(lambda: status_of(api)["rows_seen"] == FIRST + MORE, timeout=120, message="the end")
    assert query(sqlite_url, "SELECT to_version FROM recovery") == [(oldest,)]
    assert query(sqlite_url, "SELECT count(*) FROM rewind_request WHERE applied_at IS NULL") == [
        (0,)
    ]
    assert learned_ids(sqlite_url) == list(range(1, FIRST + MORE + 1))
    assert final(api) == never_rewound
