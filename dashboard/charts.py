"""What each task's section draws, from one read of its latest record, history, drift
events and leaderboard. Events are committed with the tick that found them, so a model
version's drift events are read once with its charts and never need a poll of their own."""

from typing import Any

from dashboard import ids
from dashboard.batch_figures import (
    confusion_matrix_figure,
    decision_boundary_figure,
    predicted_vs_actual_figure,
)
from dashboard.client import ApiClient, Json
from dashboard.components import batch_table, drift_notice
from dashboard.figures import (
    classification_metrics_figure,
    coefficients_figure,
    regression_metrics_figure,
)
from dashboard.leaderboard import leaderboard_figure, leaderboard_table

TASKS = ("classification", "regression")
# Output name -> (component id, property) the callback fills, per task.
CHART_OUTPUTS: dict[str, dict[str, tuple[str, str]]] = {
    "classification": {
        "metrics": (ids.CLASSIFICATION_METRICS, "figure"),
        "coefficients": (ids.CLASSIFICATION_COEFFICIENTS, "figure"),
        "confusion": (ids.CONFUSION_MATRIX, "figure"),
        "boundary": (ids.DECISION_BOUNDARY, "figure"),
        "batch": (ids.CLASSIFICATION_BATCH, "children"),
        "drift": (ids.drift_notice("classification"), "children"),
        "drift_class": (ids.drift_notice("classification"), "className"),
    },
    "regression": {
        "metrics": (ids.REGRESSION_METRICS, "figure"),
        "coefficients": (ids.REGRESSION_COEFFICIENTS, "figure"),
        "predicted": (ids.PREDICTED_VS_ACTUAL, "figure"),
        "drift": (ids.drift_notice("regression"), "children"),
        "drift_class": (ids.drift_notice("regression"), "className"),
    },
}
for _task, _outputs in CHART_OUTPUTS.items():
    _outputs["leaderboard"] = (ids.leaderboard_chart(_task), "figure")
    _outputs["leaderboard_table"] = (ids.leaderboard_table(_task), "children")


def as_json(value: Any) -> Any:
    """Components as the JSON Dash sends for them, made once here rather than by Dash
    for every viewer's answer."""
    if hasattr(value, "to_plotly_json"):
        spec = value.to_plotly_json()
        return {**spec, "props": {name: as_json(prop) for name, prop in spec["props"].items()}}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value


def draw(task: str, latest: Json, history: Json, drift: Json) -> Json:
    """The section's outputs by name. Pure."""
    notice, notice_class = drift_notice(task, drift)
    shared = {
        "coefficients": coefficients_figure(history),
        "drift": as_json(notice),
        "drift_class": notice_class,
    }
    if task == "classification":
        return {
            **shared,
            "metrics": classification_metrics_figure(history, drift),
            "confusion": confusion_matrix_figure(latest),
            "boundary": decision_boundary_figure(latest),
            "batch": as_json(batch_table(latest)),
        }
    return {
        **shared,
        "metrics": regression_metrics_figure(history, drift),
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
    drift = api.read_drift(task)
    board = api.read_leaderboard(task)
    race = api.read_leaderboard_history(task, limit=history_limit)
    outputs = {**draw(task, latest, history, drift), **draw_leaderboard(board, race)}
    return latest["model_version"], outputs
