"""The candidate registry: every River model a task may race, by name.

`reference` is the task's own model (`api.learning.pipelines`): it always learns, since
`latest` describes it, and it is always in the race. The other names build a fresh model
that sees the same features as the reference. The trees are capped in depth and size so
that a snapshot stays small however long the stream runs.

>>> parse_candidates("reference, GaussianNB", "classification")
('reference', 'GaussianNB')
>>> parse_candidates("GaussianNB", "classification")
('reference', 'GaussianNB')
>>> parse_candidates("reference,Oracle", "regression")  # doctest: +ELLIPSIS
Traceback (most recent call last):
ValueError: unknown regression candidate 'Oracle'; known: reference, PARegressor, ...
"""

import math
from collections.abc import Callable, Hashable
from typing import Any

from river import facto, feature_extraction, linear_model, naive_bayes, preprocessing, tree

REFERENCE = "reference"
TREE_LIMITS: dict[str, Any] = {"max_depth": 8, "max_size": 4.0, "memory_estimate_period": 20_000}


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


CLASSIFIERS: dict[str, Callable[[], Any]] = {
    "FFMClassifier": lambda: facto.FFMClassifier(n_factors=4, intercept=0.5, seed=42),
    # Without bootstrap sampling, which doubled its cost per row; its adaptive part (a
    # drift detector per node growing alternate subtrees) stays.
    "HoeffdingAdaptiveTreeClassifier": lambda: tree.HoeffdingAdaptiveTreeClassifier(
        leaf_prediction="nb", bootstrap_sampling=False, seed=42, **TREE_LIMITS
    ),
    "HoeffdingTreeClassifier": lambda: tree.HoeffdingTreeClassifier(
        leaf_prediction="nb", **TREE_LIMITS
    ),
    "GaussianNB": GaussianNB,
    # The reference's scaling and logistic regression on the degree-2 terms: a curved
    # decision boundary at the price of three more weights.
    "PolynomialLogisticRegression": lambda: (
        preprocessing.StandardScaler()
        | feature_extraction.PolynomialExtender(degree=2)
        | linear_model.LogisticRegression()
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
}
REGISTRY: dict[str, dict[str, Callable[[], Any]]] = {
    "classification": CLASSIFIERS,
    "regression": REGRESSORS,
}
# What the learner can race and still keep up with the challenge's source (3,000 rows/s
# on the two-core machine of `make bench`): naive Bayes, the seed's passive-aggressive
# regressor and the SGD regression. The factorization machine, the trees and the
# polynomial features cost more per row than that allows; they race offline in
# `python -m benchmarks.leaderboard`, or live when named.
DEFAULTS: dict[str, tuple[str, ...]] = {
    "classification": (REFERENCE, "GaussianNB"),
    "regression": (REFERENCE, "PARegressor", "LinearRegression"),
}


def known_names(task: str) -> tuple[str, ...]:
    return (REFERENCE, *REGISTRY[task])


def parse_candidates(value: str | tuple[str, ...], task: str) -> tuple[str, ...]:
    """The names of a comma-separated setting, reference first and each once; an unknown
    name is refused with the known ones."""
    names = value.split(",") if isinstance(value, str) else value
    chosen = [REFERENCE]
    for name in (name.strip() for name in names):
        if name and name not in known_names(task):
            known = ", ".join(known_names(task))
            raise ValueError(f"unknown {task} candidate {name!r}; known: {known}")
        if name and name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def build(task: str, name: str) -> Any:
    return REGISTRY[task][name]()
