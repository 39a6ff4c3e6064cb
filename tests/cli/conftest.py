"""Real services for the `qa-learner` command to talk to."""

import pytest

from harness.processes import Service
from tests.support.api_reads import wait_for_rows
from tests.support.cli import ADMIN_TOKEN, STREAM_ROWS, unused_url
from tests.support.ledger import wait_for_races
from tests.support.services import simulator_service, sqlite_api_service


@pytest.fixture(scope="module")
def learned_api(tmp_path_factory) -> Service:
    """An API that has learned the whole static stream in several ticks and whose races
    have caught up with it (so it commits no more versions), admin token set."""
    tmp = tmp_path_factory.mktemp("learned")
    simulator = simulator_service(
        db_path=tmp / "simulator.db", log_dir=tmp, SIMULATOR_ROWS=STREAM_ROWS
    ).start()
    api = sqlite_api_service(
        tmp, source_url=simulator.url, ADMIN_TOKEN=ADMIN_TOKEN, MAX_PAGES_PER_TICK=5
    )
    try:
        api.start()
        wait_for_rows(api, STREAM_ROWS)
        wait_for_races(api, STREAM_ROWS)
        yield api
    finally:
        api.stop()
        simulator.stop()


@pytest.fixture(scope="module")
def idle_api(tmp_path_factory) -> Service:
    """An API with no learner, nothing learned and admin endpoints off."""
    tmp = tmp_path_factory.mktemp("idle")
    api = sqlite_api_service(tmp, source_url=unused_url(), LEARNER_ENABLED="false")
    with api:
        yield api
