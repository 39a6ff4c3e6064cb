"""The dashboard under more open connections than select() can watch: two hundred viewers'
browsers hold more than a thousand, and it must keep serving, not die."""

import contextlib
import os
import resource
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import loopback
from harness.processes import Service, free_port, wait_until

pytestmark = pytest.mark.e2e  # it starts the dashboard

# select() watches descriptors below 1024 only; these take the dashboard's past it.
CONNECTIONS = 1_100


@pytest.fixture
def descriptors_enough() -> Iterator[None]:
    """This process may open the connections, and more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * CONNECTIONS
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.fail(f"the hard limit of open files is {hard}; this test needs {needed}")
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@contextlib.contextmanager
def soft_limit_of_open_files(limit: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def dashboard(descriptors_enough, tmp_path) -> Iterator[Service]:
    """The dashboard started as a container starts it, 1,024 open files allowed; no API:
    the page is served all the same, and the viewers' connections ask nothing."""
    service = Service(
        "dashboard",
        port_env="DASHBOARD_PORT",
        env={"API_URL": f"http://127.0.0.1:{free_port()}", "DASHBOARD_HOST": "127.0.0.1"},
        log_dir=tmp_path,
        ready_path="/",
    )
    with soft_limit_of_open_files(1_024):
        service.start()
    try:
        yield service
    finally:
        service.stop()


def open_descriptors(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except FileNotFoundError:  # it has ended
        return 0


def test_more_connections_than_select_can_watch_leave_the_dashboard_serving(dashboard):
    assert dashboard.process is not None
    pid = dashboard.process.pid
    with contextlib.ExitStack() as held:
        for _ in range(CONNECTIONS):
            held.enter_context(socket.create_connection(("127.0.0.1", dashboard.port)))
        wait_until(
            lambda: dashboard.process.poll() is not None or open_descriptors(pid) > CONNECTIONS,
            timeout=60,
            message="the dashboard taking in every connection",
        )
        assert dashboard.process.poll() is None, Path(dashboard.log_path).read_text()[-2000:]
        answer = loopback.get(dashboard.url + "/", timeout=30)
        assert answer.status_code == 200
        assert "<title>" in answer.text
    assert loopback.get(dashboard.url + "/", timeout=30).status_code == 200
