"""The terms of the linear models' answers and the classifier's interval on its probability:
the terms add up to the logit or the prediction, and the probability lies inside its
interval, for every candidate that has them; the others have none."""

import math
import random
from dataclasses import replace

import pytest

from api.learning import candidate_models, candidates, explain, pipelines
from api.learning.options import DEFAULT_OPTIONS
from api.learning.tasks import ClassificationTask, RegressionTask
from harness.streams import learn, simulated

# People asked about: the corners and the middle of the unit square, and values of our own.
PEOPLE = [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.5, 0.5), (0.71, 0.37), (0.23, 0.91), (0.88, 0.12)]
EVERY_CANDIDATE = replace(
    DEFAULT_OPTIONS,
    classification_candidates=candidates.known_names("classification"),
    regression_candidates=candidates.known_names("regression"),
)
LINEAR = {
    "classification": {"reference", "LogisticRegression"},
    "regression": {
        "reference",
        "PARegressor",
        "LinearRegression",
        "ForgettingBayesianLinearRegression",
    },
}


@pytest.fixture(scope="module")
def learned_tasks():
    """Both tasks after 3,000 simulated rows, every registered candidate racing."""
    tasks, _, _ = learn(simulated(3_000), options=EVERY_CANDIDATE)
    return tasks


def logit(probability: float) -> float:
    return math.log(probability / (1.0 - probability))


def skewed_rows(count: int) -> list[tuple[dict[str, float], bool, float]]:
    """Features with means and spreads far from 0 and 1, so a term that forgot to undo the
    scaling is far off: (classification features, promoted, network_ability)."""
    rng = random.Random(11)
    rows = []
    for _ in range(count):
        competence, ability = rng.gauss(40, 12), rng.gauss(0.3, 0.05)
        promoted = 0.1 * (competence - 40) + 30 * (ability - 0.3) + rng.gauss(0, 1) > 0
        rows.append(({"competence": competence, "network_ability": ability}, promoted, ability))
    return rows


@pytest.mark.parametrize("name", ["reference", "LogisticRegression"])
def test_the_terms_of_a_linear_classifier_add_up_to_its_logit(learned_tasks, name):
    task = learned_tasks["classification"]
    for competence, network_ability in PEOPLE:
        answer = explain.promotion_answer(task, competence, network_ability, name)
        terms = answer["contributions"]
        assert set(terms) == {"intercept", "competence", "network_ability"}
        assert sum(terms.values()) == pytest.approx(logit(answer["probability"]), abs=1e-9)


@pytest.mark.parametrize("name", sorted(LINEAR["regression"]))
def test_the_terms_of_a_linear_regression_add_up_to_its_prediction(learned_tasks, name):
    task = learned_tasks["regression"]
    for competence, promoted in [(0.0, False), (1.0, True), (0.71, True), (0.42, False)]:
        answer = explain.network_ability_answer(task, competence, promoted, name)
        terms = answer["contributions"]
        assert set(terms) == {"intercept", "competence", "promoted"}
        assert sum(terms.values()) == pytest.approx(answer["network_ability"], abs=1e-12)
        # A person not promoted: the `promoted` term is nothing.
        assert promoted or terms["promoted"] == 0.0


@pytest.mark.parametrize("name", ["reference", "LogisticRegression"])
def test_the_logit_terms_undo_the_scaling_of_skewed_features(name):
    """Each feature's term is its coefficient in original units times its value: moving one
    feature moves only its own term, by the same amount the logit moves."""
    model = (
        pipelines.build_classifier()
        if name == "reference"
        else candidate_models.build("classification", name)
    )
    for x, promoted, _ in skewed_rows(2_000):
        model.learn_one(x, promoted)
    low = {"competence": 35.0, "network_ability": 0.28}
    high = {**low, "competence": 45.0}
    before, after = explain.contributions(model, low), explain.contributions(model, high)
    moved = logit(model.predict_proba_one(high)[True]) - logit(model.predict_proba_one(low)[True])
    assert after["competence"] - before["competence"] == pytest.approx(moved, rel=1e-9)
    assert after["competence"] / before["competence"] == pytest.approx(45.0 / 35.0)
    assert (after["intercept"], after["network_ability"]) == (
        before["intercept"],
        before["network_ability"],
    )
    for x in (low, high):
        terms = explain.contributions(model, x)
        assert sum(terms.values()) == pytest.approx(logit(model.predict_proba_one(x)[True]))


def test_the_scaled_linear_regression_folds_the_constant_feature_into_the_intercept():
    """The regression's constant `intercept` feature has no spread, so its scaled value is 0:
    its term is part of the intercept's, and the terms still add up to the prediction."""
    model = candidate_models.build("regression", "LinearRegression")
    for x, promoted, ability in skewed_rows(1_000):
        model.learn_one(pipelines.regression_features(x["competence"] / 80, promoted), ability)
    x = pipelines.regression_features(0.6, True)
    terms = explain.contributions(model, x)
    assert set(terms) == {"intercept", "competence", "promoted"}
    assert sum(terms.values()) == pytest.approx(model.predict_one(x), abs=1e-12)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_models_that_are_not_linear_have_no_terms(learned_tasks, task):
    race = learned_tasks[task].live_race
    others = [name for name in race.names() if name not in LINEAR[task]]
    assert others  # the trees, naive Bayes, FFM, the baselines, the polynomial model
    for name in others:
        x = (
            pipelines.classification_features(0.71, 0.37)
            if task == "classification"
            else pipelines.regression_features(0.71, True)
        )
        assert explain.contributions(race.model(name), x) is None, name


def test_the_probability_lies_inside_its_interval(learned_tasks):
    task = learned_tasks["classification"]
    for competence, network_ability in [*PEOPLE, (2.0, -1.0), (-3.0, 4.0)]:
        answer = explain.promotion_answer(task, competence, network_ability, "reference")
        low, high = answer["interval"]
        assert 0.0 <= low <= answer["probability"] <= high <= 1.0
        assert low < high or answer["probability"] in (0.0, 1.0)


def test_the_interval_is_widest_where_the_rows_are_fewest(learned_tasks):
    """The logit's interval grows with the distance from the rows' centre: a person far
    outside the unit square is less certain, on the logit's scale, than one in the middle."""
    model = learned_tasks["classification"].model

    def logit_width(competence: float, network_ability: float) -> float:
        low, high = model.logit_interval(
            pipelines.classification_features(competence, network_ability)
        )
        return high - low

    assert logit_width(3.0, 3.0) > 3 * logit_width(0.5, 0.5)


def test_only_the_reference_classifier_has_an_interval(learned_tasks):
    task = learned_tasks["classification"]
    for name in task.live_race.names():
        interval = explain.promotion_answer(task, 0.71, 0.37, name)["interval"]
        assert (interval is not None) == (name == "reference"), name


def test_a_fresh_classifier_has_no_interval_and_its_terms_add_up_to_a_logit_of_zero():
    task = ClassificationTask(100, racing=True)
    answer = explain.promotion_answer(task, 0.71, 0.37, "reference")
    assert answer["probability"] == 0.5 and answer["interval"] is None
    assert sum(answer["contributions"].values()) == 0.0


def test_without_uncertainty_the_classifier_gives_no_interval(learned_tasks):
    task = learned_tasks["classification"]
    quiet = ClassificationTask(100, replace(DEFAULT_OPTIONS, uncertainty_and_drift=False))
    quiet.model = task.model
    answer = explain.promotion_answer(quiet, 0.71, 0.37, "reference")
    assert answer["interval"] is None
    assert (
        answer["contributions"]
        == explain.promotion_answer(task, 0.71, 0.37, "reference")["contributions"]
    )


def test_a_term_that_overflows_gives_no_terms_rather_than_infinity(learned_tasks):
    """Competence's weight is about 12: times 1e308 it is no longer a float."""
    model = learned_tasks["classification"].model
    assert explain.contributions(model, pipelines.classification_features(1e308, 0.5)) is None
    assert explain.contributions(model, pipelines.classification_features(1e300, 0.5))


def test_only_the_reference_regression_has_a_predictive_interval():
    task = RegressionTask(100, EVERY_CANDIDATE)
    for row in simulated(200):
        task.learn_one(row)
    for name in task.live_race.names():
        interval = explain.network_ability_answer(task, 0.71, True, name)["interval"]
        assert (interval is not None) == (name == "reference"), name
