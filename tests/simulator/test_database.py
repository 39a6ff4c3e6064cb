"""Where the rows come from: a generated file, a challenge-shaped file, a growing tail."""

import hashlib
import sqlite3
from contextlib import closing

import pytest

from harness import loopback
from harness.processes import wait_until
from simulator.store import PAGE_SIZE
from simulator.synthetic import generate_rows

pytestmark = pytest.mark.e2e


def read_all(simulator) -> list[dict]:
    """Every row up to the first page that is not full: the stream's end for now. A
    reader that went on past it could miss the rows a growing stream adds to that page
    while the next ones are read."""
    rows, page = [], 0
    while True:
        batch = loopback.get(f"{simulator.url}/api/v1/data?page={page}", timeout=5).json()
        rows += batch
        if len(batch) < PAGE_SIZE:
            return rows
        page += 1


def test_a_missing_file_is_generated_in_new_directories_and_reused(start_simulator, tmp_path):
    db_path = tmp_path / "nested" / "dir" / "simulator.db"
    first = start_simulator(db_path=db_path, SIMULATOR_ROWS=25, SIMULATOR_SEED=1)
    generated = read_all(first)
    first.stop()

    again = start_simulator(db_path=db_path, SIMULATOR_ROWS=40, SIMULATOR_SEED=2)

    assert len(generated) == 25
    assert read_all(again) == generated
    assert [path.name for path in db_path.parent.iterdir()] == ["simulator.db"]


def write_challenge_shaped_file(path, rows) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "CREATE TABLE data"
            " (id INTEGER, competence REAL, network_ability REAL, promoted INTEGER)"
        )
        connection.executemany("INSERT INTO data VALUES (?, ?, ?, ?)", rows)


def test_a_challenge_shaped_file_is_served_unchanged(start_simulator, tmp_path):
    db_path = tmp_path / "main.db"
    # Ids with gaps, stored out of order, promoted as 0/1 integers, one integral competence.
    stored = [(id_, id_ / 100, 1 - id_ / 100, id_ % 2) for id_ in range(3, 70, 3)]
    stored[5] = (18, 1, 0.25, 0)
    write_challenge_shaped_file(db_path, reversed(stored))
    digest_before = hashlib.sha256(db_path.read_bytes()).hexdigest()

    simulator = start_simulator(db_path=db_path, SIMULATOR_ROWS=1000)
    pages = [
        loopback.get(f"{simulator.url}/api/v1/data?page={page}", timeout=5).json()
        for page in range(4)
    ]

    assert [len(page) for page in pages] == [10, 10, 3, 0]
    served = [row for page in pages for row in page]
    assert served == [
        {"id": id_, "competence": float(c), "network_ability": n, "promoted": bool(p)}
        for id_, c, n, p in stored
    ]
    assert all(type(row["promoted"]) is bool for row in served)
    simulator.stop()
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == digest_before


def test_the_stream_grows_past_its_old_end(start_simulator, tmp_path):
    db_path = tmp_path / "growing.db"
    simulator = start_simulator(
        db_path=db_path, SIMULATOR_ROWS=15, SIMULATOR_GROWTH_ROWS_PER_SECOND=40
    )

    def page_three():
        return loopback.get(f"{simulator.url}/api/v1/data?page=3", timeout=5).json()

    wait_until(page_three, timeout=10, message="rows past the old end")
    served = read_all(simulator)
    assert len(served) >= 31
    expected = generate_rows(start_id=1, count=len(served), seed=42)
    assert [tuple(row.values()) for row in served] == list(expected)
    simulator.stop()
    assert not db_path.with_name("growing.db-journal").exists()
