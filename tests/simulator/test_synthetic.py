"""The generated data has the documented causal shape: a collider."""

import numpy as np
import pytest
import statsmodels.api as sm

from simulator.synthetic import Drift, generate_rows, promotion_probability


@pytest.fixture(scope="module")
def columns():
    rows = np.array(list(generate_rows(start_id=1, count=50_000, seed=42)), dtype=float)
    return rows[:, 1], rows[:, 2], rows[:, 3].astype(bool)


def test_competence_and_network_ability_are_uncorrelated_in_the_population(columns):
    competence, network_ability, _ = columns

    assert abs(np.corrcoef(competence, network_ability)[0, 1]) < 0.02


def test_they_are_negatively_correlated_within_each_promotion_group(columns):
    competence, network_ability, promoted = columns

    for group in (promoted, ~promoted):
        assert np.corrcoef(competence[group], network_ability[group])[0, 1] < -0.2


def test_about_half_are_promoted_and_the_best_accuracy_is_85_to_95_percent(columns):
    competence, network_ability, promoted = columns
    probability = promotion_probability(competence, network_ability)

    assert 0.45 < promoted.mean() < 0.55
    assert 0.85 < np.mean((probability > 0.5) == promoted) < 0.95


SWITCH = 20_001  # the id of the first row under the new rule


def fitted_weights(rows: np.ndarray) -> tuple[float, float]:
    """The (competence, network_ability) weights of a logistic regression of promoted."""
    features = sm.add_constant(rows[:, 1:3])
    fit = sm.Logit(rows[:, 3], features).fit(disp=0)
    return float(fit.params[1]), float(fit.params[2])


@pytest.mark.parametrize(
    ("kind", "weights_after"),
    [("promotion", (-12.0, 8.0)), ("network", (12.0, -8.0))],
)
def test_a_rule_drift_flips_the_sign_of_the_chosen_weight_only(kind, weights_after):
    """20,000 rows on each side of the switch: a logistic fit finds the first rule's
    weights (12, 8) before it and, after it, the chosen weight's sign flipped, the other
    unchanged. Rows before the switch are those of the stream without drift."""
    rows = np.array(
        list(generate_rows(start_id=1, count=40_000, seed=11, drift=Drift(SWITCH, kind))),
        dtype=float,
    )
    before, after = rows[: SWITCH - 1], rows[SWITCH - 1 :]

    assert fitted_weights(before) == pytest.approx((12.0, 8.0), abs=0.8)
    assert fitted_weights(after) == pytest.approx(weights_after, abs=0.8)
    unchanged = list(generate_rows(start_id=1, count=SWITCH - 1, seed=11))
    assert np.array_equal(before, np.array(unchanged, dtype=float))
