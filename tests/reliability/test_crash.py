"""SIGKILL the learner alone, or the API with it as a killed container is, at random
moments of a long catch-up: nothing lost, nothing twice."""

import functools
import random
import time

import pytest

from harness import loopback
from harness.processes import Service, wait_until
from simulator.faults import is_malformed
from tests.support.api_reads import status_of, wait_for_rows
from tests.support.database import committed_rows
from tests.support.ledger import assert_learned_exactly_once
from tests.support.services import CHAOS_API_SETTINGS, kill_api_and_learner, kill_learner

pytestmark = pytest.mark.e2e

SEED, MALFORMED_RATE = 11, 0.02


def kill_the_learner_alone(api: Service) -> None:
    """SIGKILL the learner process only: the API lives on, says the learner is restarting,
    serves the last commit meanwhile and starts a new learner by itself."""
    restarts = status_of(api)["learner"]["restarts"]
    kill_learner(api)
    down = wait_until(
        lambda: (s := status_of(api))["learner"]["restarts"] == restarts + 1 and s,
        timeout=10,
        message="the death seen",
    )
    assert down["state"] in ("restarting", "running"), down  # running: already back
    assert "killed by SIGKILL" in down["learner"]["last_exit"]
    assert loopback.get(f"{api.url}/classification/latest", timeout=5).status_code == 200
    assert api.process is not None and api.process.poll() is None


@pytest.fixture
def catch_up_under_kills(start_simulator, start_api, db_path, figures):
    """Serve `rows` rows, 2% malformed, and SIGKILL `kills` times at moments drawn from
    `rng` during the catch-up; then check that nothing was lost or learned twice."""

    return functools.partial(
        kill_and_restart_during_catch_up, start_simulator, start_api, db_path, figures
    )


def kill_and_restart_during_catch_up(
    start_simulator, start_api, db_path, figures, *, rows: int, kills: int, rng: random.Random
) -> None:
    bad = {i for i in range(1, rows + 1) if is_malformed(i, seed=SEED, rate=MALFORMED_RATE)}
    simulator = start_simulator(
        SIMULATOR_ROWS=rows, SIMULATOR_SEED=SEED, SIMULATOR_MALFORMED_RATE=MALFORMED_RATE
    )
    api = start_api(
        database_url=f"sqlite:///{db_path}",
        source_url=simulator.url,
        MAX_PAGES_PER_TICK=5,
        **CHAOS_API_SETTINGS,
    )
    started = time.monotonic()
    at_kill: list[int] = []
    for kill in range(kills):
        if kill % 3 == 0:
            # Right after the restart: during the restore, the wait for the lease, the
            # first tick.
            time.sleep(rng.uniform(0, 0.15))  # a random moment: under test
        else:
            # After a few hundred more rows, at a random phase of the tick under way.
            target = (at_kill[-1] if at_kill else 0) + rng.randint(200, 1500)
            wait_until(lambda t=target: status_of(api)["rows_seen"] >= t, timeout=60)
            time.sleep(rng.uniform(0, 0.2))  # a random moment: under test
        if kill % 3 == 1:
            kill_the_learner_alone(api)
            at_kill.append(committed_rows(f"sqlite:///{db_path}"))
            continue
        kill_api_and_learner(api)
        at_kill.append(committed_rows(f"sqlite:///{db_path}"))
        api.start()
    good = rows - len(bad)
    assert at_kill[-1] < good, "the kills must all land during the catch-up"
    assert at_kill[-1] > 0, "the learner made no progress between kills"

    status = wait_for_rows(api, good, timeout=180)
    good_ids = sorted(set(range(1, rows + 1)) - bad)
    ledger = assert_learned_exactly_once(api, db_path, good_ids)
    assert set(ledger.quarantined) == bad
    assert ledger.quarantined_rows == ledger.rows_quarantined == len(bad)
    assert (status["next_page"], status["last_id"]) == (rows // 10, rows)
    assert (ledger.next_page, ledger.last_id) == (rows // 10, rows)
    assert status_of(api)["state"] == "running"
    figures.update(
        rows_served=rows,
        sigkills_survived=kills,
        rows_learned=len(ledger.learned_ids),
        rows_quarantined=len(bad),
        rows_lost=len(set(good_ids) - set(ledger.learned_ids)),
        rows_duplicated=ledger.duplicated(),
        committed_rows_at_each_kill=at_kill,
        seconds=round(time.monotonic() - started, 1),
    )


def test_ten_sigkills_during_a_catch_up_lose_no_row_and_learn_none_twice(catch_up_under_kills):
    """20,000 rows, 2% malformed, ten SIGKILLs at random moments (three of the learner
    alone, seven of the API with it, each followed by a restart): every good id is learned
    once, every bad one quarantined once, both models' metrics count exactly the rows
    learned, and the cursor stands at the end."""
    catch_up_under_kills(rows=20_000, kills=10, rng=random.Random(2026))


@pytest.mark.soak
def test_forty_sigkills_during_a_long_catch_up_lose_no_row_and_learn_none_twice(
    catch_up_under_kills, figures
):
    """The soak variant: 60,000 rows and forty SIGKILLs, at moments drawn from a new seed
    each run (printed with the figures, to replay a failure)."""
    seed = random.randrange(2**32)
    figures["seed"] = seed
    catch_up_under_kills(rows=60_000, kills=40, rng=random.Random(seed))
