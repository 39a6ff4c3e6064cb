"""A chart answer is dispatched once per request: the viewers after the first who send
the same request get the same bytes without the callback running again."""

import gzip
import json
from collections.abc import Iterator

import orjson
import pytest
from dash import _callback

from dashboard import callbacks, ids
from dashboard.answers import CALLBACK_PATH
from dashboard.app import answers, app, server
from dashboard.charts import TASKS
from tests.support.recorded_api import load

VERSION = load("classification_latest")["model_version"]


@pytest.fixture
def calls(api, monkeypatch) -> Iterator[list[int]]:
    """The versions the charts callback ran for, with empty answers before and after."""
    ran: list[int] = []
    real = callbacks._built

    def counted(task, version):
        if task == callbacks.TASKS[0]:  # the callback builds every task once a run
            ran.append(version)
        return real(task, version)

    monkeypatch.setattr(callbacks, "_built", counted)
    answers.clear()
    yield ran
    answers.clear()


def chart_request(version: int, drawn: int | None) -> bytes:
    """The request a browser that shows `drawn` sends when the model version store moves
    to `version`."""
    # Dash moves its callbacks into the app's map when it serves its first request.
    registered = {**_callback.GLOBAL_CALLBACK_MAP, **app.callback_map}
    version_store = [{"id": ids.MODEL_VERSION, "property": "data"}]
    output = next(key for key, spec in registered.items() if spec["inputs"] == version_store)
    outputs = [part.rsplit(".", 1) for part in output.strip(".").split("...")]
    body = {
        "output": output,
        "outputs": [{"id": component, "property": prop} for component, prop in outputs],
        "inputs": [{"id": ids.MODEL_VERSION, "property": "data", "value": version}],
        "changedPropIds": [f"{ids.MODEL_VERSION}.data"],
        "state": [{"id": ids.drawn(task), "property": "data", "value": drawn} for task in TASKS],
    }
    return json.dumps(body).encode()


def post(body: bytes, *, encoding: str = "gzip"):
    headers = {"Content-Type": "application/json", "Accept-Encoding": encoding}
    return server.test_client().post(CALLBACK_PATH, data=body, headers=headers)


def drawn_in(answer) -> list[int]:
    body = answer.data
    if answer.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return [orjson.loads(body)["response"][ids.drawn(task)]["data"] for task in TASKS]


def test_viewers_sending_the_same_chart_request_get_the_first_answer_without_a_callback(calls):
    first = post(chart_request(VERSION, None))
    again = post(chart_request(VERSION, None))
    assert first.status_code == again.status_code == 200
    assert again.data == first.data
    assert again.headers["Content-Encoding"] == first.headers["Content-Encoding"] == "gzip"
    assert drawn_in(again) == [VERSION, VERSION]
    assert calls == [VERSION]


def test_a_viewer_coming_from_another_version_gets_the_same_answer(calls):
    first = post(chart_request(VERSION, None))
    from_another_version = post(chart_request(VERSION, VERSION - 1))
    assert from_another_version.data == first.data
    assert calls == [VERSION]


def test_another_version_or_encoding_is_answered_by_the_callback(calls):
    post(chart_request(VERSION, None))
    plain = post(chart_request(VERSION, None), encoding="identity")
    assert "Content-Encoding" not in plain.headers
    assert drawn_in(plain) == [VERSION, VERSION]
    post(chart_request(VERSION + 1, None))
    assert calls == [VERSION, VERSION, VERSION + 1]


def test_charts_handed_out_for_another_version_are_never_kept(calls, monkeypatch):
    """While the version asked is still being read, a viewer gets the newest charts built:
    that answer stands for no request, so the next viewer's runs its callback again."""
    newer = VERSION + 1
    outputs = {task: callbacks.charts.get(task, VERSION)[1] for task in TASKS}
    monkeypatch.setattr(callbacks.charts, "get", lambda task, version: (newer, outputs[task]))
    answers_drawn = [drawn_in(post(chart_request(VERSION, None))) for _ in "ab"]
    assert answers_drawn == [[newer, newer], [newer, newer]]
    assert calls == [VERSION, VERSION]
