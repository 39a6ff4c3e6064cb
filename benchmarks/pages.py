"""Page cost of the simulator: the first page against the last, one request at a time."""

import statistics
import time
from dataclasses import dataclass

import httpx

from api.learner.source import DATA_PATH
from api.learning.rows import PAGE_SIZE

WARM_UP_REQUESTS = 50


@dataclass
class PageCost:
    first_ms: float
    last_ms: float
    last_page: int
    requests_each: int


def _milliseconds(client: httpx.Client, page: int) -> float:
    started = time.perf_counter()
    client.get(DATA_PATH, params={"page": page}).raise_for_status()
    return (time.perf_counter() - started) * 1e3


def measure_page_cost(base_url: str, *, rows: int, requests: int) -> PageCost:
    """Medians over `requests` requests of each page, interleaved so both see the same load."""
    last_page = (rows - 1) // PAGE_SIZE
    first: list[float] = []
    last: list[float] = []
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for _ in range(WARM_UP_REQUESTS):
            _milliseconds(client, 0)
            _milliseconds(client, last_page)
        for _ in range(requests):
            first.append(_milliseconds(client, 0))
            last.append(_milliseconds(client, last_page))
    return PageCost(statistics.median(first), statistics.median(last), last_page, requests)
