"""Bounded storage on a real database: the learned rows, quarantined rows and records kept
are the newest the settings say, pruned in bounded steps, and a rewind to the oldest kept
version still ends as a run that never pruned."""

import contextlib
import json
import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from api import crud
from api.core.db import make_engine, make_session_factory
from api.learner.loop import Learner
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
from tests.support.learners import learn_from_cursor, learner_on, make_settings, settle_races

pytestmark = pytest.mark.e2e  # each learner starts its race process

ROWS = 8_000
PAGES_PER_TICK = 8  # 80 rows a tick: 100 versions, a step due about every 12 ticks
MALFORMED_EVERY = 7  # one row in seven has no competence: 1,143 quarantined, 6,857 learned
# Below what the settings allow, so that a short stream crosses every bound.
KEPT = Retention(learned_rows=3_000, quarantined_rows=300, records=30, older_records_every=10)


def stream() -> list[list[dict]]:
    rows = [
        {"id": i, "competence": c, "network_ability": n, "promoted": p}
        for i, c, n, p in generate_rows(start_id=1_000_001, count=ROWS, seed=29)
    ]
    for row in rows[::MALFORMED_EVERY]:
        del row["competence"]
    return [rows[i : i + 10] for i in range(0, ROWS, 10)]


@contextlib.contextmanager
def bounded_learner(url: str) -> Iterator[Learner]:
    with learner_on(url, SNAPSHOT_RETENTION=5) as learner:
        learner.retention = KEPT
        yield learner


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
    """The stream learned whole under the default bounds, which keep all of it."""
    path = tmp_path_factory.mktemp("never-pruned") / "api.db"
    url = f"sqlite:///{path}"
    with learner_on(url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, stream())
        settle_races(learner)
    return {
        "path": path,
        "learned": ids(url, "learned_row"),
        "quarantined": ids(url, "quarantined_row", "source_id"),
        "cursor": query(url, "SELECT rows_seen, rows_quarantined FROM learner_cursor"),
        "final": final_record(url),
    }


def test_what_is_kept_is_the_newest_the_settings_say(never_pruned, database_url):
    with bounded_learner(database_url) as learner:
        learn_on(learner, stream())
        settle_races(learner)
        # The pace leaves up to a step's worth until the next step is due: flush it.
        while any(learner.prune().deleted.values()):
            pass
        newest = learner.cursor.model_version
        with learner.session_factory() as session:
            history = crud.read_history(session, task="classification", limit=50, thinned_to=10)

    assert ids(database_url, "learned_row") == never_pruned["learned"][-3_000:]
    assert ids(database_url, "quarantined_row", "source_id") == never_pruned["quarantined"][-300:]
    assert (
        query(database_url, "SELECT rows_seen, rows_quarantined FROM learner_cursor")
        == (never_pruned["cursor"])
    ), "the counts count every row, kept or pruned"
    for task in ("classification", "regression"):
        kept = ids(database_url, f"model_record WHERE task = '{task}'", "model_version")
        whole = list(range(newest - 29, newest + 1))
        assert kept[-30:] == whole
        assert kept[:-30] == list(range(10, newest - 29, 10)), "older ones: one in ten"
    assert final_record(database_url) == never_pruned["final"]

    versions = [record.model_version for record in history]
    assert versions == sorted(set(versions)) and versions[-1] == newest
    assert versions[0] == 10, "the oldest kept stands in for version 1"
    older = [version for version in versions if version <= newest - 30]
    assert older == list(range(10, newest - 29, 10)), "each one kept stands in for its ten"
    assert len(versions) >= 20, "thinning leaves the history most of its points"


def test_a_rewind_to_the_oldest_kept_version_after_pruning_ends_as_a_run_that_never_pruned(
    never_pruned, sqlite_url
):
    pages = stream()
    with bounded_learner(sqlite_url) as learner:
        learn_on(learner, pages, until_page=600)
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
    assert ids(sqlite_url, "learned_row") == never_pruned["learned"][-3_000:]


def test_a_step_prunes_a_bounded_number_of_rows_and_never_those_a_race_needs(
    never_pruned, tmp_path
):
    path = shutil.copy(never_pruned["path"], tmp_path / "api.db")
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    session_factory = make_session_factory(engine)
    retention = Retention(
        learned_rows=100, quarantined_rows=100_000, records=100_000, older_records_every=1
    )
    (version,) = ids(url, "learner_cursor", "model_version")
    (oldest,) = ids(url, "checkpoint", "model_version")[:1]
    learned = len(ids(url, "learned_row"))

    def step() -> int:
        with session_factory() as session, session.begin():
            return prune(session, retention, model_version=version).deleted["learned_row"]

    # Say the kept versions' races stood at this row (how far they got, as the learner
    # committed them, depends on timing): a rewind to one races on from it.
    floor = STEP_ROWS + 1_234
    with session_factory() as session, session.begin():
        session.execute(
            update(ModelRecord).where(ModelRecord.model_version >= oldest).values(rows_raced=floor)
        )
    try:
        expected = [STEP_ROWS, floor - STEP_ROWS, 0]
        assert [step() for _ in expected] == expected
    finally:
        engine.dispose()
    assert ids(url, "learned_row", "rows_seen")[0] == floor + 1
    assert learned - len(ids(url, "learned_row")) == floor


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


def test_the_learner_keeps_what_the_settings_say():
    settings = make_settings(
        "sqlite://",
        LEARNED_ROWS_KEPT=20_000,
        QUARANTINED_ROWS_KEPT=2_000,
        RECORDS_KEPT=300,
        OLDER_RECORDS_EVERY=7,
    )
    assert Retention.of(settings) == Retention(
        learned_rows=20_000, quarantined_rows=2_000, records=300, older_records_every=7
    )
