"""Several processes on one PostgreSQL server: one learner at a time, read-only replicas."""

import time

import httpx
import pytest

from harness import loopback
from harness.processes import wait_until
from tests.support.api_reads import sample
from tests.support.database import committed_rows, fresh_postgres_url, learned_ids, query
from tests.support.services import api_service, learner_service

# A takeover and the replicas' lag are measured against the lease and the poll interval.
pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.serial]

LEASE_SECONDS = 2.0


def rows_learned_by(learner) -> float:
    """The learner's own Prometheus counter of rows it learned."""
    return sample(learner, "learner_rows_learned_total")


@pytest.fixture
def postgres_url() -> str:
    return fresh_postgres_url()


@pytest.fixture
def services(tmp_path):
    started = []

    def start(service):
        started.append(service.start())
        return service

    yield start
    for service in started:
        service.stop()


def test_one_learner_learns_and_a_standby_takes_over_when_it_is_killed(
    start_simulator, services, postgres_url, tmp_path
):
    """Two learners at once: exactly one learns. SIGKILL it mid catch-up: the standby
    takes over within the lease time, and every row is learned exactly once."""
    rows = 12_000  # the standby learns the 9,000 or so left after the kill
    simulator = start_simulator(SIMULATOR_ROWS=rows)
    settings = {
        "database_url": postgres_url,
        "source_url": simulator.url,
        "log_dir": tmp_path,
        "LEASE_SECONDS": LEASE_SECONDS,
        "MAX_PAGES_PER_TICK": 5,
    }
    learners = [services(learner_service(**settings)) for _ in range(2)]
    wait_until(lambda: committed_rows(postgres_url) >= 3_000, timeout=60, message="3000 rows")
    learned = [rows_learned_by(learner) for learner in learners]
    assert sorted(learned)[0] == 0, f"both learners learned: {learned}"
    active, standby = (learners[0], learners[1]) if learned[0] else (learners[1], learners[0])

    active.kill()
    killed_at, rows_at_kill = time.monotonic(), committed_rows(postgres_url)
    wait_until(lambda: rows_learned_by(standby) > 0, timeout=LEASE_SECONDS * 5, message="takeover")
    takeover_seconds = time.monotonic() - killed_at
    print(
        f"takeover after {takeover_seconds:.2f}s (lease {LEASE_SECONDS}s), {rows_at_kill} rows in"
    )
    assert takeover_seconds <= LEASE_SECONDS + 2.0

    wait_until(lambda: committed_rows(postgres_url) == rows, timeout=120, message="all rows")
    assert learned_ids(postgres_url) == list(range(1, rows + 1))
    counts = query(
        postgres_url, "SELECT task, metrics FROM model_record ORDER BY model_version DESC LIMIT 2"
    )
    assert {task: metrics["count"] for task, metrics in counts} == {
        "classification": rows,
        "regression": rows,
    }


def test_read_only_replicas_show_each_new_tick_within_one_poll_interval(
    start_simulator, services, postgres_url, tmp_path
):
    """One learner, two API replicas without learners: both serve each committed tick
    within POLL_INTERVAL_SECONDS of its commit."""
    poll = 1.0
    simulator = start_simulator(SIMULATOR_ROWS=50, SIMULATOR_GROWTH_ROWS_PER_SECOND=30)
    common = {
        "database_url": postgres_url,
        "source_url": simulator.url,
        "log_dir": tmp_path,
        "POLL_INTERVAL_SECONDS": poll,
        "LEASE_SECONDS": 5,
    }
    services(learner_service(**common))
    replicas = [services(api_service(**common, LEARNER_ENABLED="false")) for _ in range(2)]

    committed_at: dict[int, float] = {}
    served_at: list[dict[int, float]] = [{}, {}]
    deadline = time.monotonic() + 8
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            now = time.monotonic()
            version = query(postgres_url, "SELECT model_version FROM learner_cursor")[0][0]
            committed_at.setdefault(version, now)
            for replica, seen in zip(replicas, served_at, strict=True):
                response = client.get(replica.url + "/classification/latest")
                if response.status_code == 200:
                    seen.setdefault(response.json()["model_version"], time.monotonic())
            time.sleep(0.05)  # samples commits and answers through the 8 s watched

    checked = [v for v in committed_at if v > 1 and v < max(committed_at)]
    assert len(checked) >= 3, f"too few ticks observed: {sorted(committed_at)}"
    for version in checked:
        for seen in served_at:
            assert version in seen, f"a replica never served version {version}"
            lag = seen[version] - committed_at[version]
            assert lag <= poll, f"version {version} served {lag:.2f}s after its commit"
    status = loopback.get(replicas[0].url + "/status").json()
    assert status["state"] == "disabled"
