"""The challenge API as seen by the learner: pages fetched with httpx, faults made explicit."""

import asyncio
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


async def fetch_pages(client: httpx.AsyncClient, first_page: int, count: int) -> list[list[Any]]:
    """Pages first_page .. first_page + count - 1, fetched concurrently, in page order."""
    return list(await asyncio.gather(*(fetch_page(client, first_page + i) for i in range(count))))
