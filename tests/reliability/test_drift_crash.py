"""A SIGKILL after a drift was detected in memory and before its tick commits: the event
is recorded once, on the restart, exactly as an uninterrupted run records it."""

import re
import sqlite3
import time

import pytest

from harness import loopback
from harness.processes import wait_until
from harness.streams import learn, simulated
from simulator.synthetic import Drift
from tests.support.api_reads import latest_of, sample, wait_for_rows
from tests.support.database import write_lock
from tests.support.services import CHAOS_API_SETTINGS, kill_api_and_learner

pytestmark = pytest.mark.e2e

ROWS, SWITCH, SEED = 6_000, 3_000, 42
PAGES = ROWS // 10


def drift_events(api, task: str) -> list[dict]:
    response = loopback.get(f"{api.url}/{task}/drift", timeout=5)
    response.raise_for_status()
    return response.json()["events"]


def committed(db_path) -> tuple[int, int]:
    """(rows in the committed cursor, drift events stored)."""
    with sqlite3.connect(db_path, timeout=30) as connection:
        cursor = connection.execute("SELECT rows_seen FROM learner_cursor").fetchone()
        (events,) = connection.execute("SELECT count(*) FROM drift_event").fetchone()
    return (cursor[0] if cursor else 0), events


def test_a_sigkill_between_detection_and_commit_neither_loses_nor_doubles_the_event(
    start_simulator, start_api, db_path, figures
):
    """One tick takes the whole stream (the switch at row 3,000 inside it); its pages come
    slowly, and meanwhile another connection takes the write lock, so the tick learns every
    row, detects the drift and then waits on its commit. It is SIGKILLed there. Nothing was
    committed; the restart learns the rows again and commits the one event an
    uninterrupted in-process run of the same rows records, and /metrics counts it."""
    simulator = start_simulator(
        SIMULATOR_ROWS=ROWS,
        SIMULATOR_SEED=SEED,
        SIMULATOR_DRIFT_AT_ROW=SWITCH,
        SIMULATOR_LATENCY_MS=20,
        SIMULATOR_ACCESS_LOG="true",
    )
    # A tick may run for half a poll interval: 5 s, time enough for all 600 pages.
    settings = {
        **CHAOS_API_SETTINGS,
        "MAX_PAGES_PER_TICK": PAGES + 1,
        "POLL_INTERVAL_SECONDS": 10,
        "LEASE_SECONDS": 12,
    }
    api = start_api(database_url=f"sqlite:///{db_path}", source_url=simulator.url, **settings)
    wait_until(
        lambda: re.search(r"page=1\b", simulator.logs()),
        timeout=60,
        message="the first tick, its lease held, fetching its pages",
    )
    with write_lock(db_path):
        wait_until(
            lambda: re.search(rf"page={PAGES}\b", simulator.logs()),
            timeout=60,
            message="the tick's last page fetched",
        )
        # The one sleep that waits for a state: nothing outside the learner shows its tick
        # done learning and waiting on the lock (it serves and commits nothing till then).
        # Learning the last pages takes well under a second.
        time.sleep(3.0)
        kill_api_and_learner(api)
    assert committed(db_path) == (0, 0), "the kill must land before the tick's commit"

    api.start()
    wait_for_rows(api, ROWS, timeout=60)
    _, expected, _ = learn(simulated(ROWS, seed=SEED, drift=Drift(at_row=SWITCH)))
    assert expected, "the reference run must detect the switch"
    for task in ("classification", "regression"):
        served = drift_events(api, task)
        reference = [e for e in expected if e["task"] == task]
        assert [(e["rows_seen"], e["detector"]) for e in served] == [
            (e["rows_seen"], e["detector"]) for e in reference
        ]
        for got, want in zip(served, reference, strict=True):
            assert got["loss_before"] == pytest.approx(want["loss_before"])
            assert got["loss_after"] == pytest.approx(want["loss_after"])
    # Counted by detector and task, the labels as /metrics writes them.
    served = drift_events(api, "classification")
    for detector in {event["detector"] for event in served}:
        labels = f'detector="{detector}",task="classification"'
        counted = sample(api, f"learner_drift_events_total{{{labels}}}")
        assert counted == sum(event["detector"] == detector for event in served), detector
    latest = latest_of(api, "regression")
    low, high = latest["coefficient_intervals"]["competence"]
    assert low < latest["coefficients"]["competence"] < high
    figures.update(events=[(e["task"], e["rows_seen"]) for e in expected], rows=ROWS, switch=SWITCH)
