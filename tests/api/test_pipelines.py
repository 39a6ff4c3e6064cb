"""The classifier's coefficients in the features' original units: the dashboard draws its
decision boundary from them, so they must give the pipeline's own logit everywhere."""

import math
import random

import numpy as np
import pytest
import statsmodels.api as sm

from api.learning.pipelines import (
    build_classifier,
    classification_features,
    classifier_coefficients,
)


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
def test_original_unit_coefficients_give_the_pipelines_own_probability(competence, network_ability):
    """Also far from the data the scaler has seen: the identity holds for any input."""
    model = trained_classifier(2_000)
    coefficients = classifier_coefficients(model)
    features = classification_features(competence, network_ability)
    expected = model.predict_proba_one(features)[True]
    probability = 1 / (1 + math.exp(-logit(coefficients, competence, network_ability)))
    assert probability == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_the_coefficients_approach_a_batch_fit_on_the_unscaled_features():
    """20,000 rows: within 10% of the maximum-likelihood fit of the same rows in their
    original units (a spread or a mean left in would be off by a factor of ten or more)."""
    model, rows = trained_classifier(20_000), training_rows(20_000)
    features = sm.add_constant(np.array([(c, a) for c, a, _ in rows]))
    batch = sm.Logit(np.array([p for _, _, p in rows], dtype=float), features).fit(disp=0)
    coefficients = classifier_coefficients(model)
    online = [coefficients[name] for name in ("intercept", "competence", "network_ability")]
    assert online == pytest.approx(list(batch.params), rel=0.1)


def test_a_feature_that_never_varied_gets_no_weight():
    """With no spread the scaler hands the model 0 for it, whatever its value."""
    model = trained_classifier(500, network_ability=0.3)
    coefficients = classifier_coefficients(model)
    assert coefficients["network_ability"] == 0.0
    for competence, network_ability in POINTS:
        features = classification_features(competence, network_ability)
        expected = model.predict_proba_one(features)[True]
        probability = 1 / (1 + math.exp(-logit(coefficients, competence, network_ability)))
        assert probability == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_an_untrained_classifier_has_zero_coefficients():
    assert classifier_coefficients(build_classifier()) == {
        "competence": 0.0,
        "network_ability": 0.0,
        "intercept": 0.0,
    }
