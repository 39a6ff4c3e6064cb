"""95% intervals on the models' coefficients and on the regression's predictions, online.

Regression (exact): River's `BayesianLinearRegression` holds the Gaussian posterior of the
weights, mean m and covariance S = (alpha I + beta X'X)^-1, for a noise precision beta
fixed in advance. The noise of the stream is not known in advance, so the intervals use
the conjugate model with an unknown noise variance (normal-inverse-gamma, weak prior):
each weight's marginal posterior is then a Student t with n - p degrees of freedom,
centred at m, with scale^2 = s^2 * beta * S_jj, where s^2 = RSS / (n - p) is the residual
variance of the same rows. RSS comes out exactly from the posterior and two sums kept
row by row (y'y and X'y): with lambda = alpha / beta, RSS = y'y - m'X'y - lambda m'm.
With the weak prior these are the OLS confidence intervals of the rows seen so far. The
predictive interval adds the noise to the uncertainty of the mean:
scale^2 = s^2 * (1 + beta * x'Sx).

Classification: the reference model is itself Bayesian
(`api.learning.bayesian_logistic`): its weights and their intervals come from one fit.
"""

import math
from statistics import NormalDist
from typing import Any

Interval = tuple[float, float]
Z95 = NormalDist().inv_cdf(0.975)


def t95(degrees: int) -> float:
    """The 97.5% quantile of Student's t (Cornish-Fisher), within 1e-3 from 3 degrees on."""
    z, v = Z95, float(degrees)
    return z + (z**3 + z) / (4 * v) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)


def _around(centre: float, half_width: float) -> Interval:
    return (centre - half_width, centre + half_width)


class RegressionUncertainty:
    """The two running sums the regression's intervals need beyond River's posterior."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names
        self.rows = 0
        self.sum_y2 = 0.0
        self.sum_xy = dict.fromkeys(names, 0.0)

    def update(self, x: dict[str, float], y: float) -> None:
        self.rows += 1
        self.sum_y2 += y * y
        sum_xy = self.sum_xy
        for name, value in x.items():
            sum_xy[name] += value * y

    def _residual_variance(self, model: Any, mean: dict[str, float]) -> float | None:
        degrees = self.rows - len(self.names)
        if degrees < 1:
            return None
        ridge = model.alpha / model.beta
        rss = (
            self.sum_y2
            - sum(mean[name] * self.sum_xy[name] for name in self.names)
            - ridge * sum(weight * weight for weight in mean.values())
        )
        return max(rss, 0.0) / degrees

    def _spread(self, model: Any, x: dict[str, float]) -> float:
        """beta * x'Sx, read from River's predictive variance 1/beta + x'Sx."""
        variance = model.predict_one(x, with_dist=True).sigma ** 2
        return max(variance - 1.0 / model.beta, 0.0) * model.beta

    def coefficient_variances(self, model: Any, mean: dict[str, float]) -> dict[str, float]:
        """Each weight's posterior variance, s^2 * beta * S_jj; none before enough rows."""
        variance = self._residual_variance(model, mean)
        if variance is None:
            return {}
        return {name: variance * self._spread(model, {name: 1.0}) for name in self.names}

    def coefficient_intervals(self, model: Any, mean: dict[str, float]) -> dict[str, Interval]:
        variances = self.coefficient_variances(model, mean)
        if not variances:
            return {}
        t = t95(self.rows - len(self.names))
        return {name: _around(mean[name], t * math.sqrt(v)) for name, v in variances.items()}

    def predictive_interval(
        self, model: Any, mean: dict[str, float], x: dict[str, float]
    ) -> Interval | None:
        variance = self._residual_variance(model, mean)
        if variance is None:
            return None
        centre = float(model.predict_one(x))
        t = t95(self.rows - len(self.names))
        return _around(centre, t * math.sqrt(variance * (1.0 + self._spread(model, x))))


class LogisticLaplace:
    """Release 2's online Laplace estimate of the classifier, beside its SGD model: its
    snapshots hold one. Unpickled only to become the `BayesianLogisticRegression` it was
    (`BayesianLogisticRegression.from_laplace`), which learns the same way."""

    names: tuple[str, ...]
    rows: int
    weights: list[float]
    covariance: list[list[float]]
