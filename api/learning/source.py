"""The challenge API as seen by the learner: pages fetched with httpx, faults made explicit."""

import asyncio
from collections import deque
from collections.abc import AsyncGenerator
from typing import Any

import httpx

DATA_PATH = "/api/v1/data"


class SourceError(Exception):
    """The source could not give a usable page: refused, timed out, 5xx or not JSON."""


async def fetch_page(client: httpx.AsyncClient, page: int) -> list[Any]:
    try:
        response = await client.get(DATA_PATH, params={"page": page})
    except httpx.HTTPError as error:
        raise SourceError(f"page {page}: {type(error).__name__}: {error}".rstrip(": ")) from error
    if response.status_code != 200:
        raise SourceError(f"page {page}: HTTP {response.status_code} from the source")
    try:
        rows = response.json()
    except ValueError as error:
        raise SourceError(f"page {page}: the source answered invalid JSON") from error
    if not isinstance(rows, list):
        raise SourceError(f"page {page}: expected a JSON list, got {type(rows).__name__}")
    return rows


async def fetch_in_order(
    client: httpx.AsyncClient, first_page: int, count: int, *, concurrency: int
) -> AsyncGenerator[list[Any]]:
    """Pages first_page .. first_page + count - 1 in page order, `concurrency` requests in
    flight: the next request starts as soon as the oldest is answered, so the source never
    waits for the slowest page of a batch (a fifth more pages a second than batches)."""
    in_flight: deque[asyncio.Task[list[Any]]] = deque()
    next_page, end = first_page, first_page + count
    try:
        while in_flight or next_page < end:
            while len(in_flight) < concurrency and next_page < end:
                in_flight.append(asyncio.create_task(fetch_page(client, next_page)))
                next_page += 1
            yield await in_flight.popleft()
    finally:
        for task in in_flight:
            task.cancel()
        # Awaited, so the fault of a page nobody waits for is not logged as unretrieved.
        await asyncio.gather(*in_flight, return_exceptions=True)
