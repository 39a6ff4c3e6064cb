"""The tiers, and the fixtures for every suite that starts the real services as processes.

A test that starts a process (a service, a learner in this process, which starts its
race process, Chromium, tmux, a notebook kernel, git) or needs the PostgreSQL server is
`e2e`: `make test` runs it, `make test-fast` does not. A test is marked so by the
fixtures it uses, or by its module when it starts one itself; and a test not marked `e2e`
fails the moment it starts a process, so the fast tier stays what it says.
"""

import multiprocessing.process
import subprocess
from collections import Counter

import pytest
from hypothesis import settings

from harness.processes import Service
from tests.support.services import api_service, simulator_service

# pytester: the tiers are tested on a suite of their own (tests/packaging/test_tiers.py).
# module_order: the costliest modules are collected first, for xdist to hand out first.
pytest_plugins = ["pytester", "tests.support.module_order"]

# A case's duration is not what the property tests check, and beside other tests on two
# cores a first call can take ten times its usual time (hypothesis calls that flaky).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

# The fixtures of the conftest files that start a process (a learner starts its race
# process); a test that uses one, even through another fixture, is e2e.
PROCESS_FIXTURES = frozenset(
    {
        "start_simulator",
        "start_api",
        "learner",  # tests/api
        "learned_url",
        "make_learner",  # tests/reliability
        "learned_app",  # tests/hostile
        "learned_api",  # tests/cli
        "idle_api",
        "promtool",  # tests/monitoring: Prometheus's rule checker
    }
)
# Browser tests start Chromium; PostgreSQL tests need its server.
PROCESS_MARKERS = ("browser", "postgres")


@pytest.hookimpl(tryfirst=True)  # before -m selects by the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        uses_process = PROCESS_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if uses_process or any(item.get_closest_marker(name) for name in PROCESS_MARKERS):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook, called where it runs the tests
def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
    """Stop rather than run one of several tests that share a node id, by which xdist tells
    tests apart (schemathesis' cases share one under pytest 9.2): mark them serial."""
    if shared := sorted(nodeid for nodeid, count in Counter(ids).items() if count > 1):
        pytest.exit(
            f"pytest-xdist would run one test of each of these node ids: {shared}; "
            "mark them serial, for `make test` to run them in one process",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


class ProcessInFastTier(RuntimeError):
    """A test not marked e2e started a process."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Fail a test not marked e2e that starts a process, its fixtures' set-up included."""
    if item.get_closest_marker("e2e"):
        return (yield)

    def refuse(*args, **kwargs):
        raise ProcessInFastTier(
            f"{item.nodeid} starts a process but is not marked e2e: use a fixture of "
            "PROCESS_FIXTURES (tests/conftest.py) or mark the test `pytest.mark.e2e`"
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, "__init__", refuse)
        patch.setattr(multiprocessing.process.BaseProcess, "start", refuse)
        return (yield)


@pytest.fixture
def start_simulator(tmp_path):
    """Start `python -m simulator` with the given SIMULATOR_* settings; stopped at teardown."""
    started: list[Service] = []

    def start(*, port: int | None = None, **settings) -> Service:
        service = simulator_service(
            db_path=tmp_path / "simulator.db", log_dir=tmp_path, port=port, **settings
        )
        started.append(service.start())
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def start_api(tmp_path):
    """Start `python -m api` on the given database; stopped at teardown."""
    started: list[Service] = []

    def start(*, database_url: str, source_url: str, port: int | None = None, **settings):
        service = api_service(
            database_url=database_url,
            source_url=source_url,
            log_dir=tmp_path,
            port=port,
            **settings,
        )
        started.append(service.start())
        return service

    yield start
    for service in started:
        service.stop()
