"""Fault injection: seeded 5xx answers, extra latency, and rows malformed by (seed, id)."""

import math
import time
from collections import Counter

import httpx
import pytest

from harness import loopback
from simulator.faults import (
    MALFORMATIONS,
    RequestFault,
    RequestFaults,
    is_malformed,
    malform,
    malformation,
)
from simulator.synthetic import generate_rows

GOOD_ROW = {"id": 7, "competence": 0.5, "network_ability": 0.5, "promoted": True}


def test_is_malformed_hits_about_the_rate_and_grows_with_it():
    ids = range(1, 20_001)
    at_five = {i for i in ids if is_malformed(i, seed=3, rate=0.05)}
    at_twenty = {i for i in ids if is_malformed(i, seed=3, rate=0.2)}

    assert 850 < len(at_five) < 1150
    assert 3700 < len(at_twenty) < 4300
    assert at_five < at_twenty


def test_is_malformed_depends_on_the_seed():
    ids = range(1, 1001)
    assert [is_malformed(i, seed=1, rate=0.5) for i in ids] != [
        is_malformed(i, seed=2, rate=0.5) for i in ids
    ]


def test_malform_breaks_one_value_field_in_every_kind_and_keeps_the_id():
    kinds: Counter[str] = Counter()
    for row_id in range(1, 501):
        row = {**GOOD_ROW, "id": row_id}
        field, kind = malformation(row_id, seed=42)
        broken = malform(row, seed=42)
        kinds[kind] += 1

        assert broken["id"] == row_id
        assert [name for name in row if broken.get(name, "gone") != row[name]] == [field]
        if kind == "missing":
            assert field not in broken
        elif kind == "nan":
            assert math.isnan(broken[field])
        else:
            assert broken[field] == {"null": None, "string": "abc", "infinity": math.inf}[kind]
    assert set(kinds) == set(MALFORMATIONS)


def test_request_faults_are_seeded():
    def draws(seed):
        faults = RequestFaults(
            error_rate=0.3,
            latency_ms=0,
            seed=seed,
            html_rate=0.2,
            truncate_rate=0.2,
            slow_rate=0.2,
            slow_ms=700,
        )
        return [faults.draw() for _ in range(300)]

    assert draws(1) == draws(1) != draws(2)
    faults = draws(1)
    assert {f.status for f in faults} == {None, 200, 500, 503}
    assert {f.html for f in faults if f.status == 500} == {True}
    assert {f.html for f in faults if f.status == 503} == {False}
    assert {f.html for f in faults if f.status == 200} == {True}
    assert any(f.truncate for f in faults) and not any(f.truncate and f.status for f in faults)
    assert {f.delay_ms for f in faults} == {0, 700}
    no_faults = RequestFaults(error_rate=0.0, latency_ms=0, seed=1)
    assert {no_faults.draw() for _ in range(100)} == {RequestFault()}


@pytest.mark.e2e
def test_error_rate_answers_about_that_share_with_500_or_503(start_simulator):
    simulator = start_simulator(SIMULATOR_ERROR_RATE=0.3)

    with httpx.Client(base_url=simulator.url, timeout=5) as client:
        statuses = Counter(client.get("/api/v1/data?page=0").status_code for _ in range(300))
        health = client.get("/health").status_code

    failed = statuses[500] + statuses[503]
    assert set(statuses) <= {200, 500, 503}
    assert 60 < failed < 120, statuses
    assert health == 200


@pytest.mark.e2e
def test_latency_is_added_to_each_request(start_simulator):
    simulator = start_simulator(SIMULATOR_LATENCY_MS=150)

    with httpx.Client(base_url=simulator.url, timeout=5) as client:
        for page in range(5):
            started = time.monotonic()
            assert client.get(f"/api/v1/data?page={page}").status_code == 200
            assert time.monotonic() - started >= 0.15


@pytest.mark.e2e
def test_malformed_rows_are_the_predicted_ids_every_time(start_simulator):
    rows, seed, rate = 300, 5, 0.2
    simulator = start_simulator(
        SIMULATOR_ROWS=rows, SIMULATOR_SEED=seed, SIMULATOR_MALFORMED_RATE=rate
    )
    good = {
        row_id: {"id": row_id, "competence": c, "network_ability": n, "promoted": p}
        for row_id, c, n, p in generate_rows(start_id=1, count=rows, seed=seed)
    }
    expected_bad = {row_id for row_id in good if is_malformed(row_id, seed=seed, rate=rate)}

    def fetch_all() -> list[tuple[str, list[dict]]]:
        with httpx.Client(base_url=simulator.url, timeout=5) as client:
            responses = [client.get(f"/api/v1/data?page={page}") for page in range(rows // 10)]
        return [(response.text, response.json()) for response in responses]

    first, second = fetch_all(), fetch_all()
    served = [row for _, page in first for row in page]
    bad = {row["id"] for row in served if row != good[row["id"]]}

    assert len(served) == rows
    assert 30 < len(bad) < 90
    assert bad == expected_bad
    for row in served:
        expected = malform(good[row["id"]], seed=seed) if row["id"] in bad else good[row["id"]]
        assert repr(row) == repr(expected)  # repr, because NaN != NaN
    assert [text for text, _ in second] == [text for text, _ in first]
    body = "".join(text for text, _ in first)
    assert ":NaN" in body and ":Infinity" in body and ":null" in body and '"abc"' in body


@pytest.mark.e2e
def test_html_truncated_and_slow_answers_are_what_a_hostile_source_sends(start_simulator):
    """Each knob at 1.0 on its own: HTML with 200, a body cut off mid-JSON on a dropped
    connection, and an answer that only comes after SIMULATOR_SLOW_MS."""
    html = start_simulator(SIMULATOR_HTML_RATE=1.0)
    response = loopback.get(html.url + "/api/v1/data?page=0", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    html.stop()

    cut = start_simulator(SIMULATOR_TRUNCATE_RATE=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        loopback.get(cut.url + "/api/v1/data?page=0", timeout=5)
    assert loopback.get(cut.url + "/health", timeout=5).status_code == 200
    cut.stop()

    slow = start_simulator(SIMULATOR_SLOW_RATE=1.0, SIMULATOR_SLOW_MS=1500)
    with pytest.raises(httpx.ReadTimeout):
        loopback.get(slow.url + "/api/v1/data?page=0", timeout=0.5)
    started = time.monotonic()
    assert loopback.get(slow.url + "/api/v1/data?page=0", timeout=5).status_code == 200
    assert time.monotonic() - started >= 1.4
