import pytest

from tests.support.recorded_api import load


@pytest.fixture
def classification_latest() -> dict:
    return load("classification_latest")


@pytest.fixture
def classification_history() -> dict:
    return load("classification_history")


@pytest.fixture
def regression_latest() -> dict:
    return load("regression_latest")


@pytest.fixture
def regression_history() -> dict:
    return load("regression_history")


@pytest.fixture
def classification_drift() -> dict:
    return load("classification_drift")
