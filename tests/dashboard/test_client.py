import httpx
import pytest

from dashboard.client import ApiClient, ApiUnavailable, NothingLearnedYet
from tests.support.recorded_api import BEFORE_FIRST_TICK, LEARNING, recorded_api, unreachable_api


def answering(status_code: int, content: bytes = b"{}") -> ApiClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status_code, content=content))
    return ApiClient("http://api.test/", timeout=1.0, transport=transport)


def test_read_latest_returns_the_parsed_record():
    latest = recorded_api(LEARNING).read_latest("classification")
    assert latest["task"] == "classification"


def test_read_history_sends_the_limit():
    seen = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"task": "regression", "points": []})

    api = ApiClient("http://api.test", timeout=1.0, transport=httpx.MockTransport(handle))
    api.read_history("regression", limit=50)
    assert str(seen[0]) == "http://api.test/regression/history?limit=50"


def test_latest_answering_404_means_nothing_learned_yet():
    with pytest.raises(NothingLearnedYet):
        recorded_api(BEFORE_FIRST_TICK).read_latest("regression")


def test_a_refused_connection_is_api_unavailable():
    with pytest.raises(ApiUnavailable, match=r"api\.test/status"):
        unreachable_api().read_status()


@pytest.mark.parametrize("status_code", [404, 500, 503])
def test_error_answers_outside_latest_are_api_unavailable(status_code):
    with pytest.raises(ApiUnavailable, match=str(status_code)):
        answering(status_code).read_status()


def test_invalid_json_is_api_unavailable():
    with pytest.raises(ApiUnavailable, match="invalid JSON"):
        answering(200, b"<html>").read_status()


def test_read_drift_returns_the_events_oldest_first():
    events = recorded_api(LEARNING).read_drift("classification")["events"]
    assert [event["rows_seen"] for event in events] == sorted(e["rows_seen"] for e in events)
    assert events[0]["detector"] == "ADWIN"


def test_an_api_without_a_drift_endpoint_has_no_drift_events():
    assert answering(404).read_drift("regression") == {"task": "regression", "events": []}


def test_drift_of_a_failing_api_is_api_unavailable():
    with pytest.raises(ApiUnavailable, match="503"):
        answering(503).read_drift("regression")
