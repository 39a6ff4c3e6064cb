from datetime import UTC, datetime

import pytest
from dash.exceptions import PreventUpdate

from dashboard import callbacks
from tests.dashboard.conftest import (
    BEFORE_FIRST_TICK,
    LEARNING,
    load,
    recorded_api,
    unreachable_api,
)

NOW = datetime(2026, 11, 26, 22, 0, 30, tzinfo=UTC)


@pytest.fixture
def api(monkeypatch):
    """Point the callbacks at a recorded API; returns a switch to swap it."""

    def use(client):
        monkeypatch.setattr(callbacks, "client", client)

    use(recorded_api(LEARNING))
    return use


def test_status_view_of_a_learning_api_has_no_banner():
    view = callbacks.read_status_view(recorded_api(LEARNING), NOW)
    assert view["banner"] is None
    assert view["summary"]["rows-learned"] == f"{load('status_running')['rows_seen']:,}"


def test_status_view_before_the_first_tick_waits_for_the_first_batch():
    view = callbacks.read_status_view(recorded_api(BEFORE_FIRST_TICK), NOW)
    assert view["banner"] == "waiting"


def test_status_view_of_an_unreachable_api_keeps_no_summary():
    assert callbacks.read_status_view(unreachable_api(), NOW) == {
        "banner": "unreachable",
        "summary": None,
    }


def test_refresh_status_shows_the_banner_and_keeps_the_last_status_bar(api):
    api(unreachable_api())
    bar, bar_class, text, css_class, seen = callbacks.refresh_status(3, None)
    assert bar is callbacks.no_update
    assert "stale" in bar_class
    assert text == "API at http://api.test unreachable, retrying"
    assert "banner-error" in css_class
    with pytest.raises(PreventUpdate):
        callbacks.refresh_status(4, seen)


def test_refresh_status_hides_the_banner_once_the_api_answers(api):
    _, bar_class, text, css_class, _ = callbacks.refresh_status(
        5, {"banner": "unreachable", "summary": None}
    )
    assert bar_class == "status-bar"
    assert text == ""
    assert css_class == "banner hidden"


def test_refresh_classification_draws_a_new_model_version(api):
    *outputs, seen_version = callbacks.refresh_classification(1, None)
    assert seen_version == load("classification_latest")["model_version"]
    assert len(outputs) == 4


def test_refresh_classification_skips_a_version_already_drawn(api):
    with pytest.raises(PreventUpdate):
        callbacks.refresh_classification(2, load("classification_latest")["model_version"])


def test_refresh_regression_redraws_when_the_api_restarted_from_scratch(api):
    drawn_before_restart = load("regression_latest")["model_version"] + 40
    *_, seen_version = callbacks.refresh_regression(1, drawn_before_restart)
    assert seen_version == load("regression_latest")["model_version"]


@pytest.mark.parametrize("client", [recorded_api(BEFORE_FIRST_TICK), unreachable_api()])
def test_refresh_keeps_the_charts_when_there_is_nothing_to_draw(api, client):
    api(client)
    with pytest.raises(PreventUpdate):
        callbacks.refresh_regression(1, None)


@pytest.mark.parametrize(
    ("choice", "expected"), [(1, (1000, False)), (10, (10000, False)), (0, (2000, True))]
)
def test_refresh_interval_is_the_viewers_choice_or_paused(choice, expected):
    assert callbacks.set_refresh_interval(choice) == expected
