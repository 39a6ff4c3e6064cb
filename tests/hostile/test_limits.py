"""Oversized and deeply nested bodies are refused at once, with a 4xx that says why."""

import asyncio
import json
import time

from api.main import MAX_BODY_BYTES

PREDICT = "/classification/predict"


def test_a_body_declared_over_the_limit_is_refused_with_413_at_once(client):
    started = time.monotonic()
    response = client.post(
        PREDICT, content=b"x" * (4 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "Too Large" in response.text
    assert time.monotonic() - started < 1.0


def test_a_chunked_body_over_the_limit_is_refused_with_413(client):
    chunks = (b"[" + b"0," * 1000 for _ in range(100))  # no Content-Length: sent chunked
    response = client.post(PREDICT, content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_chunked_body_under_the_limit_reaches_the_endpoint(client):
    body = json.dumps({"competence": 0.5, "network_ability": 0.5}).encode()
    response = client.post(
        PREDICT, content=iter([body[:10], body[10:]]), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert 0 <= response.json()["probability"] <= 1


def test_a_deeply_nested_body_under_the_limit_is_a_quick_4xx(client):
    depth = MAX_BODY_BYTES // 2 - 10
    for nested in ("[" * depth + "]" * depth, '{"a":' * (depth // 5) + "1" + "}" * (depth // 5)):
        started = time.monotonic()
        response = client.post(
            PREDICT, content=nested, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 422), response.status_code
        assert response.json()["detail"]
        assert time.monotonic() - started < 1.0


def test_an_endless_chunked_body_is_read_only_just_past_the_limit(learned_app):
    """Called as the server would, with a body that never ends: the app reads just past
    the limit and answers 413."""
    reads, sent = 0, []

    async def endless_body():
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PREDICT,
        "raw_path": PREDICT.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        "state": {},
    }
    asyncio.run(learned_app(scope, endless_body, send))
    assert reads == MAX_BODY_BYTES // 1024 + 1
    assert sent[0]["status"] == 413
