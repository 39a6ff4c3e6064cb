"""The challenge API as the learner sees it: pages in order, faults made explicit.

Pages are fetched by a few threads, each with its own keep-alive connection from the
standard library's `http.client`. Two reasons, both measured:

- Nothing is ever cancelled halfway. httpcore's async pool leaks a connection slot for
  each request cancelled while the pool is busy (encode/httpcore#1093), and a learner
  that abandons requests (a tick that ends early, an answer slower than the timeout)
  ended up with a pool full forever and `PoolTimeout` on every request. Here a request
  nobody waits for any more finishes on its own thread and its answer is dropped; a
  connection that failed in any way is closed and the next request opens a new one, so
  there is no shared pool to wedge.
- It is cheap: a page costs the learner's process a fraction of the CPU it cost through
  `httpx.Client` (measured: 180 us a page against 630 us), and the learner shares that
  CPU with learning.
"""

import http.client
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

DATA_PATH = "/api/v1/data"
# A kept-alive connection the server closed while it idled fails on its next request
# before any answer; the request is then sent once more on a new connection.
STALE_CONNECTION_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class SourceError(Exception):
    """The source could not give a usable page: refused, timed out, 5xx or not JSON."""


class SourceClient:
    """The source at `base_url`, `concurrency` requests in flight at most."""

    def __init__(self, base_url: str, *, timeout: float, concurrency: int):
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(
                f"the source URL must be http(s)://host[:port][/path], not {base_url!r}"
            )
        self.base_url, self.timeout, self.concurrency = base_url, timeout, concurrency
        self._connection_type = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        self._host, self._port, self._prefix = url.hostname, url.port, url.path.rstrip("/")
        self._local = threading.local()
        self._threads = ThreadPoolExecutor(concurrency, thread_name_prefix="source")

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connection_type(self._host, self._port, timeout=self.timeout)
            self._local.connection, self._local.used = connection, False
        return connection

    def _close_connection(self) -> None:
        connection = self._local.__dict__.pop("connection", None)
        if connection is not None:
            connection.close()

    def _get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            connection, reused = self._connection(), self._local.used
            try:
                connection.request("GET", path, headers={"Accept": "application/json"})
                response = connection.getresponse()
            except STALE_CONNECTION_ERRORS:
                self._close_connection()
                if reused and attempt == 1:
                    continue
                raise
            body = response.read()
            self._local.used = True
            if response.will_close:
                self._close_connection()
            return response.status, body
        raise AssertionError("unreachable")

    def fetch_page(self, page: int) -> list[Any]:
        try:
            status, body = self._get(f"{self._prefix}{DATA_PATH}?page={page}")
        except (OSError, http.client.HTTPException) as error:
            self._close_connection()
            raise SourceError(f"page {page}: {describe(error)}") from error
        if status != 200:
            raise SourceError(f"page {page}: HTTP {status} from the source")
        try:
            rows = json.loads(body)
        except ValueError as error:
            raise SourceError(f"page {page}: the source answered invalid JSON") from error
        if not isinstance(rows, list):
            raise SourceError(f"page {page}: expected a JSON list, got {type(rows).__name__}")
        return rows

    def pages(
        self, first: int, count: int, *, deadline: float | None = None
    ) -> Iterator[list[Any]]:
        """Pages `first`, `first + 1`, ... in order, at most `count` of them.

        Requests go out in a sliding window that starts at one and doubles with each page
        that comes back, up to `concurrency`: a catch-up keeps the source busy, while a
        learner waiting at the end of the stream asks for one page a tick. No request is
        sent once `deadline` (a `time.monotonic()` value) has passed; those in flight are
        still handed over. Closing the iterator early abandons what is still in flight.
        """
        window: deque[Future[list[Any]]] = deque()
        next_page, end, width = first, first + count, 1
        try:
            while True:
                while len(window) < width and next_page < end and not _past(deadline):
                    window.append(self._threads.submit(self.fetch_page, next_page))
                    next_page += 1
                if not window:
                    return
                rows = window.popleft().result()
                width = min(self.concurrency, width * 2)
                yield rows
        finally:
            for request in window:
                request.cancel()  # only those not started yet; the others run out alone

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def describe(error: BaseException) -> str:
    """What went wrong with a request, in words.

    >>> describe(TimeoutError("timed out")), describe(ConnectionRefusedError(111, "x"))
    ('timed out (TimeoutError)', 'connection refused (ConnectionRefusedError)')
    >>> describe(ConnectionResetError(104, "Connection reset by peer"))
    'the source reset the connection (ConnectionResetError)'
    >>> describe(http.client.IncompleteRead(b"[{", 100))
    'the body was cut off: IncompleteRead(2 bytes read, 100 more expected)'
    """
    if isinstance(error, TimeoutError):
        return f"timed out ({type(error).__name__})"
    if isinstance(error, ConnectionRefusedError):
        return f"connection refused ({type(error).__name__})"
    if isinstance(error, ConnectionResetError):
        return f"the source reset the connection ({type(error).__name__})"
    if isinstance(error, http.client.IncompleteRead):
        return f"the body was cut off: {error!r}"
    if isinstance(error, http.client.RemoteDisconnected):
        return f"the source closed the connection without answering ({type(error).__name__})"
    return f"{type(error).__name__}: {error}".rstrip(": ")


class FetchedPages:
    """A tick's pages. A source fault once some pages are in ends them there, quietly,
    and those pages are still learned: were the whole tick dropped, a catch-up would stall
    on a flaky source. A fault on the first page is the tick's failure."""

    def __init__(self, pages: Iterator[list[Any]]):
        self._pages = pages
        self.fault: SourceError | None = None

    def __iter__(self) -> Iterator[list[Any]]:
        count = 0
        try:
            for rows in self._pages:
                count += 1
                yield rows
        except SourceError as error:
            if not count:
                raise
            self.fault = error

    def close(self) -> None:
        close = getattr(self._pages, "close", None)
        if close is not None:
            close()
