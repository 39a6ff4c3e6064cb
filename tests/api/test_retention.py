"""Bounded storage on a real database: the learned rows, quarantined rows and records kept
are the newest the settings say, pruned in bounded steps, and a rewind to the oldest kept
version still ends as a run that never pruned."""

import json

import pytest
from sqlalchemy import update

from api import crud
from api.learner.retention import (
    PACE_ROWS,
    PACE_VERSIONS,
    STEP_ROWS,
    Pace,
    Pruned,
    Retention,
    prune,
)
from api.models import ModelRecord
from simulator.synthetic import generate_rows
from tests.support.database import query
from tests.support.learners import learn_from_cursor, learner_on, settle_races

pytestmark = pytest.mark.e2e  # each learner starts its race process

ROWS = 24_000
PAGES_PER_TICK = 8  # 80 rows a tick: 300 versions
MALFORMED_EVERY = 7  # one row in seven has no competence: 3,428 quarantined
KEPT = {
    "LEARNED_ROWS_KEPT": 10_000,
    "QUARANTINED_ROWS_KEPT": 1_000,
    "RECORDS_KEPT": 100,
    "OLDER_RECORDS_EVERY": 10,
    "SNAPSHOT_RETENTION": 5,
}


def stream() -> list[list[dict]]:
    rows = [
        {"id": i, "competence": c, "network_ability": n, "promoted": p}
        for i, c, n, p in generate_rows(start_id=1_000_001, count=ROWS, seed=29)
    ]
    for row in rows[::MALFORMED_EVERY]:
        del row["competence"]
    return [rows[i : i + 10] for i in range(0, ROWS, 10)]


def learn_on(learner, pages, *, until_page: int = ROWS // 10) -> None:
    learn_from_cursor(learner, pages, pages_per_tick=PAGES_PER_TICK, until_page=until_page)


def ids(url: str, table: str, column: str = "id") -> list[int]:
    return [value for (value,) in query(url, f"SELECT {column} FROM {table} ORDER BY {column}")]


def final_record(url: str) -> list[tuple]:
    rows = query(
        url,
        "SELECT task, rows_seen, metrics, coefficients, coefficient_intervals, leaderboard "
        "FROM model_record WHERE NOT superseded AND model_version = "
        "(SELECT MAX(model_version) FROM model_record WHERE NOT superseded) ORDER BY task",
    )
    # SQLite hands JSON back as its text, PostgreSQL as values: compare values.
    return [
        (task, rows_seen, *(json.loads(v) if isinstance(v, str) else v for v in values))
        for task, rows_seen, *values in rows
    ]


@pytest.fixture(scope="module")
def never_pruned(tmp_path_factory) -> dict:
    url = f"sqlite:///{tmp_path_factory.mktemp('never-pruned') / 'api.db'}"
    with learner_on(url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, stream())
        settle_races(learner)
    return {
        "learned": ids(url, "learned_row"),
        "quarantined": ids(url, "quarantined_row", "source_id"),
        "cursor": query(url, "SELECT rows_seen, rows_quarantined FROM learner_cursor"),
        "final": final_record(url),
    }


def test_what_is_kept_is_the_newest_the_settings_say(never_pruned, database_url):
    with learner_on(database_url, **KEPT) as learner:
        learn_on(learner, stream())
        settle_races(learner)
        # The pace leaves up to a step's worth until the next step is due: flush it.
        while any(learner.prune().deleted.values()):
            pass
        newest = learner.cursor.model_version
        with learner.session_factory() as session:
            history = crud.read_history(session, task="classification", limit=50, thinned_to=10)

    assert ids(database_url, "learned_row") == never_pruned["learned"][-10_000:]
    assert ids(database_url, "quarantined_row", "source_id") == never_pruned["quarantined"][-1_000:]
    assert (
        query(database_url, "SELECT rows_seen, rows_quarantined FROM learner_cursor")
        == (never_pruned["cursor"])
    ), "the counts count every row, kept or pruned"
    for task in ("classification", "regression"):
        kept = ids(database_url, f"model_record WHERE task = '{task}'", "model_version")
        whole = list(range(newest - 99, newest + 1))
        assert kept[-100:] == whole
        assert kept[:-100] == list(range(10, newest - 99, 10)), "older ones: one in ten"
    assert final_record(database_url) == never_pruned["final"]

    versions = [record.model_version for record in history]
    assert versions == sorted(set(versions)) and versions[-1] == newest
    assert versions[0] == 10, "the oldest kept stands in for version 1"
    assert len(versions) >= 30, "thinning leaves the history most of its points"


def test_a_rewind_to_the_oldest_kept_version_after_pruning_ends_as_a_run_that_never_pruned(
    never_pruned, sqlite_url
):
    pages = stream()
    with learner_on(sqlite_url, **KEPT) as learner:
        learn_on(learner, pages, until_page=2_000)
        (oldest,) = ids(sqlite_url, "checkpoint", "model_version")[:1]
        assert ids(sqlite_url, "learned_row")[0] > 1_000_001, "rows were pruned"
        with learner.session_factory() as session, session.begin():
            crud.request_rewind(session, to_version=oldest)
        learn_on(learner, pages)
        settle_races(learner)
        assert learner.status.last_recovery["to_version"] == oldest
        while any(learner.prune().deleted.values()):
            pass
    assert final_record(sqlite_url) == never_pruned["final"]
    assert ids(sqlite_url, "learned_row") == never_pruned["learned"][-10_000:]


def test_a_step_prunes_a_bounded_number_of_rows_and_never_those_a_race_needs(sqlite_url):
    with learner_on(sqlite_url, SNAPSHOT_RETENTION=5) as learner:  # nothing pruned: the
        learn_on(learner, stream())  # defaults keep a million rows
        settle_races(learner)
        version = learner.cursor.model_version
        session_factory = learner.session_factory
    learned = len(ids(sqlite_url, "learned_row"))
    retention = Retention(
        learned_rows=10_000, quarantined_rows=100_000, records=100_000, older_records_every=1
    )

    def step() -> int:
        with session_factory() as session, session.begin():
            return prune(session, retention, model_version=version).deleted["learned_row"]

    # Say the oldest kept version's races stood 12,000 rows behind it.
    (oldest,) = ids(sqlite_url, "checkpoint", "model_version")[:1]
    (raced,) = ids(sqlite_url, f"model_record WHERE model_version = {oldest}", "rows_raced")[:1]
    with session_factory() as session, session.begin():
        session.execute(
            update(ModelRecord)
            .where(ModelRecord.model_version == oldest)
            .values(rows_raced=raced - 12_000)
        )
    floor = raced - 12_000
    expected = [STEP_ROWS, floor - STEP_ROWS, 0]
    assert [step() for _ in expected] == expected
    assert ids(sqlite_url, "learned_row", "rows_seen")[0] == floor + 1
    assert learned - len(ids(sqlite_url, "learned_row")) == floor


def test_a_live_stream_prunes_every_hundred_ticks_a_catch_up_every_tick_a_backlog_at_once():
    live = Pace()
    assert live.due, "the first tick prunes what an earlier run left"
    live.pruned(Pruned())
    dues = []
    for _ in range(3 * PACE_VERSIONS):
        live.count(10)  # a page a tick
        dues.append(live.due)
        if live.due:
            live.pruned(Pruned({"learned_row": 1_000}))
    assert [tick for tick, due in enumerate(dues, start=1) if due] == [
        PACE_VERSIONS,
        2 * PACE_VERSIONS,
        3 * PACE_VERSIONS,
    ]
    catch_up = Pace()
    for _ in range(5):
        catch_up.count(PACE_ROWS * 10)  # a thousand pages a tick
        assert catch_up.due
        assert catch_up.rows >= PACE_ROWS * 10, "the step is as large as what was learned"
        catch_up.pruned(Pruned({"learned_row": PACE_ROWS * 10}))
    backlog = Pace()
    backlog.pruned(Pruned({"learned_row": STEP_ROWS}, more=True))
    backlog.count(10)
    assert backlog.due, "a step cut short by its bound goes on at the next tick"
