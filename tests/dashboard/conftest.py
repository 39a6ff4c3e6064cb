import base64
import json
import math
from pathlib import Path

import httpx
import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard.client import ApiClient

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def validated(build):
    """The builder with its dict put through Plotly's validating Figure, which refuses any
    property Plotly does not know."""
    return lambda *args: go.Figure(build(*args))


def trace(figure: go.Figure, name: str):
    return next(t for t in figure.data if t.name == name)


def values(series) -> list:
    """A series as numbers, whether Plotly's typed array (NaN for a gap) or a plain list."""
    if isinstance(series, dict):
        decoded = np.frombuffer(base64.b64decode(series["bdata"]), dtype=series["dtype"])
        return [None if math.isnan(value) else value for value in decoded.tolist()]
    return list(series)


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
}
BEFORE_FIRST_TICK = {
    "/status": (200, "status_before_first_tick"),
    "/classification/latest": (404, "latest_before_first_tick"),
    "/regression/latest": (404, "latest_before_first_tick"),
}


@pytest.fixture
def classification_latest() -> dict:
    return load("classification_latest")


@pytest.fixture
def classification_history() -> dict:
    return load("classification_history")


@pytest.fixture
def regression_latest() -> dict:
    return load("regression_latest")


@pytest.fixture
def regression_history() -> dict:
    return load("regression_history")


@pytest.fixture
def classification_drift() -> dict:
    return load("classification_drift")
