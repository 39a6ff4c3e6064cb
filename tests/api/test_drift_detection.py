"""Drift detection on in-process streams: no false alarm, a fast alarm, and a reset that
learns the new world."""

import pytest

from api.learning.tasks import TaskOptions, new_tasks
from harness.streams import learn, read_db, simulated, write_challenge_shaped_db
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
    """Both tasks' losses rise at the switch; each detector fires once, soon after it."""
    _, events, _ = learn(switched_world)
    assert sorted(event["task"] for event in events) == ["classification", "regression"]
    for event in events:
        assert SWITCH <= event["rows_seen"] <= SWITCH + 2_000, event
        assert event["loss_after"] > event["loss_before"], event
        assert (event["detector"], event["action"]) == ("ADWIN", "alert"), event


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
        correct += tasks["classification"].step(row)["predicted"] == row.promoted
        error += abs(tasks["regression"].step(row)["predicted"] - row.network_ability)
    return correct / len(rows), error / len(rows)


def test_reset_on_drift_recovers_to_a_model_of_the_new_world_alone(switched_world):
    """Over rows 21,000-24,000, DRIFT_ACTION=reset scores within 2 points of accuracy (and
    2% of the regression's error) of models that only ever saw rows from 20,000 on; each
    task reset once. Without the reset the regression, which never forgets, keeps
    averaging the two worlds and errs over 10% more."""
    measured = slice(21_000, 24_000)
    outcomes = {}
    for action in ("alert", "reset"):
        tasks, events, _ = learn(
            switched_world[: measured.start], options=TaskOptions(drift_action=action)
        )
        assert sorted(e["task"] for e in events) == ["classification", "regression"]
        assert {e["action"] for e in events} == {action}
        outcomes[action] = progressive(tasks, switched_world[measured])
    new_world = new_tasks(500)
    progressive(new_world, switched_world[FIRST_NEW : measured.start])
    accuracy, error = progressive(new_world, switched_world[measured])

    assert outcomes["reset"][0] == pytest.approx(accuracy, abs=0.02)
    assert outcomes["reset"][1] == pytest.approx(error, rel=0.02)
    assert outcomes["alert"][1] > 1.1 * error
