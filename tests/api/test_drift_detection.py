"""Drift detection on in-process streams: no false alarm, a fast alarm, and a reset that
learns the new world."""

import pytest

from api.learning.tasks import TaskOptions, new_tasks
from simulator.synthetic import Drift
from tests.api.streams import learn, read_db, simulated, write_challenge_shaped_db

SWITCH = 20_000


def test_fifty_thousand_stationary_simulated_rows_raise_no_drift_event(stationary_run):
    _, _, events, _ = stationary_run
    assert events == []


def test_fifty_thousand_stationary_challenge_shaped_rows_raise_no_drift_event(tmp_path):
    """A main.db with other distributions than the simulator's, read from its file."""
    path = tmp_path / "main.db"
    write_challenge_shaped_db(path, rows=50_000, seed=2026)
    _, events, _ = learn(read_db(path))
    assert events == []


@pytest.fixture(scope="module")
def switched_world():
    """30,000 rows whose promotion policy turns at row 20,000."""
    return list(simulated(30_000, drift=Drift(at_row=SWITCH)))


def test_a_switch_of_the_promotion_policy_is_detected_within_2000_rows(switched_world):
    _, events, _ = learn(switched_world)
    assert events, "no drift event"
    first = events[0]
    assert SWITCH <= first["rows_seen"] <= SWITCH + 2_000
    assert first["loss_after"] > first["loss_before"]
    assert (first["detector"], first["action"]) == ("ADWIN", "alert")


def test_the_competence_switch_is_a_second_kind_of_drift(switched_world):
    """The population changes, not the policy: competence drawn from Uniform(0.5, 1)."""
    rows = list(simulated(30_000, drift=Drift(at_row=SWITCH, kind="competence")))
    assert sum(r.competence for r in rows[:SWITCH]) / SWITCH == pytest.approx(0.5, abs=0.01)
    assert sum(r.competence for r in rows[SWITCH:]) / 10_000 == pytest.approx(0.75, abs=0.01)
    assert [r.id for r in rows[:SWITCH]] == [r.id for r in switched_world[:SWITCH]]


def accuracy(task, rows) -> float:
    """Progressive accuracy of `task` over `rows`, learning as it goes."""
    correct = 0
    for row in rows:
        correct += task.step(row)["predicted"] == row.promoted
    return correct / len(rows)


def test_reset_on_drift_recovers_to_a_model_of_the_new_world_alone(switched_world):
    """With DRIFT_ACTION=reset the classifier's accuracy over rows 26,000-30,000 is within
    2 points of a model that only ever saw rows from 20,000 on; exactly one reset."""
    measured = slice(26_000, 30_000)
    reset_tasks, events, _ = learn(
        switched_world[: measured.start], options=TaskOptions(drift_action="reset")
    )
    assert [event["action"] for event in events] == ["reset"] * len(events)
    assert len([e for e in events if e["task"] == "classification"]) == 1
    new_world = new_tasks(500)["classification"]
    for row in switched_world[SWITCH : measured.start]:
        new_world.step(row)
    recovered = accuracy(reset_tasks["classification"], switched_world[measured])
    reference = accuracy(new_world, switched_world[measured])
    assert recovered == pytest.approx(reference, abs=0.02)
