from datetime import UTC, datetime
from typing import Any

from dash import html

from dashboard import ids
from dashboard.components import (
    BATCH_TABLE_ROWS,
    banner,
    batch_table,
    drift_notice,
    quarantine_reasons,
    quarantine_rows,
    quarantine_summary,
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
    assert bar[ids.LEARNER_STATE] == "running"
    assert bar[ids.ROWS_LEARNED] == "12,345"
    assert bar[ids.CURRENT_PAGE] == str(status["next_page"])
    assert bar[ids.ROWS_QUARANTINED] == "2"
    assert bar[ids.LAST_TICK_AGE] == "6 s ago"
    assert bar[ids.SOURCE_URL] == status["source_url"]
    assert ids.LAST_ERROR not in bar


def test_status_bar_shows_the_last_error_when_there_is_one():
    bar = ids_in(status_bar(status_summary(load("status_backing_off"), NOW)))
    assert bar[ids.LEARNER_STATE] == "backing off"
    assert bar[ids.LAST_ERROR] == load("status_backing_off")["last_error"]


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


def text_of(component) -> str:
    """The text a person reads in `component`, its children's included."""
    if isinstance(component, list):
        return "".join(text_of(child) for child in component)
    if hasattr(component, "children"):
        return text_of(component.children)
    return "" if component is None else str(component)


def test_drift_notice_tells_the_newest_event_with_its_losses(classification_drift):
    older = {**classification_drift["events"][0], "rows_seen": 100, "loss_before": 0.9}
    newest = {**classification_drift["events"][0], "rows_seen": 2528, "action": "reset"}
    notice, class_name = drift_notice("classification", {"events": [older, newest]})
    text = text_of(notice)
    assert class_name == "drift-notice"
    assert "Drift detected by ADWIN at row 2,528" in text
    assert f"error rate rose from {newest['loss_before']:.3f} to {newest['loss_after']:.3f}" in text
    assert "started afresh" in text
    assert "2 drift events so far" in text


def test_drift_notice_of_an_alert_says_the_model_goes_on_learning(classification_drift):
    text = text_of(drift_notice("regression", classification_drift)[0])
    assert "mean absolute error rose" in text
    assert "goes on learning" in text
    assert "1 drift event so far" in text


def test_drift_notice_is_hidden_while_there_is_no_event():
    assert drift_notice("regression", {"events": []}) == ([], "drift-notice hidden")


def test_drift_notice_tells_what_moved_for_the_relationship_and_the_fence():
    moved = {
        "rows_seen": 20_500,
        "detector": "relationship",
        "loss_before": 0.12,
        "loss_after": 0.63,
        "action": "alert",
        "coefficient": "network_ability",
        "before": 8.04,
        "after": -7.91,
    }
    text = text_of(drift_notice("classification", {"events": [moved]})[0])
    assert "At row 20,500 network_ability's coefficient moved from 8.04 to -7.91" in text
    shifted = {**moved, "detector": "fence", "coefficient": None, "feature": "competence"}
    shifted.update(before=0.5, after=49.6)
    text = text_of(drift_notice("classification", {"events": [moved, shifted]})[0])
    assert "competence moved beyond the outlier fence for good (median 0.5, now 49.6)" in text
    assert "2 drift events so far" in text


QUARANTINE = {
    "rows": [
        {
            "id": 20417,
            "reason": "outlier: competence 731942 is 1.46e+06 IQRs above the fence [-4.7, 5.7]",
            "payload": {"id": 20417, "competence": 731942.1, "network_ability": 0.4},
            "received_at": "2026-11-26T22:00:00+00:00",
        },
        {
            "id": None,
            "reason": "missing field 'id'",
            "payload": {"competence": 0.5},
            "received_at": "2026-11-26T21:00:00+00:00",
        },
    ],
    "reasons": {"missing field 'id'": 3, "outlier: competence": 1, "'promoted' must be": 3},
}


def test_the_quarantine_counts_every_row_by_reason_the_most_frequent_first():
    _, body = quarantine_reasons(QUARANTINE)
    rows = [[text_of(cell) for cell in row.children] for row in body.children]
    assert rows == [
        ["'promoted' must be", "3"],
        ["missing field 'id'", "3"],
        ["outlier: competence", "1"],
    ]
    assert quarantine_summary(QUARANTINE).startswith("7 rows were not learned")
    assert quarantine_summary({"rows": [], "reasons": {}}) == "Every row served so far was learned."


def test_the_newest_quarantined_rows_show_their_reason_and_the_row_as_received():
    _, body = quarantine_rows(QUARANTINE)
    first, second = ([text_of(cell) for cell in row.children] for row in body.children)
    assert first[0] == "20417" and first[1].startswith("outlier: competence 731942")
    assert first[2] == '{"id": 20417, "competence": 731942.1, "network_ability": 0.4}'
    assert second[0] == "-"
