import pytest

from dashboard import callbacks
from dashboard.client import ApiClient
from dashboard.shared import PerVersion, Recent
from tests.support.recorded_api import LEARNING, load, recorded_api


def recorded(name: str):
    """A fixture named `name`: a fresh copy of the recorded answer of that name, which a
    test may change."""
    return pytest.fixture(lambda: load(name), name=name)


classification_latest = recorded("classification_latest")
classification_history = recorded("classification_history")
regression_latest = recorded("regression_latest")
regression_history = recorded("regression_history")
classification_drift = recorded("classification_drift")


@pytest.fixture
def api(monkeypatch):
    """Point the callbacks at a recorded API with empty caches; returns a switch to swap it."""

    def use(client: ApiClient) -> None:
        monkeypatch.setattr(callbacks, "client", client)
        status = Recent(lambda: callbacks.read_status_or_none(client), max_age=0)
        monkeypatch.setattr(callbacks, "statuses", status)
        monkeypatch.setattr(callbacks, "charts", PerVersion(callbacks.build_charts, size=4))
        quarantines = PerVersion(callbacks.build_quarantine, size=4)
        monkeypatch.setattr(callbacks, "quarantines", quarantines)

    use(recorded_api(LEARNING))
    return use
