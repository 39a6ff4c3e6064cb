"""A whole stream learned by the real services: a simulator serving a world, clean or
damaged, and an API learning all of it; what the API then says, read over HTTP."""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import loopback
from harness.processes import Service, wait_until
from tests.support.api_reads import status_of
from tests.support.services import simulator_service, sqlite_api_service

TASKS = ("classification", "regression")
# The shipped defaults wherever the tests' fast settings would change what is measured:
# the rolling window, and ticks as long as a catch-up's.
CATCH_UP_SETTINGS = {"ROLLING_WINDOW": 500, "MAX_PAGES_PER_TICK": 1000}
# For runs whose checks owe nothing to the candidates' race (the reference's coefficients,
# scores and intervals, the detectors' events, the fence's quarantine): the race process,
# which gets only the rows the fence let through, races the reference alone and spends
# next to no CPU.
REFERENCE_ONLY = {"CLASSIFICATION_CANDIDATES": "reference", "REGRESSION_CANDIDATES": "reference"}


@dataclass
class Learned:
    """What an API says once it has taken every row of its stream."""

    api: Service
    status: dict[str, Any]
    latest: dict[str, dict[str, Any]]
    events: dict[str, list[dict[str, Any]]]

    def read(self, path: str) -> Any:
        response = loopback.get(self.api.url + path, timeout=10)
        response.raise_for_status()
        return response.json()


def all_taken(api: Service, rows: int) -> dict | None:
    """The status once every row is learned or quarantined, none held, and both latest
    records stand at the last one learned."""
    status = status_of(api)
    taken = status["rows_seen"] + status["rows_quarantined"]
    if taken != rows or status["rows_held"] != 0:
        return None
    for task in TASKS:
        latest = loopback.get(f"{api.url}/{task}/latest", timeout=5)
        if latest.status_code != 200 or latest.json()["rows_seen"] != status["rows_seen"]:
            return None
    return status


@contextlib.contextmanager
def learned_world(
    directory: Path,
    *,
    db_path: Path,
    rows: int,
    timeout: float = 180,
    api_settings: dict[str, Any] | None = None,
    **simulator_settings: Any,
) -> Iterator[Learned]:
    """Serve `db_path` (generated with `rows` rows when missing) with `simulator_settings`,
    let an API with its own database in `directory` learn all of it, and yield what it
    says; both services stop afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    simulator = simulator_service(
        db_path=db_path, log_dir=directory, SIMULATOR_ROWS=rows, **simulator_settings
    )
    with simulator:
        api = sqlite_api_service(
            directory, source_url=simulator.url, **{**CATCH_UP_SETTINGS, **(api_settings or {})}
        )
        with api:
            status = wait_until(
                lambda: all_taken(api, rows), timeout=timeout, message=f"{rows} rows taken"
            )
            learned = Learned(api, status, {}, {})
            for task in TASKS:
                learned.latest[task] = learned.read(f"/{task}/latest")
                learned.events[task] = learned.read(f"/{task}/drift")["events"]
            yield learned


def rolling_accuracy(learned: Learned) -> float:
    return learned.latest["classification"]["rolling_metrics"]["accuracy"]


def coefficients(learned: Learned) -> dict[tuple[str, str], float]:
    """Every coefficient of both tasks, by (task, name)."""
    return {
        (task, name): value
        for task in TASKS
        for name, value in learned.latest[task]["coefficients"].items()
    }
