"""The generated data has the documented causal shape: a collider."""

import numpy as np
import pytest

from simulator.synthetic import generate_rows, promotion_probability


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
