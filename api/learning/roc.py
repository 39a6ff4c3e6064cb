"""River's ROC AUC, counted once a row instead of once a threshold.

River's `ROCAUC` keeps one confusion matrix per threshold and updates all ten on each row,
which made it the dearest metric of all once every candidate was scored. A row only
falls between two neighbouring thresholds, so counting the rows of each label per gap
is enough: the matrix at a threshold is a sum over the gaps above it. `get` then builds
the same true- and false-positive rates and integrates them the same way.

>>> from river import metrics
>>> binned, river = BinnedROCAUC(), metrics.ROCAUC()
>>> for y, p in [(True, 0.9), (False, 0.4), (True, 0.35), (False, 0.8), (True, 0.6)]:
...     binned.update(y, p)
...     river.update(y, p)
>>> binned.get() == float(river.get())
True
"""

from bisect import bisect_left
from typing import Any

from river import metrics
from scipy import integrate


class BinnedROCAUC(metrics.ROCAUC):
    def __init__(self, n_thresholds: int = 10, pos_val: Any = True):
        super().__init__(n_thresholds=n_thresholds, pos_val=pos_val)
        del self.cms
        # counts[label][k]: rows whose probability is above exactly k thresholds.
        self.counts = {True: [0.0] * (n_thresholds + 1), False: [0.0] * (n_thresholds + 1)}

    def update(self, y_true, y_pred, w=1.0) -> None:
        p_true = y_pred.get(True, 0.0) if isinstance(y_pred, dict) else y_pred
        self.counts[y_true == self.pos_val][bisect_left(self.thresholds, p_true)] += w

    def revert(self, y_true, y_pred, w=1.0) -> None:
        self.update(y_true, y_pred, -w)

    def get(self) -> float:
        positives, negatives = self.counts[True], self.counts[False]
        all_positives, all_negatives = sum(positives), sum(negatives)
        tprs, fprs = [], []
        for threshold in range(self.n_thresholds):
            tp, fp = sum(positives[threshold + 1 :]), sum(negatives[threshold + 1 :])
            tprs.append(tp / all_positives if all_positives else 0.0)
            fprs.append(fp / all_negatives if all_negatives else 0.0)
        return float(-integrate.trapezoid(x=fprs, y=tprs))
