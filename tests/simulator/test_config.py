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
        "SIMULATOR_ABSURD_IDS": [],
        "SIMULATOR_ABSURD_FIELD": "competence",
        "SIMULATOR_ABSURD_FACTOR": 1e6,
        "SIMULATOR_SCALE_FROM_ROW": 0,
        "SIMULATOR_SCALE_FIELD": "competence",
        "SIMULATOR_SCALE_FACTOR": 100.0,
    }


def test_a_rate_outside_0_to_1_is_refused(clean_environment, monkeypatch):
    monkeypatch.setenv("SIMULATOR_ERROR_RATE", "1.5")

    with pytest.raises(pydantic.ValidationError):
        Settings()


def test_absurd_ids_are_read_from_a_comma_separated_list(clean_environment, monkeypatch):
    monkeypatch.setenv("SIMULATOR_ABSURD_IDS", " 4500, 120,4500 ")
    monkeypatch.setenv("SIMULATOR_ABSURD_FIELD", "network_ability")
    monkeypatch.setenv("SIMULATOR_ABSURD_FACTOR", "-2.5e4")
    monkeypatch.setenv("SIMULATOR_SCALE_FROM_ROW", "20001")
    monkeypatch.setenv("SIMULATOR_SCALE_FIELD", "network_ability")
    monkeypatch.setenv("SIMULATOR_SCALE_FACTOR", "0.001")

    settings = Settings()

    assert sorted(settings.SIMULATOR_ABSURD_IDS) == [120, 4500]
    assert settings.SIMULATOR_ABSURD_FIELD == "network_ability"
    assert settings.SIMULATOR_ABSURD_FACTOR == -25_000.0
    assert settings.SIMULATOR_SCALE_FROM_ROW == 20_001
    assert settings.SIMULATOR_SCALE_FIELD == "network_ability"
    assert settings.SIMULATOR_SCALE_FACTOR == 0.001


def refusal(monkeypatch, name: str, value: str) -> dict:
    """The one validation error that setting `name` to `value` raises."""
    monkeypatch.setenv(name, value)
    with pytest.raises(pydantic.ValidationError) as raised:
        Settings()
    [error] = raised.value.errors()
    assert error["loc"] == (name,)
    return error


@pytest.mark.parametrize("value", ["0", "12,-3", "7,abc", "1.5", "3,,9", "[1, 2]"])
def test_absurd_ids_other_than_positive_integers_are_refused(clean_environment, monkeypatch, value):
    error = refusal(monkeypatch, "SIMULATOR_ABSURD_IDS", value)

    assert error["msg"].startswith(
        "Value error, row ids are positive integers separated by commas (e.g. 120,4500), not "
    )


def test_the_refused_id_is_named(clean_environment, monkeypatch):
    error = refusal(monkeypatch, "SIMULATOR_ABSURD_IDS", "120, 0x10, 4500")

    assert error["msg"] == (
        "Value error, row ids are positive integers separated by commas (e.g. 120,4500), not '0x10'"
    )


@pytest.mark.parametrize("name", ["SIMULATOR_ABSURD_FACTOR", "SIMULATOR_SCALE_FACTOR"])
@pytest.mark.parametrize("value", ["0", "-0.0", "inf", "-inf", "nan"])
def test_a_factor_that_is_zero_or_not_finite_is_refused(
    clean_environment, monkeypatch, name, value
):
    error = refusal(monkeypatch, name, value)

    assert error["msg"] == (
        f"Value error, a factor must be a finite number other than 0, not {float(value)}"
    )


def test_a_factor_that_is_not_a_number_is_refused(clean_environment, monkeypatch):
    error = refusal(monkeypatch, "SIMULATOR_SCALE_FACTOR", "a hundred")

    assert error["msg"] == "Input should be a valid number, unable to parse string as a number"


@pytest.mark.parametrize("name", ["SIMULATOR_ABSURD_FIELD", "SIMULATOR_SCALE_FIELD"])
def test_only_the_two_features_can_be_rescaled(clean_environment, monkeypatch, name):
    error = refusal(monkeypatch, name, "promoted")

    assert error["msg"] == "Input should be 'competence' or 'network_ability'"


def test_a_negative_scale_row_is_refused(clean_environment, monkeypatch):
    error = refusal(monkeypatch, "SIMULATOR_SCALE_FROM_ROW", "-5")

    assert error["msg"] == "Input should be greater than or equal to 0"


def test_the_network_drift_kind_is_accepted_and_others_refused(clean_environment, monkeypatch):
    monkeypatch.setenv("SIMULATOR_DRIFT_KIND", "network")
    assert Settings().SIMULATOR_DRIFT_KIND == "network"

    error = refusal(monkeypatch, "SIMULATOR_DRIFT_KIND", "policy")

    assert error["msg"] == "Input should be 'promotion', 'network' or 'competence'"
