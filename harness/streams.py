"""In-process streams for the statistics tests: the tasks' own `step` over generated rows."""

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from api.learning.options import DEFAULT_OPTIONS, TaskOptions
from api.learning.rows import StreamRow
from api.learning.tasks import ClassificationTask, RegressionTask, new_tasks
from simulator.store import CREATE_TABLE, INSERT_ROW
from simulator.synthetic import NO_DRIFT, Drift, generate_rows

Task = ClassificationTask | RegressionTask
CHECKPOINTS = (5_000, 50_000)
# A drifting stream of the tick tests: the world switches halfway.
ROWS, SWITCH = 6_000, 3_000
# The statistics tests are about the reference model: the other candidates would only
# multiply their time.
REFERENCE_ONLY = replace(
    DEFAULT_OPTIONS, classification_candidates=("reference",), regression_candidates=("reference",)
)


def simulated(count: int, *, seed: int = 42, drift: Drift = NO_DRIFT) -> Iterator[StreamRow]:
    for row in generate_rows(start_id=1, count=count, seed=seed, drift=drift):
        yield StreamRow(*row)


def write_challenge_shaped_db(path: Path, *, rows: int, seed: int) -> None:
    """A `data` table like the challenge's main.db, with other distributions than the
    simulator's: skewed competence, bell-shaped network ability, a steeper threshold."""
    rng = np.random.default_rng(seed)
    competence = rng.beta(2.0, 5.0, rows)
    network_ability = np.clip(rng.normal(0.5, 0.15, rows), 0.0, 1.0)
    logit = 18.0 * (competence - 0.3) + 6.0 * (network_ability - 0.5)
    promoted = rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))
    with sqlite3.connect(path) as connection:
        connection.execute(CREATE_TABLE)
        connection.executemany(
            INSERT_ROW,
            (
                (i + 1, float(c), float(n), int(p))
                for i, (c, n, p) in enumerate(
                    zip(competence, network_ability, promoted, strict=True)
                )
            ),
        )


def read_db(path: Path) -> Iterator[StreamRow]:
    with sqlite3.connect(path) as connection:
        query = "SELECT id, competence, network_ability, promoted FROM data ORDER BY id"
        for row_id, competence, network_ability, promoted in connection.execute(query):
            yield StreamRow(row_id, competence, network_ability, bool(promoted))


def learn(
    rows: Iterable[StreamRow],
    *,
    options: TaskOptions = REFERENCE_ONLY,
    tasks: dict[str, Any] | None = None,
    snapshot_at: tuple[int, ...] = (),
) -> tuple[dict[str, Any], list[dict], dict[int, dict]]:
    """Run every row through the tasks; the drift events and, at each row count of
    `snapshot_at`, each task's coefficients and intervals."""
    tasks = tasks if tasks is not None else new_tasks(500, options)
    events: list[dict] = []
    snapshots: dict[int, dict] = {}
    for seen, row in enumerate(rows, start=1):
        for task in tasks.values():
            task.learn_one(row)
        for task in tasks.values():
            if task.drift_events:
                events += task.drain_drift_events(rows_seen=seen, updated_at=None)  # type: ignore[arg-type]
        if seen in snapshot_at:
            snapshots[seen] = {
                name: (task.coefficients(), task.coefficient_intervals())
                for name, task in tasks.items()
            }
    return tasks, events, snapshots


def pages_of_drifting_stream(ticks: int) -> list[list[list[dict]]]:
    """The drifting stream as `ticks` ticks of pages of ten rows."""
    rows = [
        {"id": i, "competence": c, "network_ability": n, "promoted": p}
        for i, c, n, p in generate_rows(start_id=1, count=ROWS, seed=42, drift=Drift(SWITCH))
    ]
    pages = [rows[i : i + 10] for i in range(0, ROWS, 10)]
    size = len(pages) // ticks
    return [pages[i : i + size] for i in range(0, len(pages), size)]
