"""The learner against the real simulator process, over HTTP, on a real SQLite file."""

import contextlib
import os
import pickle
import signal

import numpy as np
import pytest
import statsmodels.api as sm
from sqlalchemy import create_engine, text

from harness import loopback
from harness.processes import free_port, wait_until
from simulator.faults import is_malformed
from tests.support.api_reads import status_of, wait_for_rows
from tests.support.database import learned_ids, query
from tests.support.services import learner_pid

pytestmark = pytest.mark.e2e


def learned_table(database_url: str) -> np.ndarray:
    sql = (
        "SELECT competence, network_ability, promoted, predicted_promoted "
        "FROM learned_row ORDER BY id"
    )
    return np.array(query(database_url, sql), dtype=float)


def test_every_served_row_is_learned_once_and_the_models_match_batch_fits(
    start_simulator, start_api, database_url
):
    """After the ticks drain the stream: rows_seen equals rows served, progressive accuracy
    is within 2 points of a batch logistic regression, regression weights equal OLS."""
    simulator = start_simulator(SIMULATOR_ROWS=3000)
    api = start_api(database_url=database_url, source_url=simulator.url)
    status = wait_for_rows(api, 3000)
    assert (status["next_page"], status["last_id"], status["state"]) == (300, 3000, "running")
    assert learned_ids(database_url) == list(range(1, 3001))

    latest = loopback.get(api.url + "/classification/latest").json()
    assert latest["metrics"]["count"] == latest["rows_seen"] == 3000
    table = learned_table(database_url)
    competence, ability, promoted, predicted = table.T
    features = sm.add_constant(np.column_stack([competence, ability]))
    batch = sm.Logit(promoted, features).fit(disp=0)
    batch_accuracy = np.mean((batch.predict(features) >= 0.5) == promoted)
    online_accuracy = np.mean(predicted == promoted)
    assert latest["metrics"]["accuracy"] == pytest.approx(online_accuracy)
    assert abs(online_accuracy - batch_accuracy) <= 0.02

    regression = loopback.get(api.url + "/regression/latest").json()
    assert regression["metrics"]["count"] == 3000
    design = np.column_stack([np.ones_like(competence), competence, promoted])
    ols = np.linalg.lstsq(design, ability, rcond=None)[0]
    online = regression["coefficients"]
    assert [online["intercept"], online["competence"], online["promoted"]] == pytest.approx(
        ols, abs=0.01
    )


def test_a_partial_last_page_that_fills_later_is_learned_once(
    start_simulator, start_api, sqlite_url
):
    """The stream grows while the learner waits at its tail: no row twice, none missed."""
    simulator = start_simulator(SIMULATOR_ROWS=25, SIMULATOR_GROWTH_ROWS_PER_SECOND=20)
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    wait_until(lambda: status_of(api)["rows_seen"] >= 75, timeout=30, message="75 rows")
    ids = learned_ids(sqlite_url)
    assert ids == list(range(1, len(ids) + 1))


def test_an_empty_stream_is_not_an_error(start_simulator, start_api, sqlite_url):
    """No rows yet: the learner keeps asking, says nothing is wrong, and latest is a 404."""
    simulator = start_simulator(SIMULATOR_ROWS=0)
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    first = status_of(api)
    wait_until(lambda: status_of(api)["last_tick_at"] != first["last_tick_at"], timeout=30)
    status = status_of(api)
    assert (status["state"], status["last_error"], status["rows_seen"]) == ("running", None, 0)
    response = loopback.get(api.url + "/classification/latest")
    assert response.status_code == 404
    assert "Nothing has been learned yet" in response.json()["detail"]


def test_malformed_rows_are_quarantined_and_good_rows_learned(
    start_simulator, start_api, sqlite_url
):
    """10% malformed rows: each quarantined with a reason, every good row learned once."""
    rows, seed, rate = 600, 42, 0.1
    bad = {i for i in range(1, rows + 1) if is_malformed(i, seed=seed, rate=rate)}
    simulator = start_simulator(
        SIMULATOR_ROWS=rows, SIMULATOR_SEED=seed, SIMULATOR_MALFORMED_RATE=rate
    )
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    status = wait_for_rows(api, rows - len(bad))
    assert status["rows_quarantined"] == len(bad)
    assert learned_ids(sqlite_url) == sorted(set(range(1, rows + 1)) - bad)
    quarantined = query(sqlite_url, "SELECT source_id, reason FROM quarantined_row")
    assert {source_id for source_id, _ in quarantined} == bad
    assert all(reason for _, reason in quarantined)


def test_the_learner_backs_off_while_the_source_is_down_and_recovers(
    start_simulator, start_api, sqlite_url
):
    """Connection refused: /status says so, the API keeps answering; then it learns by itself."""
    port = free_port()
    api = start_api(database_url=sqlite_url, source_url=f"http://127.0.0.1:{port}")
    status = wait_until(lambda: (s := status_of(api))["state"] == "backing_off" and s, timeout=15)
    assert "connection refused" in status["last_error"]
    assert loopback.get(api.url + "/health").status_code == 200
    start_simulator(SIMULATOR_ROWS=200, port=port)
    status = wait_for_rows(api, 200, timeout=30)
    assert (status["state"], status["last_error"]) == ("running", None)


def test_a_killed_api_leaves_no_learner_process_behind(start_simulator, start_api, sqlite_url):
    """SIGKILL gives the API no chance to stop its child: the child notices that its stdin
    closed, finishes its tick and exits by itself, and its own children (the candidates'
    race process) end with it."""
    simulator = start_simulator(SIMULATOR_ROWS=200)
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    pid = wait_until(lambda: learner_pid(api), timeout=60, message="a learner process")
    family = wait_until(lambda: descendants(pid), timeout=60, message="the race process")
    api.kill()
    processes = (pid, *family)
    wait_until(
        lambda: not any(map(pid_alive, processes)), timeout=15, message=f"{processes} to exit"
    )


def test_a_killed_learner_leaves_no_race_process_behind(start_simulator, start_api, sqlite_url):
    simulator = start_simulator(SIMULATOR_ROWS=200)
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    pid = wait_until(lambda: learner_pid(api), timeout=60, message="a learner process")
    family = wait_until(lambda: descendants(pid), timeout=60, message="the race process")
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not any(map(pid_alive, family)), timeout=15, message=f"{family} to exit")


def test_a_killed_learner_is_seen_dead_while_its_race_process_lives_on(
    start_simulator, start_api, sqlite_url
):
    """The learner's children (the race process, multiprocessing's resource tracker) are
    stopped, so that they cannot end: the API still sees the learner die, says so and
    starts another."""
    simulator = start_simulator(SIMULATOR_ROWS=200)
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    pid = wait_until(lambda: learner_pid(api), timeout=60, message="a learner process")
    family = wait_until(lambda: descendants(pid), timeout=60, message="the race process")
    for child in family:
        os.kill(child, signal.SIGSTOP)
    try:
        os.kill(pid, signal.SIGKILL)
        status = wait_until(
            lambda: (s := status_of(api))["learner"]["restarts"] == 1 and s,
            timeout=10,
            message="the learner's death seen",
        )
        assert "killed by SIGKILL" in status["learner"]["last_exit"]
        wait_for_rows(api, 200)  # by the learner started after it
    finally:
        for child in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """The processes below `pid`, from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(") ", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by whoever inherited it.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"


class _RunsCode:
    """A pickle that would run a shell command when loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def test_a_tampered_model_blob_is_refused_and_never_unpickled(
    start_simulator, start_api, sqlite_url, tmp_path
):
    simulator = start_simulator(SIMULATOR_ROWS=200)
    api = start_api(database_url=sqlite_url, source_url=simulator.url)
    wait_for_rows(api, 200)
    api.stop()
    marker = tmp_path / "code-ran"
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE model_snapshot SET blob = :blob"),
            {"blob": pickle.dumps(_RunsCode(marker))},
        )
    engine.dispose()
    api.start()
    status = wait_until(lambda: (s := status_of(api))["state"] == "disabled" and s, timeout=15)
    assert "signature verification" in status["last_error"]
    assert not marker.exists()
    assert loopback.get(api.url + "/classification/latest").status_code == 200
    refused = loopback.post(
        api.url + "/classification/predict", json={"competence": 0.5, "network_ability": 0.5}
    )
    assert refused.status_code == 503
    assert not marker.exists()
