"""Catch-up: how fast the learner drains a backlog, against two baselines on the same rows.

A: a plain sequential loop, one `httpx.Client` asking for every page in turn: the speed
   of the source as any client sees it.
B: a bare River loop, the same tasks' `step` (predict, score, learn) over the same rows.
The learner: the real API process, with the shipped defaults, on a fresh database, from
the moment it answers until /status says every row is learned. On the way its
model_snapshot table is sampled.
"""

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select

from api.core.config import settings
from api.learner.source import DATA_PATH
from api.learning.rows import PAGE_SIZE, parse_row
from api.learning.tasks import new_tasks
from api.models import LearnerCursor, ModelRecord
from benchmarks.stack import api_service, rows_raced, rows_seen

WARM_UP_PAGES = 50
# Rare enough to cost the API nothing: the end is read from the committed cursor.
STATUS_POLL_SECONDS = 0.25
SNAPSHOT_SAMPLE_SHARES = (0.1, 0.25, 0.5, 0.75, 1.0)


@dataclass
class SnapshotSample:
    rows_seen: int
    snapshots: int
    blob_bytes: int


@dataclass
class LearnerRun:
    rows_per_second: float
    seconds: float
    snapshot_samples: list[SnapshotSample]
    database_bytes: int
    # From the start until the candidates' race had raced every row too, when measured.
    race_seconds: float | None = None


def fetch_every_page(base_url: str) -> tuple[list[list[Any]], float]:
    """Baseline A: every page once, in order, one request at a time; the pages and the
    rows per second."""
    with httpx.Client(base_url=base_url, timeout=settings.SOURCE_TIMEOUT_SECONDS) as client:
        for page in range(WARM_UP_PAGES):
            client.get(DATA_PATH, params={"page": page}).raise_for_status()
        pages: list[list[Any]] = []
        started = time.perf_counter()
        while not pages or len(pages[-1]) == PAGE_SIZE:
            response = client.get(DATA_PATH, params={"page": len(pages)})
            response.raise_for_status()
            pages.append(response.json())
        seconds = time.perf_counter() - started
    return pages, sum(map(len, pages)) / seconds


def learn_in_memory(pages: list[list[Any]]) -> float:
    """Baseline B: progressive validation over the rows already in memory; rows per second."""
    rows = [parse_row(raw) for page in pages for raw in page]
    tasks = list(new_tasks(settings.ROLLING_WINDOW).values())
    started = time.perf_counter()
    for row in rows:
        for task in tasks:
            task.learn_one(row)
    return len(rows) / (time.perf_counter() - started)


def _read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)


def sample_snapshots(database: Path, seen: int) -> SnapshotSample:
    with _read_only(database) as connection:
        count, size = connection.execute(
            "SELECT count(*), coalesce(sum(length(blob)), 0) FROM model_snapshot"
        ).fetchone()
    return SnapshotSample(seen, count, size)


def committed_at(database: Path) -> float:
    """When the newest tick was committed, as a Unix time."""
    return _read_moment(database, select(LearnerCursor.updated_at))


def raced_at(database: Path, rows: int) -> float:
    """When a version whose race had raced `rows` rows was first committed, as a Unix time."""
    query = select(func.min(ModelRecord.updated_at)).where(ModelRecord.rows_raced >= rows)
    return _read_moment(database, query)


def _read_moment(database: Path, query: Any) -> float:
    engine = create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")
    try:
        with engine.connect() as connection:
            moment = connection.execute(query).scalar_one()
    finally:
        engine.dispose()
    if moment is None:
        raise RuntimeError(f"{database}: nothing committed yet for {query}")
    return moment.timestamp()


def database_bytes(database: Path) -> int:
    files = (database, database.with_name(database.name + "-wal"))
    return sum(path.stat().st_size for path in files if path.exists())


def run_learner(
    *, source_url: str, rows: int, workdir: Path, until_raced: bool = False, **settings: str
) -> LearnerRun:
    """The API from a fresh database until it has learned `rows` rows, and with
    `until_raced` until the candidates have raced them too; `settings` only to switch a
    feature off for comparison."""
    database = workdir / "catch-up.db"
    api = api_service(source_url=source_url, database=database, workdir=workdir, **settings)
    thresholds = [round(rows * share) for share in SNAPSHOT_SAMPLE_SHARES]
    samples: list[SnapshotSample] = []
    with api, httpx.Client(base_url=api.url, timeout=10) as client:
        # The learner starts with the process: rows it committed before the API answered
        # are left out together with the time they took.
        started, seen_at_start = time.time(), rows_seen(client)
        seen = seen_at_start
        while seen < rows:
            time.sleep(STATUS_POLL_SECONDS)
            seen = rows_seen(client)
            if thresholds and seen >= thresholds[0]:
                samples.append(sample_snapshots(database, seen))
                while thresholds and seen >= thresholds[0]:
                    thresholds.pop(0)
        seconds = committed_at(database) - started
        race_seconds = None
        if until_raced:
            while rows_raced(client) < rows:
                time.sleep(STATUS_POLL_SECONDS)
            race_seconds = raced_at(database, rows) - started
    return LearnerRun(
        rows_per_second=(rows - seen_at_start) / seconds,
        seconds=seconds,
        snapshot_samples=samples,
        database_bytes=database_bytes(database),
        race_seconds=race_seconds,
    )
