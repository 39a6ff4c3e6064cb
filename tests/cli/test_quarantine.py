"""`qa-learner quarantine` against an API that quarantined malformed rows and an outlier."""

import json

import pytest

from harness import loopback
from harness.processes import wait_until
from simulator.faults import is_malformed
from tests.support.api_reads import status_of
from tests.support.cli import run_cli
from tests.support.services import simulator_service, sqlite_api_service

pytestmark = pytest.mark.e2e

pytestmark = pytest.mark.e2e  # the services run as processes

ROWS, SEED, MALFORMED_RATE = 300, 23, 0.03
OUTLIER_ID = 120  # competence served 1e6 times too large


@pytest.fixture(scope="module")
def quarantining_api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quarantine")
    simulator = simulator_service(
        db_path=tmp / "simulator.db",
        log_dir=tmp,
        SIMULATOR_ROWS=ROWS,
        SIMULATOR_SEED=SEED,
        SIMULATOR_MALFORMED_RATE=MALFORMED_RATE,
        SIMULATOR_ABSURD_IDS=str(OUTLIER_ID),
    )
    with simulator, sqlite_api_service(tmp, source_url=simulator.url) as api:
        malformed = sum(is_malformed(i, seed=SEED, rate=MALFORMED_RATE) for i in range(1, 301))
        wait_until(
            lambda: status_of(api)["rows_quarantined"] == malformed + 1,
            timeout=60,
            message="the malformed rows and the outlier quarantined",
        )
        yield api


def test_quarantine_lists_the_newest_rows_with_their_reasons(quarantining_api):
    result = run_cli("quarantine", "--api-url", quarantining_api.url)
    assert result.returncode == 0, result.stderr
    assert "outlier: competence" in result.stdout
    assert f"{OUTLIER_ID}" in result.stdout
    caption = " ".join(result.stdout.split()).split("all quarantined rows by reason: ")[1]
    assert caption.endswith("outlier: competence: 1")
    assert "missing field" in caption or "must be" in caption


def test_quarantine_json_is_the_apis_body_and_limit_is_passed_on(quarantining_api):
    result = run_cli("quarantine", "--limit", "2", "--json", "--api-url", quarantining_api.url)
    assert result.returncode == 0, result.stderr
    body = loopback.get(f"{quarantining_api.url}/quarantine?limit=2", timeout=5).json()
    assert json.loads(result.stdout) == body
    assert len(body["rows"]) == 2
    assert sum(body["reasons"].values()) == status_of(quarantining_api)["rows_quarantined"]


def test_a_limit_out_of_range_is_refused_before_asking(quarantining_api):
    result = run_cli("quarantine", "--limit", "0", "--api-url", quarantining_api.url)
    assert result.returncode == 2
    assert "--limit" in result.stderr
