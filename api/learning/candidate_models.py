"""The candidate models: every River model a task may race, built by name.

Only the race process (`api.learner.race_process`) and the API, which answers a
candidate's predictions, import this module: the learner names candidates
(`api.learning.candidates`) but never builds one. The trees are capped in depth and size
so that a snapshot stays small however long the stream runs.
"""

import math
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from river import (
    dummy,
    facto,
    feature_extraction,
    linear_model,
    naive_bayes,
    preprocessing,
    stats,
    tree,
)
from river.tree.nodes.hatc_nodes import AdaLeafClassifier

from api.learning import pipelines

TREE_LIMITS: dict[str, Any] = {"max_depth": 8, "max_size": 4.0, "memory_estimate_period": 20_000}
SMOOTHING = 0.995


class GaussianNB(naive_bayes.GaussianNB):
    """River's Gaussian naive Bayes, normalised in plain Python: the same probabilities,
    without the array round trip that made a prediction cost six times its learning."""

    def predict_proba_one(self, x: dict[Hashable, Any], **kwargs: Any) -> dict[Any, float]:
        joint = self.joint_log_likelihood(x)
        if not joint:
            return {}
        top = max(joint.values())
        total = top + math.log(sum(math.exp(value - top) for value in joint.values()))
        return {label: math.exp(value - total) for label, value in joint.items()}


class PARegressor(linear_model.PARegressor):
    """River's passive-aggressive regressor with a row's squared norm summed in plain
    Python: the same steps, without the array numpy.linalg.norm builds for two features
    on every row."""

    def _calc_tau_1(self, x: dict[Hashable, float], loss: float) -> float:
        norm = sum(value * value for value in x.values())
        return min(self.C, loss / norm) if norm > 0 else 0.0


class ForgettingBayesianLinearRegression(linear_model.BayesianLinearRegression):
    """A Bayesian linear regression whose rows fade, the prior kept: after n rows its
    posterior precision and natural mean are

        S = alpha I + (1 - s) beta sum_k s^(n-k) x_k x_k'
        eta = (1 - s) beta sum_k s^(n-k) y_k x_k

    (s = `smoothing`, a memory of about 1 / (1 - s) rows). River's own smoothing forgets
    the prior too: every direction the recent rows do not span (the spare slots of its
    arrays, a feature that stays 0) keeps a precision of s^n times its prior, which
    reaches zero after about 140,000 rows at s = 0.995, and the covariance then
    overflows. Here each row gives back (1 - s) alpha of the prior, so the precision never
    falls below alpha. Only the features' block, a few by a few, is inverted on each row.
    """

    def _ensure_features(self, features: Any) -> None:
        known = len(self._idx)
        super()._ensure_features(features)
        if len(self._idx) > known:
            self._keep_prior_from(known)

    def _keep_prior_from(self, first: int) -> None:
        """The prior alone on the slots from `first` on: no row has touched them."""
        for arr in (self._ss_arr, self._ss_inv_arr):
            arr[first:, :] = 0.0
            arr[:, first:] = 0.0
        spare = np.arange(first, self._cap)
        self._ss_arr[spare, spare] = self.alpha
        self._ss_inv_arr[spare, spare] = 1 / self.alpha

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A model pickled before the prior was kept may hold a spare slot whose precision
        # decayed to nothing; learning never reads those slots, predicting does.
        self.__dict__.update(state)
        self._keep_prior_from(len(self._idx))

    def learn_one(self, x: dict[Hashable, Any], y: float) -> None:
        if self.smoothing is None:
            super().learn_one(x, y)
            return
        self._ensure_features(x.keys())
        n = len(self._idx)
        x_arr = np.zeros(n, dtype=np.float64)
        for feature, value in x.items():
            x_arr[self._idx[feature]] = value
        s = self.smoothing
        u = (1 - s) * self.beta * x_arr
        block = s * self._ss_arr[:n, :n] + np.outer(u, x_arr)
        block[np.diag_indices(n)] += (1 - s) * self.alpha
        self._ss_arr[:n, :n] = block
        self._ss_inv_arr[:n, :n] = np.linalg.inv(block)
        self._eta_arr[:n] = s * self._eta_arr[:n] + u * y
        self._m_dirty = True


class AdaLeaf(AdaLeafClassifier):
    """River's adaptive tree leaf, which keeps its last answer until it changes: on every
    row the tree's prediction, each branch above the leaf and the leaf itself ask it for
    the same one, and a naive Bayes answer is the dearest part of the tree's work."""

    _last: tuple[tuple, dict | None] | None = None

    def prediction(self, x: dict[Hashable, Any], *, tree: Any = None) -> Any:
        key = tuple(x.items())
        if self._last is None or self._last[0] != key:
            self._last = (key, super().prediction(x, tree=tree))
        answer = self._last[1]
        return None if answer is None else dict(answer)

    def learn_one(self, x: dict[Hashable, Any], y: Any, **kwargs: Any) -> None:
        super().learn_one(x, y, **kwargs)
        self._last = None

    def activate(self) -> None:
        super().activate()
        self._last = None

    def deactivate(self) -> None:
        super().deactivate()
        self._last = None


class HoeffdingAdaptiveTreeClassifier(tree.HoeffdingAdaptiveTreeClassifier):
    """River's Hoeffding adaptive tree with leaves that keep their last answer."""

    def _new_leaf(self, initial_stats: dict | None = None, parent: Any = None) -> AdaLeaf:
        return AdaLeaf(
            stats=initial_stats or {},
            depth=0 if parent is None else parent.depth + 1,
            splitter=self.splitter,
            drift_detector=self.drift_detector.clone(),
            rng=self._rng,
        )


CLASSIFIERS: dict[str, Callable[[], Any]] = {
    "FFMClassifier": lambda: facto.FFMClassifier(n_factors=4, intercept=0.5, seed=42),
    # Without bootstrap sampling, which doubled its cost per row; its adaptive part (a
    # drift detector per node growing alternate subtrees) stays.
    "HoeffdingAdaptiveTreeClassifier": lambda: HoeffdingAdaptiveTreeClassifier(
        leaf_prediction="nb", bootstrap_sampling=False, seed=42, **TREE_LIMITS
    ),
    "HoeffdingTreeClassifier": lambda: tree.HoeffdingTreeClassifier(
        leaf_prediction="nb", **TREE_LIMITS
    ),
    "GaussianNB": GaussianNB,
    # No skill: the share of promotions so far, whatever the features. Every candidate that
    # learns anything beats it, and by how much is what its score means.
    "PriorClassifier": dummy.PriorClassifier,
    # The reference's scaling and logistic regression on the degree-2 terms: a curved
    # decision boundary at the price of three more weights.
    "PolynomialLogisticRegression": lambda: (
        preprocessing.StandardScaler()
        | feature_extraction.PolynomialExtender(degree=2)
        | linear_model.LogisticRegression()
    ),
    # Release 2's reference: scaling and logistic regression by SGD. Its constant step
    # keeps it close to the last few hundred rows, so after a change of the world it
    # predicts the new one before the Bayesian reference has confirmed the change.
    "LogisticRegression": lambda: (
        preprocessing.StandardScaler() | linear_model.LogisticRegression()
    ),
}
REGRESSORS: dict[str, Callable[[], Any]] = {
    "PARegressor": PARegressor,
    "HoeffdingAdaptiveTreeRegressor": lambda: tree.HoeffdingAdaptiveTreeRegressor(
        leaf_prediction="mean", bootstrap_sampling=False, seed=42, **TREE_LIMITS
    ),
    "HoeffdingTreeRegressor": lambda: tree.HoeffdingTreeRegressor(
        leaf_prediction="mean", **TREE_LIMITS
    ),
    # Stochastic gradient descent on scaled features: the reference's exact posterior
    # update against the cheap online default.
    "LinearRegression": lambda: preprocessing.StandardScaler() | linear_model.LinearRegression(),
    # No skill: the mean network_ability so far.
    "MeanRegressor": lambda: dummy.StatisticRegressor(stats.Mean()),
    # The reference's posterior, forgetting: each row weighs 1 - SMOOTHING and the past
    # fades by SMOOTHING a row (a memory of about 200 rows), so after a change of the
    # world it stops averaging the two worlds at once.
    "ForgettingBayesianLinearRegression": lambda: ForgettingBayesianLinearRegression(
        alpha=pipelines.PRIOR_PRECISION, beta=pipelines.NOISE_PRECISION, smoothing=SMOOTHING
    ),
}
BUILDERS: dict[str, dict[str, Callable[[], Any]]] = {
    "classification": CLASSIFIERS,
    "regression": REGRESSORS,
}


def build(task: str, name: str) -> Any:
    return BUILDERS[task][name]()
