from datetime import UTC, datetime
from typing import Any

from dash import html

from dashboard.components import (
    BATCH_TABLE_ROWS,
    banner,
    batch_table,
    status_bar,
    status_summary,
    tick_age,
)
from tests.support.recorded_api import load

NOW = datetime(2026, 11, 26, 22, 0, 30, tzinfo=UTC)


def ids_in(component) -> dict[str, Any]:
    """Every element id below `component`, mapped to its children."""
    found = {}
    stack = component if isinstance(component, list) else [component]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif hasattr(node, "children"):
            if getattr(node, "id", None):
                found[node.id] = node.children
            stack.append(node.children)
    return found


def test_tick_age_reads_like_a_person_would_say_it():
    assert tick_age(None, NOW) == "never"
    assert tick_age("2026-11-26T22:00:24+00:00", NOW) == "6 s ago"
    assert tick_age("2026-11-26T21:57:30+00:00", NOW) == "3 min ago"
    assert tick_age("2026-11-26T19:00:00+00:00", NOW) == "3 h ago"


def test_tick_age_reads_the_zone_the_api_sends():
    assert tick_age("2026-11-26T22:00:20Z", NOW) == "10 s ago"
    assert tick_age("2026-11-26T23:00:20.123456+01:00", NOW) == "9 s ago"


def test_status_bar_shows_every_field_of_the_status():
    status = load("status_running") | {"rows_seen": 12345, "rows_quarantined": 2}
    status["last_tick_at"] = "2026-11-26T22:00:24Z"
    bar = ids_in(status_bar(status_summary(status, NOW)))
    assert bar["learner-state"] == "running"
    assert bar["rows-learned"] == "12,345"
    assert bar["current-page"] == str(status["next_page"])
    assert bar["rows-quarantined"] == "2"
    assert bar["last-tick-age"] == "6 s ago"
    assert bar["source-url"] == status["source_url"]
    assert "last-error" not in bar


def test_status_bar_shows_the_last_error_when_there_is_one():
    bar = ids_in(status_bar(status_summary(load("status_backing_off"), NOW)))
    assert bar["learner-state"] == "backing off"
    assert bar["last-error"] == load("status_backing_off")["last_error"]


def test_banner_names_the_unreachable_api_and_hides_when_all_is_well():
    assert banner("unreachable", "http://api:8000") == (
        "API at http://api:8000 unreachable, retrying",
        "banner banner-error",
    )
    assert "waiting for the first batch" in banner("waiting", "http://api:8000")[0]
    assert banner(None, "http://api:8000")[1] == "banner hidden"


def test_batch_table_marks_wrong_predictions(classification_latest):
    classification_latest["batch"][0].update(promoted=True, predicted=False)
    classification_latest["batch"][1].update(promoted=True, predicted=True)
    caption, _, body = batch_table(classification_latest)
    rows = body.children
    assert len(rows) == len(classification_latest["batch"])
    assert rows[0].className == "wrong"
    assert rows[0].children[-1].children == "✗ wrong"
    assert rows[1].className == "right"
    wrong = sum(row["predicted"] != row["promoted"] for row in classification_latest["batch"])
    assert f"{wrong} predicted wrong" in caption.children


def test_batch_table_of_a_long_batch_shows_the_newest_rows(classification_latest):
    batch = classification_latest["batch"]
    classification_latest["batch"] = batch * 5
    caption, _, body = batch_table(classification_latest)
    assert len(body.children) == BATCH_TABLE_ROWS
    assert body.children[-1].children[0].children == batch[-1]["id"]
    assert f"{len(batch) * 5} rows" in caption.children
    assert f"the newest {BATCH_TABLE_ROWS} below" in caption.children


def test_batch_table_of_an_empty_batch_has_only_a_caption_and_header():
    latest = {**load("classification_latest"), "batch": []}
    _caption, header, body = batch_table(latest)
    assert body.children == []
    assert isinstance(header, html.Thead)
