"""What a tick commits, as plain values: one `LearnedRowValues` for each row learned, one
`CommittedRecord` for each task, and the rows of the other tables. The learner builds
them (`api.learning.commit`), the data access inserts them as they are, and serving
publishes a `ServedRecord` read back.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired, TypedDict, get_type_hints

from api.learning.cursor import Cursor
from api.learning.names import TaskName


class LearnedRowValues(TypedDict):
    """A row of `learned_row`: the stream row, and what each model predicted before
    learning it."""

    id: int
    page: int
    competence: float
    network_ability: float
    promoted: bool
    predicted_promoted: bool
    promoted_probability: float
    predicted_network_ability: float
    model_version: int
    rows_seen: int  # rows learned up to it: the order of learning


class QuarantinedRowValues(TypedDict):
    """A row of `quarantined_row`: where the row was served, and why it is not learned."""

    page: int
    position: int
    source_id: int | None
    payload: str
    reason: str
    taken: int  # rows taken before it: its place in the stream


class HeldRowValues(TypedDict):
    """A row of `held_row`: a row the outlier fence holds back (`api.learning.held`)."""

    page: int
    position: int
    source_id: int
    taken: int
    features: str
    payload: str
    reason: str


class LeaderboardEntry(TypedDict):
    """A candidate on a leaderboard: its progressive scores, cumulative and rolling."""

    name: str
    rows_seen: int
    metrics: dict[str, Any]
    rolling_metrics: dict[str, Any]


class EventValues(TypedDict):
    """What a task's event shares, once committed: its task and the rows learned when it
    happened."""

    task: TaskName
    rows_seen: int
    updated_at: datetime


class DriftEventValues(EventValues):
    """A row of `drift_event`; what moved is named by the relationship detector (a
    `coefficient`) and the fence (a `feature`)."""

    detector: str
    loss_before: float
    loss_after: float
    action: str
    coefficient: NotRequired[str]
    feature: NotRequired[str]
    value_before: NotRequired[float | None]
    value_after: NotRequired[float | None]


class ChampionChangeValues(EventValues):
    """A row of `champion_change`."""

    previous: str
    champion: str
    metric: str
    previous_score: float
    champion_score: float


class CheckpointValues(TypedDict):
    """A row of `checkpoint`: where the stream stood at a version whose snapshots are kept,
    and the rows held back then."""

    model_version: int
    next_page: int
    last_id: int | None
    rows_seen: int
    rows_quarantined: int
    rows_held: int
    held: list[HeldRowValues]


class SnapshotValues(TypedDict):
    """A row of `model_snapshot`: a part of the learner's state (a task, or the fence),
    pickled and signed."""

    task: str
    model_version: int
    blob: bytes
    signature: str


class ServedRecord(TypedDict):
    """A task's model after one tick, as GET /{task}/latest serves it."""

    task: TaskName
    model_version: int
    page: int  # of the newest learned row
    rows_seen: int
    updated_at: datetime
    metrics: dict[str, Any]
    rolling_metrics: dict[str, Any]
    coefficients: dict[str, float]
    coefficient_intervals: Mapping[str, Sequence[float]] | None
    batch: list[dict[str, Any]]  # the newest rows of the tick, with their predictions
    champion: str


class CommittedRecord(ServedRecord):
    """A row of `model_record`: the served record and the race's standings after the
    tick, which GET /{task}/leaderboard serves."""

    leaderboard: list[LeaderboardEntry]
    rows_raced: int


SERVED_FIELDS = tuple(get_type_hints(ServedRecord))


@dataclass
class TickCommit:
    """Everything one tick commits, in one transaction."""

    cursor: Cursor
    learned: list[LearnedRowValues] = field(default_factory=list)
    quarantined: list[QuarantinedRowValues] = field(default_factory=list)
    held: list[HeldRowValues] = field(default_factory=list)  # rows newly held back
    released: list[tuple[int, int]] = field(default_factory=list)  # (page, position) let go
    applied_resets: list[int] = field(default_factory=list)
    records: list[CommittedRecord] = field(default_factory=list)
    snapshots: list[SnapshotValues] = field(default_factory=list)
    drift_events: list[DriftEventValues] = field(default_factory=list)
    champion_changes: list[ChampionChangeValues] = field(default_factory=list)
    checkpoint: CheckpointValues | None = None  # with the snapshots
