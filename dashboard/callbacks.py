"""Thin callbacks: read the API through the shared reads, hand the JSON to pure builders.

A viewer's refresh costs one request: the status, which carries the model version. Only
when that version is new to this viewer do its charts callbacks fire, and the charts of a
version are read and built once per process (`dashboard.shared`), whoever asks; the
answer itself is sent as it was to the first viewer who asked (`dashboard.answers`). What a
browser last drew lives in its own `dcc.Store`s, so every viewer keeps its own refresh
rate and a reload simply draws afresh.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.answers import keep_answer
from dashboard.charts import CHART_OUTPUTS, TASKS, read_charts
from dashboard.client import ApiClient, ApiUnavailable, Json, NothingLearnedYet
from dashboard.components import banner, status_bar, status_summary
from dashboard.config import settings
from dashboard.layout import DEFAULT_REFRESH_SECONDS
from dashboard.shared import PerVersion, Recent

client = ApiClient(
    settings.API_URL,
    timeout=settings.API_TIMEOUT_SECONDS,
    connections=settings.DASHBOARD_THREADS,
)


def read_status_or_none(api: ApiClient) -> Json | None:
    """The API's status, or None while it cannot be read (a value, so it is shared too)."""
    try:
        return api.read_status()
    except ApiUnavailable:
        return None


def status_view(status: Json | None, now: datetime) -> Json:
    """What the banner and status bar should say, and the model version to draw."""
    if status is None:
        # No summary: the status bar keeps its last known values under the banner.
        return {"banner": "unreachable", "summary": None, "model_version": None}
    waiting = "waiting" if not status.get("rows_seen") else None
    return {
        "banner": waiting,
        "summary": status_summary(status, now),
        "model_version": status.get("model_version"),
    }


def build_charts(task: str) -> tuple[int, Json]:
    """The task's charts as of its latest record; PreventUpdate while there is nothing."""
    try:
        return read_charts(client, task, history_limit=settings.HISTORY_LIMIT)
    except (ApiUnavailable, NothingLearnedYet):
        # Keep the last charts; the banner says why nothing moves.
        raise PreventUpdate from None


statuses = Recent(lambda: read_status_or_none(client), max_age=settings.STATUS_MAX_AGE_SECONDS)
charts = PerVersion(build_charts, size=settings.CHART_VERSIONS_KEPT)


@callback(
    output={"interval": Output(ids.POLL, "interval"), "paused": Output(ids.POLL, "disabled")},
    inputs={"seconds": Input(ids.REFRESH_CHOICE, "value")},
)
def set_refresh_interval(seconds: int | None) -> Json:
    if not seconds:
        return {"interval": DEFAULT_REFRESH_SECONDS * 1000, "paused": True}
    return {"interval": seconds * 1000, "paused": False}


@callback(
    output={
        "bar": Output(ids.STATUS_BAR, "children"),
        "bar_class": Output(ids.STATUS_BAR, "className"),
        "banner": Output(ids.BANNER, "children"),
        "banner_class": Output(ids.BANNER, "className"),
        "seen": Output(ids.STATUS_SEEN, "data"),
        "version": Output(ids.MODEL_VERSION, "data"),
    },
    inputs={"_tick": Input(ids.POLL, "n_intervals")},
    state={
        "seen": State(ids.STATUS_SEEN, "data"),
        "drawn": [State(ids.drawn(task), "data") for task in TASKS],
    },
)
def refresh_status(_tick: int | None, seen: Json | None, drawn: list[int | None]) -> Json:
    view = status_view(statuses.get(), datetime.now(UTC))
    version = view["model_version"]
    # Also when a chart missed its version (the API blinked): it asks again.
    undrawn = bool(version) and any(shown != version for shown in drawn)
    if view == seen and not undrawn:
        raise PreventUpdate
    banner_text, banner_class = banner(view["banner"], client.base_url)
    stale = view["summary"] is None
    return {
        # Keep the last known values, greyed out, so nobody reads them as live.
        "bar": no_update if stale else status_bar(view["summary"]),
        "bar_class": "status-bar stale" if stale else "status-bar",
        "banner": banner_text,
        "banner_class": banner_class,
        "seen": view,
        "version": version if undrawn else no_update,
    }


def refresh_task(task: str, version: int | None, drawn: int | None) -> Json:
    """The task's section for `version`; PreventUpdate when this viewer already shows it."""
    # `!=`, not `>`: an API started on a fresh database counts from 1 again.
    if not version or version == drawn:
        raise PreventUpdate
    built_version, outputs = charts.get(task, version)
    if built_version == drawn:
        raise PreventUpdate
    if built_version == version:
        keep_answer()  # every viewer asking for this version gets this answer
    return {**outputs, "drawn": built_version}


def _section_outputs(task: str) -> dict[str, Output]:
    outputs = {name: Output(*target) for name, target in CHART_OUTPUTS[task].items()}
    return {**outputs, "drawn": Output(ids.drawn(task), "data")}


def _refresh_section(task: str) -> Callable[[int | None, int | None], Json]:
    """The callback that redraws `task`'s section when the model version moves."""

    @callback(
        output=_section_outputs(task),
        inputs={"version": Input(ids.MODEL_VERSION, "data")},
        state={"drawn": State(ids.drawn(task), "data")},
    )
    def refresh(version: int | None, drawn: int | None) -> Json:
        return refresh_task(task, version, drawn)

    return refresh


refresh_classification = _refresh_section("classification")
refresh_regression = _refresh_section("regression")
