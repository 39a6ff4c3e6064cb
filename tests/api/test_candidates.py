"""The registry's own subclasses of River models learn exactly as River's do, only faster."""

import math
import pickle

import numpy as np
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


def _faded_posterior(rows, smoothing):
    """The forgetting regressor's posterior by its definition, from the whole stream:
    precision alpha I + (1 - s) beta sum s^(n-k) x x', natural mean (1 - s) beta
    sum s^(n-k) y x."""
    xs = np.array([x for x, _ in rows])
    ys = np.array([y for _, y in rows])
    weights = (1 - smoothing) * NOISE_PRECISION * smoothing ** np.arange(len(rows))[::-1]
    precision = PRIOR_PRECISION * np.eye(xs.shape[1]) + (xs.T * weights) @ xs
    return precision, (xs.T * weights) @ ys


def _rows(count, *, seed, drift_at, silent_from=None):
    """(x, y) over a world that turns at `drift_at`; nobody is promoted from `silent_from`
    on, so that the promoted direction gets no more data."""
    rows = []
    for index, row in enumerate(simulated(count, seed=seed, drift=Drift(at_row=drift_at))):
        promoted = row.promoted and (silent_from is None or index < silent_from)
        x = (1.0, row.competence, float(promoted))
        rows.append((x, row.network_ability))
    return rows


def _as_features(x):
    return {"intercept": x[0], "competence": x[1], "promoted": x[2]}


def test_the_forgetting_regressor_has_the_faded_posterior_it_promises():
    """Every prediction and its spread, over a stream whose world turns, equal those of
    the posterior computed from its definition over the rows so far."""
    model = ForgettingBayesianLinearRegression(
        alpha=PRIOR_PRECISION, beta=NOISE_PRECISION, smoothing=SMOOTHING
    )
    rows = _rows(3_000, seed=9, drift_at=1_500)
    for seen, (x, y) in enumerate(rows, start=1):
        model.learn_one(_as_features(x), y)
        if seen % 250 == 0:
            precision, natural_mean = _faded_posterior(rows[:seen], SMOOTHING)
            covariance = np.linalg.inv(precision)
            probe = np.array(x)
            answer = model.predict_one(_as_features(x), with_dist=True)
            assert answer.mu == pytest.approx(probe @ covariance @ natural_mean, rel=1e-9)
            spread = math.sqrt(1 / NOISE_PRECISION + probe @ covariance @ probe)
            assert answer.sigma == pytest.approx(spread, rel=1e-9)


def test_the_forgetting_regressor_stays_finite_where_rivers_smoothing_overflows():
    """A short memory (s = 0.9) brings in 8,000 rows what s = 0.995 brings in about
    140,000: River's smoothing forgets its prior until an unspanned direction has no
    precision left. Here the promoted feature falls silent too, for the last 4,000 rows."""
    smoothing = 0.9
    ours = ForgettingBayesianLinearRegression(
        alpha=PRIOR_PRECISION, beta=NOISE_PRECISION, smoothing=smoothing
    )
    rivers = linear_model.BayesianLinearRegression(
        alpha=PRIOR_PRECISION, beta=NOISE_PRECISION, smoothing=smoothing
    )
    rows = _rows(8_000, seed=4, drift_at=2_000, silent_from=4_000)
    rivers_failure = None
    with np.errstate(all="ignore"):
        for x, y in rows:
            ours.learn_one(_as_features(x), y)
            if rivers_failure is None:
                try:
                    rivers.learn_one(_as_features(x), y)
                    if not math.isfinite(rivers.predict_one(_as_features(x), with_dist=True).sigma):
                        rivers_failure = "non-finite"
                except np.linalg.LinAlgError as error:
                    rivers_failure = str(error)
    assert rivers_failure is not None, "the stream no longer shows what this model guards against"
    precision, natural_mean = _faded_posterior(rows, smoothing)
    for x in ((1.0, 0.4, 0.0), (1.0, 0.8, 1.0)):
        answer = ours.predict_one(_as_features(x), with_dist=True)
        assert math.isfinite(answer.mu) and math.isfinite(answer.sigma)
        expected = np.array(x) @ np.linalg.solve(precision, natural_mean)
        assert answer.mu == pytest.approx(expected, rel=1e-6)


def test_a_forgetting_regressor_pickled_with_a_decayed_spare_slot_predicts_again():
    """A model pickled before the prior was kept: its spare slots' precision is zero and
    their covariance infinite. Unpickled, it predicts finite numbers."""
    model = ForgettingBayesianLinearRegression(
        alpha=PRIOR_PRECISION, beta=NOISE_PRECISION, smoothing=SMOOTHING
    )
    for x, y in _rows(50, seed=2, drift_at=10_000):
        model.learn_one(_as_features(x), y)
    probe = _as_features((1.0, 0.5, 1.0))
    healthy = model.predict_one(probe, with_dist=True)
    model._ss_arr[3:, 3:] = 0.0
    model._ss_inv_arr[3:, 3:] = np.inf
    with np.errstate(invalid="ignore"):
        assert not math.isfinite(model.predict_one(probe, with_dist=True).sigma)
    restored = pickle.loads(pickle.dumps(model))
    answer = restored.predict_one(probe, with_dist=True)
    assert (answer.mu, answer.sigma) == pytest.approx((healthy.mu, healthy.sigma), rel=1e-12)
