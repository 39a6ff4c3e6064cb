"""Progressive-validation metrics for each task, cumulative and over a rolling window.

The cumulative metrics are River metrics updated row by row. The rolling ones are
recomputed from the last `window` outcomes when a report is asked for, which keeps the
pickled state small: one deque instead of a window per metric.
"""

import math
from collections import deque
from typing import Any

from river import metrics

from api.learning.committed import LeaderboardEntry
from api.learning.roc import BinnedROCAUC

Outcome = tuple[Any, ...]


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


class ClassificationScores:
    """accuracy, precision, recall, f1, roc_auc, log_loss, mcc and the confusion matrix.

    The label metrics read one shared confusion matrix, which is updated once a row; the
    metrics that want the probability (River's `requires_labels` is False) get it.
    """

    def __init__(self, window: int):
        self.cumulative = self._fresh()
        self.recent: deque[Outcome] = deque(maxlen=window)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Snapshots from before the matrix was shared hold one matrix per metric, each
        # with the same counts: from now on they all read the bundle's one.
        self.__dict__.update(state)
        for metric in self.cumulative.values():
            if isinstance(metric, metrics.base.ClassificationMetric) and hasattr(metric, "cm"):
                metric.cm = self.cumulative["confusion"]

    @staticmethod
    def _fresh() -> dict[str, metrics.base.Metric]:
        shared = metrics.ConfusionMatrix()
        return {
            "accuracy": metrics.Accuracy(cm=shared),
            "precision": metrics.Precision(cm=shared),
            "recall": metrics.Recall(cm=shared),
            "f1": metrics.F1(cm=shared),
            "roc_auc": BinnedROCAUC(),
            "log_loss": metrics.LogLoss(),
            "mcc": metrics.MCC(cm=shared),
            "confusion": shared,
        }

    @staticmethod
    def _update(bundle, y_true: bool, y_pred: bool, probability: float) -> None:
        bundle["confusion"].update(y_true, y_pred)
        proba = {True: probability, False: 1.0 - probability}
        for metric in bundle.values():
            if not metric.requires_labels:
                metric.update(y_true, proba)

    @staticmethod
    def _report(bundle) -> dict[str, Any]:
        confusion = bundle["confusion"]
        report: dict[str, Any] = {
            name: _finite(metric.get()) for name, metric in bundle.items() if name != "confusion"
        }
        report["count"] = int(confusion.total_weight)
        report["confusion_matrix"] = {
            "tp": int(confusion[True][True]),
            "fp": int(confusion[False][True]),
            "tn": int(confusion[False][False]),
            "fn": int(confusion[True][False]),
        }
        return report

    def update(self, y_true: bool, y_pred: bool, probability: float) -> None:
        self._update(self.cumulative, y_true, y_pred, probability)
        self.recent.append((y_true, y_pred, probability))

    def report(self) -> dict[str, Any]:
        return self._report(self.cumulative)

    def rolling_report(self) -> dict[str, Any]:
        bundle = self._fresh()
        for outcome in self.recent:
            self._update(bundle, *outcome)
        return self._report(bundle)


class RegressionScores:
    """mae, rmse and r2."""

    def __init__(self, window: int):
        self.cumulative = self._fresh()
        self.recent: deque[Outcome] = deque(maxlen=window)
        self.count = 0

    @staticmethod
    def _fresh() -> dict[str, metrics.base.Metric]:
        return {"mae": metrics.MAE(), "rmse": metrics.RMSE(), "r2": metrics.R2()}

    def update(self, y_true: float, y_pred: float) -> None:
        for metric in self.cumulative.values():
            metric.update(y_true, y_pred)
        self.recent.append((y_true, y_pred))
        self.count += 1

    @staticmethod
    def _report(bundle, count: int) -> dict[str, Any]:
        return {**{name: _finite(metric.get()) for name, metric in bundle.items()}, "count": count}

    def report(self) -> dict[str, Any]:
        return self._report(self.cumulative, self.count)

    def rolling_report(self) -> dict[str, Any]:
        bundle = self._fresh()
        for y_true, y_pred in self.recent:
            for metric in bundle.values():
                metric.update(y_true, y_pred)
        return self._report(bundle, len(self.recent))


def leaderboard_entry(name: str, scores: Any) -> LeaderboardEntry:
    """A candidate's entry on a leaderboard: its cumulative and rolling metrics."""
    report = scores.report()
    rolling = scores.rolling_report()
    return {
        "name": name,
        "rows_seen": report["count"],
        "metrics": report,
        "rolling_metrics": rolling,
    }
