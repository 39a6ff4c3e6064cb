"""Fixtures of the chaos tests: the learner's SQLite file, learners in process fed by a
source over HTTP, and a line of figures printed per test."""

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.learner.loop import Learner
from api.learner.source import SourceClient
from tests.support.fake_source import source_clients
from tests.support.learners import learner_on
from tests.support.rows import page_of


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "api.db"


@pytest.fixture
def figures(request, capsys):
    """Print the test's measured figures on one line, even when output is captured."""
    measured: dict[str, object] = {}
    yield measured
    if measured:
        line = " ".join(f"{name}={value}" for name, value in measured.items())
        with capsys.disabled():
            print(f"\n[reliability] {request.node.name}: {line}")


@pytest.fixture
def make_learner(db_path):
    """Build learners in this process on the test's SQLite file."""
    with contextlib.ExitStack() as learners:

        def build(**options) -> Learner:
            return learners.enter_context(learner_on(f"sqlite:///{db_path}", **options))

        yield build


@pytest.fixture
def fake_source():
    """Build the learner's source client on a stream of `pages` full pages served over HTTP
    by this process, whose page N answers 503 while `fail(N)` is true."""
    with source_clients() as client_on:

        def build(
            *, pages: int, fail: Callable[[int], bool] = lambda page: False, concurrency: int = 1
        ) -> SourceClient:
            def answer(page: int) -> tuple[int, Any]:
                if fail(page):
                    return 503, {"detail": "injected fault"}
                return 200, page_of(page * 10 + 1) if page < pages else []

            return client_on(answer, concurrency=concurrency)

        yield build
