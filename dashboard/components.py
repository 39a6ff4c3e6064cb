"""HTML pieces built from API JSON: the status bar, the banner, the newest-batch table. Pure."""

from datetime import datetime
from typing import Any

from dash import html

Json = dict[str, Any]

# (element id, label) in the order the status bar shows them.
STATUS_FIELDS = (
    ("learner-state", "learner"),
    ("rows-learned", "rows learned"),
    ("current-page", "next page"),
    ("rows-quarantined", "rows quarantined"),
    ("last-tick-age", "last tick"),
    ("source-url", "source"),
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
        "learner-state": status["state"].replace("_", " "),
        "rows-learned": f"{status['rows_seen']:,}",
        "current-page": str(status["next_page"]),
        "rows-quarantined": str(status["rows_quarantined"]),
        "last-tick-age": tick_age(status.get("last_tick_at"), now),
        "source-url": status["source_url"],
        "last-error": status.get("last_error") or "",
    }


def _status_item(field_id: str, label: str, value: str, class_name: str = "status-item"):
    return html.Div(
        [html.Span(label, className="status-label"), html.Span(value, id=field_id)],
        className=class_name,
    )


def status_bar(summary: dict[str, str]) -> list[html.Div]:
    items = [_status_item(field_id, label, summary[field_id]) for field_id, label in STATUS_FIELDS]
    if summary.get("last-error"):
        error = summary["last-error"]
        items.append(_status_item("last-error", "last error", error, "status-item status-error"))
    return items


def banner(kind: str | None, api_url: str) -> tuple[str, str]:
    """The banner's text and CSS class for a kind: "unreachable", "waiting" or None (hidden)."""
    if kind == "unreachable":
        return f"API at {api_url} unreachable, retrying", "banner banner-error"
    if kind == "waiting":
        return "Connected to the API, waiting for the first batch", "banner banner-info"
    return "", "banner hidden"


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
