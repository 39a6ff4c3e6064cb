"""The challenge's contract, over HTTP against a real simulator process."""

import httpx
import pytest

from harness import loopback
from simulator.synthetic import generate_rows
from tests.support.services import simulator_service

pytestmark = pytest.mark.e2e

ROWS = 25
SEED = 42


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    directory = tmp_path_factory.mktemp("endpoint")
    service = simulator_service(
        db_path=directory / "simulator.db", log_dir=directory, SIMULATOR_ROWS=ROWS
    )
    with service:
        yield service


def get_page(simulator, page) -> httpx.Response:
    return loopback.get(f"{simulator.url}/api/v1/data", params={"page": page}, timeout=5)


def test_a_page_is_ten_rows_ordered_by_id_with_the_challenges_types(simulator):
    response = get_page(simulator, 0)

    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == list(range(1, 11))
    for row in rows:
        assert list(row) == ["id", "competence", "network_ability", "promoted"]
        assert type(row["id"]) is int
        assert type(row["competence"]) is float
        assert type(row["network_ability"]) is float
        assert type(row["promoted"]) is bool


def test_promoted_is_written_as_a_json_boolean(simulator):
    body = get_page(simulator, 0).text

    assert '"promoted":true' in body or '"promoted":false' in body
    assert '"promoted":0' not in body and '"promoted":1' not in body


def test_the_rows_are_the_seeded_synthetic_rows(simulator):
    served = [tuple(row.values()) for page in range(3) for row in get_page(simulator, page).json()]

    assert served == list(generate_rows(start_id=1, count=ROWS, seed=SEED))


def test_the_last_page_is_partial_and_past_the_end_is_an_empty_list(simulator):
    assert [row["id"] for row in get_page(simulator, 2).json()] == list(range(21, 26))
    for page in (3, 4, 10**12):
        response = get_page(simulator, page)
        assert response.status_code == 200
        assert response.json() == []


@pytest.mark.parametrize("params", [{}, {"page": -1}, {"page": "1.5"}, {"page": "abc"}])
def test_page_must_be_a_non_negative_integer(simulator, params):
    response = loopback.get(f"{simulator.url}/api/v1/data", params=params, timeout=5)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "page"]


def test_health_counts_the_rows(simulator):
    response = loopback.get(f"{simulator.url}/health", timeout=5)

    assert response.json() == {"status": "ok", "rows": ROWS}


def test_swagger_documents_the_endpoint_with_an_example(simulator):
    assert loopback.get(f"{simulator.url}/docs", timeout=5).status_code == 200
    schema = loopback.get(f"{simulator.url}/openapi.json", timeout=5).json()
    [page_parameter] = schema["paths"]["/api/v1/data"]["get"]["parameters"]
    assert page_parameter["required"] is True
    assert schema["components"]["schemas"]["DataRow"]["properties"]["id"]["examples"] == [1]
