import pytest

from tests.support.processes import Service

# Every knob set explicitly, so neither `.env` nor the caller's environment leaks in.
QUIET_SIMULATOR_ENV = {
    "SIMULATOR_HOST": "127.0.0.1",
    "SIMULATOR_ROWS": "25",
    "SIMULATOR_SEED": "42",
    "SIMULATOR_GROWTH_ROWS_PER_SECOND": "0",
    "SIMULATOR_ERROR_RATE": "0",
    "SIMULATOR_LATENCY_MS": "0",
    "SIMULATOR_MALFORMED_RATE": "0",
}


def simulator_service(*, db_path, log_dir, **settings) -> Service:
    env = {**QUIET_SIMULATOR_ENV, "SIMULATOR_DB": str(db_path)}
    env.update({name: str(value) for name, value in settings.items()})
    return Service("simulator", port_env="SIMULATOR_PORT", env=env, log_dir=log_dir)


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
