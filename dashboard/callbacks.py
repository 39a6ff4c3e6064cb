"""Thin callbacks: read the API through the shared reads, hand the JSON to pure builders.

A viewer's refresh costs one request: the status, which carries the model version. Only
when that version is new to this viewer does the charts callback fire, one request for
both sections. The charts of a version are read and built once per process
(`dashboard.shared`), whoever asks, and the answer itself is sent as it was to the first
viewer who asked (`dashboard.answers`). What a browser last drew lives in its own
`dcc.Store`s, so every viewer keeps its own refresh rate and a reload simply draws afresh.
"""

from datetime import UTC, datetime

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.answers import keep_answer
from dashboard.charts import CHART_OUTPUTS, TASKS, read_charts
from dashboard.client import ApiClient, ApiUnavailable, Json, NothingLearnedYet
from dashboard.components import (
    banner,
    quarantine_reasons,
    quarantine_rows,
    quarantine_summary,
    status_bar,
    status_summary,
)
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
        "rows_quarantined": status.get("rows_quarantined"),
    }


def build_charts(task: str) -> tuple[int, Json]:
    """The task's charts as of its latest record."""
    return read_charts(client, task, history_limit=settings.HISTORY_LIMIT)


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
        "quarantined": Output(ids.QUARANTINE_COUNT, "data"),
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
        "quarantined": view.get("rows_quarantined", no_update),
    }


def _section_outputs(task: str) -> dict[str, Output]:
    outputs = {name: Output(*target) for name, target in CHART_OUTPUTS[task].items()}
    return {**outputs, "drawn": Output(ids.drawn(task), "data")}


def _unchanged(task: str) -> Json:
    return dict.fromkeys(_section_outputs(task), no_update)


def _built(task: str, version: int) -> tuple[int, Json] | None:
    """The task's charts for `version` (or a newer one), None while they cannot be read:
    the section keeps its last charts and the banner says why nothing moves."""
    try:
        return charts.get(task, version)
    except (ApiUnavailable, NothingLearnedYet):
        return None


@callback(
    output={task: _section_outputs(task) for task in TASKS},
    inputs={"version": Input(ids.MODEL_VERSION, "data")},
    state={"drawn": [State(ids.drawn(task), "data") for task in TASKS]},
)
def refresh_charts(version: int | None, drawn: list[int | None]) -> Json:
    """Both sections for `version`, in one answer; PreventUpdate when this viewer already
    shows it. A section whose charts cannot be read keeps what it shows."""
    # `!=`, not `>`: an API started on a fresh database counts from 1 again.
    if not version or all(shown == version for shown in drawn):
        raise PreventUpdate
    built = {task: _built(task, version) for task in TASKS}
    if all(b is None or b[0] == shown for b, shown in zip(built.values(), drawn, strict=True)):
        raise PreventUpdate
    if all(b is not None and b[0] == version for b in built.values()):
        # The answer depends on the version alone: every viewer asking for it gets it.
        keep_answer()
    return {
        task: _unchanged(task) if b is None else {**b[1], "drawn": b[0]}
        for task, b in built.items()
    }


def build_quarantine(_key: str) -> tuple[int, Json]:
    """The quarantine as the API now has it, keyed by how many rows it holds."""
    quarantine = client.read_quarantine(limit=settings.QUARANTINE_ROWS_SHOWN)
    rendered = {
        "summary": quarantine_summary(quarantine),
        "reasons": quarantine_reasons(quarantine),
        "newest": quarantine_rows(quarantine),
    }
    return sum(quarantine["reasons"].values()), rendered


quarantines = PerVersion(build_quarantine, size=4)


@callback(
    output={
        "summary": Output(ids.QUARANTINE_SUMMARY, "children"),
        "reasons": Output(ids.QUARANTINE_REASONS, "children"),
        "newest": Output(ids.QUARANTINE_NEWEST, "children"),
    },
    inputs={"count": Input(ids.QUARANTINE_COUNT, "data")},
)
def refresh_quarantine(count: int | None) -> Json:
    """The quarantine by reason, and its newest rows, once each time the number of
    quarantined rows changes (read once per process, whoever asks)."""
    if count is None:
        raise PreventUpdate
    try:
        return quarantines.get("quarantine", count)[1]
    except ApiUnavailable as error:
        raise PreventUpdate from error
