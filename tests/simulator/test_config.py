"""The settings' names and defaults are part of the fixed contract."""

import pydantic
import pytest

from simulator.config import Settings


@pytest.fixture
def clean_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # away from the project's `.env`
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)


def test_defaults(clean_environment):
    settings = Settings()

    assert settings.model_dump(mode="json") == {
        "SIMULATOR_HOST": "0.0.0.0",
        "SIMULATOR_PORT": 5000,
        "SIMULATOR_DB": "data/simulator.db",
        "SIMULATOR_ROWS": 100_000,
        "SIMULATOR_SEED": 42,
        "SIMULATOR_GROWTH_ROWS_PER_SECOND": 0.0,
        "SIMULATOR_ERROR_RATE": 0.0,
        "SIMULATOR_LATENCY_MS": 0,
        "SIMULATOR_MALFORMED_RATE": 0.0,
        "SIMULATOR_HTML_RATE": 0.0,
        "SIMULATOR_TRUNCATE_RATE": 0.0,
        "SIMULATOR_SLOW_RATE": 0.0,
        "SIMULATOR_SLOW_MS": 3000,
        "SIMULATOR_ACCESS_LOG": False,
        "SIMULATOR_DRIFT_AT_ROW": 0,
        "SIMULATOR_DRIFT_KIND": "promotion",
    }


def test_a_rate_outside_0_to_1_is_refused(clean_environment, monkeypatch):
    monkeypatch.setenv("SIMULATOR_ERROR_RATE", "1.5")

    with pytest.raises(pydantic.ValidationError):
        Settings()


def refusal(monkeypatch, name: str, value: str) -> dict:
    """The one validation error that setting `name` to `value` raises."""
    monkeypatch.setenv(name, value)
    with pytest.raises(pydantic.ValidationError) as raised:
        Settings()
    [error] = raised.value.errors()
    assert error["loc"] == (name,)
    return error


def test_the_network_drift_kind_is_accepted_and_others_refused(clean_environment, monkeypatch):
    monkeypatch.setenv("SIMULATOR_DRIFT_KIND", "network")
    assert Settings().SIMULATOR_DRIFT_KIND == "network"

    error = refusal(monkeypatch, "SIMULATOR_DRIFT_KIND", "policy")

    assert error["msg"] == "Input should be 'promotion', 'network' or 'competence'"
