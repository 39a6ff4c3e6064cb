"""Oversized and deeply nested bodies are refused at once, with a 4xx that says why."""

import asyncio
import json
import time

from api.limits import MAX_BODY_BYTES, BodySizeLimit

PREDICT = "/classification/predict"


def test_a_body_declared_over_the_limit_is_refused_with_413_at_once(client):
    started = time.monotonic()
    response = client.post(
        PREDICT, content=b"x" * (4 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "over the limit" in response.json()["detail"]
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


def test_the_limit_stops_reading_an_endless_body_just_past_the_limit():
    """Called as the server would, with a body that never ends: the middleware reads just
    past the limit, answers 413, and never calls the app."""
    reads, sent = 0, []

    async def endless_body():
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        raise AssertionError("the app must not see an oversized body")

    scope = {"type": "http", "method": "POST", "path": PREDICT,
             "headers": [(b"transfer-encoding", b"chunked")]}  # fmt: skip
    asyncio.run(BodySizeLimit(app, max_bytes=8 * 1024)(scope, endless_body, send))
    assert reads == 9
    assert sent[0]["status"] == 413
