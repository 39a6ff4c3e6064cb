"""A flaky, slow source that serves malformed rows: every good row learned once, every bad
one quarantined with its reason, the learner never stops and says what is wrong."""

import re
import time

import pytest

from harness.processes import wait_until
from simulator.faults import is_malformed, malformation
from tests.support.api_reads import source_errors_counted, status_of
from tests.support.ledger import assert_learned_exactly_once
from tests.support.services import CHAOS_API_SETTINGS


def test_a_fault_mid_tick_still_commits_the_pages_fetched_before_it(make_learner, fake_source):
    """Page 2 fails once: pages 0 and 1 are learned in that tick, the status says
    backing_off with the failing page, and the next tick goes on from page 2."""
    failures = {2: 1}

    def fail(page: int) -> bool:
        if failures.get(page, 0) > 0:
            failures[page] -= 1
            return True
        return False

    learner = make_learner(MAX_PAGES_PER_TICK=5, source=fake_source(pages=4, fail=fail))
    seen = []
    for _ in range(2):
        learner.tick()
        seen.append((learner.status.state, learner.status.last_error, learner.cursor.rows_seen))

    first, second = seen
    assert first == ("backing_off", "page 2: HTTP 503 from the source", 20)
    assert second == ("running", None, 40)
    assert (learner.cursor.next_page, learner.cursor.last_id) == (4, 40)


@pytest.mark.e2e
def test_a_flaky_slow_source_with_malformed_rows_loses_nothing_and_learns_nothing_twice(
    start_simulator, start_api, db_path, figures
):
    """20% of requests answer 5xx, 10% of rows are malformed, every request waits 20 ms."""
    rows, seed, rate = 1000, 42, 0.1
    bad = {i for i in range(1, rows + 1) if is_malformed(i, seed=seed, rate=rate)}
    good_ids = sorted(set(range(1, rows + 1)) - bad)
    simulator = start_simulator(
        SIMULATOR_ROWS=rows,
        SIMULATOR_SEED=seed,
        SIMULATOR_MALFORMED_RATE=rate,
        SIMULATOR_ERROR_RATE=0.2,
        SIMULATOR_LATENCY_MS=20,
    )
    # One page a request at a time: a 5xx then costs the tick only the pages after it.
    api = start_api(
        database_url=f"sqlite:///{db_path}",
        source_url=simulator.url,
        SOURCE_CONCURRENCY=1,
        **CHAOS_API_SETTINGS,
    )
    started = time.monotonic()
    states, errors = set(), set()

    def learned_all() -> bool:
        status = status_of(api)
        states.add(status["state"])
        if status["last_error"]:
            errors.add(status["last_error"])
        return status["rows_seen"] == len(good_ids)

    wait_until(learned_all, timeout=90, interval=0.05, message="every good row learned")
    catch_up_seconds = time.monotonic() - started
    assert "backing_off" in states
    # At the tail it keeps polling the flaky source, shows each fault, and learns no more.
    states.clear()
    wait_until(
        lambda: learned_all() and "backing_off" in states,
        timeout=30,
        interval=0.05,
        message="a fault shown after the catch-up",
    )
    assert all(re.fullmatch(r"page \d+: HTTP 50[03] from the source", e) for e in errors)
    assert api.process.poll() is None
    ledger = assert_learned_exactly_once(api, db_path, good_ids)
    assert set(ledger.quarantined) == bad
    for row_id, reason in ledger.quarantined.items():
        field, _kind = malformation(row_id, seed=seed)
        assert repr(field) in reason, (row_id, reason)
    assert ledger.rows_quarantined == ledger.quarantined_rows == len(bad)
    figures.update(
        rows_served=rows,
        source_5xx_met=source_errors_counted(api),
        malformed_quarantined=len(bad),
        rows_learned=len(ledger.learned_ids),
        rows_lost=len(set(good_ids) - set(ledger.learned_ids)),
        rows_duplicated=ledger.duplicated(),
        catch_up_seconds=round(catch_up_seconds, 1),
    )
