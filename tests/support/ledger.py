"""What the learner committed, read straight from its SQLite file, and the check every
chaos test ends with: each good row learned exactly once."""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from harness import loopback
from harness.processes import Service, wait_until
from tests.support.api_reads import latest_of


@dataclass(frozen=True)
class Ledger:
    learned_ids: list[int]
    quarantined: dict[int | None, str]
    quarantined_rows: int
    next_page: int
    last_id: int | None
    rows_seen: int
    rows_quarantined: int
    model_version: int
    snapshot_tasks: set[str]

    def duplicated(self) -> int:
        return len(self.learned_ids) - len(set(self.learned_ids))


def read_ledger(db_path: Path) -> Ledger:
    with sqlite3.connect(db_path, timeout=30) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM learned_row ORDER BY id")]
        quarantined = connection.execute("SELECT source_id, reason FROM quarantined_row").fetchall()
        cursor = connection.execute(
            "SELECT next_page, last_id, rows_seen, rows_quarantined, model_version "
            "FROM learner_cursor"
        ).fetchone() or (0, None, 0, 0, 0)
        snapshot_tasks = {
            task
            for (task,) in connection.execute(
                "SELECT task FROM model_snapshot WHERE model_version = ?", (cursor[4],)
            )
        }
    return Ledger(ids, dict(quarantined), len(quarantined), *cursor, snapshot_tasks=snapshot_tasks)


def wait_for_races(api: Service, rows: int, *, timeout: float = 240) -> None:
    """Until both leaderboards stand after `rows` rows: the race runs behind the learner."""

    def raced() -> bool:
        for task in ("classification", "regression"):
            # 404 until the API serves its first commit, a moment after the database has it.
            board = loopback.get(f"{api.url}/{task}/leaderboard", timeout=5)
            if board.status_code != 200 or board.json()["rows_raced"] != rows:
                return False
        return True

    wait_until(raced, timeout=timeout, message=f"the races caught up with {rows} rows")


def assert_learned_exactly_once(api: Service, db_path: Path, good_ids: list[int]) -> Ledger:
    """Every good id in learned_row once, both models and, once the races have caught up,
    every candidate of the leaderboard scored on exactly those rows, and a restorable
    snapshot of both tasks and of the outlier fence at the cursor's model version. Returns
    the ledger read."""
    wait_for_races(api, len(good_ids))
    ledger = read_ledger(db_path)
    assert ledger.learned_ids == good_ids
    assert ledger.rows_seen == len(good_ids)
    for task in ("classification", "regression"):
        latest = latest_of(api, task)
        assert latest["metrics"]["count"] == latest["rows_seen"] == len(good_ids), task
        assert latest["model_version"] == ledger.model_version
        board = loopback.get(f"{api.url}/{task}/leaderboard", timeout=5).json()
        assert len(board["candidates"]) > 1, "the default candidates race"
        for candidate in board["candidates"]:
            counts = candidate["rows_seen"], candidate["metrics"]["count"]
            assert counts == (len(good_ids), len(good_ids)), (task, candidate["name"])
    assert ledger.snapshot_tasks == {"classification", "regression", "fence"}
    return ledger
