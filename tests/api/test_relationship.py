"""The relationship detector's block estimates against statsmodels on the same rows, and
its guard against weights the data cannot pin down."""

import random

import numpy as np
import pytest
import statsmodels.api as sm

from api.learning.block_fits import LinearRelationshipWatch, LogisticRelationshipWatch
from api.learning.rows import StreamRow
from api.learning.tasks import ClassificationTask, RegressionTask
from harness.streams import REFERENCE_ONLY, learn, simulated

BLOCK = slice(3_000, 3_500)


@pytest.fixture(scope="module")
def rows() -> list[StreamRow]:
    return list(simulated(BLOCK.stop, seed=11))


def states_around_the_block(task, rows):
    """The task's relationship state before and after it learned the block's rows."""
    for row in rows[: BLOCK.start]:
        task.learn_one(row)
    start = task.relationship.state_of(watched_model(task))
    for row in rows[BLOCK]:
        task.learn_one(row)
    return start, task.relationship.state_of(watched_model(task))


def watched_model(task):
    """What the task hands its relationship watch: the model, and for the regression the
    sums kept beside it."""
    return task.model if task.name == "classification" else (task.model, task.uncertainty)


def test_the_regression_blocks_estimate_is_the_least_squares_of_its_rows(rows):
    """Read off the posterior's difference: OLS of the block's 500 rows to 1e-8, and its
    variances statsmodels' squared standard errors within 1e-6."""
    task = RegressionTask(500, REFERENCE_ONLY, racing=False)
    start, end = states_around_the_block(task, rows)
    estimates, variances = LinearRelationshipWatch().block_estimate(start, end)
    block = rows[BLOCK]
    x = sm.add_constant(np.array([(r.competence, float(r.promoted)) for r in block]))
    fit = sm.OLS(np.array([r.network_ability for r in block]), x).fit()
    names = ("intercept", "competence", "promoted")
    assert [estimates[n] for n in names] == pytest.approx(list(fit.params), abs=1e-8)
    assert [variances[n] for n in names] == pytest.approx(list(fit.bse**2), rel=1e-6)


def test_the_classification_blocks_estimate_is_close_to_its_rows_own_fit(rows):
    """A linearisation: within a fifth of a standard error of statsmodels' Logit on the
    block's rows, with standard errors within 15%."""
    task = ClassificationTask(500, REFERENCE_ONLY, racing=False)
    start, end = states_around_the_block(task, rows)
    estimates, variances = LogisticRelationshipWatch().block_estimate(start, end)
    block = rows[BLOCK]
    x = sm.add_constant(np.array([(r.competence, r.network_ability) for r in block]))
    fit = sm.Logit(np.array([float(r.promoted) for r in block]), x).fit(disp=0)
    for name, param, error in zip(
        ("intercept", "competence", "network_ability"), fit.params, fit.bse, strict=True
    ):
        assert estimates[name] == pytest.approx(param, abs=0.2 * error), name
        assert variances[name] ** 0.5 == pytest.approx(error, rel=0.15), name


def test_separable_classes_whose_weights_grow_without_bound_raise_no_event():
    """promoted = competence + network_ability > 1 exactly: every block fits the rows
    perfectly with its own ever larger weights; the predictions do not change, so the
    detector, which asks a fresh fit to predict better than the model, tells nothing."""
    rng = random.Random(4)
    rows = []
    for i in range(1, 30_001):
        competence, ability = rng.random(), rng.random()
        rows.append(StreamRow(i, competence, ability, competence + ability > 1))
    _, events, _ = learn(rows)
    assert [e for e in events if e["detector"] == "relationship"] == []
