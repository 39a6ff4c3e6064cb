"""The learner's source client: pages in order, faults named, abandoned requests harmless."""

import threading
import time

import pytest

from api.learning.source import SourceClient, SourceError
from tests.support.fake_source import FakeSource, source_clients
from tests.support.rows import page_of


@pytest.fixture
def source_for():
    """The learner's client on a source over HTTP that answers `answer(page)`."""
    with source_clients() as build:
        yield build


def test_pages_come_in_page_order_whatever_order_they_are_answered_in(source_for):
    """Later pages answer first; the iterator still hands them over 0, 1, 2, ..."""

    def answer(page: int):
        time.sleep(0.02 * (5 - page % 5))
        return 200, page_of(page * 10 + 1)

    pages = list(source_for(answer).pages(0, 12))
    assert [rows[0]["id"] for rows in pages] == [page * 10 + 1 for page in range(12)]


def test_the_window_opens_one_page_at_a_time_then_doubles_up_to_the_concurrency(source_for):
    """At the end of the stream one request a tick; during a catch-up `concurrency`."""
    in_flight, most = 0, []
    lock = threading.Lock()

    def answer(page: int):
        nonlocal in_flight
        with lock:
            in_flight += 1
            most.append(in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return 200, page_of(1)

    pages = source_for(answer, concurrency=4).pages(0, 20)
    next(pages)
    assert most == [1]  # the first page was asked for alone
    list(pages)
    assert max(most) == 4


def test_no_request_is_sent_after_the_deadline(source_for):
    asked = []

    def answer(page: int):
        asked.append(page)
        time.sleep(0.05)
        return 200, page_of(1)

    pages = list(source_for(answer, concurrency=2).pages(0, 1000, deadline=time.monotonic() + 0.3))
    assert 2 <= len(pages) < 20
    assert sorted(asked) == list(range(len(pages)))  # what was asked for was handed over


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (503, {"detail": "down"}, "page 3: HTTP 503 from the source"),
        (200, b"<html>portal</html>", "page 3: the source answered invalid JSON"),
        (200, {"rows": []}, "page 3: expected a JSON list, got dict"),
    ],
)
def test_a_bad_answer_is_a_source_error_that_names_the_page(source_for, status, body, message):
    with pytest.raises(SourceError) as error:
        source_for(lambda page: (status, body)).fetch_page(3)
    assert str(error.value) == message


def test_a_refused_connection_is_named():
    source = FakeSource(lambda page: (200, page_of(1)))
    port = source.url.rsplit(":", 1)[1]
    source.close()
    client = SourceClient(f"http://127.0.0.1:{port}", timeout=2, concurrency=1)
    with pytest.raises(SourceError, match=r"page 0: connection refused"):
        client.fetch_page(0)
    client.close()


def test_a_url_that_is_not_http_is_refused_at_once():
    with pytest.raises(ValueError, match="must be http"):
        SourceClient("ftp://example", timeout=1, concurrency=1)


@pytest.mark.e2e
def test_requests_abandoned_in_flight_never_block_the_next_ones(start_simulator):
    """Against a real source whose every answer is slow, iterators closed with requests in
    flight, over and over, leave the client as good as new."""
    simulator = start_simulator(SIMULATOR_ROWS=200, SIMULATOR_SLOW_RATE=1.0, SIMULATOR_SLOW_MS=300)
    source = SourceClient(simulator.url, timeout=2, concurrency=2)
    for first in range(0, 20, 2):
        pages = source.pages(first, 10)
        assert len(next(pages)) == 10
        next(pages)  # the window is now two wide: a request is in flight
        pages.close()  # abandoned, not cancelled
    started = time.monotonic()
    assert [len(rows) for rows in source.pages(18, 3)] == [10, 10, 0]
    # The abandoned requests finish on their own; the new ones queue behind them at most.
    assert time.monotonic() - started < 3
    source.close()
