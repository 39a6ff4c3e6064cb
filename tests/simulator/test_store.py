"""The SQLite store without a server: generation, paging by position, appending."""

import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest

from simulator.store import RowStore, generate_database
from simulator.synthetic import generate_rows


def read_rows(path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("SELECT * FROM data ORDER BY id").fetchall()


def test_the_same_seed_generates_the_same_rows(tmp_path):
    for name, seed in [("a.db", 9), ("b.db", 9), ("c.db", 10)]:
        generate_database(path=tmp_path / name, rows=2500, seed=seed)

    assert read_rows(tmp_path / "a.db") == read_rows(tmp_path / "b.db")
    assert read_rows(tmp_path / "a.db") != read_rows(tmp_path / "c.db")


@pytest.mark.serial  # a duration against a bound
def test_generating_100k_rows_is_fast(tmp_path):
    started = time.monotonic()
    generate_database(path=tmp_path / "big.db", rows=100_000, seed=1)

    assert time.monotonic() - started < 5
    assert RowStore(tmp_path / "big.db").row_count == 100_000


@pytest.mark.serial  # two durations compared
def test_a_page_costs_the_same_at_page_0_and_page_9000(tmp_path):
    store = RowStore.open(path=tmp_path / "big.db", rows=100_000, seed=1)

    def best_seconds_per_read(page):
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(100):
                store.read_page(page)
            timings.append(time.perf_counter() - started)
        return min(timings)

    assert store.read_page(9000)[0]["id"] == 90_001
    assert best_seconds_per_read(9000) < 2 * best_seconds_per_read(0)


def test_pages_follow_id_order_across_gaps(tmp_path):
    path = tmp_path / "gaps.db"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE data (id, competence, network_ability, promoted)")
        connection.executemany(
            "INSERT INTO data VALUES (?, 0.5, 0.5, 1)", [(i,) for i in (50, 7, 1000, 3, 8)]
        )

    store = RowStore(path)

    assert [row["id"] for row in store.read_page(0)] == [3, 7, 8, 50, 1000]
    assert store.read_page(1) == []


def test_appended_rows_continue_the_generated_ids(tmp_path):
    store = RowStore.open(path=tmp_path / "s.db", rows=12, seed=4)

    store.append_generated(count=13, seed=4)

    assert store.row_count == 25
    assert [row["id"] for row in store.read_page(2)] == list(range(21, 26))
    assert read_rows(tmp_path / "s.db") == [
        (i, c, n, int(p)) for i, c, n, p in generate_rows(start_id=1, count=25, seed=4)
    ]


CRASH_MID_TRANSACTION = """
import os, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("PRAGMA cache_size = 1")  # spill to the file, so the journal is hot
connection.execute("DELETE FROM data WHERE id > 5")
os._exit(1)
"""


@pytest.mark.e2e  # a Python process to crash
def test_a_file_left_mid_transaction_by_a_crash_is_served_as_last_committed(tmp_path):
    path = tmp_path / "crashed.db"
    generate_database(path=path, rows=5000, seed=1)
    subprocess.run([sys.executable, "-c", CRASH_MID_TRANSACTION, str(path)], check=False)
    assert (tmp_path / "crashed.db-journal").exists()

    store = RowStore(path)

    assert store.row_count == 5000
    assert store.read_page(499)[-1]["id"] == 5000
