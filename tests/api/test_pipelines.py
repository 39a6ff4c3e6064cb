"""The classifier's coefficients in the features' original units: the dashboard draws its
decision boundary from them, so they must give the model's own logit everywhere, and its
intervals must be around them."""

import math
import random

import numpy as np
import pytest
import statsmodels.api as sm

from api.learning.pipelines import build_classifier, classification_features


def training_rows(count: int, *, network_ability: float | None = None) -> list[tuple]:
    """(competence, network_ability, promoted) with very different means and spreads, so
    that undoing the scaling matters; `network_ability` fixed when given."""
    rng = random.Random(5)
    rows = []
    for _ in range(count):
        competence = rng.gauss(40, 12)
        ability = network_ability if network_ability is not None else rng.gauss(0.3, 0.05)
        promoted = 0.1 * (competence - 40) + 30 * (ability - 0.3) + rng.gauss(0, 1) > 0
        rows.append((competence, ability, promoted))
    return rows


def trained_classifier(count: int, **fixed):
    model = build_classifier()
    for competence, ability, promoted in training_rows(count, **fixed):
        model.learn_one(classification_features(competence, ability), promoted)
    return model


def logit(coefficients: dict[str, float], competence: float, network_ability: float) -> float:
    return (
        coefficients["intercept"]
        + coefficients["competence"] * competence
        + coefficients["network_ability"] * network_ability
    )


POINTS = [(40.0, 0.3), (0.0, 0.0), (10.0, 0.45), (75.0, 0.1), (-20.0, 1.0)]


@pytest.mark.parametrize(("competence", "network_ability"), POINTS)
def test_original_unit_coefficients_give_the_models_own_probability(competence, network_ability):
    """Also far from the data the model has seen: the identity holds for any input."""
    model = trained_classifier(2_000)
    coefficients = model.coefficients()
    features = classification_features(competence, network_ability)
    expected = model.predict_proba_one(features)[True]
    probability = 1 / (1 + math.exp(-logit(coefficients, competence, network_ability)))
    assert probability == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_the_coefficients_approach_a_batch_fit_on_the_unscaled_features():
    """20,000 rows: within 2% of the maximum-likelihood fit of the same rows in their
    original units (a spread or a mean left in would be off by a factor of ten or more),
    and each inside its own interval."""
    model, rows = trained_classifier(20_000), training_rows(20_000)
    features = sm.add_constant(np.array([(c, a) for c, a, _ in rows]))
    batch = sm.Logit(np.array([p for _, _, p in rows], dtype=float), features).fit(disp=0)
    coefficients = model.coefficients()
    online = [coefficients[name] for name in ("intercept", "competence", "network_ability")]
    assert online == pytest.approx(list(batch.params), rel=0.02)
    for name, (low, high) in model.coefficient_intervals().items():
        assert low < coefficients[name] < high, name


def test_a_feature_that_never_varied_gets_no_weight():
    """With no spread it is standardised to 0 whatever its value: the data say nothing of
    its weight, which stays at the prior's 0."""
    model = trained_classifier(500, network_ability=0.3)
    coefficients = model.coefficients()
    assert coefficients["network_ability"] == 0.0
    for competence, network_ability in POINTS:
        features = classification_features(competence, network_ability)
        expected = model.predict_proba_one(features)[True]
        probability = 1 / (1 + math.exp(-logit(coefficients, competence, network_ability)))
        assert probability == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_a_classifier_in_its_warm_up_has_zero_coefficients_and_no_intervals():
    model = build_classifier()
    model.learn_one(classification_features(40.0, 0.3), True)
    assert model.coefficient_intervals() == {}
    assert model.coefficients() == {
        "competence": 0.0,
        "network_ability": 0.0,
        "intercept": 0.0,
    }


def test_until_its_warm_up_ends_the_classifier_answers_one_half_and_then_learns_those_rows():
    """The first rows standardise the features; they are learned once it has them."""
    rows = training_rows(12)
    model = build_classifier()
    for competence, ability, promoted in rows[:9]:
        model.learn_one(classification_features(competence, ability), promoted)
        assert model.predict_proba_one(classification_features(competence, ability)) == {
            False: 0.5,
            True: 0.5,
        }
    competence, ability, promoted = rows[9]
    model.learn_one(classification_features(competence, ability), promoted)
    assert model.rows == 10
    assert model.predict_proba_one(classification_features(60.0, 0.4))[True] > 0.5
