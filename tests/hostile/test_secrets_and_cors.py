"""No secret reaches a log line or a response; cross-origin reads are closed unless
CORS_ORIGINS opens them."""

import httpx
import pytest
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.main import create_app
from tests.support.api_reads import wait_for_rows
from tests.support.database import sqlite_url
from tests.support.learners import make_settings

SECRET_KEY = "secret-key-that-must-never-be-shown-4f1c"
ADMIN_TOKEN = "admin-token-that-must-never-be-shown-9b2e"


@pytest.mark.e2e
def test_no_secret_appears_in_any_response_or_log_line(start_simulator, start_api, tmp_path):
    """Wrong, missing and right tokens, bad input, oversized bodies, every read endpoint,
    debug and access logs, and a clean stop: neither SECRET_KEY nor ADMIN_TOKEN is written."""
    simulator = start_simulator(SIMULATOR_ROWS=100)
    api = start_api(
        database_url=sqlite_url(tmp_path),
        source_url=simulator.url,
        SECRET_KEY=SECRET_KEY,
        ADMIN_TOKEN=ADMIN_TOKEN,
        LEASE_SECONDS=1,
        LOG_LEVEL="debug",
        ACCESS_LOG="true",
    )
    wait_for_rows(api, 100, timeout=30)
    right = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    near_misses = [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {ADMIN_TOKEN[:-1]}"},
        {"Authorization": f"Basic {ADMIN_TOKEN}"},
        {"Authorization": f"Bearer {SECRET_KEY}"},
    ]
    responses = []
    with httpx.Client(base_url=api.url, timeout=30) as client:  # a busy machine's pace
        for headers in near_misses:
            refused = client.post("/learner/pause", headers=headers)
            assert refused.status_code in (401, 403)
            responses.append(refused)
        responses += [
            client.post("/learner/pause", headers=right),
            client.post("/learner/resume", headers=right),
        ]
        assert [r.status_code for r in responses[-2:]] == [200, 200]
        for path in (
            "/status",
            "/health",
            "/metrics",
            "/openapi.json",
            "/docs",
            "/classification/latest",
            "/regression/history",
            "/nowhere",
        ):
            responses.append(client.get(path))
        responses += [
            client.post("/classification/predict", content=b'{"competence": NaN}'),
            client.post("/regression/predict", content=b"\xff\xfe not json"),
            client.post("/regression/predict", content=b"[" * 70_000),
        ]
    api.stop()
    shown = [r.text + str(r.headers) for r in responses]
    log = api.logs()
    assert '"POST /learner/pause HTTP/1.1" 401' in log, "the log missed the refusals"
    for secret in (SECRET_KEY, ADMIN_TOKEN):
        assert not any(secret in text for text in shown), "a response showed a secret"
        assert secret not in log, "the log showed a secret"
        assert secret[:12] not in log


def preflight(client: TestClient, origin: str):
    """The browser's question before a cross-origin POST to predict."""
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    return client.options("/classification/predict", headers=headers)


def test_cross_origin_requests_get_no_cors_headers_by_default(tmp_path):
    app = create_app(make_settings(sqlite_url(tmp_path)))
    with TestClient(app) as client:
        read = client.get("/health", headers={"Origin": "https://elsewhere.example"})
        answer = preflight(client, "https://elsewhere.example")
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers
    assert "access-control-allow-origin" not in answer.headers


def test_cors_origins_from_the_environment_open_only_those_origins(tmp_path, monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", '["https://dashboard.example"]')
    settings = make_settings(sqlite_url(tmp_path))
    assert settings.CORS_ORIGINS == ["https://dashboard.example"]
    with TestClient(create_app(settings)) as client:
        allowed = client.get("/health", headers={"Origin": "https://dashboard.example"})
        other = client.get("/health", headers={"Origin": "https://elsewhere.example"})
        answer = preflight(client, "https://dashboard.example")
    assert allowed.headers["access-control-allow-origin"] == "https://dashboard.example"
    assert "access-control-allow-origin" not in other.headers
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://dashboard.example"


def test_settings_never_print_their_secrets():
    settings = Settings(_env_file=None, SECRET_KEY=SECRET_KEY, ADMIN_TOKEN=ADMIN_TOKEN)
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert SECRET_KEY not in text and ADMIN_TOKEN not in text
