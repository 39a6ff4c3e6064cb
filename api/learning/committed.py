"""What a tick commits beside the cursor, as plain values: one `LearnedRowValues` for
each row learned and one `CommittedRecord` for each task. The learner builds them, the
data access inserts them as they are, and serving publishes a `ServedRecord` read back.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict, get_type_hints

from api.learning.tasks import TaskName


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

    leaderboard: list[dict[str, Any]]
    rows_raced: int


SERVED_FIELDS = tuple(get_type_hints(ServedRecord))
