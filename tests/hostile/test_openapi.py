"""Schemathesis against the API's own OpenAPI schema, in process, on learned models:
no 5xx, and every response matches the schema it documents."""

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.main import create_app
from tests.support.learners import ADMIN_TOKEN, learn_a_few_ticks, make_settings

# Schemathesis reads the schema when the module loads, so the app exists by then; its
# database is filled, and its lifespan entered, by the fixture below.
DATABASE_DIR = Path(tempfile.mkdtemp(prefix="openapi-"))
DATABASE_URL = f"sqlite:///{DATABASE_DIR / 'api.db'}"
app = create_app(make_settings(DATABASE_URL, ADMIN_TOKEN=ADMIN_TOKEN))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
QUICK = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
# The learner that fills the database starts its race process; schemathesis' cases share
# one node id under pytest 9.2, by which pytest-xdist tells tests apart: run in one process.
pytestmark = [pytest.mark.e2e, pytest.mark.serial]


@pytest.fixture(scope="module", autouse=True)
def learned():
    learn_a_few_ticks(DATABASE_URL)
    with TestClient(app):
        yield
    shutil.rmtree(DATABASE_DIR, ignore_errors=True)


@schema.parametrize()
@QUICK
def test_every_operation_answers_within_its_schema(case):
    case.call_and_validate()


@schema.include(path_regex="^/learner/").parametrize()
@QUICK
def test_admin_operations_answer_within_their_schema_with_the_right_token(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
