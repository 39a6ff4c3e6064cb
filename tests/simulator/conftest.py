import pytest

from harness.processes import Service
from tests.support.services import simulator_service


@pytest.fixture
def start_simulator(tmp_path):
    """Start `python -m simulator` with the given SIMULATOR_* settings; stopped at teardown."""
    started: list[Service] = []

    def start(*, db_path=None, **settings) -> Service:
        service = simulator_service(
            db_path=db_path or tmp_path / "simulator.db", log_dir=tmp_path, **settings
        )
        started.append(service.start())
        return service

    yield start
    for service in started:
        service.stop()
