"""`qa-learner versions` and `qa-learner rewind` against a real API."""

import json

import pytest

from harness import loopback
from harness.processes import wait_until
from tests.support.api_reads import status_of, wait_for_rows
from tests.support.cli import ADMIN_TOKEN, run_cli
from tests.support.ledger import wait_for_races
from tests.support.services import simulator_service, sqlite_api_service

pytestmark = pytest.mark.e2e  # the services run as processes

ROWS = 400


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("versions")
    simulator = simulator_service(db_path=tmp / "simulator.db", log_dir=tmp, SIMULATOR_ROWS=ROWS)
    settings = {"ADMIN_TOKEN": ADMIN_TOKEN, "MAX_PAGES_PER_TICK": 5, "SNAPSHOT_RETENTION": 4}
    with simulator, sqlite_api_service(tmp, source_url=simulator.url, **settings) as api:
        wait_for_rows(api, ROWS)
        wait_for_races(api, ROWS)  # then it commits no more versions of its own
        yield api


def test_versions_lists_the_kept_versions_newest_first(api):
    result = run_cli("versions", "--api-url", api.url)
    assert result.returncode == 0, result.stderr
    kept = loopback.get(f"{api.url}/learner/versions", timeout=5).json()["versions"]
    assert len(kept) == 4
    lines = [line.split() for line in result.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [int(line[0]) for line in lines] == [v["model_version"] for v in kept]
    as_json = run_cli("versions", "--json", "--api-url", api.url)
    assert json.loads(as_json.stdout) == {"versions": kept}


def test_rewind_takes_the_learner_back_and_status_says_so(api):
    oldest = loopback.get(f"{api.url}/learner/versions", timeout=5).json()["versions"][-1]
    refused = run_cli("rewind", "999999", "--token", ADMIN_TOKEN, "--api-url", api.url)
    assert refused.returncode == 1
    assert "Version 999999 is not kept" in refused.stderr
    result = run_cli(
        "rewind", str(oldest["model_version"]), "--token", ADMIN_TOKEN, "--api-url", api.url
    )
    assert result.returncode == 0, result.stderr
    assert f"goes back to version {oldest['model_version']}" in result.stdout
    wait_until(lambda: status_of(api)["last_recovery"], timeout=30, message="the rewind")
    wait_for_rows(api, ROWS)
    status = run_cli("status", "--api-url", api.url)
    assert "Last rewind" in status.stdout and f"to {oldest['model_version']}" in status.stdout
