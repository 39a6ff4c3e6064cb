"""The two reference models, the features they see and their coefficients in original units.

Classification: `promoted` from `competence` and `network_ability`, an online Bayesian
logistic regression (`api.learning.bayesian_logistic`), whose coefficients and intervals
come from one fit. It predicts as well as release 2's scaling and SGD logistic
regression or better (on 100,000 simulated rows, progressive accuracy 0.8872 against
0.8871, log loss 0.2588 against 0.2622), which now races as the candidate
`LogisticRegression`.

Regression: `network_ability` from `competence` and `promoted` with River's Bayesian
linear regression. Its learning step is an exact rank-one update of the posterior, so
with a weak prior its weights track the batch least-squares solution row by row, where
SGD would keep oscillating around it; it needs no scaling, so its weights are already in
the features' original units. A constant `intercept` feature carries the intercept.

>>> model = build_regressor()
>>> for competence, promoted, ability in [(0.2, False, 0.5), (0.9, True, 0.4), (0.5, True, 0.7)]:
...     model.learn_one(regression_features(competence, promoted), ability)
>>> sorted(regressor_coefficients(model))
['competence', 'intercept', 'promoted']
"""

from typing import TYPE_CHECKING

from api.learning.bayesian_logistic import BayesianLogisticRegression

if TYPE_CHECKING:
    from river import linear_model

CLASSIFIER_FEATURES = ("competence", "network_ability")
REGRESSOR_FEATURES = ("competence", "promoted")
REGRESSION_TERMS = ("intercept", *REGRESSOR_FEATURES)

# Weak prior (alpha) and the noise precision of a target spread over [0, 1] (beta):
# the posterior mean is then least squares with a negligible ridge term.
PRIOR_PRECISION = 1e-3
NOISE_PRECISION = 16.0


def build_classifier() -> BayesianLogisticRegression:
    return BayesianLogisticRegression()


def build_regressor() -> "linear_model.BayesianLinearRegression":
    # Imported here: River's linear models bring SciPy, a second of a process's start,
    # which the API serving records and the learner's first tick need not wait for.
    from river import linear_model

    return linear_model.BayesianLinearRegression(alpha=PRIOR_PRECISION, beta=NOISE_PRECISION)


def classification_features(competence: float, network_ability: float) -> dict[str, float]:
    return {"competence": competence, "network_ability": network_ability}


def regression_features(competence: float, promoted: bool) -> dict[str, float]:
    return {"intercept": 1.0, "competence": competence, "promoted": float(promoted)}


def regressor_natural_parameters(
    model: "linear_model.BayesianLinearRegression",
) -> tuple[list[list[float]], list[float]]:
    """The posterior's precision alpha I + beta X'X and natural mean beta X'y over the
    regression's terms, as River 0.26 keeps them (`_ss_arr`, `_eta_arr`, `_idx`)."""
    index = [model._idx.get(name) for name in REGRESSION_TERMS]
    prior = [[model.alpha * (i == j) for j in range(len(index))] for i in range(len(index))]
    if any(i is None for i in index):
        return prior, [0.0] * len(index)
    precision = [[float(model._ss_arr[i, j]) for j in index] for i in index]
    return precision, [float(model._eta_arr[i]) for i in index]


def regressor_coefficients(model: "linear_model.BayesianLinearRegression") -> dict[str, float]:
    """Posterior mean weights, read through the public API: absent features count as 0."""
    return {name: float(model.predict_one({name: 1.0})) for name in REGRESSION_TERMS}
