"""A chart answer is dispatched once per request: the viewers after the first who send
the same request get the same bytes without the callback running again."""

import gzip
import json

import orjson
import pytest
from dash import _callback

from dashboard import callbacks, ids
from dashboard.answers import CALLBACK_PATH
from dashboard.app import answers, app, server
from tests.support.recorded_api import load

VERSION = load("classification_latest")["model_version"]


@pytest.fixture
def calls(api, monkeypatch) -> list[tuple]:
    """The chart callbacks that ran, with empty answers before and after."""
    ran: list[tuple] = []
    real = callbacks.refresh_task

    def counted(task, version, drawn):
        ran.append((task, version, drawn))
        return real(task, version, drawn)

    monkeypatch.setattr(callbacks, "refresh_task", counted)
    answers.clear()
    yield ran
    answers.clear()


def chart_request(task: str, version: int, drawn: int | None) -> bytes:
    """The request a browser sends when the model version store moves to `version`."""
    # Dash moves its callbacks into the app's map when it serves its first request.
    registered = {**_callback.GLOBAL_CALLBACK_MAP, **app.callback_map}
    output = next(
        key
        for key, spec in registered.items()
        if spec["state"] == [{"id": ids.drawn(task), "property": "data"}]
    )
    outputs = [part.rsplit(".", 1) for part in output.strip(".").split("...")]
    body = {
        "output": output,
        "outputs": [{"id": component, "property": prop} for component, prop in outputs],
        "inputs": [{"id": ids.MODEL_VERSION, "property": "data", "value": version}],
        "changedPropIds": [f"{ids.MODEL_VERSION}.data"],
        "state": [{"id": ids.drawn(task), "property": "data", "value": drawn}],
    }
    return json.dumps(body).encode()


def post(body: bytes, *, encoding: str = "gzip"):
    headers = {"Content-Type": "application/json", "Accept-Encoding": encoding}
    return server.test_client().post(CALLBACK_PATH, data=body, headers=headers)


def drawn_in(answer) -> int:
    body = answer.data
    if answer.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return orjson.loads(body)["response"][ids.drawn("classification")]["data"]


def test_viewers_sending_the_same_chart_request_get_the_first_answer_without_a_callback(calls):
    first = post(chart_request("classification", VERSION, None))
    again = post(chart_request("classification", VERSION, None))
    assert first.status_code == again.status_code == 200
    assert again.data == first.data
    assert again.headers["Content-Encoding"] == first.headers["Content-Encoding"] == "gzip"
    assert drawn_in(again) == VERSION
    assert calls == [("classification", VERSION, None)]


def test_a_viewer_coming_from_another_version_gets_the_same_answer(calls):
    first = post(chart_request("classification", VERSION, None))
    from_another_version = post(chart_request("classification", VERSION, VERSION - 1))
    assert from_another_version.data == first.data
    assert len(calls) == 1


def test_another_version_task_or_encoding_is_answered_by_its_callback(calls):
    post(chart_request("classification", VERSION, None))
    plain = post(chart_request("classification", VERSION, None), encoding="identity")
    assert "Content-Encoding" not in plain.headers
    assert drawn_in(plain) == VERSION
    post(chart_request("regression", VERSION, None))
    post(chart_request("classification", VERSION + 1, None))
    assert [call[:2] for call in calls[1:]] == [
        ("classification", VERSION),
        ("regression", VERSION),
        ("classification", VERSION + 1),
    ]


def test_charts_handed_out_for_another_version_are_never_kept(calls, monkeypatch):
    """While the version asked is still being read, a viewer gets the newest charts built:
    that answer stands for no request, so the next viewer's runs its callback again."""
    newer = VERSION + 1
    outputs = callbacks.charts.get("classification", VERSION)[1]
    monkeypatch.setattr(callbacks.charts, "get", lambda task, version: (newer, outputs))
    answers_drawn = [drawn_in(post(chart_request("classification", VERSION, None))) for _ in "ab"]
    assert answers_drawn == [newer, newer]
    assert len(calls) == 2
