import pytest

from tests.support.recorded_api import load


def recorded(name: str):
    """A fixture named `name`: a fresh copy of the recorded answer of that name, which a
    test may change."""
    return pytest.fixture(lambda: load(name), name=name)


classification_latest = recorded("classification_latest")
classification_history = recorded("classification_history")
regression_latest = recorded("regression_latest")
regression_history = recorded("regression_history")
classification_drift = recorded("classification_drift")
