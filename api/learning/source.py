"""The challenge API as the learner sees it: pages in order, faults made explicit.

Pages are fetched by a few threads with a blocking httpx client, never by cancellable
coroutines: httpcore's async pool leaks a connection slot for each request cancelled
while the pool is contended (encode/httpcore#1093), and a learner that abandons requests
(a tick that ends early, a slow answer) ends up with a pool that is full forever. Here
a request nobody waits for any more simply finishes on its own thread, and its answer is
dropped. Should the pool still time out, the client is rebuilt.
"""

import logging
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from threading import Lock
from typing import Any

import httpx

DATA_PATH = "/api/v1/data"
PAGE_SIZE = 10

logger = logging.getLogger(__name__)


class SourceError(Exception):
    """The source could not give a usable page: refused, timed out, 5xx or not JSON."""


class SourceClient:
    """One long-lived client per process, `concurrency` requests in flight at most."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        concurrency: int,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url, self.timeout, self.concurrency = base_url, timeout, concurrency
        self.rebuilds = 0
        self._transport = transport
        self._lock = Lock()
        self._client = self._new_client()
        self._threads = ThreadPoolExecutor(concurrency, thread_name_prefix="source")

    def _new_client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            ),
            transport=self._transport,
        )

    def _rebuild(self, broken: httpx.Client) -> None:
        """A pool that times out although each request has a thread and a slot of its own
        holds slots nobody will give back: start over with a new one."""
        with self._lock:
            if self._client is not broken:
                return  # another thread rebuilt it already
            self._client = self._new_client()
            self.rebuilds += 1
        logger.warning("the source client's pool timed out; rebuilt it")
        broken.close()

    def fetch_page(self, page: int) -> list[Any]:
        client = self._client
        try:
            response = client.get(DATA_PATH, params={"page": page})
        except httpx.HTTPError as error:
            if isinstance(error, httpx.PoolTimeout):
                self._rebuild(client)
            failure = f"page {page}: {type(error).__name__}: {error}".rstrip(": ")
            raise SourceError(failure) from error
        if response.status_code != 200:
            raise SourceError(f"page {page}: HTTP {response.status_code} from the source")
        try:
            rows = response.json()
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
        self._client.close()


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline
