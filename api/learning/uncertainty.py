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

Classification (an approximation): River's logistic regression learns by SGD and holds
no posterior. Its intervals come from a Laplace approximation kept beside it: the
observed Fisher information of the logistic loss, I = sum_i p_i (1 - p_i) x_i x_i', in
the features' original units (x_i = (1, competence, network_ability)), accumulated row by
row while a Newton step per row moves its own estimate w towards the maximum-likelihood
weights (`LogisticLaplace`). The interval is w +- 1.96 sqrt(diag(I^-1)). Evaluating I at
the SGD model's probabilities instead was tried: those are flatter than the MLE's for
thousands of rows, and the intervals came out half as wide as they should. So the
interval is centred on w, the MLE's online estimate; the SGD coefficients approach it.
"""

import math
from statistics import NormalDist
from typing import Any

Interval = tuple[float, float]
Z95 = NormalDist().inv_cdf(0.975)
# The classifier's weak prior: weights of a few units at most are plausible a priori.
PRIOR_VARIANCE = 100.0


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

    def coefficient_intervals(self, model: Any, mean: dict[str, float]) -> dict[str, Interval]:
        variance = self._residual_variance(model, mean)
        if variance is None:
            return {}
        t = t95(self.rows - len(self.names))
        return {
            name: _around(mean[name], t * math.sqrt(variance * self._spread(model, {name: 1.0})))
            for name in self.names
        }

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
    """An online Laplace approximation of the logistic model's posterior, in original units.

    Each row is one Newton step with the observed information accumulated so far (the
    extended Kalman filter of logistic regression): with p the current probability and
    P the covariance, P <- P - r P x x' P / (1 + r x'Px) with r = p (1 - p), then
    w <- w + P x (y - p). P stays the inverse of the observed information, evaluated at
    estimates that approach the maximum-likelihood weights row by row.
    """

    def __init__(self, names: tuple[str, ...]):
        self.names = names  # the intercept is implicit, first
        size = len(names) + 1
        self.rows = 0
        self.weights = [0.0] * size
        self.covariance = [[PRIOR_VARIANCE * (i == j) for j in range(size)] for i in range(size)]

    def update(self, x: dict[str, float], y: bool) -> None:
        # Plain loops over three terms: this runs for every row, and generator expressions
        # cost far more here.
        self.rows += 1
        values = [1.0]
        for name in self.names:
            values.append(x[name])
        weights, covariance, size = self.weights, self.covariance, len(values)
        logit = 0.0
        for i in range(size):
            logit += weights[i] * values[i]
        probability = 1.0 / (1.0 + math.exp(-max(min(logit, 30.0), -30.0)))
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

    def coefficients(self) -> dict[str, float]:
        return dict(zip(("intercept", *self.names), self.weights, strict=True))

    def coefficient_intervals(self) -> dict[str, Interval]:
        variances = [self.covariance[i][i] for i in range(len(self.weights))]
        if self.rows <= len(self.weights):  # the prior alone, not the rows
            return {}
        if any(not math.isfinite(v) or v <= 0 for v in variances):
            return {}
        return {
            name: _around(weight, Z95 * math.sqrt(variance))
            for name, weight, variance in zip(
                ("intercept", *self.names), self.weights, variances, strict=True
            )
        }
