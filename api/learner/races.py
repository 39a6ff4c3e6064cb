"""Starting the race process from what is committed: the races of the snapshot's tasks,
and the learned rows they have yet to race, with the admin resets among them."""

from collections.abc import Iterator

from sqlalchemy.orm import Session

from api import crud
from api.learner.race_process import RaceProcess
from api.learning.candidates import REFERENCE
from api.learning.committed import CommittedRecord, LeaderboardEntry
from api.learning.cursor import Cursor
from api.learning.options import TaskOptions
from api.learning.race_messages import RaceBlob, RaceReport, RaceState
from api.learning.rows import RaceRow
from api.learning.scores import leaderboard_entry
from api.learning.tasks import Task
from api.learning.tick import RACE_BATCH_ROWS


def start_races(
    session: Session,
    tasks: dict[str, Task],
    cursor: Cursor,
    records: dict[str, CommittedRecord],
    *,
    options: TaskOptions,
    window: int,
) -> tuple[RaceProcess, int]:
    """A race process handed the tasks' races and fed the learned rows they have yet to
    race; and the rows the races stood at, as committed."""
    blobs = {name: race_blob(task, cursor) for name, task in tasks.items()}
    positions = {(blob.rows_raced, blob.last_id) for blob in blobs.values()}
    if len(positions) != 1:
        raise RuntimeError(f"the races of one snapshot stand apart: {positions}")
    ((rows_raced, last_id),) = positions
    behind = crud.read_rows_to_race(session, after=rows_raced)
    if rows_raced + len(behind) != cursor.rows_seen:
        raise RuntimeError(
            f"the races stand at row {rows_raced} and {len(behind)} learned rows follow,"
            f" but {cursor.rows_seen} rows were learned"
        )
    resets = crud.read_reset_rows(session, after=rows_raced)
    # Until the race process answers, the races stand as this snapshot left them.
    states = {
        name: RaceState(blob, *standings(tasks[name], records.get(name)), changes=[])
        for name, blob in blobs.items()
    }
    races = RaceProcess(RaceReport(rows_raced, last_id, states), options=options, window=window)
    for rows, reset in batches_to_race(behind, resets, first=rows_raced + 1):
        races.feed(rows, reset)
    return races, rows_raced


def standings(task: Task, record: CommittedRecord | None) -> tuple[str, list[LeaderboardEntry]]:
    """The champion and leaderboard committed with the snapshot, or, before any race,
    every candidate with no row yet."""
    if record is not None and record.get("leaderboard"):
        return record["champion"] or REFERENCE, record["leaderboard"]
    names = task.options.candidates(task.name)
    return REFERENCE, [leaderboard_entry(n, type(task.scores)(task.window)) for n in names]


def race_blob(task: Task, cursor: Cursor) -> RaceBlob:
    """A restored task's race as the race process takes it; the task keeps the blob alone."""
    race, task.race = task.race, None
    if race is None:
        return task.race_blob or RaceBlob(None)
    # A snapshot from before the race process holds its race whole, and one from before
    # the races ran behind their tasks stands where its task does.
    if not race.placed:
        race.stand_with(task.scores, rows_raced=cursor.rows_seen, last_id=cursor.last_id)
    task.race_blob = RaceBlob.of(race)
    return task.race_blob


def batches_to_race(
    rows: list[RaceRow], resets: dict[int, list[str]], *, first: int
) -> Iterator[tuple[list[RaceRow], list[str]]]:
    """Learned rows a hundred at a time, each with the tasks reset from its first row on;
    a batch ends before a row that a reset starts. Rows and resets are numbered by the
    rows learned up to them (`rows_seen`), `first` being the first row's."""
    batch: list[RaceRow] = []
    reset: list[str] = []
    for number, row in enumerate(rows, start=first):
        if number in resets or len(batch) == RACE_BATCH_ROWS:
            if batch:
                yield batch, reset
            batch, reset = [], resets.get(number, [])
        batch.append(row)
    if batch:
        yield batch, reset
