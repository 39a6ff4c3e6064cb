"""A catch-up against the real simulator: ticks sized by time, each one commit."""

import pytest

from api.core.db import make_engine, make_session_factory
from api.learner.loop import Learner
from api.migrate import upgrade_database
from tests.support.database import learned_ids, query
from tests.support.learners import make_settings

# Each tick has half a 0.2 s poll interval to fetch its pages: a crowded machine's
# slow first page would end a tick with nothing fetched.
pytestmark = [pytest.mark.e2e, pytest.mark.serial]


def test_a_catch_up_commits_within_each_poll_interval_and_goes_on_at_once(
    start_simulator, sqlite_url
):
    """3,000 rows with the shipped page budget: every tick stops at half a poll interval
    (or the end), commits once and moves model_version by one; while a backlog waits the
    next tick starts at once, and the tick that finds the end waits a poll interval."""
    simulator = start_simulator(SIMULATOR_ROWS=3000)
    settings = make_settings(sqlite_url, CHALLENGE_API_URL=simulator.url)
    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    learner = Learner(settings, make_session_factory(engine))
    delays = []
    try:
        while learner.cursor.rows_seen < 3000 and len(delays) < 1000:
            delays.append(learner.tick())
        delays.append(learner.tick())
    finally:
        learner.source.close()
        engine.dispose()

    assert learner.status.state == "running"
    assert delays[-1] == settings.POLL_INTERVAL_SECONDS  # the end of the stream: wait
    assert set(delays[:-2]) == {0.0}  # a backlog behind every tick before: go on at once
    records = query(
        sqlite_url,
        "SELECT model_version, rows_seen FROM model_record "
        "WHERE task = 'classification' ORDER BY model_version",
    )
    assert [version for version, _ in records] == list(range(1, len(records) + 1))
    assert records[-1] == (learner.cursor.model_version, 3000)
    # Several pages a tick, yet more than one tick: sized by time, not only by pages.
    assert 1 < len(records) < 300
    assert learned_ids(sqlite_url) == list(range(1, 3001))
