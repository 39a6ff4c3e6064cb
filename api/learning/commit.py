"""A tick's whole commit, built in one place: everything one transaction writes.

The rows the tick learned, quarantined and held back come from the `Tick`; each task's
record, its drift events and its signed snapshot come from the tasks; the races'
standings and changes of champion from the newest answer of the race process; the
fence's signed snapshot beside the tasks'. A tick that changed nothing commits nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.core.security import dump_signed
from api.learning.committed import CommittedRecord, SnapshotValues, TickCommit
from api.learning.fence import OutlierFence
from api.learning.race_messages import RaceReport
from api.learning.tasks import Task
from api.learning.tick import Tick

# The snapshot of the outlier fence sits beside the tasks' at each model version.
FENCE_SNAPSHOT = "fence"


@dataclass(frozen=True)
class Committed:
    """What the learner had committed before the tick: its tasks and the record of each."""

    tasks: dict[str, Task]
    records: dict[str, CommittedRecord]
    rows_raced: int


def build_commit(
    tick: Tick,
    *,
    before: Committed,
    races: RaceReport,
    fence: OutlierFence | None,
    batch_rows: int,
    key: str,
    now: datetime,
) -> TickCommit | None:
    """The commit of `tick`, with the races as `races` left them; None when it changed
    nothing at all. Every row the tick learned must have gone to the races first."""
    races_moved = races.rows_raced > before.rows_raced
    cursor = tick.cursor_after(races_moved=races_moved)
    if cursor == tick.start:
        return None
    commit = TickCommit(
        cursor=cursor,
        learned=tick.learned,
        quarantined=tick.quarantined,
        held=tick.newly_held_rows(),
        released=tick.released_rows(),
        applied_resets=tick.resets if tick.learned else [],
    )
    if not (tick.learned or races_moved):
        return commit
    # An admin reset's fresh task takes effect only with rows learned.
    tasks = tick.tasks if tick.learned else before.tasks
    version = cursor.model_version
    for name, task in tasks.items():
        race = races.tasks[name]
        standings: dict[str, Any] = {
            "model_version": version,
            "updated_at": now,
            "champion": race.champion,
            "leaderboard": race.leaderboard,
            "rows_raced": races.rows_raced,
        }
        if tick.learned:
            record: CommittedRecord = {
                "task": task.name,
                "page": max(row["page"] for row in tick.learned),
                "rows_seen": cursor.rows_seen,
                "metrics": task.scores.report(),
                "rolling_metrics": task.scores.rolling_report(),
                "coefficients": task.coefficients(),
                "coefficient_intervals": task.coefficient_intervals(),
                "batch": tick.outputs[name][-batch_rows:],
                **standings,  # type: ignore[typeddict-item]
            }
        else:  # only the races moved: the task's record again, with their standings
            record = {**before.records[name], **standings}  # type: ignore[typeddict-item]
        commit.records.append(record)
        commit.drift_events += task.drain_drift_events(rows_seen=cursor.rows_seen, updated_at=now)
        if races_moved:  # else the races' answer and its changes are committed already
            commit.champion_changes += race.changes
        task.race_blob = race.blob  # the snapshot holds the race as the process left it
        commit.snapshots.append(signed_snapshot(name, task, version, key))
    if fence is not None:
        commit.snapshots.append(signed_snapshot(FENCE_SNAPSHOT, fence, version, key))
    commit.checkpoint = {
        "model_version": version,
        "next_page": cursor.next_page,
        "last_id": cursor.last_id,
        "rows_seen": cursor.rows_seen,
        "rows_quarantined": cursor.rows_quarantined,
        "rows_held": cursor.rows_held,
        "held": [row.stored() for row in tick.held],
    }
    return commit


def signed_snapshot(part: str, state: Any, model_version: int, key: str) -> SnapshotValues:
    blob, signature = dump_signed(state, key=key)
    return {"task": part, "model_version": model_version, "blob": blob, "signature": signature}
