"""Worlds made at serve time: absurd rows at chosen ids, a feature scaled from a row on."""

import hashlib
import math
import sqlite3
from contextlib import closing

import httpx
import pytest

from harness.processes import wait_until
from simulator.faults import is_malformed, malform
from simulator.rescaling import Rescaling
from simulator.store import PAGE_SIZE
from simulator.synthetic import generate_rows

ROW = {"id": 40, "competence": 0.75, "network_ability": 0.25, "promoted": False}


def test_no_rescaling_serves_every_row_itself():
    assert Rescaling().apply(ROW) is ROW


def test_a_row_both_scaled_and_absurd_gets_both_factors_on_its_own_features():
    rescaling = Rescaling(
        absurd_ids=frozenset({40}),
        absurd_field="network_ability",
        absurd_factor=-3e5,
        scale_from_row=40,
        scale_field="competence",
        scale_factor=0.01,
    )
    both = Rescaling(
        absurd_ids=frozenset({40}), absurd_factor=4e6, scale_from_row=39, scale_factor=250
    )

    assert rescaling.apply(ROW) == {**ROW, "competence": 0.0075, "network_ability": -75_000.0}
    assert both.apply(ROW) == {**ROW, "competence": 0.75 * 250 * 4e6}
    assert ROW == {"id": 40, "competence": 0.75, "network_ability": 0.25, "promoted": False}


@pytest.mark.parametrize("value", [None, "abc", 0.0, math.inf])
def test_a_value_that_a_factor_cannot_make_absurd_is_served_as_stored(value):
    rescaling = Rescaling(absurd_ids=frozenset({40}))

    assert rescaling.apply({**ROW, "competence": value}) == {**ROW, "competence": value}


def test_a_row_without_the_feature_or_an_integer_id_is_served_as_stored():
    rescaling = Rescaling(absurd_ids=frozenset({40}), scale_from_row=1)
    missing = {"id": 40, "network_ability": 0.25, "promoted": True}
    odd_id = {**ROW, "id": "40"}

    assert rescaling.apply(missing) == {"id": 40, "network_ability": 0.25, "promoted": True}
    assert rescaling.apply(odd_id) is odd_id


def read_all(simulator) -> list[dict]:
    """Every row up to the first page that is not full."""
    rows, page = [], 0
    with httpx.Client(base_url=simulator.url, timeout=5) as client:
        while True:
            batch = client.get(f"/api/v1/data?page={page}").json()
            rows += batch
            if len(batch) < PAGE_SIZE:
                return rows
            page += 1


def generated(count: int, seed: int) -> list[dict]:
    rows = generate_rows(start_id=1, count=count, seed=seed)
    return [{"id": i, "competence": c, "network_ability": n, "promoted": p} for i, c, n, p in rows]


@pytest.mark.e2e
def test_absurd_rows_are_served_at_the_chosen_ids_and_their_neighbours_unchanged(
    start_simulator,
):
    simulator = start_simulator(
        SIMULATOR_ROWS=80,
        SIMULATOR_SEED=7,
        SIMULATOR_ABSURD_IDS="62,13",
        SIMULATOR_ABSURD_FIELD="network_ability",
        SIMULATOR_ABSURD_FACTOR=3.5e7,
    )
    expected = generated(80, seed=7)
    for row in expected[12], expected[61]:
        row["network_ability"] *= 3.5e7

    served = read_all(simulator)

    assert served == expected
    assert [row["id"] for row in served if row["network_ability"] > 1] == [13, 62]
    assert all(math.isfinite(row["network_ability"]) for row in served)
    assert read_all(simulator) == served


@pytest.mark.e2e
def test_a_feature_is_scaled_from_the_chosen_row_on_in_rows_appended_later_too(
    start_simulator,
):
    """The stream starts with 35 rows and grows; the competence of every row from id 43 on,
    none of which existed at start-up, is served 250 times larger."""
    simulator = start_simulator(
        SIMULATOR_ROWS=35,
        SIMULATOR_SEED=3,
        SIMULATOR_GROWTH_ROWS_PER_SECOND=40,
        SIMULATOR_SCALE_FROM_ROW=43,
        SIMULATOR_SCALE_FIELD="competence",
        SIMULATOR_SCALE_FACTOR=250,
    )
    wait_until(lambda: len(read_all(simulator)) >= 70, timeout=10, message="70 rows")

    served = read_all(simulator)

    expected = generated(len(served), seed=3)
    for row in expected[42:]:
        row["competence"] *= 250
    assert served == expected
    assert min(row["competence"] for row in served[42:]) > max(
        row["competence"] for row in served[:42]
    )


@pytest.mark.e2e
def test_a_malformed_row_is_broken_after_it_is_rescaled(start_simulator):
    seed, rate = 5, 0.3
    simulator = start_simulator(
        SIMULATOR_ROWS=100,
        SIMULATOR_SEED=seed,
        SIMULATOR_MALFORMED_RATE=rate,
        SIMULATOR_SCALE_FROM_ROW=1,
        SIMULATOR_SCALE_FIELD="network_ability",
        SIMULATOR_SCALE_FACTOR=10,
    )
    expected = []
    for row in generated(100, seed=seed):
        scaled = {**row, "network_ability": row["network_ability"] * 10}
        broken = is_malformed(row["id"], seed=seed, rate=rate)
        expected.append(malform(scaled, seed=seed) if broken else scaled)

    served = read_all(simulator)

    assert repr(served) == repr(expected)  # repr, because NaN != NaN
    assert 20 < sum(is_malformed(i, seed=seed, rate=rate) for i in range(1, 101)) < 40


def write_challenge_shaped_file(path, rows) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "CREATE TABLE data"
            " (id INTEGER, competence REAL, network_ability REAL, promoted INTEGER)"
        )
        connection.executemany("INSERT INTO data VALUES (?, ?, ?, ?)", rows)


@pytest.mark.e2e
def test_one_challenge_file_serves_the_clean_world_and_the_damaged_one(start_simulator, tmp_path):
    """A main.db with gaps in its ids: an absurd id and a scale that starts in a gap apply
    to the rows as served, and the file is never written."""
    db_path = tmp_path / "main.db"
    stored = [(id_, 40 + id_ / 4, id_ / 100, id_ % 2) for id_ in range(5, 100, 5)]
    write_challenge_shaped_file(db_path, stored)
    digest = hashlib.sha256(db_path.read_bytes()).hexdigest()
    clean = [
        {"id": id_, "competence": c, "network_ability": n, "promoted": bool(p)}
        for id_, c, n, p in stored
    ]

    first = start_simulator(db_path=db_path)
    assert read_all(first) == clean
    first.stop()
    damaged = start_simulator(
        db_path=db_path,
        SIMULATOR_ABSURD_IDS="20",
        SIMULATOR_ABSURD_FACTOR=1e6,
        SIMULATOR_SCALE_FROM_ROW=73,
        SIMULATOR_SCALE_FIELD="network_ability",
        SIMULATOR_SCALE_FACTOR=100,
    )
    served = read_all(damaged)
    damaged.stop()

    expected = [dict(row) for row in clean]
    expected[3]["competence"] = 45.0 * 1e6
    for row in expected[14:]:  # ids 75 to 95
        row["network_ability"] *= 100
    assert served == expected
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == digest


@pytest.mark.e2e
def test_a_simulator_with_a_refused_setting_exits_and_says_why(start_simulator):
    with pytest.raises(RuntimeError) as raised:
        start_simulator(SIMULATOR_ABSURD_IDS="120,0")

    assert "SIMULATOR_ABSURD_IDS\n" in str(raised.value)
    assert "row ids are positive integers separated by commas (e.g. 120,4500), not '0'" in str(
        raised.value
    )
