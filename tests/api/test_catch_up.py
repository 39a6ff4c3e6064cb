"""A catch-up against the real simulator: one tick drains many pages into one commit, and
the next tick's pages are fetched while the current one learns."""

import asyncio

import httpx
import pytest

from api.core.db import make_engine, make_session_factory
from api.crud import create_tables
from api.learning.learner import Learner
from api.serving import Serving
from tests.api.conftest import learned_ids, make_settings, query

pytestmark = pytest.mark.e2e


def test_a_tick_drains_many_pages_into_one_commit_and_fetches_the_next_meanwhile(
    start_simulator, sqlite_url
):
    """2,000 rows in two ticks of 100 pages, each one commit. The second tick's pages were
    fetched while the first learned: it commits although the source is gone by then."""
    simulator = start_simulator(SIMULATOR_ROWS=2000)
    settings = make_settings(sqlite_url, CHALLENGE_API_URL=simulator.url, MAX_PAGES_PER_TICK=100)
    engine = make_engine(sqlite_url)
    create_tables(engine)
    learner = Learner(settings, make_session_factory(engine), Serving())

    async def two_ticks_then_one_without_the_source() -> list[float]:
        async with httpx.AsyncClient(base_url=simulator.url) as client:
            delays = [await learner._tick(client)]
            simulator.stop()
            delays.append(await learner._tick(client))
            delays.append(await learner._tick(client))
            return delays

    try:
        first, second, third = asyncio.run(two_ticks_then_one_without_the_source())
    finally:
        engine.dispose()

    assert (first, second) == (0.0, 0.0)  # each ended on a full page: go on at once
    assert third > 0 and learner.status.state == "backing_off"
    assert (learner.status.rows_seen, learner.status.model_version) == (2000, 2)
    records = query(
        sqlite_url,
        "SELECT model_version, rows_seen FROM model_record "
        "WHERE task = 'classification' ORDER BY model_version",
    )
    assert records == [(1, 1000), (2, 2000)]
    assert learned_ids(sqlite_url) == list(range(1, 2001))
