"""An API in this process over a database a real learner wrote a few ticks to."""

import pytest
from fastapi.testclient import TestClient

from api.core.db import make_engine, make_session_factory
from api.learning.loop import Learner
from api.main import create_app
from api.migrate import upgrade_database
from tests.api.conftest import make_settings, page_of

ADMIN_TOKEN = "hostile-suite-admin-token"


def learn_a_few_ticks(database_url: str) -> None:
    """25 rows learned over three committed ticks, as the learner writes them."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    learner = Learner(make_settings(database_url), make_session_factory(engine))
    learner.restore()
    for pages in ([page_of(1)], [page_of(11)], [page_of(21, count=5)]):
        learner.learn_and_commit(pages)
    engine.dispose()


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
