"""The outlier fence through the learner's ticks, in this process on a real SQLite file:
what it holds back is committed with each tick, an outlier is quarantined once, a shift
is learned once, in order, whatever commit fails and whenever the learner restarts."""

import json

import pytest

from api import crud
from api.learning import held
from api.learning.fence import WARM_UP_ROWS
from simulator.synthetic import generate_rows
from tests.support.database import query
from tests.support.learners import learner_on

# Each test's learner starts the race process.
pytestmark = pytest.mark.e2e

ROWS = 1_500
OUTLIER_ID = 400
SHIFT_FROM = 900  # competence is served 50 times larger from this id on


def world() -> list[dict]:
    """Rows of seed 99 with one absurd network_ability and a unit change of competence."""
    rows = [
        {"id": i, "competence": c, "network_ability": n, "promoted": p}
        for i, c, n, p in generate_rows(start_id=1, count=ROWS, seed=99)
    ]
    rows[OUTLIER_ID - 1]["network_ability"] = -7.5e4
    for row in rows[SHIFT_FROM - 1 :]:
        row["competence"] *= 50
    return rows


def pages(rows: list[dict], first: int, count: int) -> list[list[dict]]:
    return [rows[i : i + 10] for i in range(first, min(first + 10 * count, len(rows)), 10)]


def learn_in_ticks(learner, rows: list[dict], *, pages_per_tick: int) -> None:
    for first in range(0, len(rows), 10 * pages_per_tick):
        learner.learn_and_commit(pages(rows, first, pages_per_tick))


def ledger(url: str) -> dict:
    return {
        "learned": [r[0] for r in query(url, "SELECT id FROM learned_row ORDER BY rows_seen")],
        "quarantined": query(url, "SELECT source_id, reason FROM quarantined_row"),
        "held": query(url, "SELECT source_id FROM held_row"),
        "events": query(
            url,
            "SELECT task, rows_seen, feature, value_before, value_after FROM drift_event "
            "WHERE detector = 'fence' ORDER BY task",
        ),
        "cursor": query(
            url, "SELECT rows_seen, rows_quarantined, rows_held, last_id FROM learner_cursor"
        ),
    }


@pytest.fixture
def uninterrupted(tmp_path) -> dict:
    url = f"sqlite:///{tmp_path / 'uninterrupted.db'}"
    with learner_on(url) as learner:
        learn_in_ticks(learner, world(), pages_per_tick=7)
    return ledger(url)


def test_an_outlier_is_quarantined_and_a_shift_is_learned_in_order(uninterrupted):
    """The absurd row, held for GIVE_UP_ROWS rows, is quarantined as an outlier; the rows
    of the unit change are held until SHIFT_ROWS of them are, then learned in the order
    they came, after one fence event per task; nothing is held at the end."""
    learned = uninterrupted["learned"]
    assert sorted(learned) == [i for i in range(1, ROWS + 1) if i != OUTLIER_ID]
    # In id order but once: where the held rows come after those of the new world that
    # were inside the old fence, learned as they came.
    going_back = [i for i in range(1, len(learned)) if learned[i] < learned[i - 1]]
    assert len(going_back) == 1 and learned[going_back[0]] == SHIFT_FROM
    (outlier,) = uninterrupted["quarantined"]
    assert outlier[0] == OUTLIER_ID
    assert outlier[1].startswith("outlier: network_ability -75000 is ")
    assert "IQRs below the fence" in outlier[1]
    assert [event[0] for event in uninterrupted["events"]] == ["classification", "regression"]
    for _, rows_seen, feature, before, after in uninterrupted["events"]:
        assert feature == "competence"
        assert SHIFT_FROM - 2 <= rows_seen <= SHIFT_FROM + held.SHIFT_ROWS + 10
        assert after == pytest.approx(50 * before, rel=0.3)
    assert uninterrupted["held"] == []
    assert uninterrupted["cursor"] == [(ROWS - 1, 1, 0, ROWS)]


# One page a tick: the outlier is held at tick 40 and given up at tick 50; the shift's
# rows are held from tick 90 (10 more at tick 91) and learned at tick 93.
@pytest.mark.parametrize("failing_tick", [40, 50, 91, 93])
def test_a_failed_commit_while_rows_are_held_loses_and_doubles_nothing(
    uninterrupted, tmp_path, monkeypatch, failing_tick
):
    """The commit of one tick fails once: the learner restores from the database and the
    retried tick ends exactly as the uninterrupted run."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    rows = world()
    real_write = crud.write_tick
    writes = []

    def write_failing_once(session, tick, **kwargs):
        writes.append(tick)
        if len(writes) == failing_tick:
            raise OSError("disk full")
        return real_write(session, tick, **kwargs)

    monkeypatch.setattr(crud, "write_tick", write_failing_once)
    with learner_on(url) as learner:
        for first in range(0, len(rows), 10):
            try:
                learner.learn_and_commit(pages(rows, first, 1))
            except OSError:
                learner.learn_and_commit(pages(rows, first, 1))
    assert len(writes) == len(rows) // 10 + 1
    failed = writes[failing_tick - 1]
    assert failed.held or failed.released, "the failed tick held rows or let them go"
    assert ledger(url) == uninterrupted


def test_a_restart_while_rows_are_held_goes_on_from_the_committed_held_rows(
    uninterrupted, tmp_path
):
    """The learner restores from the database after every tick that leaves rows held:
    the held rows come back from their table, the fence from its snapshot, and the end is
    the uninterrupted run's."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    rows = world()
    restarts = 0
    with learner_on(url) as learner:
        for first in range(0, len(rows), 30):
            learner.learn_and_commit(pages(rows, first, 3))
            if learner.cursor.rows_held:
                learner.tasks, learner.held, learner.fence = {}, [], None
                learner.restore()
                restarts += 1
    assert restarts >= 3
    assert ledger(url) == uninterrupted


def test_with_the_fence_off_every_finite_row_is_learned(tmp_path):
    """OUTLIER_FENCE=off: the absurd row and the shift are learned like any row."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    with learner_on(url, OUTLIER_FENCE="off") as learner:
        learn_in_ticks(learner, world(), pages_per_tick=20)
        assert learner.fence is None
    found = ledger(url)
    assert sorted(found["learned"]) == list(range(1, ROWS + 1))
    assert found["quarantined"] == found["events"] == []


def test_rows_held_by_a_run_with_the_fence_on_are_learned_when_it_is_turned_off(tmp_path):
    url = f"sqlite:///{tmp_path / 'api.db'}"
    rows = world()
    with learner_on(url) as learner:
        learn_in_ticks(learner, rows[: SHIFT_FROM + 9], pages_per_tick=10)
        assert learner.cursor.rows_held > 0
    with learner_on(url, OUTLIER_FENCE="off") as learner:
        learn_in_ticks(learner, rows[SHIFT_FROM + 9 :], pages_per_tick=10)
        assert learner.cursor.rows_held == 0
    assert sorted(ledger(url)["learned"]) == [i for i in range(1, ROWS + 1) if i != OUTLIER_ID]


def test_the_fence_of_a_database_from_before_it_stands_on_the_rows_learned(tmp_path):
    """A learner restored without a fence snapshot (release 2's) draws the fence from the
    learned rows at once: the next absurd row is held, not learned."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    rows = world()
    with learner_on(url, OUTLIER_FENCE="off") as learner:
        learn_in_ticks(learner, rows[:300], pages_per_tick=10)
    with learner_on(url) as learner:
        assert learner.fence is not None and set(learner.fence.bounds) == {
            "competence",
            "network_ability",
        }
        learner.learn_and_commit([[{**rows[300], "competence": 9e9}]])
        assert learner.cursor.rows_held == 1
    assert len(rows[:300]) >= WARM_UP_ROWS


def newest_coefficients(url: str) -> dict[tuple[str, str], float]:
    found = {}
    for task in ("classification", "regression"):
        (blob,) = query(
            url,
            "SELECT coefficients FROM model_record WHERE task = :task "
            "ORDER BY model_version DESC LIMIT 1",
            task=task,
        )[0]
        values = json.loads(blob) if isinstance(blob, str) else blob
        found.update({(task, name): value for name, value in values.items()})
    return found


@pytest.mark.parametrize(
    ("row_id", "field", "value"), [(17, "competence", 3.1e5), (42, "network_ability", -8.8e4)]
)
def test_an_absurd_value_among_the_first_rows_is_quarantined_and_changes_nothing(
    tmp_path, row_id, field, value
):
    """Before the warm-up's quartiles, the early fence holds the row back: it is
    quarantined with a reason that says so, and both models end within 5% of those
    learned from the same rows with the true value in its place."""
    rows = [
        {"id": i, "competence": c, "network_ability": n, "promoted": p}
        for i, c, n, p in generate_rows(start_id=1, count=600, seed=4242)
    ]
    damaged = [dict(row) for row in rows]
    damaged[row_id - 1][field] = value
    ends = {}
    for name, stream in (("clean", rows), ("damaged", damaged)):
        url = f"sqlite:///{tmp_path / name}.db"
        with learner_on(url) as learner:
            learn_in_ticks(learner, stream, pages_per_tick=1)
        ends[name] = ledger(url), newest_coefficients(url)
    (clean, clean_coefficients), (found, coefficients) = ends["clean"], ends["damaged"]
    for key, expected in clean_coefficients.items():
        assert coefficients[key] == pytest.approx(expected, rel=0.05, abs=0.02), key
    assert clean["quarantined"] == []
    ((quarantined_id, reason),) = found["quarantined"]
    assert quarantined_id == row_id
    side = "above" if value > 0 else "below"
    assert reason.startswith(f"outlier: {field} ")
    assert f"ranges of the first rows {side} the fence" in reason
    assert sorted(found["learned"]) == [i for i in range(1, 601) if i != row_id]
