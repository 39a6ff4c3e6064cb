"""How each task's relationship detector reads a block's own estimate off its model.

Both models are Bayesian and learn by adding each row's information to their posterior:
the precision (inverse covariance) and the natural mean (precision times mean) grow by a
term per row. So what a block alone says is the difference of the two at its end and at
its start, and costs nothing per row. Regression: River's posterior precision is
alpha I + beta X'X and its natural mean beta X'y, so the difference is exactly the
block's least squares, whose variances s^2 (X'X)^-1 take the block's residual variance
from the sums kept beside the model. Classification: the online Laplace approximation's
precision and natural mean, whose difference is the block's one Newton step (a
linearisation, close to the block's own maximum-likelihood fit).

Each kept row carries the task model's progressive prediction of it, so the model's
progressive loss on the block is known without asking the model again.
"""

import math
from dataclasses import dataclass
from typing import Any

from api.learning import pipelines
from api.learning.bayesian_logistic import BayesianLogisticRegression
from api.learning.linalg import Matrix, inverse, minus, quadratic, solved, times
from api.learning.relationship import Estimate, RelationshipWatch
from api.learning.uncertainty import RegressionUncertainty

PROBABILITY_FLOOR = 1e-15

# competence, network_ability, promoted, the model's progressive probability of promotion
ClassifiedRow = tuple[float, float, bool, float]
# competence, promoted, network_ability, the model's progressive prediction of it
RegressedRow = tuple[float, bool, float, float]
LinearModel = tuple[Any, RegressionUncertainty]  # River's posterior and the sums beside it
NAMES = pipelines.CLASSIFIER_FEATURES


def log_loss(promoted: bool, probability: float) -> float:
    p = min(max(probability, PROBABILITY_FLOOR), 1.0 - PROBABILITY_FLOOR)
    return -math.log(p if promoted else 1.0 - p)


@dataclass(frozen=True)
class LogisticState:
    """A `BayesianLogisticRegression`'s posterior in natural parameters, with the
    standardisation they are in."""

    precision: Matrix
    natural: list[float]
    to_original: Matrix


class LogisticRelationshipWatch(RelationshipWatch):
    """The classification task's: blocks of `ClassifiedRow`, tested against a
    `BayesianLogisticRegression`."""

    def state_of(self, model: BayesianLogisticRegression) -> LogisticState | None:
        if not model.weights:
            return None
        precision = inverse(model.covariance)
        if precision is None:
            return None
        return LogisticState(precision, times(precision, model.weights), model.to_original_units())

    def block_estimate(self, start: LogisticState, end: LogisticState) -> Estimate:
        if start.to_original != end.to_original:
            return {}, {}
        natural = [e - s for e, s in zip(end.natural, start.natural, strict=True)]
        block = solved(minus(end.precision, start.precision), natural)
        if block is None:
            return {}, {}
        mean, covariance = block
        names = ("intercept", *NAMES)
        variances = [quadratic(row, covariance) for row in end.to_original]
        return (
            dict(zip(names, times(end.to_original, mean), strict=True)),
            dict(zip(names, variances, strict=True)),
        )

    def estimate_of(self, model: BayesianLogisticRegression) -> Estimate:
        return model.coefficients(), model.variances()

    def fresh(self, rows: list[ClassifiedRow]) -> tuple[BayesianLogisticRegression, float]:
        model, loss = BayesianLogisticRegression(), 0.0
        for competence, network_ability, promoted, _ in rows:
            x = pipelines.classification_features(competence, network_ability)
            loss += log_loss(promoted, model.predict_proba_one(x)[True])
            model.learn_one(x, promoted)
        return model, loss

    def model_loss(self, rows: list[ClassifiedRow]) -> float:
        return sum(log_loss(promoted, probability) for _, _, promoted, probability in rows)


@dataclass(frozen=True)
class LinearState:
    """River's posterior over the regression's terms in natural parameters, and the sums
    kept beside it."""

    precision: Matrix
    natural: list[float]
    sum_y2: float
    rows: int


class LinearRelationshipWatch(RelationshipWatch):
    """The regression task's: blocks of `RegressedRow`, tested against River's posterior
    and the sums beside it."""

    def state_of(self, model: LinearModel) -> LinearState:
        regressor, uncertainty = model
        precision, natural = pipelines.regressor_natural_parameters(regressor)
        return LinearState(precision, natural, uncertainty.sum_y2, uncertainty.rows)

    def block_estimate(self, start: LinearState, end: LinearState) -> Estimate:
        """Least squares on the block and the variances s^2 (X'X)^-1; none when the block
        cannot identify them (every row promoted, say)."""
        beta = pipelines.NOISE_PRECISION
        gram = [[value / beta for value in row] for row in minus(end.precision, start.precision)]
        moment = [(e - s) / beta for e, s in zip(end.natural, start.natural, strict=True)]
        degrees = end.rows - start.rows - len(moment)
        block = solved(gram, moment)
        if block is None or degrees < 1:
            return {}, {}
        mean, covariance = block
        explained = sum(b * m for b, m in zip(mean, moment, strict=True))
        residual = max(end.sum_y2 - start.sum_y2 - explained, 0.0) / degrees
        names = pipelines.REGRESSION_TERMS
        variances = {name: residual * covariance[i][i] for i, name in enumerate(names)}
        return dict(zip(names, mean, strict=True)), variances

    def estimate_of(self, model: LinearModel) -> Estimate:
        regressor, uncertainty = model
        coefficients = pipelines.regressor_coefficients(regressor)
        return coefficients, uncertainty.coefficient_variances(regressor, coefficients)

    def fresh(self, rows: list[RegressedRow]) -> tuple[LinearModel, float]:
        regressor = pipelines.build_regressor()
        uncertainty = RegressionUncertainty(pipelines.REGRESSION_TERMS)
        loss = 0.0
        for competence, promoted, network_ability, _ in rows:
            x = pipelines.regression_features(competence, promoted)
            loss += (network_ability - regressor.predict_one(x)) ** 2
            uncertainty.update(x, network_ability)
            regressor.learn_one(x, network_ability)
        return (regressor, uncertainty), loss

    def model_loss(self, rows: list[RegressedRow]) -> float:
        return sum((actual - predicted) ** 2 for _, _, actual, predicted in rows)
