"""The learner's log: one line a person reads per event, the same event as fields in
JSON."""

import json
import logging
from datetime import UTC, datetime

from api.learner.logs import log_commit
from api.learning.committed import TickCommit
from api.learning.cursor import Cursor
from api.observability import JsonFormatter

AT = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
COMMIT = TickCommit(
    cursor=Cursor(),
    drift_events=[
        {
            "task": "regression",
            "rows_seen": 20_001,
            "updated_at": AT,
            "detector": "fence",
            "loss_before": 0.21,
            "loss_after": 14.5,
            "action": "alert",
            "feature": "competence",
            "value_before": 0.5,
            "value_after": 49.7,
        }
    ],
    champion_changes=[
        {
            "task": "classification",
            "rows_seen": 1_410,
            "updated_at": AT,
            "previous": "reference",
            "champion": "HoeffdingAdaptiveTreeClassifier",
            "metric": "log_loss",
            "previous_score": 0.3194,
            "champion_score": 0.2851,
        }
    ],
    quarantined=[
        {"page": 3, "position": 4, "source_id": 35, "payload": "{}", "reason": "missing field 'id'"}
    ],
)


def test_each_event_is_one_line_a_person_reads(caplog):
    with caplog.at_level(logging.INFO, logger="api.learner"):
        log_commit(COMMIT)
    assert caplog.messages == [
        "regression: fence drift at row 20,001: competence shifted beyond the fence, "
        "median 0.5 to 49.7",
        "classification: champion HoeffdingAdaptiveTreeClassifier replaces reference at row "
        "1,410, rolling log loss 0.285 against 0.319",
        "quarantined 1 row, e.g. id 35: missing field 'id'",
    ]


def test_in_json_each_line_carries_its_event_as_fields(caplog):
    with caplog.at_level(logging.INFO, logger="api.learner"):
        log_commit(COMMIT)
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    drift, champion, _ = (line["event"] for line in lines)
    assert drift["kind"] == "drift" and drift["detector"] == "fence"
    assert drift["updated_at"] == "2026-12-06T07:00:00+00:00"
    assert champion == {
        "kind": "champion",
        "task": "classification",
        "rows_seen": 1_410,
        "updated_at": "2026-12-06T07:00:00+00:00",
        "previous": "reference",
        "champion": "HoeffdingAdaptiveTreeClassifier",
        "metric": "log_loss",
        "previous_score": 0.3194,
        "champion_score": 0.2851,
    }
    assert lines[0]["message"].startswith("regression: fence drift at row 20,001")
