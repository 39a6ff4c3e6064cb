"""Thin callbacks: read the API, hand the JSON to pure builders.

Nothing here is mutated between calls. What a browser last drew lives in that browser's
`dcc.Store`s, so every viewer polls independently and a reload simply draws afresh.
"""

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from dashboard.client import ApiClient, ApiUnavailable, NothingLearnedYet
from dashboard.components import banner, batch_table, status_bar, status_summary
from dashboard.config import settings
from dashboard.figures import (
    classification_metrics_figure,
    coefficients_figure,
    confusion_matrix_figure,
    decision_boundary_figure,
    predicted_vs_actual_figure,
    regression_metrics_figure,
)
from dashboard.layout import DEFAULT_REFRESH_SECONDS

Json = dict[str, Any]

client = ApiClient(settings.API_URL, timeout=settings.API_TIMEOUT_SECONDS)


def read_status_view(api: ApiClient, now: datetime) -> Json:
    """What the banner and status bar should say: {"banner": kind or None, "summary": texts}."""
    try:
        status = api.read_status()
    except ApiUnavailable:
        # No summary: the status bar keeps its last known values under the banner.
        return {"banner": "unreachable", "summary": None}
    waiting = "waiting" if not status.get("rows_seen") else None
    return {"banner": waiting, "summary": status_summary(status, now)}


def read_if_new(api: ApiClient, task: str, seen_version: int | None) -> tuple[Json, Json]:
    """The task's latest record and history; PreventUpdate when there is nothing new to draw."""
    try:
        latest = api.read_latest(task)
        # `!=`, not `>`: an API started on a fresh database counts from 1 again.
        if latest["model_version"] == seen_version:
            raise PreventUpdate
        history = api.read_history(task, limit=settings.HISTORY_LIMIT)
    except (ApiUnavailable, NothingLearnedYet):
        # Keep the last charts; the banner says why nothing moves.
        raise PreventUpdate from None
    return latest, history


@callback(
    Output("poll", "interval"),
    Output("poll", "disabled"),
    Input("refresh-choice", "value"),
)
def set_refresh_interval(seconds: int | None) -> tuple[int, bool]:
    if not seconds:
        return DEFAULT_REFRESH_SECONDS * 1000, True
    return seconds * 1000, False


@callback(
    Output("status-bar", "children"),
    Output("status-bar", "className"),
    Output("banner", "children"),
    Output("banner", "className"),
    Output("status-seen", "data"),
    Input("poll", "n_intervals"),
    State("status-seen", "data"),
)
def refresh_status(_n_intervals: int | None, seen: Json | None):
    view = read_status_view(client, datetime.now(UTC))
    if view == seen:
        raise PreventUpdate
    banner_text, banner_class = banner(view["banner"], client.base_url)
    if view["summary"] is None:
        # Keep the last known values, greyed out, so nobody reads them as live.
        return no_update, "status-bar stale", banner_text, banner_class, view
    return status_bar(view["summary"]), "status-bar", banner_text, banner_class, view


@callback(
    Output("classification-metrics", "figure"),
    Output("confusion-matrix", "figure"),
    Output("decision-boundary", "figure"),
    Output("classification-batch", "children"),
    Output("classification-seen", "data"),
    Input("poll", "n_intervals"),
    State("classification-seen", "data"),
)
def refresh_classification(_n_intervals: int | None, seen_version: int | None):
    latest, history = read_if_new(client, "classification", seen_version)
    return (
        classification_metrics_figure(history),
        confusion_matrix_figure(latest),
        decision_boundary_figure(latest),
        batch_table(latest),
        latest["model_version"],
    )


@callback(
    Output("regression-metrics", "figure"),
    Output("regression-coefficients", "figure"),
    Output("predicted-vs-actual", "figure"),
    Output("regression-seen", "data"),
    Input("poll", "n_intervals"),
    State("regression-seen", "data"),
)
def refresh_regression(_n_intervals: int | None, seen_version: int | None):
    latest, history = read_if_new(client, "regression", seen_version)
    return (
        regression_metrics_figure(history),
        coefficients_figure(history),
        predicted_vs_actual_figure(latest),
        latest["model_version"],
    )
