"""A source as hostile as the world, then healed: the learner never wedges.

For a minute the source answers a share of requests with HTML error pages, HTML instead
of JSON, bodies cut off mid-JSON on dropped connections and answers slower than the
learner's timeout, while it serves malformed rows and grows. Every slow answer and every
tick that ends early leaves requests in flight that the learner must abandon. Then the
source heals: learning must resume at once, by itself, with exact counts.

Before release 2 this wedged the learner for good: httpcore's async pool leaks a
connection slot for each request cancelled under contention, and once the pool was full
every request failed with PoolTimeout although the source answered instantly.
"""

import re
import sqlite3
import time
from datetime import UTC, datetime

import pytest

from harness.processes import wait_until
from simulator.faults import is_malformed
from tests.support.api_reads import status_of
from tests.support.ledger import assert_learned_exactly_once

# Learning must resume within two 0.2 s poll intervals of the source's return.
pytestmark = [pytest.mark.e2e, pytest.mark.serial]

SEED, MALFORMED_RATE = 42, 0.05
HOSTILE = {
    "SIMULATOR_ERROR_RATE": 0.1,
    "SIMULATOR_HTML_RATE": 0.05,
    "SIMULATOR_TRUNCATE_RATE": 0.1,
    "SIMULATOR_SLOW_RATE": 0.1,
    "SIMULATOR_SLOW_MS": 1500,
    "SIMULATOR_LATENCY_MS": 5,
}
POLL_SECONDS = 0.2
API_SETTINGS = {
    "POLL_INTERVAL_SECONDS": POLL_SECONDS,
    "BACKOFF_MAX_SECONDS": POLL_SECONDS,
    "LEASE_SECONDS": 3,
    "SOURCE_TIMEOUT_SECONDS": 1,
    "LOG_LEVEL": "info",
}
HOSTILE_SECONDS = 60


def served_ids(simulator_db) -> list[int]:
    with sqlite3.connect(simulator_db) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM data ORDER BY id")]


def test_a_hostile_source_then_a_healed_one_loses_nothing_and_never_wedges(
    start_simulator, start_api, db_path, tmp_path, figures
):
    source = start_simulator(
        SIMULATOR_ROWS=2000,
        SIMULATOR_SEED=SEED,
        SIMULATOR_MALFORMED_RATE=MALFORMED_RATE,
        SIMULATOR_GROWTH_ROWS_PER_SECOND=100,
        **HOSTILE,
    )
    api = start_api(database_url=f"sqlite:///{db_path}", source_url=source.url, **API_SETTINGS)

    states, errors = set(), set()
    hostile_until = time.monotonic() + HOSTILE_SECONDS
    while time.monotonic() < hostile_until:
        status = status_of(api)
        states.add(status["state"])
        errors.add(re.sub(r"\d+", "N", status["last_error"] or "").removeprefix("page N: "))
        time.sleep(0.2)  # samples /status through the hostile minute
    rows_in_hostile_minute = status_of(api)["rows_seen"]
    assert "backing_off" in states, states
    assert rows_in_hostile_minute > 0, "nothing learned under faults"

    # The source heals: same port, same file, no request faults, no more growth.
    source.stop()
    start_simulator(port=source.port, SIMULATOR_SEED=SEED, SIMULATOR_MALFORMED_RATE=MALFORMED_RATE)
    healed_at = datetime.now(UTC)

    def first_tick_after_healing() -> datetime | None:
        status = status_of(api)
        tick_at = status["last_tick_at"] and datetime.fromisoformat(status["last_tick_at"])
        resumed = status["state"] == "running" and tick_at and tick_at > healed_at
        return tick_at if resumed else None

    tick_at = wait_until(first_tick_after_healing, timeout=30, interval=0.02, message="a tick")
    # Seen on the API's own clock (the same machine's): a back-off step is at most one
    # poll interval here and a tick is quick, so unless the client wedged, learning goes
    # on within two intervals of the source's return.
    resumed_after = (tick_at - healed_at).total_seconds()
    assert resumed_after <= 2 * POLL_SECONDS, f"learning resumed only after {resumed_after}s"
    ids = served_ids(tmp_path / "simulator.db")
    assert len(ids) > rows_in_hostile_minute, "the catch-up ended before the source healed"
    bad = {i for i in ids if is_malformed(i, seed=SEED, rate=MALFORMED_RATE)}
    good_ids = [i for i in ids if i not in bad]

    wait_until(
        lambda: (s := status_of(api))["rows_seen"] == len(good_ids) and s["state"] == "running",
        timeout=60,
        interval=0.2,
        message=f"all {len(good_ids)} good rows learned, running",
    )
    ledger = assert_learned_exactly_once(api, db_path, good_ids)
    assert set(ledger.quarantined) == bad
    assert ledger.rows_quarantined == ledger.quarantined_rows == len(bad)
    assert api.process.poll() is None
    figures.update(
        hostile_seconds=HOSTILE_SECONDS,
        rows_in_hostile_minute=rows_in_hostile_minute,
        resumed_after_seconds=round(resumed_after, 2),
        rows_served=len(ids),
        rows_learned=len(ledger.learned_ids),
        rows_quarantined=len(bad),
        faults_seen=sorted(e for e in errors if e),
    )
