"""The learner's source client: pages in order, faults named, abandoned requests harmless."""

import threading
import time

import httpx
import pytest

from api.learning.source import SourceClient, SourceError
from tests.api.conftest import page_of


def in_process_source(answer, *, concurrency: int = 4) -> SourceClient:
    return SourceClient(
        "http://source", timeout=2, concurrency=concurrency, transport=httpx.MockTransport(answer)
    )


def test_pages_come_in_page_order_whatever_order_they_are_answered_in():
    """Later pages answer first; the iterator still hands them over 0, 1, 2, ..."""

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        time.sleep(0.02 * (5 - page % 5))
        return httpx.Response(200, json=page_of(page * 10 + 1))

    source = in_process_source(answer)
    pages = list(source.pages(0, 12))
    source.close()
    assert [rows[0]["id"] for rows in pages] == [page * 10 + 1 for page in range(12)]


def test_the_window_opens_one_page_at_a_time_then_doubles_up_to_the_concurrency():
    """At the end of the stream one request a tick; during a catch-up `concurrency`."""
    in_flight, most = 0, []
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight
        with lock:
            in_flight += 1
            most.append(in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return httpx.Response(200, json=page_of(1))

    source = in_process_source(answer, concurrency=4)
    pages = source.pages(0, 20)
    next(pages)
    assert most == [1]  # the first page was asked for alone
    list(pages)
    source.close()
    assert max(most) == 4


def test_no_request_is_sent_after_the_deadline():
    asked = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(int(request.url.params["page"]))
        time.sleep(0.05)
        return httpx.Response(200, json=page_of(1))

    source = in_process_source(answer, concurrency=2)
    pages = list(source.pages(0, 1000, deadline=time.monotonic() + 0.3))
    source.close()
    assert 2 <= len(pages) < 20
    assert sorted(asked) == list(range(len(pages)))  # what was asked for was handed over


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(503, json={"detail": "down"}), "page 3: HTTP 503 from the source"),
        (
            httpx.Response(200, text="<html>portal</html>"),
            "page 3: the source answered invalid JSON",
        ),
        (httpx.Response(200, json={"rows": []}), "page 3: expected a JSON list, got dict"),
    ],
)
def test_a_bad_answer_is_a_source_error_that_names_the_page(response, message):
    source = in_process_source(lambda request: response)
    with pytest.raises(SourceError) as error:
        source.fetch_page(3)
    source.close()
    assert str(error.value) == message


def test_a_pool_timeout_rebuilds_the_client_and_the_next_request_goes_through():
    """A pool that times out holds slots nobody gives back: the client starts over."""
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.PoolTimeout("no connection slot")
        return httpx.Response(200, json=page_of(1))

    source = in_process_source(answer)
    with pytest.raises(SourceError, match="page 0: PoolTimeout: no connection slot"):
        source.fetch_page(0)
    assert source.rebuilds == 1
    assert source.fetch_page(0)[0]["id"] == 1
    source.close()


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
    assert source.rebuilds == 0
    source.close()
