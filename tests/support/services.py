"""The project's three services as test processes, every setting explicit."""

import contextlib
import os
import signal
from pathlib import Path

import httpx

from harness.processes import Service, wait_until
from tests.support.api_reads import status_of
from tests.support.database import sqlite_url

# Every knob set explicitly, so neither `.env` nor the caller's environment leaks in.
QUIET_SIMULATOR_ENV = {
    "SIMULATOR_HOST": "127.0.0.1",
    "SIMULATOR_ROWS": "25",
    "SIMULATOR_SEED": "42",
    "SIMULATOR_GROWTH_ROWS_PER_SECOND": "0",
    "SIMULATOR_ERROR_RATE": "0",
    "SIMULATOR_LATENCY_MS": "0",
    "SIMULATOR_MALFORMED_RATE": "0",
    "SIMULATOR_DRIFT_AT_ROW": "0",
    "SIMULATOR_ABSURD_IDS": "",
    "SIMULATOR_ABSURD_FIELD": "competence",
    "SIMULATOR_ABSURD_FACTOR": "1e6",
    "SIMULATOR_SCALE_FROM_ROW": "0",
    "SIMULATOR_SCALE_FIELD": "competence",
    "SIMULATOR_SCALE_FACTOR": "100",
}

FAST_API_ENV = {
    "ENVIRONMENT": "development",
    "API_HOST": "127.0.0.1",
    "POLL_INTERVAL_SECONDS": "0.2",
    "MAX_PAGES_PER_TICK": "20",
    "SOURCE_TIMEOUT_SECONDS": "2",
    "BACKOFF_MAX_SECONDS": "1",
    "LEARNER_ENABLED": "true",
    "ROLLING_WINDOW": "200",
    "DRIFT_ACTION": "alert",
    "SNAPSHOT_RETENTION": "3",
    "SECRET_KEY": "test-secret-key",
    "ADMIN_TOKEN": "",
    "LOG_LEVEL": "warning",
}
# For the chaos tests: short ticks, a short lease (a SIGKILLed holder blocks its successor
# for this long) and short back-off, so that each fault is met many times within seconds.
CHAOS_API_SETTINGS = {
    "POLL_INTERVAL_SECONDS": 0.2,
    "LEASE_SECONDS": 1,
    "BACKOFF_MAX_SECONDS": 1,
    "SOURCE_TIMEOUT_SECONDS": 2,
}


def simulator_service(
    *, db_path: Path, log_dir: Path, port: int | None = None, **settings
) -> Service:
    env = {**QUIET_SIMULATOR_ENV, "SIMULATOR_DB": str(db_path)}
    env.update({name: str(value) for name, value in settings.items()})
    return Service("simulator", port_env="SIMULATOR_PORT", env=env, log_dir=log_dir, port=port)


def api_service(
    *, database_url: str, source_url: str, log_dir: Path, port: int | None = None, **settings
) -> Service:
    env = {**FAST_API_ENV, "DATABASE_URL": database_url, "CHALLENGE_API_URL": source_url}
    env.update({name: str(value) for name, value in settings.items()})
    return Service("api", port_env="API_PORT", env=env, log_dir=log_dir, port=port)


def sqlite_api_service(directory: Path, *, source_url: str, **settings) -> Service:
    """An API keeping its SQLite database and its logs in `directory`."""
    return api_service(
        database_url=sqlite_url(directory), source_url=source_url, log_dir=directory, **settings
    )


def learner_service(*, database_url: str, source_url: str, log_dir: Path, **settings) -> Service:
    """`python -m api.learner`, ready once its metrics endpoint answers."""
    env = {**FAST_API_ENV, "DATABASE_URL": database_url, "CHALLENGE_API_URL": source_url}
    env.update({name: str(value) for name, value in settings.items()})
    return Service(
        "api.learner",
        port_env="LEARNER_METRICS_PORT",
        env=env,
        log_dir=log_dir,
        ready_path="/metrics",
    )


def learner_pid(api: Service) -> int | None:
    """The pid of the API's learner process while it runs, from /status."""
    return status_of(api)["learner"]["pid"]


def kill_learner(api: Service) -> int:
    """SIGKILL the API's learner process (waiting for it to be up first); its pid."""

    def killed() -> int | None:
        pid = learner_pid(api)
        if pid is None:
            return None
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # one killed before, whose end the API has yet to tell
            return None
        return pid

    return wait_until(killed, timeout=60, message="a learner process")


def kill_api_and_learner(api: Service) -> None:
    """SIGKILL the API and its learner process together, as a killed container is."""
    with contextlib.suppress(httpx.HTTPError):
        pid = learner_pid(api)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
    api.kill()
