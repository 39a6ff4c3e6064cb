"""Rewinds in this process on a real database: to a kept version at an admin's request,
and by the learner itself when what it would restore is damaged. Either way the rows
after it are learned again, exactly once, and the end is that of a run that never
rewound."""

import json
import pickle
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, event, text

from api import crud
from api.core.db import make_engine, make_session_factory
from api.core.security import sign
from api.learner.rewind import VersionNotKept, rewind_to
from api.models import RewindRequest
from harness.processes import wait_until
from simulator.synthetic import generate_rows
from tests.support.database import query
from tests.support.learners import learn_from_cursor, learner_on, settle_races

pytestmark = pytest.mark.e2e  # each learner starts its race process

KEY = "test-secret-key"  # make_settings's
ROWS = 1_200
PAGES_PER_TICK = 6  # 60 rows a tick: twenty ticks, five versions kept


def stream() -> list[list[dict]]:
    rows = [
        {"id": i, "competence": c, "network_ability": n, "promoted": p}
        for i, c, n, p in generate_rows(start_id=1, count=ROWS, seed=61)
    ]
    return [rows[i : i + 10] for i in range(0, ROWS, 10)]


def learn_on(learner, pages, *, until_page: int = len(stream())) -> None:
    learn_from_cursor(learner, pages, pages_per_tick=PAGES_PER_TICK, until_page=until_page)


def the_end(url: str) -> dict:
    """What a run leaves: the learned rows, the cursor's counts, each task's newest
    record (its race's standings included) but for when it was made and its version."""
    records = {}
    for task in ("classification", "regression"):
        (row,) = query(
            url,
            "SELECT rows_seen, metrics, rolling_metrics, coefficients, coefficient_intervals, "
            "leaderboard, rows_raced FROM model_record WHERE task = :task AND NOT superseded "
            "ORDER BY model_version DESC LIMIT 1",
            task=task,
        )
        # SQLite hands JSON back as its text, PostgreSQL as values: compare values.
        records[task] = tuple(json.loads(v) if isinstance(v, str) else v for v in row)
    return {
        "learned": query(
            url, "SELECT id, rows_seen, promoted_probability FROM learned_row ORDER BY id"
        ),
        "cursor": query(
            url, "SELECT next_page, last_id, rows_seen, rows_quarantined FROM learner_cursor"
        ),
        "records": records,
    }


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict:
    url = f"sqlite:///{tmp_path_factory.mktemp('uninterrupted') / 'api.db'}"
    with learner_on(url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, stream())
        settle_races(learner)
    return the_end(url)


def versions(url: str) -> list[int]:
    return [v for (v,) in query(url, "SELECT model_version FROM checkpoint ORDER BY model_version")]


@pytest.mark.parametrize("at_page", [60, 120], ids=["during the catch-up", "after it"])
def test_a_rewind_to_the_oldest_kept_version_ends_as_a_run_that_never_rewound(
    uninterrupted, sqlite_url, at_page
):
    pages = stream()
    with learner_on(sqlite_url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, pages, until_page=at_page)
        kept = versions(sqlite_url)
        assert len(kept) == 5
        before = learner.cursor.model_version
        with learner.session_factory() as session, session.begin():
            crud.request_rewind(session, to_version=kept[0])
        learn_on(learner, pages)
        settle_races(learner)
        assert learner.status.last_recovery["to_version"] == kept[0]
        assert learner.status.last_recovery["from_version"] == before
    assert the_end(sqlite_url) == uninterrupted
    rewound = query(sqlite_url, "SELECT from_version, to_version, new_version FROM recovery")
    assert rewound == [(before, kept[0], before + 1)], "committed as a new, larger version"
    superseded = query(
        sqlite_url,
        "SELECT DISTINCT model_version FROM model_record WHERE superseded ORDER BY model_version",
    )
    assert [v for (v,) in superseded] == list(range(kept[0] + 1, before + 1))


def test_a_tick_in_flight_when_a_rewind_is_asked_for_keeps_the_version_it_goes_back_to(
    uninterrupted, sqlite_url
):
    """An admin pauses the learner and asks for its oldest kept version while a tick is
    under way; that tick commits a new version, which would prune the oldest: it stays
    until the rewind is carried out, and only then goes."""
    pages = stream()
    with learner_on(sqlite_url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, pages, until_page=60)
        oldest = versions(sqlite_url)[0]
        with learner.session_factory() as session, session.begin():
            crud.request_rewind(session, to_version=oldest)
        learner.learn_and_commit(pages[60 : 60 + PAGES_PER_TICK])  # the tick in flight
        assert versions(sqlite_url)[0] == oldest
        assert len(versions(sqlite_url)) == 6
        learn_on(learner, pages)
        settle_races(learner)
        assert learner.status.last_recovery["to_version"] == oldest
    assert the_end(sqlite_url) == uninterrupted
    (result,) = query(sqlite_url, "SELECT result FROM rewind_request")
    assert result[0].startswith("rewound as version ")
    assert len(versions(sqlite_url)) == 5 and oldest not in versions(sqlite_url)


@contextmanager
def statements_seen(engine: Engine, starting: tuple[str, ...]) -> Iterator[threading.Event]:
    """An event set as `engine` starts a statement that begins with one of `starting`."""
    seen = threading.Event()

    def look(_connection, _cursor, statement, *_) -> None:
        if statement.lstrip().startswith(starting):
            seen.set()

    event.listen(engine, "before_cursor_execute", look)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", look)


@contextmanager
def next_commit_held(learner) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The learner's next commit waits, its statements run and its locks held, until
    `release` is set; `reached` is set as it starts waiting."""
    reached, release = threading.Event(), threading.Event()

    def hold(_session) -> None:
        if not reached.is_set():
            reached.set()
            assert release.wait(60), "the held commit was never released"

    event.listen(learner.session_factory, "before_commit", hold)
    try:
        yield reached, release
    finally:
        release.set()
        event.remove(learner.session_factory, "before_commit", hold)


def in_thread(target: Callable[[], object]) -> tuple[threading.Thread, list]:
    result: list = []
    thread = threading.Thread(target=lambda: result.append(target()), daemon=True)
    thread.start()
    return thread, result


def test_a_rewind_asked_for_as_a_tick_prunes_its_version_is_refused_not_lost(database_url):
    """The tick in flight has pruned the oldest version and is about to commit when the
    admin asks for it: the admin is told it is not kept, and no request is left behind
    for the learner to refuse later."""
    pages = stream()
    api_engine = make_engine(database_url)
    with learner_on(database_url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, pages, until_page=60)
        oldest = versions(database_url)[0]

        def ask():
            with make_session_factory(api_engine)() as session, session.begin():
                request = crud.request_rewind(session, to_version=oldest)
                return None if request is None else request.to_version

        with next_commit_held(learner) as (reached, release):
            tick, _ = in_thread(lambda: learner.learn_and_commit(pages[60 : 60 + PAGES_PER_TICK]))
            assert reached.wait(60), "the tick did not reach its commit"
            # The request's first step on the way to its check: then the tick commits.
            with statements_seen(api_engine, ("SELECT learner_lease", "INSERT")) as asking:
                asked, answer = in_thread(ask)
                assert asking.wait(60), "the request did not start"
                release.set()
                asked.join(60)
            tick.join(60)
    api_engine.dispose()
    assert answer == [None], "asked for a version the tick pruned"
    assert oldest not in versions(database_url)
    assert query(database_url, "SELECT count(*) FROM rewind_request") == [(0,)]


def test_a_tick_that_starts_while_a_rewind_is_being_asked_for_keeps_its_version(database_url):
    """The admin's request is written but not yet committed as a tick starts: the tick
    waits for it, and keeps the version it goes back to."""
    pages = stream()
    api_engine = make_engine(database_url)
    with learner_on(database_url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, pages, until_page=60)
        oldest = versions(database_url)[0]
        learner_engine = learner.session_factory.kw["bind"]
        with (
            make_session_factory(api_engine)() as session,
            session.begin(),
            statements_seen(learner_engine, ("UPDATE learner_lease",)) as tick_started,
            statements_seen(learner_engine, ("DELETE FROM model_snapshot",)) as pruning,
        ):
            assert crud.request_rewind(session, to_version=oldest) is not None
            tick, _ = in_thread(lambda: learner.learn_and_commit(pages[60 : 60 + PAGES_PER_TICK]))
            # The request commits once the tick waits for it, or has gone on to prune.
            wait_until(
                lambda: pruning.is_set() or (tick_started.is_set() and waits_for_a_lock(learner)),
                timeout=60,
                message="the tick waiting, or pruning",
            )
        tick.join(60)
        assert not tick.is_alive()
    api_engine.dispose()
    assert versions(database_url)[0] == oldest
    assert query(database_url, "SELECT to_version FROM rewind_request") == [(oldest,)]


def waits_for_a_lock(learner) -> bool:
    """Whether a statement on the learner's PostgreSQL server waits for a lock. On SQLite,
    True: the request holds its one write lock, which a tick's first write waits for."""
    engine = learner.session_factory.kw["bind"]
    if engine.dialect.name == "sqlite":
        return True
    waiting = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    with engine.connect() as connection:
        return connection.execute(text(waiting)).scalar_one() > 0


def test_a_version_no_longer_kept_is_refused_and_the_learner_goes_on(sqlite_url):
    pages = stream()
    with learner_on(sqlite_url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, pages, until_page=60)
        assert versions(sqlite_url)[0] > 1
        with learner.session_factory() as session, session.begin():
            assert crud.request_rewind(session, to_version=1) is None
            # As a request of an older release, asked for whatever was kept, would stand.
            session.add(RewindRequest(to_version=1))
        learn_on(learner, pages)
        assert learner.status.last_recovery is None
    (result,) = query(sqlite_url, "SELECT result FROM rewind_request")
    assert result[0] == "refused: version 1 is not kept"
    with (
        learner_on(sqlite_url) as learner,
        learner.session_factory() as session,
        pytest.raises(VersionNotKept),
    ):
        rewind_to(session, to_version=1, reason="test", key=KEY)


def damage(url: str, how: str) -> None:
    """Damage the newest snapshot (or the cursor) of the learner's database one way."""
    engine = create_engine(url)
    with engine.begin() as connection:
        (version,) = connection.execute(text("SELECT model_version FROM learner_cursor")).one()
        where = "WHERE model_version = :v AND task = 'classification'"
        if how == "blob of the wrong type":
            connection.execute(
                text(f"UPDATE model_snapshot SET blob = 'not bytes' {where}"), {"v": version}
            )
        elif how == "blob failing its signature":
            connection.execute(
                text(f"UPDATE model_snapshot SET signature = :s {where}"),
                {"v": version, "s": "0" * 64},
            )
        elif how == "signed bytes that do not unpickle":
            blob = pickle.dumps({"a": "task"})[:-5]  # cut short
            connection.execute(
                text(f"UPDATE model_snapshot SET blob = :b, signature = :s {where}"),
                {"v": version, "b": blob, "s": sign(blob, key=KEY)},
            )
        elif how == "no snapshot for the cursor's version":
            connection.execute(text(f"DELETE FROM model_snapshot {where}"), {"v": version})
        elif how == "a negative page":
            connection.execute(text("UPDATE learner_cursor SET next_page = -5"))
    engine.dispose()


# Each damage, and what the reason of the rewind that heals it says.
DAMAGES = {
    "blob of the wrong type": "TypeError",
    "blob failing its signature": "failed signature verification",
    "signed bytes that do not unpickle": "UnpicklingError",
    "no snapshot for the cursor's version": "snapshots of version",
    "a negative page": "the cursor is damaged: next_page is -5",
}


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_state_heals_by_rewinding_and_learns_on_exactly_once(
    uninterrupted, database_url, how
):
    """On SQLite and PostgreSQL alike (a blob of the wrong type is text where bytes belong
    on SQLite; PostgreSQL's bytea turns that text into bytes that fail their signature)."""
    pages = stream()
    with learner_on(database_url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, pages, until_page=60)
    damage(database_url, how)
    with learner_on(database_url, SNAPSHOT_RETENTION=5) as learner:
        recovery = learner.status.last_recovery
        assert recovery is not None and recovery["to_version"] <= recovery["from_version"]
        learn_on(learner, pages)
        settle_races(learner)
    assert the_end(database_url) == uninterrupted
    ((reason,),) = query(database_url, "SELECT reason FROM recovery")
    postgres_bytes = how == "blob of the wrong type" and database_url.startswith("postgresql")
    assert DAMAGES["blob failing its signature" if postgres_bytes else how] in reason
