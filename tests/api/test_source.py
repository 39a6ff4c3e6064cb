"""The learner's source client: pages in order, faults named, abandoned requests harmless."""

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest

from api.learner.source import SourceClient, SourceError
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
        time.sleep(0.02 * (5 - page % 5))  # later pages answer first: under test
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
        time.sleep(0.05)  # a slow answer keeps the window's requests in flight
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
        time.sleep(0.05)  # slow answers, for the deadline to fall among them
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


def test_a_source_slower_than_the_timeout_is_named_and_the_next_request_goes_through(
    source_for,
):
    """The timed-out connection is dropped; the next page comes on a new one, its own."""

    def answer(page: int):
        if page == 0:
            time.sleep(0.5)  # slower than the client's timeout: under test
        return 200, page_of(page * 10 + 1)

    client = source_for(answer, concurrency=1, timeout=0.2)
    with pytest.raises(SourceError, match=r"^page 0: timed out \(TimeoutError\)$"):
        client.fetch_page(0)
    assert client.fetch_page(1) == page_of(11)


@contextlib.contextmanager
def client_on(source: FakeSource, *, base_url: str | None = None) -> Iterator[SourceClient]:
    client = SourceClient(base_url or source.url, timeout=2, concurrency=1)
    try:
        yield client
    finally:
        client.close()
        source.close()


def test_a_kept_alive_connection_the_source_dropped_is_asked_again_on_a_new_one():
    """The source closes each connection after its answer without saying so: the next
    request fails before any answer, and is sent once more on a fresh connection."""
    source = FakeSource(lambda page: (200, page_of(page * 10 + 1)), keep_alive=False)
    with client_on(source) as client:
        assert [client.fetch_page(page) for page in range(3)] == [
            page_of(1),
            page_of(11),
            page_of(21),
        ]
    assert len(source.paths) == 3, "each page asked for once"
    assert source.connections == 3


def test_pages_share_one_kept_alive_connection():
    source = FakeSource(lambda page: (200, page_of(page * 10 + 1)))
    with client_on(source) as client:
        for page in range(5):
            client.fetch_page(page)
    assert source.connections == 1


def test_a_source_url_with_a_path_is_asked_below_that_path():
    """A source behind a reverse proxy: http://host/challenge/ serves /challenge/api/v1/data."""
    source = FakeSource(lambda page: (200, page_of(1)))
    with client_on(source, base_url=source.url + "/challenge/") as client:
        client.fetch_page(0)
    assert source.paths == ["/challenge/api/v1/data"]


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
