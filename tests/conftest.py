"""Fixtures for every suite that starts the real services as processes."""

import pytest

from harness.processes import Service
from tests.support.services import api_service, simulator_service


@pytest.fixture
def start_simulator(tmp_path):
    """Start `python -m simulator` with the given SIMULATOR_* settings; stopped at teardown."""
    started: list[Service] = []

    def start(*, port: int | None = None, **settings) -> Service:
        service = simulator_service(
            db_path=tmp_path / "simulator.db", log_dir=tmp_path, port=port, **settings
        )
        started.append(service.start())
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def start_api(tmp_path):
    """Start `python -m api` on the given database; stopped at teardown."""
    started: list[Service] = []

    def start(*, database_url: str, source_url: str, port: int | None = None, **settings):
        service = api_service(
            database_url=database_url,
            source_url=source_url,
            log_dir=tmp_path,
            port=port,
            **settings,
        )
        started.append(service.start())
        return service

    yield start
    for service in started:
        service.stop()
