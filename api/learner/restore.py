"""The learner's state as the database last committed it: the cursor, the tasks and the
outlier fence from the newest snapshot, the rows the fence holds back, and each task's
newest record."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api import crud
from api.core.security import load_signed
from api.learning.commit import FENCE_SNAPSHOT
from api.learning.committed import CommittedRecord
from api.learning.cursor import Cursor
from api.learning.fence import WINDOW_ROWS, OutlierFence
from api.learning.held import HeldRow
from api.learning.names import TASKS
from api.learning.options import TaskOptions
from api.learning.rows import StreamRow
from api.learning.tasks import Task, new_tasks


@dataclass
class Restored:
    cursor: Cursor
    tasks: dict[str, Task]
    fence: OutlierFence | None
    held: list[HeldRow]
    records: dict[str, CommittedRecord]


def restore(
    session: Session, *, options: TaskOptions, window: int, fence_width: float | None, key: str
) -> Restored:
    """The committed state, with this run's options and fence width applied. A fresh
    database gives fresh tasks at the start of the stream."""
    cursor, _ = crud.read_cursor(session)
    tasks = new_tasks(window, options, racing=False)
    fence: OutlierFence | None = None
    if cursor.model_version:
        snapshots = crud.read_snapshots(session, model_version=cursor.model_version)
        parts = {s.task: load_signed(s.blob, s.signature, key=key) for s in snapshots}
        fence = parts.pop(FENCE_SNAPSHOT, None)
        tasks = parts
        if set(tasks) != set(TASKS):
            raise RuntimeError(f"snapshots missing at model version {cursor.model_version}")
        for task in tasks.values():
            task.configure(options)
    return Restored(
        cursor=cursor,
        tasks=tasks,
        fence=_fence(session, fence, fence_width),
        held=[HeldRow.from_stored(row) for row in crud.read_held_rows(session)],
        records={
            name: crud.committed_record(record)
            for name in TASKS
            if (record := crud.read_latest_record(session, task=name)) is not None
        },
    )


def _fence(
    session: Session, fence: OutlierFence | None, width: float | None
) -> OutlierFence | None:
    """The snapshot's fence at this run's width; none when it is off. A database from
    before the fence has none: it is drawn at once from the rows learned."""
    if width is None:
        return None
    if fence is not None:
        fence.configure(width)
        return fence
    fence = OutlierFence(width)
    for competence, ability in crud.read_recent_learned_values(session, limit=WINDOW_ROWS):
        fence.learn(StreamRow(0, competence, ability, False))
    return fence
