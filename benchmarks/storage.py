"""Storage: what the database weighs as the stream grows, with the shipped defaults, and
what pruning costs a tick.

Two shapes of stream, since what grows differs:

- Live: a page every tick, as at the end of the stream. Each tick commits a model version,
  so the records grow (about 12 kB a version) until `RECORDS_KEPT` versions, then only by
  one version in `OLDER_RECORDS_EVERY`. The learner runs in this process on a SQLite
  file, ticking on one page after another without the two seconds between them (the
  commits, the pruning and the file are the product's; only the wait is left out).
- Catch-up: the real `python -m api` drains a backlog from the simulator. A tick learns
  thousands of rows, so the learned rows grow until `LEARNED_ROWS_KEPT`, then stay; the
  snapshots grow with the trees until their caps.
"""

import sqlite3
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.core.config import Settings
from api.core.db import make_engine, make_session_factory
from api.learner.loop import Learner
from api.migrate import upgrade_database
from benchmarks.catchup import database_bytes
from benchmarks.stack import api_service, rows_seen
from simulator.synthetic import generate_rows

SAMPLE_EVERY_VERSIONS = 1_000
ALTERNATE_TICKS = 250
SAMPLES_PER_CATCH_UP = 8
STATUS_POLL_SECONDS = 1.0
# What each table is counted under, its indexes with it.
PARTS = {
    "learned_row": "learned rows",
    "model_record": "records",
    "model_snapshot": "snapshots",
    "checkpoint": "snapshots",
    "quarantined_row": "quarantined rows",
}


@dataclass
class StorageSample:
    rows_seen: int
    model_version: int
    database_bytes: int
    parts: dict[str, int]  # bytes of each part (PARTS), indexes included
    learned_rows_kept: int


@dataclass
class LiveStorage:
    versions: int
    samples: list[StorageSample]
    records_kept: int
    # Past `RECORDS_KEPT`, blocks of ticks with pruning and without alternate, so that
    # both see the same database and the same models (a tick slows as the trees grow).
    tick_mean_ms_pruning: float  # a step's cost spread over the ticks between steps
    tick_mean_ms_not_pruning: float
    prune_ms: float  # mean of a step, in the blocks with pruning


@dataclass
class CatchUpStorage:
    rows: int
    learned_rows_kept: int
    samples: list[StorageSample]
    prune_ms: float  # mean of a step, once pruning
    tick_ms: float  # mean, once pruning


def table_bytes(database: Path) -> dict[str, int]:
    """Bytes of each part of the database (PARTS), each table with its indexes."""
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as connection:
        owners = dict(
            connection.execute(
                "SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')"
            )
        )
        sizes = connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    parts: dict[str, int] = {}
    for name, size in sizes:
        part = PARTS.get(owners.get(name, name), "other")
        parts[part] = parts.get(part, 0) + size
    return parts


def sample(database: Path) -> StorageSample:
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as connection:
        (kept,) = connection.execute("SELECT count(*) FROM learned_row").fetchone()
        rows, version = connection.execute(
            "SELECT rows_seen, model_version FROM learner_cursor"
        ).fetchone()
    return StorageSample(rows, version, database_bytes(database), table_bytes(database), kept)


PRUNE_HISTOGRAM = "learner_prune_duration_seconds"
TICK_HISTOGRAM = "learner_tick_duration_seconds"


def totals(name: str, text: str) -> tuple[float, float]:
    """A histogram's sum and count, from the learner's metrics."""
    for family in text_string_to_metric_families(text):
        if family.name == name:
            values = {s.name: s.value for s in family.samples}
            return values[f"{name}_sum"], values[f"{name}_count"]
    raise LookupError(f"no {name} in the metrics")


def mean_ms(name: str, before: str, after: str) -> float:
    """The mean of a histogram's observations between two readings, in ms."""
    (sum_before, count_before), (sum_after, count_after) = totals(name, before), totals(name, after)
    steps = count_after - count_before
    return (sum_after - sum_before) / steps * 1000 if steps else 0.0


def measure_live(*, workdir: Path, versions: int) -> LiveStorage:
    """`versions` ticks of a page each, with the shipped defaults, on a fresh SQLite file."""
    database = workdir / "live.db"
    # The shipped defaults: nothing from the environment or `.env` but what is set here.
    only: dict[str, Any] = {
        "_env_file": None,
        "DATABASE_URL": f"sqlite:///{database}",
        "LEARNER_ENABLED": False,
        "SECRET_KEY": "benchmark-secret-key",
    }
    settings = Settings(**only)
    if versions < settings.RECORDS_KEPT + SAMPLE_EVERY_VERSIONS:
        raise ValueError(f"{versions:,} versions: the records' retention would hardly bite")
    rows = [
        {"id": row_id, "competence": c, "network_ability": n, "promoted": p}
        for row_id, c, n, p in generate_rows(start_id=1, count=versions * 10, seed=17)
    ]
    engine = make_engine(settings.DATABASE_URL)
    upgrade_database(engine)
    learner = Learner(settings, make_session_factory(engine))
    kept = settings.RECORDS_KEPT
    samples: list[StorageSample] = []
    ticks: dict[bool, list[float]] = {True: [], False: []}  # by pruning or not
    prune_seconds: list[float] = []
    prune_step = learner.prune

    def timed_prune() -> Any:
        started = time.perf_counter()
        try:
            return prune_step()
        finally:
            prune_seconds.append(time.perf_counter() - started)

    try:
        learner.restore()
        for version in range(1, versions + 1):
            pruning = version <= kept or (version - kept - 1) // ALTERNATE_TICKS % 2 == 0
            # Without pruning the steps' pace still counts: the next block begins with the
            # step these ticks left, as a live stream's would after them.
            step = (timed_prune if version > kept else prune_step) if pruning else lambda: None
            learner.prune = step  # type: ignore[method-assign]
            started = time.perf_counter()
            learner.learn_and_commit([rows[(version - 1) * 10 : version * 10]])
            if version > kept:
                ticks[pruning].append(time.perf_counter() - started)
            if version % SAMPLE_EVERY_VERSIONS == 0:
                samples.append(sample(database))
    finally:
        learner.close()
        learner.lease.release()
        engine.dispose()
    return LiveStorage(
        versions=versions,
        samples=samples,
        records_kept=kept,
        tick_mean_ms_pruning=statistics.fmean(ticks[True]) * 1000,
        tick_mean_ms_not_pruning=statistics.fmean(ticks[False]) * 1000,
        prune_ms=statistics.fmean(prune_seconds) * 1000 if prune_seconds else 0.0,
    )


def measure_catch_up(*, source_url: str, rows: int, workdir: Path) -> CatchUpStorage:
    """The API with its shipped defaults drains `rows` rows from a fresh database."""
    kept = Settings.model_fields["LEARNED_ROWS_KEPT"].default
    database = workdir / "catch-up-storage.db"
    api = api_service(source_url=source_url, database=database, workdir=workdir)
    thresholds = [round(rows * (i + 1) / SAMPLES_PER_CATCH_UP) for i in range(SAMPLES_PER_CATCH_UP)]
    samples: list[StorageSample] = []
    bite_metrics: str | None = None  # when the learned rows reached `kept`
    with api, httpx.Client(base_url=api.url, timeout=30) as client:
        seen = 0
        while seen < rows:
            time.sleep(STATUS_POLL_SECONDS)
            seen = rows_seen(client)
            if bite_metrics is None and seen >= kept:
                bite_metrics = client.get("/metrics").text
            if thresholds and seen >= thresholds[0]:
                samples.append(sample(database))
                while thresholds and seen >= thresholds[0]:
                    thresholds.pop(0)
        final_metrics = client.get("/metrics").text
    if bite_metrics is None:
        raise ValueError(f"{rows:,} rows never reach LEARNED_ROWS_KEPT ({kept:,})")
    return CatchUpStorage(
        rows=rows,
        learned_rows_kept=kept,
        samples=samples,
        prune_ms=mean_ms(PRUNE_HISTOGRAM, bite_metrics, final_metrics),
        tick_ms=mean_ms(TICK_HISTOGRAM, bite_metrics, final_metrics),
    )
