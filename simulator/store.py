"""The rows: a SQLite file with a table `data(id, competence, network_ability, promoted)`.

An existing file is served as it is. Its ids may have gaps, so page N means the rows in id
order at positions 10N .. 10N+9 (LIMIT 10 OFFSET 10N). An OFFSET scan costs more the
larger N is, so the store keeps the rowids of all rows, in id order, in memory: a page is a
slice of that array plus ten rowid lookups, the same cost at page 0 and at page 9,000.

A missing file is generated with `simulator.synthetic` into a temporary file beside it and
renamed when complete, so a crash mid-generation never leaves a half-filled database.
"""

import os
import sqlite3
from array import array
from contextlib import closing
from pathlib import Path
from threading import Lock

from simulator.synthetic import NO_DRIFT, Drift, generate_rows

PAGE_SIZE = 10

CREATE_TABLE = """
CREATE TABLE data (
    id INTEGER PRIMARY KEY,
    competence REAL NOT NULL,
    network_ability REAL NOT NULL,
    promoted INTEGER NOT NULL
)
"""
INSERT_ROW = "INSERT INTO data (id, competence, network_ability, promoted) VALUES (?, ?, ?, ?)"


def generate_database(*, path: Path, rows: int, seed: int, drift: Drift = NO_DRIFT) -> None:
    """Write a new SQLite file at `path` holding `rows` synthetic rows (ids 1..rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(temporary)) as connection:
            # No journal and no syncs while filling: the file only counts once renamed.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute(CREATE_TABLE)
            with connection:
                connection.executemany(
                    INSERT_ROW, generate_rows(start_id=1, count=rows, seed=seed, drift=drift)
                )
        with open(temporary, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _as_float(value):
    # SQLite may hand back an int from a REAL column; anything else is a bad record, served as is.
    return float(value) if isinstance(value, int) else value


def _as_bool(value):
    # SQLite has no boolean type: the challenge's file stores promoted as 0 or 1.
    return bool(value) if value in (0, 1) else value


def _as_json_row(row_id, competence, network_ability, promoted) -> dict:
    return {
        "id": row_id,
        "competence": _as_float(competence),
        "network_ability": _as_float(network_ability),
        "promoted": _as_bool(promoted),
    }


class RowStore:
    """Pages of the `data` table, readable from many threads while one appends."""

    def __init__(self, path: Path):
        self.path = path
        self._append_lock = Lock()
        with closing(self._connect()) as connection:
            tables = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data'"
            ).fetchall()
            if not tables:
                raise ValueError(f"{path} has no table named data")
            rowids = connection.execute("SELECT rowid FROM data ORDER BY id, rowid")
            self._rowids_by_id = array("q", (rowid for (rowid,) in rowids))

    @classmethod
    def open(cls, *, path: Path, rows: int, seed: int, drift: Drift = NO_DRIFT) -> "RowStore":
        """Serve the file at `path`, first generating it when it does not exist (an existing
        file is served as it is: `drift` shapes only generated rows)."""
        if not path.exists():
            generate_database(path=path, rows=rows, seed=seed, drift=drift)
        return cls(path)

    @property
    def row_count(self) -> int:
        return len(self._rowids_by_id)

    def _connect(self) -> sqlite3.Connection:
        # mode=rw never creates a file, and falls back to reading a write-protected one. Not
        # mode=ro: after a crash mid-append only a writable connection can roll the journal back.
        return sqlite3.connect(self.path.resolve().as_uri() + "?mode=rw", uri=True)

    def read_page(self, page: int) -> list[dict]:
        """The rows at positions 10*page .. 10*page + 9 in id order; [] past the end."""
        start = page * PAGE_SIZE
        rowids = self._rowids_by_id[start : start + PAGE_SIZE].tolist()
        if not rowids:
            return []
        placeholders = ",".join("?" * len(rowids))
        query = (
            "SELECT rowid, id, competence, network_ability, promoted FROM data "
            f"WHERE rowid IN ({placeholders})"
        )
        with closing(self._connect()) as connection:
            found = {rowid: values for rowid, *values in connection.execute(query, rowids)}
        return [_as_json_row(*found[rowid]) for rowid in rowids if rowid in found]

    def append_generated(self, *, count: int, seed: int, drift: Drift = NO_DRIFT) -> None:
        """Append `count` synthetic rows with the ids that follow the largest one."""
        with self._append_lock, closing(sqlite3.connect(self.path)) as connection:
            (largest_id,) = connection.execute("SELECT MAX(id) FROM data").fetchone()
            start_id = (largest_id or 0) + 1
            with connection:
                connection.executemany(
                    INSERT_ROW,
                    generate_rows(start_id=start_id, count=count, seed=seed, drift=drift),
                )
            new_rowids = connection.execute(
                "SELECT rowid FROM data WHERE id >= ? ORDER BY id, rowid", (start_id,)
            )
            # Extended only after the commit, so readers never look up an uncommitted row.
            self._rowids_by_id.extend(array("q", (rowid for (rowid,) in new_rowids)))
