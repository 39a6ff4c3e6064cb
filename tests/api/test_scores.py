"""Progressive-validation scores: each metric computed by hand from the same outcomes."""

import math
import pickle
import random

import pytest

from api.learning.scores import ClassificationScores, RegressionScores


def classification_outcomes(count: int, *, seed: int = 3) -> list[tuple[bool, bool, float]]:
    """(truth, prediction, probability of promoted), the prediction right about 3 in 4."""
    rng = random.Random(seed)
    outcomes = []
    for _ in range(count):
        truth = rng.random() < 0.4
        probability = min(max(rng.gauss(0.7 if truth else 0.3, 0.2), 0.01), 0.99)
        outcomes.append((truth, probability >= 0.5, probability))
    return outcomes


def scored(outcomes, window: int = 1_000) -> ClassificationScores:
    scores = ClassificationScores(window)
    for outcome in outcomes:
        scores.update(*outcome)
    return scores


def test_classification_scores_equal_the_formulas_over_the_confusion_counts():
    outcomes = classification_outcomes(500)
    report = scored(outcomes).report()
    tp = sum(t and p for t, p, _ in outcomes)
    fp = sum(p and not t for t, p, _ in outcomes)
    tn = sum(not t and not p for t, p, _ in outcomes)
    fn = sum(t and not p for t, p, _ in outcomes)
    assert report["confusion_matrix"] == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    assert report["count"] == len(outcomes) == tp + fp + tn + fn
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    mcc = (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert report["accuracy"] == pytest.approx((tp + tn) / len(outcomes))
    assert report["precision"] == pytest.approx(precision)
    assert report["recall"] == pytest.approx(recall)
    assert report["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert report["mcc"] == pytest.approx(mcc)


def test_log_loss_and_roc_auc_read_the_probability_not_the_label():
    outcomes = classification_outcomes(500)
    report = scored(outcomes).report()
    losses = [-math.log(p if t else 1 - p) for t, _, p in outcomes]
    assert report["log_loss"] == pytest.approx(sum(losses) / len(losses))
    # Probabilities that rank every promoted row first, with labels that are all wrong.
    ranked = [(truth, not truth, 0.9 if truth else 0.1) for truth, _, _ in outcomes]
    separated = scored(ranked).report()
    assert separated["roc_auc"] == pytest.approx(1.0)
    assert separated["accuracy"] == 0.0


def test_the_rolling_report_covers_only_the_last_window_of_rows():
    outcomes = classification_outcomes(700)
    rolling = scored(outcomes, window=200).rolling_report()
    assert rolling == scored(outcomes[-200:]).report()
    assert rolling["count"] == 200


def test_a_report_before_any_row_counts_nothing_and_holds_no_nan():
    report = ClassificationScores(10).report()
    assert report["count"] == 0
    assert report["confusion_matrix"] == {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    assert all(
        value is None or math.isfinite(value)
        for value in report.values()
        if not isinstance(value, dict)
    )


def test_a_snapshot_with_a_matrix_per_metric_reads_one_shared_matrix_once_restored():
    """Snapshots written before the matrix was shared: after a restore every label metric
    counts each new row once, in the same matrix."""
    outcomes = classification_outcomes(300)
    old = scored(outcomes[:200])
    confusion = old.cumulative["confusion"]
    for name, metric in old.cumulative.items():
        if name != "confusion" and hasattr(metric, "cm"):
            metric.cm = pickle.loads(pickle.dumps(confusion))
    restored = pickle.loads(pickle.dumps(old))
    for outcome in outcomes[200:]:
        restored.update(*outcome)
    assert restored.report() == scored(outcomes).report()


def test_regression_scores_equal_the_formulas():
    rng = random.Random(8)
    pairs = [(truth, truth + rng.gauss(0, 0.1)) for truth in (rng.random() for _ in range(400))]
    scores = RegressionScores(100)
    for truth, predicted in pairs:
        scores.update(truth, predicted)
    errors = [predicted - truth for truth, predicted in pairs]
    mean = sum(truth for truth, _ in pairs) / len(pairs)
    total = sum((truth - mean) ** 2 for truth, _ in pairs)
    report = scores.report()
    assert report["count"] == 400
    assert report["mae"] == pytest.approx(sum(map(abs, errors)) / len(errors))
    assert report["rmse"] == pytest.approx(math.sqrt(sum(e * e for e in errors) / len(errors)))
    assert report["r2"] == pytest.approx(1 - sum(e * e for e in errors) / total)
    window = pairs[-100:]
    rolling = scores.rolling_report()
    assert rolling["count"] == 100
    assert rolling["mae"] == pytest.approx(sum(abs(p - t) for t, p in window) / 100)


def test_a_score_that_is_not_finite_is_reported_as_none():
    """JSON has no NaN or infinity: a model that overflowed shows gaps, not a broken body."""
    scores = RegressionScores(10)
    scores.update(0.5, float("inf"))
    report = scores.report()
    assert report["mae"] is None and report["rmse"] is None
