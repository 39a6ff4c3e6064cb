"""Drift detection on in-process streams: no false alarm, a fast alarm from each detector,
and models that learn the new world, by a new regime or by a reset."""

from dataclasses import replace

import pytest

from api.learning.tasks import new_tasks
from harness.streams import REFERENCE_ONLY, learn, read_db, simulated, write_challenge_shaped_db
from simulator.synthetic import Drift

SWITCH = 20_000  # the id of the first row of the new world
FIRST_NEW = SWITCH - 1  # its index in a list of rows


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
    """24,000 rows whose promotion policy turns at row 20,000."""
    return list(simulated(24_000, drift=Drift(at_row=SWITCH)))


def test_a_switch_of_the_promotion_policy_is_detected_within_2000_rows(switched_world):
    """Both tasks' losses rise at the switch and competence's coefficient moves: in each
    task ADWIN and the relationship detector fire once, soon after it."""
    _, events, _ = learn(switched_world)
    fired = sorted((event["task"], event["detector"]) for event in events)
    assert fired == [
        ("classification", "ADWIN"),
        ("classification", "relationship"),
        ("regression", "ADWIN"),
        ("regression", "relationship"),
    ]
    for event in events:
        assert SWITCH <= event["rows_seen"] <= SWITCH + 2_000, event
        assert event["loss_after"] > event["loss_before"], event
        assert event["action"] == "alert", event
    moved = {e["task"]: e for e in events if e["detector"] == "relationship"}
    # The rule's competence weight turns from +12 to -12; so, through the collider, does
    # the sign of competence's coefficient in the regression (see simulator.synthetic).
    assert moved["classification"]["coefficient"] == "competence"
    assert (
        moved["classification"]["value_before"] > 5 and moved["classification"]["value_after"] < -5
    )
    assert moved["regression"]["coefficient"] == "competence"
    assert moved["regression"]["value_before"] < 0 < moved["regression"]["value_after"]


def test_a_flip_of_network_abilitys_weight_is_told_by_the_relationship_detector():
    """The other coefficient turns (8 -> -8): the classifier's event names network_ability
    and the regression's moves too, within 2,000 rows, on data of another seed."""
    rows = list(simulated(24_000, seed=7, drift=Drift(at_row=SWITCH, kind="network")))
    _, events, _ = learn(rows)
    moved = {e["task"]: e for e in events if e["detector"] == "relationship"}
    assert moved["classification"]["coefficient"] == "network_ability"
    assert moved["classification"]["value_before"] > 4 > -4 > moved["classification"]["value_after"]
    for event in moved.values():
        assert SWITCH <= event["rows_seen"] <= SWITCH + 2_000, event


def test_the_competence_switch_is_a_second_kind_of_drift(switched_world):
    """The population changes, not the policy: competence drawn from Uniform(0.5, 1)."""
    rows = list(simulated(24_000, drift=Drift(at_row=SWITCH, kind="competence")))
    before, after = rows[:FIRST_NEW], rows[FIRST_NEW:]
    assert sum(r.competence for r in before) / len(before) == pytest.approx(0.5, abs=0.01)
    assert sum(r.competence for r in after) / len(after) == pytest.approx(0.75, abs=0.01)
    assert before == switched_world[:FIRST_NEW]


def progressive(tasks, rows) -> tuple[float, float]:
    """Accuracy of the classifier and mean absolute error of the regression over `rows`,
    each row predicted before it is learned."""
    correct, error = 0, 0.0
    for row in rows:
        correct += tasks["classification"].learn_one(row)["predicted"] == row.promoted
        error += abs(tasks["regression"].learn_one(row)["predicted"] - row.network_ability)
    return correct / len(rows), error / len(rows)


def test_after_a_switch_the_models_learn_the_new_world_alone(switched_world):
    """Over rows 21,000-24,000 both actions score within 2 points of accuracy (and 2% of
    the regression's error) of models that only ever saw rows from 20,000 on: alert by
    the new regime the relationship detector starts, reset by starting afresh. Without
    the relationship detector the regression, which never forgets, keeps averaging the
    two worlds and errs over 10% more."""
    measured = slice(21_000, 24_000)
    outcomes = {}
    for action in ("alert", "reset"):
        tasks, events, _ = learn(
            switched_world[: measured.start], options=replace(REFERENCE_ONLY, drift_action=action)
        )
        assert {e["task"] for e in events} == {"classification", "regression"}
        assert {e["action"] for e in events} == {action}
        outcomes[action] = progressive(tasks, switched_world[measured])
    unaware = replace(REFERENCE_ONLY, relationship_detector=False)
    tasks, _, _ = learn(switched_world[: measured.start], options=unaware)
    _, unaware_error = progressive(tasks, switched_world[measured])
    new_world = new_tasks(500, REFERENCE_ONLY)
    progressive(new_world, switched_world[FIRST_NEW : measured.start])
    accuracy, error = progressive(new_world, switched_world[measured])

    for action in ("alert", "reset"):
        assert outcomes[action][0] == pytest.approx(accuracy, abs=0.02), action
        assert outcomes[action][1] == pytest.approx(error, rel=0.02), action
    assert unaware_error > 1.1 * error
