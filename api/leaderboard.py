"""The leaderboard as served: built from a committed record and the champion changes.

A record from before the race has no leaderboard; it is shown as the race it was, the
reference alone.
"""

from typing import Any

from api import schemas
from api.learning.candidates import RANKING_METRICS, REFERENCE
from api.models import ChampionChange, ModelRecord


def candidates_of(record: ModelRecord) -> list[dict[str, Any]]:
    if record.leaderboard is not None:
        return record.leaderboard
    reference = {
        "name": REFERENCE,
        "rows_seen": record.metrics.get("count", 0),
        "metrics": record.metrics,
        "rolling_metrics": record.rolling_metrics,
    }
    return [reference]


def rows_raced(record: ModelRecord) -> int:
    return record.rows_seen if record.rows_raced is None else record.rows_raced


def change_to_dict(change: ChampionChange) -> dict[str, Any]:
    return {field: getattr(change, field) for field in schemas.ChampionChange.model_fields}


def leaderboard(record: ModelRecord, changes: list[ChampionChange]) -> dict[str, Any]:
    return {
        "task": record.task,
        "model_version": record.model_version,
        "rows_seen": record.rows_seen,
        "rows_raced": rows_raced(record),
        "updated_at": record.updated_at,
        "champion": record.champion or REFERENCE,
        "metric": RANKING_METRICS[record.task],
        "candidates": candidates_of(record),
        "changes": [change_to_dict(change) for change in changes],
    }


def history_point(record: ModelRecord) -> dict[str, Any]:
    """Each candidate's rolling ranking metric after one tick: what the chart draws."""
    metric = RANKING_METRICS[record.task]
    scores = {
        entry["name"]: entry["rolling_metrics"].get(metric) for entry in candidates_of(record)
    }
    return {
        "model_version": record.model_version,
        "rows_seen": rows_raced(record),
        "champion": record.champion or REFERENCE,
        "scores": scores,
    }
