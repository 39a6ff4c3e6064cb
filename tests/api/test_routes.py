"""The REST endpoints in process, on a real SQLite file written by a real learner."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.learning.bayesian_logistic import sigmoid
from api.main import create_app
from harness.processes import wait_until
from tests.support.database import query
from tests.support.learners import make_settings
from tests.support.rows import page_of


@pytest.fixture
def client_for(database_url):
    """A read-only API (no learner in process) over the test's database."""
    clients = []

    def build(**overrides) -> TestClient:
        client = TestClient(create_app(make_settings(database_url, **overrides)))
        clients.append(client.__enter__())
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def learned(learned_url) -> Iterator[TestClient]:
    """A read-only API over the learned database."""
    with TestClient(create_app(make_settings(learned_url))) as client:
        wait_until(lambda: client.get("/classification/latest").status_code == 200, timeout=5)
        yield client


def newest_version(database_url: str) -> int:
    ((version,),) = query(database_url, "SELECT model_version FROM learner_cursor")
    return version


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_read_latest_before_first_tick_is_404(client_for, task):
    response = client_for().get(f"/{task}/latest")
    assert response.status_code == 404
    assert "Nothing has been learned yet" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/classification/predict", {"competence": 0.5, "network_ability": 0.5}),
        ("/regression/predict", {"competence": 0.5, "promoted": True}),
    ],
)
def test_predict_before_first_tick_is_404(client_for, path, body):
    response = client_for().post(path, json=body)
    assert response.status_code == 404
    assert "Nothing has been learned yet" in response.json()["detail"]


def test_read_latest_serves_the_newest_committed_record(learned, learned_url):
    """Fields of DESIGN.md, the newest tick's rows as the batch (a version that only
    moved the race keeps the batch of the tick before it)."""
    body = learned.get("/classification/latest").json()
    assert body["task"] == "classification"
    newest = newest_version(learned_url)
    assert newest >= 3
    assert (body["model_version"], body["page"], body["rows_seen"]) == (newest, 2, 25)
    assert set(body["metrics"]) >= {
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "log_loss",
        "mcc",
        "confusion_matrix",
    }
    assert sum(body["metrics"]["confusion_matrix"].values()) == 25
    assert set(body["coefficients"]) == {"competence", "network_ability", "intercept"}
    assert [row["id"] for row in body["batch"]] == [21, 22, 23, 24, 25]
    assert set(body["batch"][0]) >= {"promoted", "predicted", "probability"}
    regression = learned.get("/regression/latest").json()
    assert set(regression["metrics"]) >= {"mae", "rmse", "r2"}
    assert set(regression["coefficients"]) == {"competence", "promoted", "intercept"}
    assert body["updated_at"].endswith("+00:00")


def test_read_latest_answers_304_to_a_matching_etag(learned):
    first = learned.get("/regression/latest")
    etag = first.headers["etag"]
    again = learned.get("/regression/latest", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = learned.get("/regression/latest", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_read_history_is_thinned_evenly_with_the_newest_included(learner, client_for):
    for first in range(1, 301, 10):
        learner.learn_and_commit([page_of(first)])
    client = client_for()
    points = client.get("/classification/history", params={"limit": 4}).json()["points"]
    assert [p["model_version"] for p in points] == [1, 11, 20, 30]
    assert points[-1]["rows_seen"] == 300
    everything = client.get("/regression/history", params={"limit": 100}).json()["points"]
    assert len(everything) == 30
    assert client.get("/regression/history", params={"limit": 0}).status_code == 422


def test_predict_uses_the_newest_committed_models(learned, learned_url):
    promoted = learned.post(
        "/classification/predict", json={"competence": 0.9, "network_ability": 1}
    )
    assert promoted.status_code == 200
    body = promoted.json()
    assert body["model_version"] == newest_version(learned_url)
    assert 0.0 <= body["probability"] <= 1.0
    assert body["promoted"] == (body["probability"] >= 0.5)
    ability = learned.post("/regression/predict", json={"competence": 0.2, "promoted": False})
    assert ability.status_code == 200
    body = ability.json()
    assert set(body) == {
        "network_ability",
        "interval",
        "contributions",
        "model_version",
        "model",
        "candidates",
    }
    low, high = body["interval"]
    assert low < body["network_ability"] < high


PEOPLE = [(0.71, 0.37), (0.15, 0.82), (0.0, 0.0), (1.0, 1.0)]


def test_predict_promoted_explains_its_answer(learned):
    """The reference answers with an interval around its probability and the terms of its
    logit; no other candidate is asked for unless `all` is."""
    coefficients = learned.get("/classification/latest").json()["coefficients"]
    for competence, network_ability in PEOPLE:
        person = {"competence": competence, "network_ability": network_ability}
        body = learned.post("/classification/predict", json=person).json()
        assert set(body) == {
            "promoted",
            "probability",
            "interval",
            "contributions",
            "model_version",
            "model",
            "candidates",
        }
        assert body["model"] == "reference" and body["candidates"] is None
        low, high = body["interval"]
        assert low <= body["probability"] <= high
        # Each term is the coefficient `latest` serves times the value; their sum, the
        # logit, is the probability answered.
        assert body["contributions"] == pytest.approx(
            {
                "intercept": coefficients["intercept"],
                "competence": coefficients["competence"] * competence,
                "network_ability": coefficients["network_ability"] * network_ability,
            }
        )
        assert sigmoid(sum(body["contributions"].values())) == pytest.approx(body["probability"])


def test_predict_network_ability_gives_the_terms_it_adds_up_from(learned):
    coefficients = learned.get("/regression/latest").json()["coefficients"]
    for competence, promoted in [(0.71, True), (0.33, False)]:
        person = {"competence": competence, "promoted": promoted}
        body = learned.post("/regression/predict", json=person).json()
        assert body["contributions"] == pytest.approx(
            {
                "intercept": coefficients["intercept"],
                "competence": coefficients["competence"] * competence,
                "promoted": coefficients["promoted"] * promoted,
            }
        )
        total = sum(body["contributions"].values())
        assert total == pytest.approx(body["network_ability"], abs=1e-12)


@pytest.mark.parametrize(
    ("task", "body", "linear"),
    [
        (
            "classification",
            {"competence": 0.64, "network_ability": 0.29},
            {"reference", "LogisticRegression"},
        ),
        (
            "regression",
            {"competence": 0.64, "promoted": True},
            {"reference", "PARegressor", "ForgettingBayesianLinearRegression"},
        ),
    ],
)
def test_predict_with_all_answers_for_every_candidate_in_one_request(learned, task, body, linear):
    """`candidates` lists every racing candidate in the leaderboard's order, each answering
    as it does when named; terms only from the linear ones, an interval only from the
    reference."""
    answer = learned.post(f"/{task}/predict", params={"all": "true"}, json=body).json()
    board = learned.get(f"/{task}/leaderboard").json()
    names = [candidate["name"] for candidate in board["candidates"]]
    assert [candidate["model"] for candidate in answer["candidates"]] == names
    for candidate in answer["candidates"]:
        alone = learned.post(f"/{task}/predict", params={"model": candidate["model"]}, json=body)
        assert {**alone.json(), "candidates": None} == {
            **candidate,
            "model_version": answer["model_version"],
            "candidates": None,
        }
        assert (candidate["contributions"] is not None) == (candidate["model"] in linear)
        assert (candidate["interval"] is not None) == (candidate["model"] == "reference")
    champion = next(c for c in answer["candidates"] if c["model"] == board["champion"])
    assert {**champion, "model_version": answer["model_version"]} == {
        name: value for name, value in answer.items() if name != "candidates"
    }


def test_predict_refuses_an_all_that_is_not_a_boolean(learned):
    body = {"competence": 0.5, "network_ability": 0.5}
    response = learned.post("/classification/predict", params={"all": "maybe"}, json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "all"]


@pytest.mark.parametrize(
    ("path", "raw_body", "complaint"),
    [
        ("/classification/predict", '{"competence": "high", "network_ability": 0.5}', "competence"),
        ("/classification/predict", '{"competence": NaN, "network_ability": 0.5}', "finite"),
        ("/classification/predict", '{"competence": Infinity, "network_ability": 0.5}', "finite"),
        ("/classification/predict", '{"competence": 0.5}', "network_ability"),
        ("/classification/predict", '{"competence": 0.5, "network_ability": 0.5, "x": 1}', "x"),
        ("/regression/predict", '{"competence": 0.5, "promoted": "yes"}', "promoted"),
        ("/regression/predict", '{"competence": true, "promoted": true}', "competence"),
        ("/regression/predict", "not json", "JSON"),
    ],
)
def test_predict_refuses_bad_input_with_422(learned, path, raw_body, complaint):
    response = learned.post(path, content=raw_body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert complaint in str(response.json()["detail"])


def test_status_without_a_learner_reads_the_committed_cursor(learned):
    body = learned.get("/status").json()
    assert body["state"] == "disabled"
    assert (body["next_page"], body["last_id"], body["rows_seen"]) == (2, 25, 25)


def test_admin_endpoints_are_refused_while_admin_token_is_unset(client_for):
    response = client_for().post("/learner/pause", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403
    assert "ADMIN_TOKEN" in response.json()["detail"]


def test_admin_endpoints_need_the_right_token(client_for):
    client = client_for(ADMIN_TOKEN="s3cret-token")
    assert client.post("/learner/pause").status_code == 401
    wrong = client.post("/learner/pause", headers={"Authorization": "Bearer s3cret-tokeX"})
    assert wrong.status_code == 401
    assert "s3cret" not in wrong.text
    right = client.post("/learner/pause", headers={"Authorization": "Bearer s3cret-token"})
    assert right.status_code == 409  # authorised, but this process runs no learner


def test_a_model_reset_needs_the_admin_token_and_is_left_for_the_learner(client_for, database_url):
    client = client_for(ADMIN_TOKEN="s3cret-token")
    assert client.post("/regression/reset").status_code == 401
    admin = {"Authorization": "Bearer s3cret-token"}
    assert client.post("/ranking/reset", headers=admin).status_code == 422
    response = client.post("/regression/reset", headers=admin)
    assert response.status_code == 202
    assert response.json()["task"] == "regression"
    pending = query(database_url, "SELECT id, task, applied_version FROM model_reset")
    assert pending == [(response.json()["reset_id"], "regression", None)]
    assert client_for().post("/regression/reset", headers=admin).status_code == 403


def test_health_is_ok(client_for):
    assert client_for().get("/health").json() == {"status": "ok"}


def test_every_endpoint_has_a_summary_and_an_example_in_swagger(client_for):
    schema = client_for().get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") or operation.get("description"), (method, path)
    examples = {name for name, s in schema["components"]["schemas"].items() if "examples" in s}
    assert {
        "ClassificationLatest",
        "RegressionLatest",
        "ClassificationInput",
        "RegressionInput",
        "ClassificationPrediction",
        "RegressionPrediction",
        "Status",
        "History",
        "Health",
        "Problem",
    } <= examples


@pytest.mark.parametrize(
    ("task", "metric"), [("classification", "log_loss"), ("regression", "rmse")]
)
def test_read_leaderboard_lists_every_candidate_scored_on_every_row(learned, task, metric):
    """DESIGN.md's fields; each candidate has the metric keys of `latest` and has
    predicted and learned all 25 rows; `latest` names the same champion."""
    body = learned.get(f"/{task}/leaderboard").json()
    latest = learned.get(f"/{task}/latest").json()
    assert body["metric"] == metric
    assert body["champion"] == latest["champion"] == "reference"  # no window filled yet
    names = [candidate["name"] for candidate in body["candidates"]]
    assert names == list(make_settings("sqlite://").model_dump()[f"{task.upper()}_CANDIDATES"])
    for candidate in body["candidates"]:
        assert candidate["rows_seen"] == candidate["metrics"]["count"] == 25, candidate["name"]
        assert set(candidate["metrics"]) == set(latest["metrics"]), candidate["name"]
        assert set(candidate["rolling_metrics"]) == set(latest["rolling_metrics"])
    reference = body["candidates"][0]
    assert reference["metrics"] == latest["metrics"]
    assert body["rows_raced"] == body["rows_seen"] == 25
    points = learned.get(f"/{task}/leaderboard/history").json()["points"]
    raced = [point["rows_seen"] for point in points]
    # The race runs behind: its versions stand at the rows raced by then, up to all 25.
    assert raced == sorted(raced) and raced[-1] == 25 and set(raced) <= {0, 10, 20, 25}
    assert [point["model_version"] for point in points] == list(range(1, len(points) + 1))
    assert set(points[-1]["scores"]) == set(names)


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/classification/predict", {"competence": 0.9, "network_ability": 0.2}, "GaussianNB"),
        ("/regression/predict", {"competence": 0.9, "promoted": True}, "PARegressor"),
    ],
)
def test_predict_with_a_model_answers_from_that_candidate(learned, path, body, model):
    """Without `model` the champion answers and is named; with it, that candidate answers,
    and its answer is the one its committed model gives."""
    default = learned.post(path, json=body).json()
    assert default["model"] == "reference"
    chosen = learned.post(path, params={"model": model}, json=body).json()
    assert chosen["model"] == model
    task = path.split("/")[1]
    _, served = learned.app.state.services.serving.model(task)  # type: ignore[attr-defined]
    x = served.live_race.model(model)
    if task == "classification":
        expected = x.predict_proba_one(body)[True]
        assert chosen["probability"] == pytest.approx(expected)
        assert chosen["probability"] != default["probability"]
    else:
        features = {"intercept": 1.0, "competence": 0.9, "promoted": 1.0}
        assert chosen["network_ability"] == pytest.approx(x.predict_one(features))
        assert chosen["interval"] is None and default["interval"] is not None


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/classification/predict", {"competence": 0.5, "network_ability": 0.5}),
        ("/regression/predict", {"competence": 0.5, "promoted": True}),
    ],
)
def test_predict_with_an_unknown_model_is_422_naming_the_candidates(learned, path, body):
    response = learned.post(path, params={"model": "Oracle"}, json=body)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "model"]
    detail = error["msg"]
    assert "'Oracle'" in detail and "reference" in detail
    task = path.split("/")[1]
    for candidate in learned.get(f"/{task}/leaderboard").json()["candidates"]:
        assert candidate["name"] in detail


def test_predict_with_a_registered_candidate_that_is_not_racing_is_404(learned):
    body = {"competence": 0.5, "promoted": True}
    response = learned.post(
        "/regression/predict", params={"model": "HoeffdingTreeRegressor"}, json=body
    )
    assert response.status_code == 404
    assert "REGRESSION_CANDIDATES" in response.json()["detail"]
