"""The coefficient intervals against statsmodels on the same rows, and how they narrow."""

import numpy as np
import pytest
import statsmodels.api as sm

from harness.streams import CHECKPOINTS, simulated


def design(rows, names):
    columns = {
        "competence": [r.competence for r in rows],
        "network_ability": [r.network_ability for r in rows],
        "promoted": [float(r.promoted) for r in rows],
    }
    return sm.add_constant(np.column_stack([columns[name] for name in names]))


def width(interval) -> float:
    return interval[1] - interval[0]


@pytest.mark.parametrize("rows_seen", CHECKPOINTS)
def test_regression_intervals_are_the_ols_confidence_intervals(stationary_run, rows_seen):
    """Both ends of each coefficient's interval within 10% of the OLS interval's width."""
    rows, _, _, snapshots = stationary_run
    names = ("competence", "promoted")
    fit = sm.OLS([r.network_ability for r in rows[:rows_seen]], design(rows[:rows_seen], names))
    ols = dict(zip(("intercept", *names), fit.fit().conf_int(0.05), strict=True))
    _, intervals = snapshots[rows_seen]["regression"]
    for name, (low, high) in ols.items():
        ours = intervals[name]
        assert abs(ours[0] - low) < 0.1 * (high - low), name
        assert abs(ours[1] - high) < 0.1 * (high - low), name


@pytest.mark.parametrize("rows_seen", CHECKPOINTS)
def test_classification_intervals_are_as_wide_as_logit_standard_errors(stationary_run, rows_seen):
    """Each interval's width within 20% of 2 x 1.96 x statsmodels' Logit standard error."""
    rows, _, _, snapshots = stationary_run
    names = ("competence", "network_ability")
    fit = sm.Logit([float(r.promoted) for r in rows[:rows_seen]], design(rows[:rows_seen], names))
    errors = dict(zip(("intercept", *names), fit.fit(disp=0).bse, strict=True))
    _, intervals = snapshots[rows_seen]["classification"]
    for name, error in errors.items():
        assert width(intervals[name]) == pytest.approx(2 * 1.959964 * error, rel=0.2), name


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_intervals_narrow_as_one_over_the_square_root_of_the_rows(stationary_run, task):
    """Ten times the rows: each interval about sqrt(10) times narrower (within 10%)."""
    _, _, _, snapshots = stationary_run
    early, late = (snapshots[n][task][1] for n in CHECKPOINTS)
    for name in early:
        assert width(early[name]) / width(late[name]) == pytest.approx(10**0.5, rel=0.1), name


def test_the_regression_predictive_interval_covers_95_percent_of_new_rows(stationary_run):
    """The 95% predictive interval of the model after 50,000 rows holds 94-98% of the next
    5,000 rows' network_ability (more than 95%: the residuals of a uniform network ability
    are bounded, with thinner tails than the normal the interval assumes)."""
    _, tasks, _, _ = stationary_run
    fresh = list(simulated(55_000))[50_000:]
    inside = 0
    for row in fresh:
        low, high = tasks["regression"].predictive_interval(row.competence, row.promoted)
        inside += low <= row.network_ability <= high
    assert 0.94 <= inside / len(fresh) <= 0.98
