"""SIGKILL the learner while the outlier fence holds rows back, on a slow source: every row
is learned or quarantined exactly once, the held-back ones too, and each change is told
once."""

import sqlite3

import pytest

from harness.processes import wait_until
from tests.support.api_reads import status_of
from tests.support.services import CHAOS_API_SETTINGS, kill_learner

pytestmark = pytest.mark.e2e

ROWS = 1_000
# A page every 0.3 s or so, one a tick: an outlier stays held for about 3 s, the first
# rows of a shift for about 1 s.
LATENCY_MS = 250
OUTLIER_ID = 300  # network_ability times -1e6
SHIFT_FROM = 600  # competence 100 times larger from here on


def ledger(db_path) -> dict:
    """Every id the learner took, where it went, from its own file."""
    with sqlite3.connect(db_path, timeout=30) as db:
        learned = [row[0] for row in db.execute("SELECT id FROM learned_row")]
        quarantined = db.execute("SELECT source_id, reason FROM quarantined_row").fetchall()
        held = [row[0] for row in db.execute("SELECT source_id FROM held_row")]
        fence_events = db.execute(
            "SELECT task, rows_seen FROM drift_event WHERE detector = 'fence'"
        ).fetchall()
        cursor = db.execute(
            "SELECT last_id, rows_seen, rows_quarantined, rows_held FROM learner_cursor"
        ).fetchone()
    return {
        "learned": learned,
        "quarantined": quarantined,
        "held": held,
        "fence_events": fence_events,
        "cursor": cursor,
    }


def test_sigkills_while_a_shift_is_being_confirmed_lose_and_double_nothing(
    start_simulator, start_api, db_path, figures
):
    simulator = start_simulator(
        SIMULATOR_ROWS=ROWS,
        SIMULATOR_SEED=31,
        SIMULATOR_LATENCY_MS=LATENCY_MS,
        SIMULATOR_ABSURD_IDS=str(OUTLIER_ID),
        SIMULATOR_ABSURD_FIELD="network_ability",
        SIMULATOR_ABSURD_FACTOR=-1e6,
        SIMULATOR_SCALE_FROM_ROW=SHIFT_FROM,
        SIMULATOR_SCALE_FACTOR=100,
    )
    api = start_api(
        database_url=f"sqlite:///{db_path}",
        source_url=simulator.url,
        MAX_PAGES_PER_TICK=1,
        **CHAOS_API_SETTINGS,
    )
    held_at_kill = []
    # Twice while the outlier is held, once while the shift's first rows are.
    for first_id in (OUTLIER_ID, OUTLIER_ID, SHIFT_FROM):
        status = wait_until(
            lambda first=first_id: (
                (s := status_of(api))["rows_held"] and s["last_id"] >= first and s
            ),
            timeout=60,
            interval=0.02,
            message=f"rows held from id {first_id} on",
        )
        held_at_kill.append((status["last_id"], status["rows_held"]))
        kill_learner(api)
        wait_until(lambda: status_of(api)["state"] == "running", timeout=30, message="back")
    wait_until(
        lambda: (s := status_of(api))["rows_seen"] + s["rows_quarantined"] == ROWS,
        timeout=120,
        message="every row taken",
    )
    api.stop()
    found = ledger(db_path)
    figures["held_at_kills"] = held_at_kill
    figures["fence_events"] = found["fence_events"]

    last_id, rows_seen, rows_quarantined, rows_held = found["cursor"]
    assert last_id == ROWS
    taken = sorted(found["learned"] + [q[0] for q in found["quarantined"]] + found["held"])
    assert taken == list(range(1, ROWS + 1)), "every id once: learned or quarantined"
    assert (len(found["learned"]), len(found["quarantined"]), len(found["held"])) == (
        rows_seen,
        rows_quarantined,
        rows_held,
    )
    ((outlier, reason),) = found["quarantined"]
    assert outlier == OUTLIER_ID and reason.startswith("outlier: network_ability ")
    assert sorted(task for task, _ in found["fence_events"]) == ["classification", "regression"]
    assert found["held"] == []
