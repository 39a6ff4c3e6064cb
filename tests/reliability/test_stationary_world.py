"""A world that never changes, learned by the real services over HTTP: no event, no
fence met, and intervals that hold their coefficients and are as wide as statsmodels
says, on the simulator's stream and on a challenge-shaped main.db of other
distributions."""

import numpy as np
import pytest
import statsmodels.api as sm

from harness.streams import read_db, write_challenge_shaped_db
from tests.support.worlds import REFERENCE_ONLY, TASKS, learned_world

pytestmark = pytest.mark.e2e

TERMS = ("intercept", "competence", "promoted")


@pytest.fixture(scope="module", params=["simulator", "challenge-shaped"])
def stationary(request, tmp_path_factory):
    """100,000 rows of a world that never changes: the simulator's (another seed), or a
    challenge-shaped main.db with other distributions (skewed competence, bell-shaped
    network ability, a steeper rule)."""
    directory = tmp_path_factory.mktemp(request.param)
    db_path = directory / "main.db"
    if request.param == "challenge-shaped":
        write_challenge_shaped_db(db_path, rows=100_000, seed=3141)
    with learned_world(
        directory,
        db_path=db_path,
        rows=100_000,
        timeout=300,
        api_settings=REFERENCE_ONLY,
        SIMULATOR_SEED=577,
    ) as learned:
        history = {task: learned.read(f"/{task}/history?limit=2000")["points"] for task in TASKS}
        yield learned, db_path, history


def test_100000_stationary_rows_raise_no_event_and_meet_no_fence(stationary):
    learned, _, _ = stationary
    assert learned.events == {"classification": [], "regression": []}
    assert learned.status["rows_quarantined"] == 0
    assert learned.status["rows_seen"] == 100_000


def test_every_coefficient_shown_lies_inside_its_own_interval(stationary):
    """In `latest` and in every history point of the run, both tasks."""
    learned, _, history = stationary
    for task in TASKS:
        points = [learned.latest[task], *history[task]]
        versions = [point["model_version"] for point in history[task]]
        assert versions == list(range(1, len(versions) + 1)), "every version, once"
        for point in points:
            intervals = point["coefficient_intervals"]
            if intervals is None:  # the first rows, before there is any
                assert point["rows_seen"] < 20, point
                continue
            for name, value in point["coefficients"].items():
                low, high = intervals[name]
                assert low <= value <= high, (task, point["model_version"], name)


def test_the_intervals_are_as_wide_as_statsmodels_says(stationary):
    """After 100,000 rows: the classifier's within 20% of statsmodels' Logit width, the
    regression's ends within 10% of the OLS interval's width."""
    learned, db_path, _ = stationary
    rows = list(read_db(db_path))
    competence = np.array([r.competence for r in rows])
    ability = np.array([r.network_ability for r in rows])
    promoted = np.array([float(r.promoted) for r in rows])
    logit = sm.Logit(promoted, sm.add_constant(np.column_stack([competence, ability]))).fit(disp=0)
    ours = learned.latest["classification"]["coefficient_intervals"]
    for name, error in zip(("intercept", "competence", "network_ability"), logit.bse, strict=True):
        low, high = ours[name]
        assert high - low == pytest.approx(2 * 1.959964 * error, rel=0.2), name
    ols = sm.OLS(ability, sm.add_constant(np.column_stack([competence, promoted]))).fit()
    ours = learned.latest["regression"]["coefficient_intervals"]
    for name, (low, high) in zip(TERMS, ols.conf_int(0.05), strict=True):
        assert ours[name][0] == pytest.approx(low, abs=0.1 * (high - low)), name
        assert ours[name][1] == pytest.approx(high, abs=0.1 * (high - low)), name
