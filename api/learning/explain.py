"""Why a model answers as it does: the terms of a linear model's answer, and the classifier's
95% interval on its probability.

A linear model's answer is a sum. The classifier's logit is the intercept plus, for each
feature, its coefficient times the person's value; the regression's prediction is the same
sum. Each term is given in the features' original units, the units of `latest`'s
coefficients, so the terms add up to the logit or the prediction (to rounding) and each
says how much that feature moved this person's answer. For a model behind a
`StandardScaler` the weight of a standardised feature z = (x - mean) / sd is w / sd in
original units, and the means it subtracts go into the intercept. A model that is not a sum
of one term per feature (trees, naive Bayes, factorisation machines, the baselines, the
polynomial logistic regression) has no terms: None.

The interval is the sigmoid of the reference classifier's 95% interval on the logit, from
the same posterior as its coefficients' intervals, so it holds the probability it answers
(the sigmoid rises monotonically). Models without a posterior have none.

>>> from river import linear_model
>>> model = linear_model.BayesianLinearRegression()
>>> model.learn_one({"intercept": 1.0, "competence": 0.5}, 0.3)
>>> x = {"intercept": 1.0, "competence": 0.5}
>>> terms = contributions(model, x)
>>> sorted(terms)
['competence', 'intercept']
>>> abs(sum(terms.values()) - model.predict_one(x)) < 1e-12
True
"""

import math
from typing import Any

from river import compose, linear_model, preprocessing

from api.learning import pipelines
from api.learning.bayesian_logistic import BayesianLogisticRegression, sigmoid
from api.learning.candidates import REFERENCE
from api.learning.task_protocol import Classifier, Regressor
from api.learning.uncertainty import Interval

Terms = dict[str, float]
INTERCEPT = "intercept"


def _weighted(intercept: float, weights: dict[str, float], x: dict[str, float]) -> Terms:
    """The intercept, then each feature's weight times its value; a feature named
    `intercept` (the regression's constant) adds to the intercept."""
    terms = {INTERCEPT: float(intercept)}
    for name, value in x.items():
        terms[name] = terms.get(name, 0.0) + float(weights.get(name, 0.0)) * value
    return terms


def _scaled(pipeline: compose.Pipeline, x: dict[str, float]) -> Terms | None:
    """The terms of StandardScaler | a linear model, in original units: the weight of z =
    (x - mean) / sd is w / sd per unit of x (0 for a feature constant so far, which the
    scaler maps to 0), and each mean, times that weight, leaves the intercept."""
    steps = list(pipeline.steps.values())
    if len(steps) != 2 or not isinstance(steps[0], preprocessing.StandardScaler):
        return None
    scaler, linear = steps
    if scaler.window_size is not None or not isinstance(
        linear, linear_model.LogisticRegression | linear_model.LinearRegression
    ):
        return None
    raw = linear.weights
    weights, intercept = {}, float(linear.intercept)
    for name in x:
        variance = scaler.vars.get(name, 0.0)
        weight = raw.get(name, 0.0) / math.sqrt(variance) if variance else 0.0
        weights[name] = weight
        intercept -= weight * scaler.means.get(name, 0.0)
    return _weighted(intercept, weights, x)


def _terms(model: Any, x: dict[str, float]) -> Terms | None:
    if isinstance(model, BayesianLogisticRegression):
        coefficients = model.coefficients()
        return _weighted(coefficients.pop(INTERCEPT), coefficients, x)
    if isinstance(model, linear_model.BayesianLinearRegression):
        # Its weights are the prediction of a row holding that feature alone, at 1.
        weights = {name: float(model.predict_one({name: 1.0})) for name in x}
        return _weighted(0.0, weights, x)
    if isinstance(model, linear_model.PARegressor):
        return _weighted(float(model.intercept), dict(model.weights), x)
    if isinstance(model, compose.Pipeline):
        return _scaled(model, x)
    return None


def contributions(model: Any, x: dict[str, float]) -> Terms | None:
    """The terms of a linear model's answer for `x` (the classifier's logit, the
    regression's prediction); None for any other model, or where a term is not finite."""
    terms = _terms(model, x)
    if terms is None or not all(math.isfinite(term) for term in terms.values()):
        return None
    return terms


def probability_interval(model: Any, x: dict[str, float]) -> Interval | None:
    """A 95% interval on P(promoted) for `x`: the sigmoid of the reference's interval on
    the logit; None for a model without a posterior, or before enough rows."""
    if not isinstance(model, BayesianLogisticRegression):
        return None
    logits = model.logit_interval(x)
    if logits is None or not all(math.isfinite(bound) for bound in logits):
        return None
    return sigmoid(logits[0]), sigmoid(logits[1])


def answering_model(task: Classifier | Regressor, name: str) -> Any:
    """The River model behind a candidate's name: the task's own for the reference."""
    return task.model if name == REFERENCE else task.live_race.model(name)


def promotion_answer(
    task: Classifier, competence: float, network_ability: float, name: str
) -> dict[str, Any]:
    """A candidate's answer for this person: promoted, its probability, the probability's
    interval and the logit's terms, each None where the model has none."""
    promoted, probability = task.predict(competence, network_ability, name)
    model = answering_model(task, name)
    x = pipelines.classification_features(competence, network_ability)
    interval = probability_interval(model, x) if task.options.uncertainty_and_drift else None
    return {
        "model": name,
        "promoted": promoted,
        "probability": probability,
        "interval": interval,
        "contributions": contributions(model, x),
    }


def network_ability_answer(
    task: Regressor, competence: float, promoted: bool, name: str
) -> dict[str, Any]:
    """A candidate's answer for this person: network_ability, its predictive interval and
    the prediction's terms, each None where the model has none."""
    model = answering_model(task, name)
    x = pipelines.regression_features(competence, promoted)
    return {
        "model": name,
        "network_ability": task.predict(competence, promoted, name),
        "interval": task.predictive_interval(competence, promoted, name),
        "contributions": contributions(model, x),
    }
