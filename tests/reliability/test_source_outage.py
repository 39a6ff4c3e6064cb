"""The source goes away for many ticks and comes back: the API serves throughout, and
learning resumes by itself where it stopped."""

import threading
import time
from collections import Counter

import httpx
import pytest

from harness import loopback
from harness.processes import wait_until
from tests.support.api_reads import source_errors_counted, status_of, wait_for_rows
from tests.support.ledger import assert_learned_exactly_once
from tests.support.services import CHAOS_API_SETTINGS

pytestmark = pytest.mark.e2e


class LatestPoller(threading.Thread):
    """Asks for `latest` every 50 ms until stopped (at most `limit` seconds)."""

    def __init__(self, url: str, *, limit: float = 90):
        super().__init__(daemon=True)
        self.url, self.limit = url, limit
        self.codes: Counter[int | str] = Counter()
        self.stopped = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + self.limit
        with httpx.Client(timeout=2) as client:
            while not self.stopped.wait(0.05) and time.monotonic() < deadline:
                try:
                    self.codes[client.get(self.url).status_code] += 1
                except httpx.HTTPError as error:
                    self.codes[type(error).__name__] += 1

    def stop(self) -> Counter[int | str]:
        self.stopped.set()
        self.join(timeout=10)
        return self.codes


def test_the_api_serves_through_a_source_outage_and_learning_resumes_by_itself(
    start_simulator, start_api, db_path, figures
):
    """A growing stream is SIGKILLed for at least six failed ticks, then restarted on the
    same port and file: `latest` answered 200 every time, the learner goes on alone, and
    once the stream stops growing every row it holds was learned exactly once."""
    simulator = start_simulator(SIMULATOR_ROWS=300, SIMULATOR_GROWTH_ROWS_PER_SECOND=50)
    api = start_api(
        database_url=f"sqlite:///{db_path}", source_url=simulator.url, **CHAOS_API_SETTINGS
    )
    wait_until(lambda: status_of(api)["rows_seen"] >= 300, timeout=30, message="300 rows")
    poller = LatestPoller(api.url + "/classification/latest")
    poller.start()

    simulator.kill()
    outage_started, errors_before = time.monotonic(), source_errors_counted(api)
    # A request in flight when the source died may fail as a reset; the retries that follow
    # must all be refused, and /status must say so.
    wait_until(
        lambda: (
            (s := status_of(api))["state"] == "backing_off"
            and "connection refused" in s["last_error"]
        ),
        timeout=15,
        message="backing off with 'connection refused'",
    )
    wait_until(
        lambda: source_errors_counted(api) >= errors_before + 6,
        timeout=30,
        message="six failed ticks",
    )
    rows_before_restart = status_of(api)["rows_seen"]
    simulator.start()
    outage_seconds = time.monotonic() - outage_started
    wait_until(
        lambda: (
            (s := status_of(api))["rows_seen"] > rows_before_restart and s["state"] == "running"
        ),
        timeout=30,
        message="learning resumed",
    )
    codes = poller.stop()
    assert set(codes) == {200}, codes

    # Freeze the stream (same port, same file) to count it: each row learned once.
    simulator.stop()
    frozen = start_simulator(port=simulator.port, SIMULATOR_GROWTH_ROWS_PER_SECOND=0)
    rows = loopback.get(frozen.url + "/health").json()["rows"]
    wait_for_rows(api, rows, timeout=30)
    ledger = assert_learned_exactly_once(api, db_path, list(range(1, rows + 1)))
    figures.update(
        outage_seconds=round(outage_seconds, 1),
        failed_ticks_in_outage=source_errors_counted(api) - errors_before,
        latest_answered_200=codes[200],
        latest_not_200=sum(codes.values()) - codes[200],
        rows_learned=rows,
        rows_lost=rows - len(set(ledger.learned_ids)),
        rows_duplicated=ledger.duplicated(),
    )
