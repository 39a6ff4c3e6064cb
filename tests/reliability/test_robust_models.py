"""Accidents of real data, learned by the real services over HTTP and compared with the
same rows learned clean: an absurd row, a feature whose unit changes for good, a rule that
turns around. Seeds, ids and factors are this file's own."""

import pytest

from harness.processes import wait_until
from tests.support.api_reads import sample
from tests.support.worlds import (
    REFERENCE_ONLY,
    TASKS,
    coefficients,
    learned_world,
    rolling_accuracy,
)

pytestmark = pytest.mark.e2e

ROWS = 40_000
SEED = 2718
SHIFT_AT = 20_000


@pytest.fixture(scope="module")
def world_file(tmp_path_factory):
    """The generated stream every test of this module serves, damaged or not."""
    return tmp_path_factory.mktemp("world") / "simulator.db"


@pytest.fixture(scope="module")
def clean(world_file, tmp_path_factory):
    """The stream learned as it is."""
    with learned_world(
        tmp_path_factory.mktemp("clean"),
        db_path=world_file,
        rows=ROWS,
        api_settings=REFERENCE_ONLY,
        SIMULATOR_SEED=SEED,
    ) as learned:
        yield learned


@pytest.mark.parametrize(
    ("row_id", "field", "factor"), [(23_456, "competence", 1e6), (31_337, "network_ability", -4e5)]
)
def test_one_absurd_value_among_40000_rows_is_quarantined_and_changes_nothing(
    clean, world_file, tmp_path, figures, row_id, field, factor
):
    """The rolling accuracy within 1 point and every coefficient of both tasks within 10%
    of the clean run; the row in /quarantine with a reason that says which value, how far
    beyond the fence."""
    with learned_world(
        tmp_path,
        db_path=world_file,
        rows=ROWS,
        SIMULATOR_SEED=SEED,
        SIMULATOR_ABSURD_IDS=str(row_id),
        SIMULATOR_ABSURD_FIELD=field,
        SIMULATOR_ABSURD_FACTOR=factor,
        api_settings=REFERENCE_ONLY,
    ) as damaged:
        quarantine = damaged.read("/quarantine?limit=10")
    expected = coefficients(clean)
    figures["accuracy_change"] = round(rolling_accuracy(damaged) - rolling_accuracy(clean), 4)
    figures["largest_coefficient_change"] = max(
        round(abs(value / expected[key] - 1), 4) for key, value in coefficients(damaged).items()
    )
    assert damaged.status["rows_seen"] == ROWS - 1
    assert damaged.status["rows_quarantined"] == 1
    assert abs(rolling_accuracy(damaged) - rolling_accuracy(clean)) <= 0.01
    for key, value in coefficients(damaged).items():
        assert value == pytest.approx(expected[key], rel=0.1), key
    (row,) = quarantine["rows"]
    assert row["id"] == row_id
    assert row["reason"].startswith(f"outlier: {field} ")
    assert "IQRs above" in row["reason"] if factor > 0 else "IQRs below" in row["reason"]
    assert row["payload"][field] == pytest.approx(row["payload"][field])
    assert abs(row["payload"][field]) > 1e4
    assert quarantine["reasons"] == {f"outlier: {field}": 1}


@pytest.mark.parametrize("field", ["competence", "network_ability"])
def test_a_feature_100_times_larger_from_row_20000_is_a_shift_learned_at_once(
    clean, world_file, tmp_path, figures, field
):
    """A fence event within 2,000 rows of the change, fewer than 2,000 rows quarantined
    (the rows held back are learned once the shift is confirmed), and the final rolling
    accuracy within 3 points of the clean run."""
    with learned_world(
        tmp_path,
        db_path=world_file,
        rows=ROWS,
        SIMULATOR_SEED=SEED,
        SIMULATOR_SCALE_FROM_ROW=SHIFT_AT,
        SIMULATOR_SCALE_FIELD=field,
        SIMULATOR_SCALE_FACTOR=100,
        api_settings=REFERENCE_ONLY,
    ) as shifted:
        counted = {
            name: sample(shifted.api, name)
            for name in (
                "learner_rows_held_total",
                "learner_rows_shift_learned_total",
                'learner_rows_quarantined_total{reason="outlier"}',
                'learner_drift_events_total{detector="fence",task="classification"}',
            )
        }
    # Every row held was learned with the shift or quarantined as an outlier.
    assert counted["learner_rows_held_total"] == (
        counted["learner_rows_shift_learned_total"]
        + counted['learner_rows_quarantined_total{reason="outlier"}']
    )
    assert counted["learner_rows_shift_learned_total"] >= 30
    assert counted['learner_drift_events_total{detector="fence",task="classification"}'] == 1
    figures["accuracy_change"] = round(rolling_accuracy(shifted) - rolling_accuracy(clean), 4)
    figures["quarantined"] = shifted.status["rows_quarantined"]
    figures["events"] = [(e["detector"], e["rows_seen"]) for e in shifted.events["classification"]]
    for task, events in shifted.events.items():
        fence = [event for event in events if event["detector"] == "fence"]
        assert len(fence) == 1, (task, events)
        assert SHIFT_AT - 1 <= fence[0]["rows_seen"] <= SHIFT_AT + 2_000
        assert fence[0]["feature"] == field
        assert fence[0]["after"] > 50 * fence[0]["before"] > 0
    assert shifted.status["rows_quarantined"] < 2_000
    assert abs(rolling_accuracy(shifted) - rolling_accuracy(clean)) <= 0.03


def test_a_rule_that_turns_is_told_and_the_forgetting_regressor_takes_over(tmp_path, figures):
    """Network ability's weight in the promotion rule turns from 8 to -8 at row 20,000:
    within 2,000 rows the classifier's relationship event names network_ability, moving
    from positive to negative, and within 5,000 rows the forgetting regressor leads the
    regression leaderboard long enough to become its champion."""
    with learned_world(
        tmp_path,
        db_path=tmp_path / "turning.db",
        rows=30_000,
        SIMULATOR_SEED=1618,
        SIMULATOR_DRIFT_AT_ROW=SHIFT_AT,
        SIMULATOR_DRIFT_KIND="network",
        # The classifier's event comes from its reference; only the regression's race counts.
        api_settings={"CLASSIFICATION_CANDIDATES": "reference"},
    ) as turned:
        board = wait_for_the_race(turned)
    moved = [e for e in turned.events["classification"] if e["detector"] == "relationship"]
    figures["events"] = {
        t: [(e["detector"], e["rows_seen"]) for e in turned.events[t]] for t in TASKS
    }
    assert len(moved) == 1, turned.events["classification"]
    assert SHIFT_AT <= moved[0]["rows_seen"] <= SHIFT_AT + 2_000
    assert moved[0]["coefficient"] == "network_ability"
    assert moved[0]["before"] > 0 > moved[0]["after"]
    assert [e for e in turned.events["regression"] if e["detector"] == "relationship"]
    takeovers = [
        change["rows_seen"]
        for change in board["changes"]
        if change["champion"] == "ForgettingBayesianLinearRegression"
    ]
    figures["forgetting_champion_at"] = takeovers
    assert any(SHIFT_AT < rows <= SHIFT_AT + 5_000 for rows in takeovers), board["changes"]


def wait_for_the_race(learned) -> dict:
    """The regression leaderboard once the race has caught up with the learner."""
    rows = learned.status["rows_seen"]

    def caught_up():
        board = learned.read("/regression/leaderboard")
        return board if board["rows_raced"] == rows else None

    return wait_until(caught_up, timeout=300, message="the race caught up")
