"""The installed `qa-learner` command, run as a process against real services."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.processes import PROJECT_ROOT, Service, free_port, wait_until
from tests.support.services import api_service, simulator_service

# `make` installs the project into the venv that runs the tests, console script included.
QA_LEARNER = Path(sys.executable).parent / "qa-learner"
ADMIN_TOKEN = "cli-admin-token"
STREAM_ROWS = 300


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`qa-learner ARGS` with neither API_URL nor ADMIN_TOKEN inherited from the caller."""
    environment = {k: v for k, v in os.environ.items() if k not in {"API_URL", "ADMIN_TOKEN"}}
    environment.update({"COLUMNS": "120", **(env or {})})
    return subprocess.run(
        [str(QA_LEARNER), *args], capture_output=True, text=True, env=environment,
        cwd=PROJECT_ROOT, timeout=60,
    )  # fmt: skip


def unused_url() -> str:
    """An address where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def learned_api(tmp_path_factory) -> Service:
    """An API that has learned the whole static stream in several ticks, admin token set."""
    tmp = tmp_path_factory.mktemp("learned")
    simulator = simulator_service(
        db_path=tmp / "simulator.db", log_dir=tmp, SIMULATOR_ROWS=STREAM_ROWS
    ).start()
    api = api_service(
        database_url=f"sqlite:///{tmp / 'api.db'}", source_url=simulator.url, log_dir=tmp,
        ADMIN_TOKEN=ADMIN_TOKEN, MAX_PAGES_PER_TICK=5,
    )  # fmt: skip
    try:
        api.start()
        wait_until(
            lambda: httpx.get(f"{api.url}/status").json()["rows_seen"] == STREAM_ROWS,
            timeout=60, message=f"{STREAM_ROWS} rows learned",
        )  # fmt: skip
        yield api
    finally:
        api.stop()
        simulator.stop()


@pytest.fixture(scope="module")
def idle_api(tmp_path_factory) -> Service:
    """An API with no learner, nothing learned and admin endpoints off."""
    tmp = tmp_path_factory.mktemp("idle")
    api = api_service(
        database_url=f"sqlite:///{tmp / 'api.db'}", source_url=unused_url(), log_dir=tmp,
        LEARNER_ENABLED="false",
    )  # fmt: skip
    with api:
        yield api
