"""The registry's own subclasses of River models learn exactly as River's do, only faster."""

import math

import pytest
from river import linear_model, naive_bayes, tree

from api.learning.candidate_models import (
    BUILDERS,
    SMOOTHING,
    TREE_LIMITS,
    ForgettingBayesianLinearRegression,
    GaussianNB,
    HoeffdingAdaptiveTreeClassifier,
    PARegressor,
)
from api.learning.candidates import NAMES
from api.learning.pipelines import NOISE_PRECISION, PRIOR_PRECISION
from harness.streams import simulated
from simulator.synthetic import Drift


@pytest.mark.parametrize("task", sorted(NAMES))
def test_every_name_the_settings_accept_builds_a_model_that_learns(task):
    assert tuple(BUILDERS[task]) == NAMES[task]
    row = next(iter(simulated(1)))
    for name, build in BUILDERS[task].items():
        model = build()
        if task == "classification":
            x = {"competence": row.competence, "network_ability": row.network_ability}
            model.learn_one(x, row.promoted)
            assert model.predict_proba_one(x), name
        else:
            x = {"competence": row.competence, "promoted": float(row.promoted)}
            model.learn_one(x, row.network_ability)
            assert math.isfinite(model.predict_one(x)), name


def test_gaussian_naive_bayes_gives_rivers_probabilities():
    ours, rivers = GaussianNB(), naive_bayes.GaussianNB()
    for row in simulated(2_000):
        x = {"competence": row.competence, "network_ability": row.network_ability}
        assert ours.predict_proba_one(x) == pytest.approx(rivers.predict_proba_one(x), abs=1e-12)
        ours.learn_one(x, row.promoted)
        rivers.learn_one(x, row.promoted)


def test_passive_aggressive_regressor_takes_rivers_steps():
    """Learning itself is River's; only the step size is computed here."""
    ours, rivers = PARegressor(), linear_model.PARegressor()
    for row in simulated(2_000):
        x = {"competence": row.competence, "promoted": float(row.promoted)}
        loss = rivers.loss(row.network_ability, rivers.predict_one(x))
        assert ours.calc_tau(x, loss) == pytest.approx(rivers.calc_tau(x, loss), rel=1e-12)
        rivers.learn_one(x, row.network_ability)
    assert ours.calc_tau({"competence": 0.0, "promoted": 0.0}, 1.0) == 0.0


def test_the_adaptive_tree_whose_leaves_keep_their_answer_predicts_as_rivers_does():
    """Over a stream whose promotion policy turns, so that subtrees are replaced."""
    settings = {"leaf_prediction": "nb", "bootstrap_sampling": False, "seed": 42, **TREE_LIMITS}
    ours = HoeffdingAdaptiveTreeClassifier(**settings)
    rivers = tree.HoeffdingAdaptiveTreeClassifier(**settings)
    for row in simulated(12_000, drift=Drift(at_row=4_000)):
        x = {"competence": row.competence, "network_ability": row.network_ability}
        assert ours.predict_proba_one(x) == rivers.predict_proba_one(x)
        ours.learn_one(x, row.promoted)
        rivers.learn_one(x, row.promoted)
    assert ours.summary == rivers.summary
    assert rivers.summary["n_alternate_trees"] > 0 and rivers.summary["n_leaves"] > 1


def test_the_forgetting_regressor_keeps_rivers_posterior_without_inverting_it_each_row():
    """River's smoothing, updated by Sherman-Morrison: the same predictions and the same
    predictive spread, to rounding, over a stream whose world turns."""
    settings = {"alpha": PRIOR_PRECISION, "beta": NOISE_PRECISION, "smoothing": SMOOTHING}
    ours = ForgettingBayesianLinearRegression(**settings)
    rivers = linear_model.BayesianLinearRegression(**settings)
    for row in simulated(6_000, seed=9, drift=Drift(at_row=3_000)):
        x = {"intercept": 1.0, "competence": row.competence, "promoted": float(row.promoted)}
        assert ours.predict_one(x) == pytest.approx(rivers.predict_one(x), rel=1e-9, abs=1e-12)
        ours.learn_one(x, row.network_ability)
        rivers.learn_one(x, row.network_ability)
    spread = ours.predict_one(x, with_dist=True).sigma, rivers.predict_one(x, with_dist=True).sigma
    assert spread[0] == pytest.approx(spread[1], rel=1e-9)
