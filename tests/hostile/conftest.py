"""An API in this process over a database a real learner wrote a few ticks to."""

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.support.learners import ADMIN_TOKEN, learn_a_few_ticks, make_settings


@pytest.fixture(scope="module")
def learned_app(tmp_path_factory):
    """A read-only API (no learner in process) serving what the learner committed."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'api.db'}"
    learn_a_few_ticks(url)
    app = create_app(make_settings(url, ADMIN_TOKEN=ADMIN_TOKEN))
    with TestClient(app) as client:
        assert client.get("/classification/latest").status_code == 200
        yield app


@pytest.fixture(scope="module")
def client(learned_app):
    return TestClient(learned_app)
