"""Whatever body a caller posts to predict: a finite answer, or a 422 that says why."""

import json
import math
import sys

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.strategies import json_values

finite = st.floats(allow_nan=False, allow_infinity=False)
numbers = finite | st.integers(min_value=-(10**30), max_value=10**30) | json_values
classification_bodies = st.fixed_dictionaries(
    {}, optional={"competence": numbers, "network_ability": numbers, "extra": json_values}
)
regression_bodies = st.fixed_dictionaries(
    {}, optional={"competence": numbers, "promoted": st.booleans() | json_values}
)
QUICK = settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])


def post(client, path: str, body) -> dict:
    # Python's encoder, not the client's: it writes NaN and Infinity as hostile callers do.
    content = json.dumps(body)
    response = client.post(path, content=content, headers={"content-type": "application/json"})
    assert response.status_code in (200, 422), (body, response.status_code, response.text)
    payload = response.json()  # a 422 is valid JSON too, even when the input held NaN
    if response.status_code == 422:
        assert payload["detail"]
    return payload if response.status_code == 200 else {}


def classify(client, body) -> None:
    answer = post(client, "/classification/predict", body)
    if answer:
        assert type(answer["probability"]) is float, answer
        assert 0.0 <= answer["probability"] <= 1.0
        assert answer["promoted"] == (answer["probability"] >= 0.5)


def regress(client, body) -> None:
    answer = post(client, "/regression/predict", body)
    if answer:
        assert type(answer["network_ability"]) is float, answer
        assert math.isfinite(answer["network_ability"])


@QUICK
@given(body=classification_bodies | json_values)
def test_classification_predict_answers_a_probability_or_422(client, body):
    classify(client, body)


@QUICK
@given(body=regression_bodies | json_values)
def test_regression_predict_answers_a_finite_number_or_422(client, body):
    regress(client, body)


@QUICK
@given(competence=finite, network_ability=finite, promoted=st.booleans())
@example(competence=sys.float_info.max, network_ability=-sys.float_info.max, promoted=True)
@example(competence=-sys.float_info.max, network_ability=sys.float_info.max, promoted=False)
def test_every_finite_input_gets_a_finite_answer_or_a_422(
    client, competence, network_ability, promoted
):
    """Huge finite inputs included: the models must not answer inf or NaN."""
    classify(client, {"competence": competence, "network_ability": network_ability})
    regress(client, {"competence": competence, "promoted": promoted})


def test_a_body_of_raw_bytes_without_a_content_type_is_a_422_not_a_500(client):
    """FastAPI echoes such a body back as bytes; bytes that are not UTF-8 once made a 500."""
    for path in ("/classification/predict", "/regression/predict"):
        response = client.post(path, content=b"\xff\xfe not json")
        assert response.status_code == 422
        assert response.json()["detail"][0]["input"] == "\ufffd\ufffd not json"
