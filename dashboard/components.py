"""HTML pieces built from API JSON: the status bar, the banner, the drift notice, the
newest-batch table, the quarantine. Pure."""

import json
from datetime import datetime

from dash import html

from dashboard import ids
from dashboard.client import Json

# (element id, label) in the order the status bar shows them.
STATUS_FIELDS = (
    (ids.LEARNER_STATE, "learner"),
    (ids.ROWS_LEARNED, "rows learned"),
    (ids.CURRENT_PAGE, "next page"),
    (ids.ROWS_QUARANTINED, "rows quarantined"),
    (ids.LAST_TICK_AGE, "last tick"),
    (ids.SOURCE_URL, "source"),
)
NO_STATUS = {field_id: "…" for field_id, _ in STATUS_FIELDS}
# A catching-up tick returns up to LATEST_BATCH_ROWS rows; the table shows the newest few.
BATCH_TABLE_ROWS = 20


def tick_age(last_tick_at: str | None, now: datetime) -> str:
    if last_tick_at is None:
        return "never"
    seconds = max(0, int((now - datetime.fromisoformat(last_tick_at)).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def status_summary(status: Json, now: datetime) -> dict[str, str]:
    """The status bar's texts; equal summaries mean nothing to redraw."""
    return {
        ids.LEARNER_STATE: status["state"].replace("_", " "),
        ids.ROWS_LEARNED: f"{status['rows_seen']:,}",
        ids.CURRENT_PAGE: str(status["next_page"]),
        ids.ROWS_QUARANTINED: str(status["rows_quarantined"]),
        ids.LAST_TICK_AGE: tick_age(status.get("last_tick_at"), now),
        ids.SOURCE_URL: status["source_url"],
        ids.LAST_ERROR: status.get("last_error") or "",
    }


def _status_item(field_id: str, label: str, value: str, class_name: str = "status-item"):
    return html.Div(
        [html.Span(label, className="status-label"), html.Span(value, id=field_id)],
        className=class_name,
    )


def status_bar(summary: dict[str, str]) -> list[html.Div]:
    items = [_status_item(field_id, label, summary[field_id]) for field_id, label in STATUS_FIELDS]
    error = summary.get(ids.LAST_ERROR)
    if error:
        items.append(_status_item(ids.LAST_ERROR, "last error", error, "status-item status-error"))
    return items


def banner(kind: str | None, api_url: str) -> tuple[str, str]:
    """The banner's text and CSS class for a kind: "unreachable", "waiting" or None (hidden)."""
    if kind == "unreachable":
        return f"API at {api_url} unreachable, retrying", "banner banner-error"
    if kind == "waiting":
        return "Connected to the API, waiting for the first batch", "banner banner-info"
    return "", "banner hidden"


# What each task's loss detector watches, in the words of the notice.
DRIFT_LOSSES = {"classification": "error rate", "regression": "mean absolute error"}
DRIFT_ACTIONS = {
    "alert": "The model goes on learning.",
    "reset": "The model was started afresh at that row, to learn the new world alone.",
}


def drift_text(task: str, event: Json) -> str:
    """One event in words, by its detector.

    >>> drift_text("regression", {"detector": "relationship", "rows_seen": 20500,
    ...     "coefficient": "competence", "before": -0.39, "after": 0.45, "action": "alert"})
    "At row 20,500 competence's coefficient moved from -0.39 to 0.45: the model now learns \
from the rows of the change on. The model goes on learning."
    """
    rows = f"{event['rows_seen']:,}"
    if event["detector"] == "relationship" and event.get("coefficient"):
        text = (
            f"At row {rows} {event['coefficient']}'s coefficient moved from "
            f"{event['before']:.3g} to {event['after']:.3g}: the model now learns from the "
            "rows of the change on."
        )
    elif event["detector"] == "fence" and event.get("feature"):
        text = (
            f"At row {rows} {event['feature']} moved beyond the outlier fence for good "
            f"(median {event['before']:.3g}, now {event['after']:.3g}): the rows held back "
            "were learned."
        )
    else:
        text = (
            f"Drift detected by {event['detector']} at row {rows}: the {DRIFT_LOSSES[task]} "
            f"rose from {event['loss_before']:.3f} to {event['loss_after']:.3f}."
        )
    return f"{text} {DRIFT_ACTIONS.get(event.get('action', ''), '')}".strip()


def drift_notice(task: str, drift: Json) -> tuple[list, str]:
    """The notice of the task's newest drift event and its CSS class (hidden when none)."""
    events = drift["events"]
    if not events:
        return [], "drift-notice hidden"
    count = f"{len(events)} drift events so far" if len(events) > 1 else "1 drift event so far"
    return [
        html.Strong("The stream changed. "),
        html.Span(drift_text(task, events[-1]), className="drift-text"),
        html.Span(f" ({count}, each a line on the metric charts.)"),
    ], "drift-notice"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _batch_row(row: Json) -> html.Tr:
    wrong = row["predicted"] != row["promoted"]
    return html.Tr(
        [
            html.Td(row["id"]),
            html.Td(f"{row['competence']:.3f}"),
            html.Td(f"{row['network_ability']:.3f}"),
            html.Td(_yes_no(row["promoted"])),
            html.Td(_yes_no(row["predicted"])),
            html.Td(f"{row['probability']:.2f}"),
            html.Td("✗ wrong" if wrong else "✓"),
        ],
        className="wrong" if wrong else "right",
    )


def batch_table(latest: Json) -> list:
    """The newest rows of the batch; wrong predictions are tinted and say so."""
    batch = latest["batch"]
    shown = batch[-BATCH_TABLE_ROWS:]
    wrong_count = sum(row["predicted"] != row["promoted"] for row in batch)
    shown_note = f"; the newest {len(shown)} below" if len(shown) < len(batch) else ""
    caption = (
        f"Newest batch (model version {latest['model_version']}): {len(batch)} rows, "
        f"{wrong_count} predicted wrong{shown_note}. P is the predicted probability of "
        "promotion, made before the model learned the row."
    )
    titles = ("id", "competence", "network ability", "promoted", "predicted", "P", "")
    return [
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(title) for title in titles])),
        html.Tbody([_batch_row(row) for row in shown]),
    ]


def quarantine_summary(quarantine: Json) -> str:
    total = sum(quarantine["reasons"].values())
    if not total:
        return "Every row served so far was learned."
    rows = "1 row was" if total == 1 else f"{total:,} rows were"
    return (
        f"{rows} not learned: malformed, or an outlier the fence held back and gave up on. "
        "Each is kept with its reason and never learned."
    )


def quarantine_reasons(quarantine: Json) -> list:
    """Every quarantined row counted by its kind of reason, the most frequent first."""
    reasons = sorted(quarantine["reasons"].items(), key=lambda item: (-item[1], item[0]))
    return [
        html.Thead(html.Tr([html.Th("reason"), html.Th("rows")])),
        html.Tbody(
            [html.Tr([html.Td(reason), html.Td(f"{count:,}")]) for reason, count in reasons]
        ),
    ]


def quarantine_rows(quarantine: Json) -> list:
    """The newest quarantined rows: id, reason, the row as received."""
    return [
        html.Thead(html.Tr([html.Th(title) for title in ("id", "reason", "row as received")])),
        html.Tbody(
            [
                html.Tr(
                    [
                        html.Td("-" if row["id"] is None else row["id"]),
                        html.Td(row["reason"]),
                        html.Td(html.Code(json.dumps(row["payload"]))),
                    ]
                )
                for row in quarantine["rows"]
            ]
        ),
    ]
