"""The "Ask about a person" panel: its builders on answers recorded from a real API
(`?all=true` for competence 0.71, network ability 0.37, promoted), and its answer callback
on that recorded API."""

import math

import httpx
import plotly.graph_objects as go
import pytest
from dash import html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ask, ask_callbacks, batch_figures, callbacks
from dashboard.charts import as_json
from dashboard.client import ApiClient
from dashboard.shared import PerKey
from tests.support.recorded_api import (
    BEFORE_FIRST_TICK,
    LEARNING,
    load,
    recorded_api,
    recorded_handler,
    unreachable_api,
)

TASKS = ("classification", "regression")
ASKED = {"competence": 0.71, "network_ability": 0.37, "promoted": True}
VALUE = {"classification": "probability", "regression": "network_ability"}
# The model version the recorded answers come from.
VERSION = load("classification_ask")["model_version"]


def cells_of(table: list) -> list[list[html.Td]]:
    _caption, _head, body = table
    return [row.children for row in body.children]


@pytest.mark.parametrize("task", TASKS)
def test_the_table_shows_every_candidates_answer_as_the_api_gave_it(task):
    """Three decimals to read, and the API's own number, to the last digit, in the title."""
    answer = load(f"{task}_ask")
    rows = cells_of(ask.answers_table(task, answer, ASKED))
    assert [row[1].children for row in rows] == [c["model"] for c in answer["candidates"]]
    for row, candidate in zip(rows, answer["candidates"], strict=True):
        value = candidate[VALUE[task]]
        assert row[2].children == f"{value:.3f}"
        assert float(row[2].title) == value
        if candidate["interval"] is None:
            assert row[3].children == "–"
        else:
            low, high = candidate["interval"]
            assert row[3].children == f"[{low:.3f}, {high:.3f}]"


@pytest.mark.parametrize("task", TASKS)
def test_the_table_stars_the_champion_alone(task):
    answer = {
        **load(f"{task}_ask"),
        "model": "MeanRegressor" if task == "regression" else "GaussianNB",
    }
    rows = cells_of(ask.answers_table(task, answer, ASKED))
    starred = [row[1].children for row in rows if row[0].children == ask.CHAMPION_MARK]
    assert starred == [answer["model"]]
    caption = ask.answers_table(task, answer, ASKED)[0].children
    assert f"model version {VERSION}" in caption and "competence 0.71" in caption


def test_the_classification_table_says_each_verdict():
    answer = load("classification_ask")
    verdicts = [
        row[4].children for row in cells_of(ask.answers_table("classification", answer, ASKED))
    ]
    assert verdicts == [
        "promoted" if c["promoted"] else "not promoted" for c in answer["candidates"]
    ]


@pytest.mark.parametrize(
    ("task", "total"), [("classification", "= logit"), ("regression", "= network ability")]
)
def test_the_bars_are_each_linear_models_terms_and_their_sum(task, total):
    answer = load(f"{task}_ask")
    figure = go.Figure(ask.contributions_figure(task, answer))
    linear = [c for c in answer["candidates"] if c["contributions"] is not None]
    assert [t.name.removeprefix(f"{ask.CHAMPION_MARK} ") for t in figure.data] == [
        c["model"] for c in linear
    ]
    for bars, candidate in zip(figure.data, linear, strict=True):
        terms = candidate["contributions"]
        assert list(bars.y) == [*terms, total]
        assert list(bars.x[:-1]) == list(terms.values())
        assert bars.x[-1] == pytest.approx(sum(terms.values()))


def test_the_sum_of_the_reference_classifiers_bars_is_the_logit_of_its_probability():
    answer = load("classification_ask")
    reference = go.Figure(ask.contributions_figure("classification", answer)).data[0]
    probability = answer["candidates"][0]["probability"]
    assert reference.x[-1] == pytest.approx(math.log(probability / (1 - probability)))


def test_the_sum_of_the_regressions_bars_is_each_models_prediction():
    answer = load("regression_ask")
    figure = go.Figure(ask.contributions_figure("regression", answer))
    predicted = {c["model"]: c["network_ability"] for c in answer["candidates"]}
    for bars in figure.data:
        assert bars.x[-1] == pytest.approx(
            predicted[bars.name.removeprefix(f"{ask.CHAMPION_MARK} ")]
        )


def test_without_a_linear_model_the_bars_say_so():
    answer = load("classification_ask")
    answer["candidates"] = [c for c in answer["candidates"] if c["contributions"] is None]
    figure = ask.contributions_figure("classification", answer)
    assert figure["data"] == []
    assert figure["layout"]["annotations"][0]["text"] == "no linear model is racing"


def test_the_boundary_chart_draws_the_person_asked_about_nowhere_until_the_browser_places_them():
    """The same chart for every viewer of a model version: the person's trace is there,
    empty, for the browser to fill in."""
    boundary = batch_figures.decision_boundary_figure(load("classification_latest"))
    (person,) = [t for t in boundary["data"] if t["name"] == batch_figures.PERSON_NAME]
    assert person["x"] == [] and person["y"] == []


def test_the_boundary_chart_spans_every_person_the_sliders_can_ask_about():
    latest = load("classification_latest")
    for row in latest["batch"]:
        row.update(competence=0.4, network_ability=0.6)
    layout = go.Figure(batch_figures.decision_boundary_figure(latest)).layout
    for axis in (layout.xaxis, layout.yaxis):
        assert axis.range[0] < 0.0 and axis.range[1] > 1.0


@pytest.fixture
def asked_api(api, monkeypatch):
    """The recorded API, whose status names the model version in `version` (a one-item
    list to change), with the answers' cache empty; returns the requests it was sent."""
    asked: list[str] = []
    version = [VERSION]
    answer = recorded_handler(LEARNING)

    def count(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={**load("status_running"), "model_version": version[0]})
        asked.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        return answer(request)

    client = ApiClient("http://api.test", timeout=1.0, transport=httpx.MockTransport(count))
    api(client)
    monkeypatch.setattr(ask_callbacks, "client", client)
    monkeypatch.setattr(ask_callbacks, "statuses", callbacks.statuses)
    monkeypatch.setattr(ask_callbacks, "drawn_answers", PerKey(ask_callbacks._draw, size=8))
    return asked, version


def test_the_answer_callback_draws_both_tasks_answers(asked_api):
    shown = ask_callbacks.answer_question(ASKED, None)
    for task in TASKS:
        answer = load(f"{task}_ask")
        assert shown[task]["table"] == as_json(ask.answers_table(task, answer, ASKED))
        assert shown[task]["figure"] == ask.contributions_figure(task, answer)
    assert shown["unanswered"] is False
    assert asked_api[0] == [
        "POST /classification/predict?all=true",
        "POST /regression/predict?all=true",
    ]


def test_viewers_asking_the_same_question_of_the_same_models_share_one_read(asked_api):
    asked, version = asked_api
    first = [ask_callbacks.answer_question(ASKED, None) for _viewer in range(5)]
    assert len(asked) == 2
    assert all(answers == first[0] for answers in first)
    ask_callbacks.answer_question({**ASKED, "competence": 0.2}, None)
    assert len(asked) == 4
    # The models learned: the same question is asked anew.
    version[0] += 1
    ask_callbacks.answer_question(ASKED, None)
    assert len(asked) == 6


def test_no_question_asks_nothing(asked_api):
    with pytest.raises(PreventUpdate):
        ask_callbacks.answer_question(None, None)
    assert asked_api[0] == []


def answering_503(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, json={"detail": "The stored model was refused."})


@pytest.mark.parametrize(
    "client",
    [
        unreachable_api(),
        ApiClient("http://api.test", timeout=1.0, transport=httpx.MockTransport(answering_503)),
    ],
    ids=["unreachable", "503"],
)
def test_an_api_that_cannot_answer_is_said_and_the_bars_keep_what_they_show(
    asked_api, monkeypatch, client
):
    monkeypatch.setattr(ask_callbacks, "client", client)
    shown = ask_callbacks.answer_question(ASKED, None)
    for task in TASKS:
        assert shown[task]["figure"] is no_update
        assert shown[task]["table"] == as_json(ask.unanswered_table("the API is unavailable"))
    # The browser asks again once a new chart is drawn.
    assert shown["unanswered"] is True


def test_before_the_first_tick_the_table_says_nothing_is_learned(asked_api, monkeypatch):
    monkeypatch.setattr(ask_callbacks, "client", recorded_api(BEFORE_FIRST_TICK))
    shown = ask_callbacks.answer_question(ASKED, None)
    assert shown["classification"]["table"] == as_json(
        ask.unanswered_table("nothing has been learned")
    )
    assert shown["unanswered"] is True


def test_a_task_that_cannot_answer_is_unanswered_though_the_other_did(asked_api, monkeypatch):
    answer = recorded_handler(LEARNING)

    def regression_down(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/regression/predict":
            return httpx.Response(503, json={"detail": "restarting"})
        return answer(request)

    client = ApiClient(
        "http://api.test", timeout=1.0, transport=httpx.MockTransport(regression_down)
    )
    monkeypatch.setattr(ask_callbacks, "client", client)
    shown = ask_callbacks.answer_question(ASKED, 7)
    assert shown["classification"]["figure"] == ask.contributions_figure(
        "classification", load("classification_ask")
    )
    assert shown["regression"]["figure"] is no_update
    assert shown["unanswered"] is True
