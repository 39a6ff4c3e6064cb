"""Another writer holds the API's SQLite file locked: the learner waits, or fails the tick
cleanly and retries it; it never loses the tick, never learns a row twice, never dies."""

import threading
import time

import pytest

from harness.processes import wait_until
from tests.support.api_reads import sample, status_of, wait_for_rows
from tests.support.database import write_lock
from tests.support.ledger import assert_learned_exactly_once, read_ledger
from tests.support.services import CHAOS_API_SETTINGS


def failed_ticks(api) -> int:
    return int(sample(api, 'learner_ticks_total{outcome="failed"}'))


@pytest.mark.e2e
def test_a_write_lock_shorter_than_the_busy_timeout_only_makes_the_learner_wait(
    start_simulator, start_api, db_path, figures
):
    """Locked for 4 s mid catch-up (the busy timeout is 30 s): no tick fails, /status keeps
    answering `running`, nothing is learned while locked, then all rows exactly once."""
    rows, hold = 6000, 4.0
    simulator = start_simulator(SIMULATOR_ROWS=rows)
    api = start_api(
        database_url=f"sqlite:///{db_path}",
        source_url=simulator.url,
        MAX_PAGES_PER_TICK=5,
        **CHAOS_API_SETTINGS,
    )
    wait_until(lambda: status_of(api)["rows_seen"] >= 500, timeout=30, message="500 rows")
    states, seen_while_locked = set(), set()
    with write_lock(db_path) as locked:
        (held_at,) = locked.execute("SELECT rows_seen FROM learner_cursor").fetchone()
        released_at = time.monotonic() + hold
        while time.monotonic() < released_at:
            status = status_of(api)
            states.add((status["state"], status["last_error"]))
            seen_while_locked.add(status["rows_seen"])
            time.sleep(0.1)  # samples /status through the lock's fixed hold
    assert seen_while_locked == {held_at}, "the learner committed through the lock"
    assert states == {("running", None)}
    wait_for_rows(api, rows, timeout=60)
    assert failed_ticks(api) == 0, api.logs()
    ledger = assert_learned_exactly_once(api, db_path, list(range(1, rows + 1)))
    figures.update(
        lock_seconds=hold,
        busy_timeout_seconds=30,
        failed_ticks=0,
        rows_learned=rows,
        rows_lost=rows - len(set(ledger.learned_ids)),
        rows_duplicated=ledger.duplicated(),
    )


def test_a_write_lock_longer_than_the_busy_timeout_fails_the_tick_and_the_retry_commits_it(
    make_learner, fake_source, db_path, figures
):
    """The lock is taken after the tick began, so the rows are learned in memory before the
    commit times out: the learner backs off, forgets what it learned, and once the lock is
    gone the retry commits the same rows once, scored once."""
    lock_taken, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with write_lock(db_path):
            lock_taken.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold_lock, daemon=True)

    def lock_mid_tick(page: int) -> bool:
        if not holder.is_alive() and not release.is_set():
            holder.start()
            lock_taken.wait(timeout=10)
        return False

    learner = make_learner(
        busy_timeout=0.3, MAX_PAGES_PER_TICK=3, source=fake_source(pages=3, fail=lock_mid_tick)
    )

    def tick() -> tuple[str, str | None, int]:
        learner.tick()
        return learner.status.state, learner.status.last_error, learner.cursor.rows_seen

    state, error, rows_seen = tick()
    assert (state, rows_seen) == ("backing_off", 0)
    assert "database is locked" in error
    assert learner.tasks == {}, "the models ran ahead of the database"

    release.set()
    holder.join(timeout=10)
    assert tick() == ("running", None, 30)
    ledger = read_ledger(db_path)
    assert ledger.learned_ids == list(range(1, 31))
    for task in learner.tasks.values():
        assert task.scores.report()["count"] == 30
    figures.update(busy_timeout_seconds=0.3, failed_ticks=1, rows_lost=0, rows_duplicated=0)
