"""Rewinds in this process on a real database: to a kept version at an admin's request,
and by the learner itself when what it would restore is damaged. Either way the rows
after it are learned again, exactly once, and the end is that of a run that never
rewound."""

import json
import pickle

import pytest
from sqlalchemy import create_engine, text

from api import crud
from api.core.security import sign
from api.learner.rewind import VersionNotKept, rewind_to
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


def test_a_version_no_longer_kept_is_refused_and_the_learner_goes_on(sqlite_url):
    pages = stream()
    with learner_on(sqlite_url, SNAPSHOT_RETENTION=5) as learner:
        learn_on(learner, pages, until_page=60)
        with learner.session_factory() as session, session.begin():
            crud.request_rewind(session, to_version=1)
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
