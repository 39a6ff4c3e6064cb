"""The API as the dashboard sees it, answered from JSON recorded from a real one
(tests/dashboard/fixtures), without a network."""

import json
from pathlib import Path

import httpx

from dashboard.client import ApiClient

FIXTURES = Path(__file__).parents[1] / "dashboard" / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def recorded_handler(routes: dict[str, tuple[int, str]]):
    """An API that answers each path with (status code, fixture name)."""

    def handle(request: httpx.Request) -> httpx.Response:
        status_code, fixture = routes[request.url.path]
        return httpx.Response(status_code, json=load(fixture))

    return handle


def recorded_api(routes: dict[str, tuple[int, str]]) -> ApiClient:
    return ApiClient(
        "http://api.test", timeout=1.0, transport=httpx.MockTransport(recorded_handler(routes))
    )


def unreachable_api() -> ApiClient:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    return ApiClient("http://api.test", timeout=1.0, transport=httpx.MockTransport(refuse))


LEARNING = {
    "/status": (200, "status_running"),
    "/classification/latest": (200, "classification_latest"),
    "/classification/history": (200, "classification_history"),
    "/regression/latest": (200, "regression_latest"),
    "/regression/history": (200, "regression_history"),
    "/classification/drift": (200, "classification_drift"),
    "/regression/drift": (200, "regression_drift"),
    "/classification/leaderboard": (200, "classification_leaderboard"),
    "/classification/leaderboard/history": (200, "classification_leaderboard_history"),
    "/regression/leaderboard": (200, "regression_leaderboard"),
    "/regression/leaderboard/history": (200, "regression_leaderboard_history"),
    # Every candidate's answer (`?all=true`) for competence 0.71, network ability 0.37,
    # promoted, whatever is asked: the handler reads the path alone.
    "/classification/predict": (200, "classification_ask"),
    "/regression/predict": (200, "regression_ask"),
    # 300 rows of seed 23, 3% malformed and id 120 a million times too competent.
    "/quarantine": (200, "quarantine"),
}
BEFORE_FIRST_TICK = {
    "/status": (200, "status_before_first_tick"),
    "/classification/latest": (404, "latest_before_first_tick"),
    "/regression/latest": (404, "latest_before_first_tick"),
    "/classification/predict": (404, "latest_before_first_tick"),
    "/regression/predict": (404, "latest_before_first_tick"),
}
