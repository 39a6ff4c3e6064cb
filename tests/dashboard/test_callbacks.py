from datetime import UTC, datetime

import httpx
import pytest
from dash.exceptions import PreventUpdate

from dashboard import callbacks, ids
from dashboard.charts import draw, draw_leaderboard
from dashboard.client import ApiClient
from tests.support.figures import values
from tests.support.recorded_api import (
    BEFORE_FIRST_TICK,
    LEARNING,
    load,
    recorded_api,
    recorded_handler,
    unreachable_api,
)

NOW = datetime(2026, 11, 26, 22, 0, 30, tzinfo=UTC)
VERSION = load("classification_latest")["model_version"]


def view_of(client: ApiClient) -> dict:
    return callbacks.status_view(callbacks.read_status_or_none(client), NOW)


def test_status_view_of_a_learning_api_has_no_banner_and_names_the_model_version():
    view = view_of(recorded_api(LEARNING))
    assert view["banner"] is None
    assert view["summary"][ids.ROWS_LEARNED] == f"{load('status_running')['rows_seen']:,}"
    assert view["model_version"] == load("status_running")["model_version"]


def test_status_view_before_the_first_tick_waits_for_the_first_batch():
    assert view_of(recorded_api(BEFORE_FIRST_TICK))["banner"] == "waiting"


def test_status_view_of_an_unreachable_api_keeps_no_summary():
    assert view_of(unreachable_api()) == {
        "banner": "unreachable",
        "summary": None,
        "model_version": None,
    }


def test_refresh_status_shows_the_banner_and_keeps_the_last_status_bar(api):
    api(unreachable_api())
    shown = callbacks.refresh_status(3, None, [VERSION, VERSION])
    assert shown["bar"] is callbacks.no_update
    assert "stale" in shown["bar_class"]
    assert shown["banner"] == "API at http://api.test unreachable, retrying"
    assert "banner-error" in shown["banner_class"]
    assert shown["version"] is callbacks.no_update
    with pytest.raises(PreventUpdate):
        callbacks.refresh_status(4, shown["seen"], [VERSION, VERSION])


def test_refresh_status_hides_the_banner_once_the_api_answers(api):
    shown = callbacks.refresh_status(
        5, {"banner": "unreachable", "summary": None, "model_version": None}, [None, None]
    )
    assert shown["bar_class"] == "status-bar"
    assert shown["banner"] == ""
    assert shown["banner_class"] == "banner hidden"


def test_refresh_status_hands_a_new_model_version_to_the_charts_only(api):
    shown = callbacks.refresh_status(1, None, [None, None])
    assert shown["version"] == VERSION
    with pytest.raises(PreventUpdate):
        callbacks.refresh_status(2, shown["seen"], [VERSION, VERSION])


def test_refresh_status_asks_again_for_a_chart_that_missed_its_version(api):
    seen = callbacks.refresh_status(1, None, [None, None])["seen"]
    assert callbacks.refresh_status(2, seen, [VERSION, VERSION - 1])["version"] == VERSION


def test_refresh_charts_draws_both_sections_of_a_new_model_version(api):
    drawn = callbacks.refresh_charts(VERSION, [None, None])
    assert set(drawn) == set(callbacks.TASKS)
    classification = drawn["classification"]
    latest, history = load("classification_latest"), load("classification_history")
    assert classification["drawn"] == drawn["regression"]["drawn"] == VERSION
    assert set(classification) == set(callbacks.CHART_OUTPUTS["classification"]) | {"drawn"}
    # Each output is drawn from this version's record and history, not left as it was.
    counts = latest["metrics"]["confusion_matrix"]
    assert classification["confusion"]["data"][0]["z"] == [
        [counts["tn"], counts["fp"]],
        [counts["fn"], counts["tp"]],
    ]
    accuracy = next(t for t in classification["metrics"]["data"] if t["name"] == "accuracy")
    assert values(accuracy["x"]) == [point["rows_seen"] for point in history["points"]]
    competence = next(
        t for t in classification["coefficients"]["data"] if t["name"] == "competence"
    )
    assert values(competence["y"])[-1] == latest["coefficients"]["competence"]
    assert f"model version {VERSION}" in str(classification["batch"])
    for task in callbacks.TASKS:
        parts = [load(f"{task}_{part}") for part in ("latest", "history", "drift")]
        board, race = load(f"{task}_leaderboard"), load(f"{task}_leaderboard_history")
        expected = {**draw(task, *parts), **draw_leaderboard(board, race)}
        assert drawn[task] == {**expected, "drawn": VERSION}


def test_a_model_versions_drift_events_are_marked_and_announced(api):
    drawn = callbacks.refresh_charts(VERSION, [None, None])["classification"]
    newest = load("classification_drift")["events"][-1]
    markers = [s for s in drawn["metrics"]["layout"]["shapes"] if s["name"].startswith("drift")]
    assert {marker["x0"] for marker in markers} == {newest["rows_seen"]}
    assert drawn["drift_class"] == "drift-notice"
    assert f"row {newest['rows_seen']:,}" in str(drawn["drift"])


def test_a_task_without_drift_events_hides_its_notice(api):
    drawn = callbacks.refresh_charts(VERSION, [None, None])
    assert drawn["regression"]["drift_class"] == "drift-notice hidden"


def test_refresh_charts_skips_a_version_already_drawn(api):
    with pytest.raises(PreventUpdate):
        callbacks.refresh_charts(VERSION, [VERSION, VERSION])


def test_a_section_that_missed_its_version_brings_both_up_to_it(api):
    drawn = callbacks.refresh_charts(VERSION, [VERSION, VERSION - 1])
    assert drawn["classification"]["drawn"] == drawn["regression"]["drawn"] == VERSION


def test_refresh_charts_redraws_when_the_api_restarted_from_scratch(api):
    drawn_before_restart = VERSION + 40
    drawn = callbacks.refresh_charts(VERSION, [drawn_before_restart, drawn_before_restart])
    assert drawn["regression"]["drawn"] == VERSION


@pytest.mark.parametrize("client", [recorded_api(BEFORE_FIRST_TICK), unreachable_api()])
def test_refresh_keeps_the_charts_when_there_is_nothing_to_draw(api, client):
    api(client)
    with pytest.raises(PreventUpdate):
        callbacks.refresh_charts(VERSION, [None, None])


def test_a_section_that_cannot_be_read_keeps_its_charts_and_the_other_is_drawn(api):
    answer = recorded_handler(LEARNING)

    def regression_down(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/regression"):
            return httpx.Response(503, json={"detail": "restarting"})
        return answer(request)

    api(ApiClient("http://api.test", timeout=1.0, transport=httpx.MockTransport(regression_down)))
    drawn = callbacks.refresh_charts(VERSION, [None, None])
    assert drawn["classification"]["drawn"] == VERSION
    assert set(drawn["regression"].values()) == {callbacks.no_update}


def test_every_viewer_of_a_model_version_shares_one_read_of_the_api(api):
    asked: list[str] = []
    answer = recorded_handler(LEARNING)

    def count(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return answer(request)

    api(ApiClient("http://api.test", timeout=1.0, transport=httpx.MockTransport(count)))
    drawn = [callbacks.refresh_charts(VERSION, [None, None]) for _viewer in range(5)]
    assert asked == [
        f"/{task}/{path}"
        for task in callbacks.TASKS
        for path in ("latest", "history", "drift", "leaderboard", "leaderboard/history")
    ]
    assert all(charts == drawn[0] for charts in drawn)


@pytest.mark.parametrize(
    ("choice", "interval", "paused"), [(1, 1000, False), (10, 10000, False), (0, 2000, True)]
)
def test_refresh_interval_is_the_viewers_choice_or_paused(choice, interval, paused):
    assert callbacks.set_refresh_interval(choice) == {"interval": interval, "paused": paused}


def test_the_quarantine_is_read_once_for_each_count_and_shown_by_reason(api):
    reads = []
    recorded = recorded_handler(LEARNING)

    def counting(request: httpx.Request) -> httpx.Response:
        reads.append(request.url.path)
        return recorded(request)

    api(ApiClient("http://api.test", timeout=1.0, transport=httpx.MockTransport(counting)))
    shown = callbacks.refresh_quarantine(10)
    again = callbacks.refresh_quarantine(10)
    assert reads.count("/quarantine") == 1
    assert shown == again
    assert shown["summary"].startswith("10 rows were not learned")
    reasons = load("quarantine")["reasons"]
    assert len(shown["reasons"][1].children) == len(reasons)
    assert len(shown["newest"][1].children) == len(load("quarantine")["rows"])
    callbacks.refresh_quarantine(11)
    assert reads.count("/quarantine") == 2


def test_refresh_status_passes_on_the_count_of_quarantined_rows(api):
    shown = callbacks.refresh_status(1, None, [VERSION, VERSION])
    assert shown["quarantined"] == load("status_running")["rows_quarantined"]
    with pytest.raises(PreventUpdate):
        callbacks.refresh_quarantine(None)
