"""A database release 2 wrote and learned into, upgraded by this code on start: its
snapshots load (the classifier's Laplace estimate becomes the Bayesian model, the races
go on) and the learner goes on from its cursor, exactly once."""

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from api.migrate import migration_config
from harness import loopback
from harness.processes import wait_until
from simulator.faults import is_malformed
from simulator.store import RowStore
from tests.support.api_reads import status_of
from tests.support.database import learned_ids, query
from tests.support.ledger import wait_for_races
from tests.support.releases import release_api, release_tree

pytestmark = pytest.mark.e2e

# The last commit of release 2.
RELEASE_2 = "48e467f3e2bc3057f8b162dc95431355bdb19487"
SEED, FIRST_ROWS, MORE_ROWS, MALFORMED_RATE = 4242, 400, 300, 0.02
TASKS = ("classification", "regression")


@pytest.fixture
def release_2_tree(tmp_path) -> Path:
    return release_tree(RELEASE_2, tmp_path)


def good_ids(rows: int) -> list[int]:
    return [i for i in range(1, rows + 1) if not is_malformed(i, seed=SEED, rate=MALFORMED_RATE)]


def versions_of(database_url: str, task: str) -> list[int]:
    sql = "SELECT model_version FROM model_record WHERE task = :task ORDER BY model_version"
    return [row[0] for row in query(database_url, sql, task=task)]


def test_release_2_database_is_upgraded_and_learning_goes_on_exactly_once(
    start_simulator, start_api, database_url, release_2_tree, tmp_path
):
    settings = {"SIMULATOR_SEED": SEED, "SIMULATOR_MALFORMED_RATE": MALFORMED_RATE}
    simulator = start_simulator(SIMULATOR_ROWS=FIRST_ROWS, **settings)
    old = release_api(
        release_2_tree, database_url=database_url, source_url=simulator.url, log_dir=tmp_path
    )
    with old:
        wait_until(
            lambda: status_of(old)["rows_seen"] == len(good_ids(FIRST_ROWS)),
            timeout=60,
            message="release 2 learned the first rows",
        )
        wait_for_races(old, len(good_ids(FIRST_ROWS)))
        before = {t: loopback.get(f"{old.url}/{t}/latest", timeout=5).json() for t in TASKS}

    simulator.stop()
    RowStore(tmp_path / "simulator.db").append_generated(count=MORE_ROWS, seed=SEED)
    simulator = start_simulator(**settings)
    api = start_api(database_url=database_url, source_url=simulator.url)
    every = good_ids(FIRST_ROWS + MORE_ROWS)
    wait_until(lambda: status_of(api)["rows_seen"] == len(every), timeout=60, message="every row")

    head = ScriptDirectory.from_config(migration_config()).get_current_head()
    assert query(database_url, "SELECT version_num FROM alembic_version") == [(head,)]
    assert learned_ids(database_url) == every
    numbered = query(database_url, "SELECT rows_seen FROM learned_row ORDER BY id")
    assert [n for (n,) in numbered] == list(range(1, len(every) + 1))
    for task in TASKS:
        versions = versions_of(database_url, task)
        assert versions == list(range(1, versions[-1] + 1))
        assert versions[-1] > before[task]["model_version"]
        latest = loopback.get(f"{api.url}/{task}/latest", timeout=5).json()
        # Restored from release 2's snapshot: the metrics count its rows as well.
        assert latest["metrics"]["count"] == latest["rows_seen"] == len(every)
        for name, value in latest["coefficients"].items():
            low, high = latest["coefficient_intervals"][name]
            assert low <= value <= high, (task, name)
    # Release 2 served SGD weights beside the Laplace estimate its intervals were centred
    # on; that estimate goes on as the model, so its weights stay inside those intervals.
    old_intervals = before["classification"]["coefficient_intervals"]
    for name, value in (
        loopback.get(f"{api.url}/classification/latest").json()["coefficients"].items()
    ):
        low, high = old_intervals[name]
        assert low <= value <= high, name
    answer = loopback.post(
        f"{api.url}/classification/predict",
        json={"competence": 0.8, "network_ability": 0.7},
        timeout=5,
    )
    assert answer.status_code == 200 and answer.json()["promoted"] is True
    # The races go on from release 2's blobs: its candidates count every row; the
    # candidates this release adds start with the rows learned after the upgrade.
    wait_for_races(api, len(every))
    since_upgrade = len(every) - len(good_ids(FIRST_ROWS))
    for task in TASKS:
        board = loopback.get(f"{api.url}/{task}/leaderboard", timeout=5).json()
        counts = {c["name"]: c["rows_seen"] for c in board["candidates"]}
        new = {"LogisticRegression", "ForgettingBayesianLinearRegression"}
        assert {n: c for n, c in counts.items() if n in new} == dict.fromkeys(
            new & set(counts), since_upgrade
        )
        assert {n: c for n, c in counts.items() if n not in new} == dict.fromkeys(
            set(counts) - new, len(every)
        )
