"""What each task's section draws, from one read of its latest record, its history and
its leaderboard."""

from typing import Any

from dashboard.client import ApiClient
from dashboard.components import batch_table
from dashboard.figures import (
    classification_metrics_figure,
    coefficients_figure,
    confusion_matrix_figure,
    decision_boundary_figure,
    predicted_vs_actual_figure,
    regression_metrics_figure,
)
from dashboard.leaderboard import ids, leaderboard_figure, leaderboard_table

Json = dict[str, Any]
TASKS = ("classification", "regression")
# Output name -> (component id, property) the callback fills, per task.
CHART_OUTPUTS: dict[str, dict[str, tuple[str, str]]] = {
    "classification": {
        "metrics": ("classification-metrics", "figure"),
        "confusion": ("confusion-matrix", "figure"),
        "boundary": ("decision-boundary", "figure"),
        "batch": ("classification-batch", "children"),
    },
    "regression": {
        "metrics": ("regression-metrics", "figure"),
        "coefficients": ("regression-coefficients", "figure"),
        "predicted": ("predicted-vs-actual", "figure"),
    },
}
for _task, _outputs in CHART_OUTPUTS.items():
    _outputs["leaderboard"] = (ids(_task)[0], "figure")
    _outputs["leaderboard_table"] = (ids(_task)[1], "children")


def as_json(value: Any) -> Any:
    """Components as the JSON Dash sends for them, made once here rather than by Dash
    for every viewer's answer."""
    if hasattr(value, "to_plotly_json"):
        spec = value.to_plotly_json()
        return {**spec, "props": {name: as_json(prop) for name, prop in spec["props"].items()}}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value


def draw(task: str, latest: Json, history: Json) -> Json:
    """The section's outputs by name, but for the leaderboard. Pure."""
    if task == "classification":
        return {
            "metrics": classification_metrics_figure(history),
            "confusion": confusion_matrix_figure(latest),
            "boundary": decision_boundary_figure(latest),
            "batch": as_json(batch_table(latest)),
        }
    return {
        "metrics": regression_metrics_figure(history),
        "coefficients": coefficients_figure(history),
        "predicted": predicted_vs_actual_figure(latest),
    }


def draw_leaderboard(board: Json, history: Json) -> Json:
    return {
        "leaderboard": leaderboard_figure(history, board),
        "leaderboard_table": as_json(leaderboard_table(board)),
    }


def read_charts(api: ApiClient, task: str, *, history_limit: int) -> tuple[int, Json]:
    """The model version of the task's latest record and its section's outputs."""
    latest = api.read_latest(task)
    history = api.read_history(task, limit=history_limit)
    board = api.read_leaderboard(task)
    race = api.read_leaderboard_history(task, limit=history_limit)
    return latest["model_version"], {**draw(task, latest, history), **draw_leaderboard(board, race)}
