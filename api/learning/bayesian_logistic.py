"""Online Bayesian logistic regression: the classification reference.

The posterior of the weights is kept as a Gaussian (a Laplace approximation) and each row
is one Newton step with the information gathered so far: with p the current probability
and P the covariance, P <- P - r P x x' P / (1 + r x'Px) with r = p (1 - p), then
w <- w + P x (y - p) (the extended Kalman filter of logistic regression). The weights
approach the maximum-likelihood weights row by row, and P stays the inverse of the
observed information, so the weights served and their 95% intervals (w +- 1.96 sd) come
from one fit: each weight lies inside its own interval by construction.

The model works on features it standardised with the mean and spread of its first
`warm_up` rows (held until then; it predicts 1/2 meanwhile, as a model with no rows
would), so its prior means the same whatever the features' units, and it reports the
weights and their covariance back in the features' original units.

>>> from river import evaluate, metrics
>>> from simulator.synthetic import generate_rows
>>> rows = generate_rows(start_id=1, count=2_000, seed=3)
>>> dataset = (({"competence": c, "network_ability": n}, y) for _, c, n, y in rows)
>>> model = BayesianLogisticRegression()
>>> evaluate.progressive_val_score(dataset, model, metrics.Accuracy())
Accuracy: 87.85%
>>> {name: round(weight, 1) for name, weight in model.coefficients().items()}
{'intercept': -9.8, 'competence': 11.7, 'network_ability': 7.7}
"""

import math
from statistics import NormalDist
from typing import Any

from river import base

from api.learning.linalg import quadratic

Z95 = NormalDist().inv_cdf(0.975)
# A weight of a few units per standard deviation of its feature is plausible a priori.
PRIOR_VARIANCE = 100.0
WARM_UP_ROWS = 10
LOGIT_LIMIT = 30.0
Label = bool | str | int  # River's; the model learns booleans
Features = dict[Any, Any]  # River's features, whatever the mapping's key type


def sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(logit, LOGIT_LIMIT), -LOGIT_LIMIT)))


class BayesianLogisticRegression(base.Classifier):
    """Logistic regression with a Gaussian posterior, learnt one Newton step a row.

    Parameters
    ----------
    prior_variance
        The prior variance of each weight, per standard deviation of its feature.
    warm_up
        Rows whose mean and spread standardise the features.
    """

    def __init__(self, prior_variance: float = PRIOR_VARIANCE, warm_up: int = WARM_UP_ROWS):
        self.prior_variance = prior_variance
        self.warm_up = warm_up
        self.names: tuple[str, ...] = ()
        self.rows = 0
        self.held: list[tuple[Features, Label]] = []
        # Standardised coordinates: z = (x - centre) / scale, the intercept first.
        self.centre: list[float] = []
        self.scale: list[float] = []
        self.weights: list[float] = []
        self.covariance: list[list[float]] = []

    @property
    def _multiclass(self) -> bool:
        return False

    def standardised(self, x: Features) -> list[float]:
        values = [1.0]
        for name, centre, scale in zip(self.names, self.centre, self.scale, strict=True):
            values.append((x[name] - centre) / scale)
        return values

    def logit_of(self, values: list[float]) -> float:
        logit = 0.0
        for weight, value in zip(self.weights, values, strict=True):
            logit += weight * value
        return logit

    def predict_proba_one(self, x: Features, **kwargs: Any) -> dict[Label, float]:
        if not self.weights:
            return {False: 0.5, True: 0.5}
        p = sigmoid(self.logit_of(self.standardised(x)))
        return {False: 1.0 - p, True: p}

    def learn_one(self, x: Features, y: Label, **kwargs: Any) -> None:
        if not self.weights:
            self.names = self.names or tuple(str(name) for name in x)
            self.held.append((dict(x), y))
            if len(self.held) >= self.warm_up:
                self._start(self.held)
            return
        self._newton_step(self.standardised(x), y)

    def _start(self, rows: list[tuple[Features, Label]]) -> None:
        """Standardise by the held rows, then learn them."""
        self.centre, self.scale = [], []
        for name in self.names:
            values = [x[name] for x, _ in rows]
            mean = math.fsum(values) / len(values)
            spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
            self.centre.append(mean)
            # A feature constant so far is scaled by its size, or not at all.
            self.scale.append(spread or abs(mean) or 1.0)
        size = len(self.names) + 1
        self.weights = [0.0] * size
        self.covariance = [
            [self.prior_variance * (i == j) for j in range(size)] for i in range(size)
        ]
        self.held = []
        for x, y in rows:
            self._newton_step(self.standardised(x), y)

    def _newton_step(self, values: list[float], y: Label) -> None:
        # Plain loops over three terms: this runs for every row, and generator expressions
        # or numpy cost far more at this size.
        self.rows += 1
        weights, covariance, size = self.weights, self.covariance, len(values)
        probability = sigmoid(self.logit_of(values))
        r = probability * (1.0 - probability)
        px, xpx = [], 0.0
        for i in range(size):
            row, total = covariance[i], 0.0
            for j in range(size):
                total += row[j] * values[j]
            px.append(total)
            xpx += total * values[i]
        shrink = r / (1.0 + r * xpx)
        for i in range(size):
            row, scaled = covariance[i], shrink * px[i]
            for j in range(size):
                row[j] -= scaled * px[j]
        # P x after the update is the old P x / (1 + r x'Px): the same direction, shortened.
        step = (float(y) - probability) / (1.0 + r * xpx)
        for i in range(size):
            weights[i] += step * px[i]

    def to_original_units(self) -> list[list[float]]:
        """The linear map from standardised weights to weights in original units:
        a_j = w_j / s_j and intercept = w_0 - sum_j w_j c_j / s_j."""
        size = len(self.weights)
        rows = [[0.0] * size for _ in range(size)]
        rows[0][0] = 1.0
        for j, (centre, scale) in enumerate(zip(self.centre, self.scale, strict=True), start=1):
            rows[0][j] = -centre / scale
            rows[j][j] = 1.0 / scale
        return rows

    def coefficients(self) -> dict[str, float]:
        """The posterior mean of each weight in original units, the intercept first; zeros
        until the warm-up ends."""
        if not self.weights:
            return dict.fromkeys(("intercept", *self.names), 0.0)
        mapping = self.to_original_units()
        means = [sum(m * w for m, w in zip(row, self.weights, strict=True)) for row in mapping]
        return dict(zip(("intercept", *self.names), means, strict=True))

    def variances(self) -> dict[str, float]:
        """The posterior variance of each weight in original units."""
        if not self.weights:
            return {}
        variances = [quadratic(row, self.covariance) for row in self.to_original_units()]
        return dict(zip(("intercept", *self.names), variances, strict=True))

    def coefficient_intervals(self) -> dict[str, tuple[float, float]]:
        """95% intervals around `coefficients`; none until the rows outweigh the prior."""
        if self.rows <= len(self.weights):
            return {}
        variances = self.variances()
        if any(not math.isfinite(v) or v <= 0 for v in variances.values()):
            return {}
        return {
            name: (mean - Z95 * math.sqrt(variances[name]), mean + Z95 * math.sqrt(variances[name]))
            for name, mean in self.coefficients().items()
        }

    def logit_interval(self, x: Features) -> tuple[float, float] | None:
        """A 95% interval on the logit of `x`: the logit +- 1.96 sqrt(x'Px)."""
        if self.rows <= len(self.weights):
            return None
        values = self.standardised(x)
        spread = quadratic(values, self.covariance)
        logit, half = self.logit_of(values), Z95 * math.sqrt(max(spread, 0.0))
        return logit - half, logit + half

    @classmethod
    def from_laplace(cls, names: tuple[str, ...], laplace: Any) -> "BayesianLogisticRegression":
        """The model a release-2 snapshot's online Laplace estimate (`LogisticLaplace`, in
        original units) stands for: the same weights and covariance, unstandardised."""
        model = cls()
        model.names = names
        model.centre, model.scale = [0.0] * len(names), [1.0] * len(names)
        model.weights = list(laplace.weights)
        model.covariance = [list(row) for row in laplace.covariance]
        model.rows = laplace.rows
        return model

    @classmethod
    def from_scaled_logistic(cls, pipeline: Any) -> "BayesianLogisticRegression":
        """The model a release-1 snapshot's scaling and SGD logistic regression stands for:
        its weights, in the coordinates its scaler standardised by, with the prior's
        covariance (it kept none), so the rows learned from now on move them as the first
        rows of a fresh model would."""
        scaler, logistic = pipeline["scale"], pipeline["logistic"]
        model = cls()
        model.names = tuple(scaler.means)
        model.centre = [scaler.means[name] for name in model.names]
        model.scale = [scaler.vars[name] ** 0.5 or 1.0 for name in model.names]
        model.weights = [logistic.intercept, *(logistic.weights.get(n, 0.0) for n in model.names)]
        size = len(model.weights)
        model.covariance = [
            [model.prior_variance * (i == j) for j in range(size)] for i in range(size)
        ]
        return model
