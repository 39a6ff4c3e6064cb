"""The learner's state as the database committed it at a version: the cursor, the tasks
and the outlier fence from that version's snapshots, the rows the fence holds back, and
each task's newest record. What cannot be read, verified, unpickled or trusted is
refused with the reason (`Unrestorable`), and the learner heals from an older version
(`api.learner.rewind`)."""

from dataclasses import dataclass
from typing import Any

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


class Unrestorable(RuntimeError):
    """The committed state cannot be taken as it is; the message says why."""


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
    check_cursor(cursor)
    tasks = new_tasks(window, options, racing=False)
    fence: OutlierFence | None = None
    if cursor.model_version:
        tasks, fence = load_parts(session, model_version=cursor.model_version, key=key)
        for task in tasks.values():
            task.configure(options)
    try:
        held = [HeldRow.from_stored(row) for row in crud.read_held_rows(session)]
    except (ValueError, TypeError, KeyError) as error:
        raise Unrestorable(f"a held row cannot be read: {error}") from error
    return Restored(
        cursor=cursor,
        tasks=tasks,
        fence=_fence(session, fence, fence_width),
        held=held,
        records={
            name: crud.committed_record(record)
            for name in TASKS
            if (record := crud.read_latest_record(session, task=name)) is not None
        },
    )


def check_cursor(cursor: Cursor) -> None:
    """Refuse a cursor no tick could have written.

    >>> check_cursor(Cursor(next_page=-5, rows_seen=40))
    Traceback (most recent call last):
    ...
    api.learner.restore.Unrestorable: the cursor is damaged: next_page is -5
    """
    counts = ("next_page", "rows_seen", "rows_quarantined", "rows_held", "model_version")
    for name in counts:
        value = getattr(cursor, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise Unrestorable(f"the cursor is damaged: {name} is {value!r}")
    if cursor.last_id is not None and not isinstance(cursor.last_id, int):
        raise Unrestorable(f"the cursor is damaged: last_id is {cursor.last_id!r}")


def load_parts(
    session: Session, *, model_version: int, key: str
) -> tuple[dict[str, Task], OutlierFence | None]:
    """The tasks and the fence of a version's snapshots, each verified before it is
    unpickled; `Unrestorable` when one is missing, fails its signature or does not load."""
    parts: dict[str, Any] = {}
    for snapshot in crud.read_snapshots(session, model_version=model_version):
        try:
            parts[snapshot.task] = load_signed(snapshot.blob, snapshot.signature, key=key)
        except Exception as error:
            raise Unrestorable(
                f"the {snapshot.task} snapshot of version {model_version} cannot be loaded: "
                f"{type(error).__name__}: {error}"
            ) from error
    fence = parts.pop(FENCE_SNAPSHOT, None)
    missing = set(TASKS) - set(parts)
    if missing:
        raise Unrestorable(
            f"the snapshots of version {model_version} are missing: {', '.join(sorted(missing))}"
        )
    if fence is not None and not isinstance(fence, OutlierFence):
        raise Unrestorable(f"the fence snapshot of version {model_version} is no fence")
    return parts, fence


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
