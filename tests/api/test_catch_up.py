"""A catch-up against the real simulator: one tick drains many pages into one commit."""

import asyncio

import httpx
import pytest

from api.core.db import make_engine, make_session_factory
from api.learning.learner import Learner
from api.migrate import upgrade_database
from api.serving import Serving
from tests.api.conftest import learned_ids, make_settings, query

pytestmark = pytest.mark.e2e


def test_a_tick_drains_many_pages_into_one_commit(start_simulator, sqlite_url):
    """2,000 rows in two ticks of 100 pages, each one commit that moves model_version by
    one; the third tick finds the end of the stream and commits nothing."""
    simulator = start_simulator(SIMULATOR_ROWS=2000)
    settings = make_settings(sqlite_url, CHALLENGE_API_URL=simulator.url, MAX_PAGES_PER_TICK=100)
    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    learner = Learner(settings, make_session_factory(engine), Serving())

    async def three_ticks() -> list[float]:
        async with httpx.AsyncClient(base_url=simulator.url) as client:
            return [await learner._tick(client) for _ in range(3)]

    try:
        delays = asyncio.run(three_ticks())
    finally:
        engine.dispose()

    # The first two ended on a full page, so the next followed at once; the third did not.
    assert delays == [0.0, 0.0, settings.POLL_INTERVAL_SECONDS]
    assert (learner.status.rows_seen, learner.status.model_version) == (2000, 2)
    records = query(
        sqlite_url,
        "SELECT model_version, rows_seen FROM model_record "
        "WHERE task = 'classification' ORDER BY model_version",
    )
    assert records == [(1, 1000), (2, 2000)]
    assert learned_ids(sqlite_url) == list(range(1, 2001))
