"""A detector of the relationship itself: has a coefficient moved?

A change of the world that the models follow (a promotion rule that turns around) barely
moves their loss, which ADWIN watches, yet it is what a user most needs to be told. So
each task also fits every block of `BLOCK_ROWS` learned rows on its own and tests it
against the task's model with a Wald test: for each coefficient,
z = (block estimate - model's estimate) / sqrt(block variance + model variance). The model
also learnt the block's rows, so the two estimates are not independent and adding their
variances makes the test conservative. A |z| beyond `Z_THRESHOLD` is a change: the event
names the coefficient that moved most, from the model's value to the block's.

The task's model then starts a new regime from the block's rows: its coefficients and
intervals describe the world as it now is, not the average of two worlds. The block that
raised the event may straddle the change, so the next block, wholly in the new world, is
not tested but starts the regime again on its own.

With 500-row blocks a change is told within about 1,000 rows of it. Under a stationary
stream each block's z is about standard normal: with six coefficients over 100,000 rows,
|z| > 5.5 is a false alarm about once in 20 million rows.
"""

import math
from dataclasses import dataclass, replace
from typing import Any

BLOCK_ROWS = 500
Z_THRESHOLD = 5.0
DETECTOR = "relationship"
INTERCEPT = "intercept"

Estimate = tuple[dict[str, float], dict[str, float]]  # coefficients, their variances


@dataclass(frozen=True)
class Moved:
    """The coefficient that moved most, from the model's value to the block's."""

    coefficient: str
    before: float
    after: float
    z: float


def most_moved(model: Estimate, block: Estimate, threshold: float = Z_THRESHOLD) -> Moved | None:
    """Of the coefficients whose Wald statistic is beyond `threshold`, the feature's with
    the largest (a feature's weight is what a reader calls the relationship); the
    intercept's only when no feature's moved.

    >>> model = ({"intercept": 1.0, "slope": 2.0}, {"intercept": 0.01, "slope": 0.01})
    >>> most_moved(model, ({"intercept": 1.1, "slope": 2.1}, {"intercept": 0.01, "slope": 0.01}))
    >>> most_moved(model, ({"intercept": 9.0, "slope": -2.0}, {"intercept": 0.01, "slope": 0.03}))
    Moved(coefficient='slope', before=2.0, after=-2.0, z=-20.0)
    """
    (before, before_var), (after, after_var) = model, block
    beyond = []
    for name, value in before.items():
        variance = before_var.get(name, math.nan) + after_var.get(name, math.nan)
        if not variance > 0 or name not in after:
            continue
        z = (after[name] - value) / math.sqrt(variance)
        if abs(z) > threshold:
            beyond.append(Moved(name, value, after[name], z))
    features = [moved for moved in beyond if moved.coefficient != INTERCEPT]
    return max(features or beyond, key=lambda moved: abs(moved.z), default=None)


class RelationshipWatch:
    """The rows of the block under way, each with the model's progressive prediction, and
    the test of each complete block; a task's watch says how its model and a block are
    fitted (`api.learning.block_fits`)."""

    def __init__(self, block_rows: int = BLOCK_ROWS, threshold: float = Z_THRESHOLD):
        self.block_rows = block_rows
        self.threshold = threshold
        self.rows: list[tuple[Any, ...]] = []
        self.blocks = 0  # complete blocks since the regime began
        self.restart_next = False  # the next block starts the regime on its own
        self.start: Any = None  # the model's state when the block under way began

    def add(self, row: tuple[Any, ...]) -> bool:
        """Keep one learned row; True when it completes a block."""
        self.rows.append(row)
        return len(self.rows) >= self.block_rows

    def close_block(self, model: Any) -> tuple[Moved | None, Any]:
        """Test the complete block against `model`, which has learnt it: the coefficient
        that moved, if one did, and the model that starts a new regime, if one does (the
        block after a change starts it again on its own, quietly)."""
        rows, self.rows = self.rows, []
        start, self.start = self.start, self.state_of(model)
        self.blocks += 1
        if self.restart_next:
            self.restart_next, self.blocks = False, 1
            fresh = self.fresh(rows)[0]
            self.start = self.state_of(self.fitted(fresh))
            return None, fresh
        # The first block is most of what the model has learnt: nothing to test against.
        if self.blocks < 2 or start is None:
            return None, None
        block = self.block_estimate(start, self.start)
        moved = most_moved(self.estimate_of(model), block, self.threshold)
        if moved is None:
            return None, None
        # Confirmed only if a model that starts afresh on the block predicts its rows
        # better, progressively, than the model did: what a change means to a reader, and
        # beyond the reach of chance or of weights the data cannot pin down.
        fresh, fresh_loss = self.fresh(rows)
        if fresh_loss >= self.model_loss(rows):
            return None, None
        self.restart_next, self.blocks = True, 0
        self.start = self.state_of(self.fitted(fresh))
        after = self.estimate_of(self.fitted(fresh))[0].get(moved.coefficient, moved.after)
        return replace(moved, after=after), fresh

    def state_of(self, model: Any) -> Any:
        """What of the model's state `block_estimate` needs, or None (a model yet to start)."""
        raise NotImplementedError

    def block_estimate(self, start: Any, end: Any) -> Estimate:
        """The block's own estimate of the coefficients and their variances: what the
        model learnt between the states `start` and `end`."""
        raise NotImplementedError

    def estimate_of(self, model: Any) -> Estimate:
        raise NotImplementedError

    def fitted(self, fresh: Any) -> Any:
        """The model of what `fresh` returns."""
        return fresh

    def fresh(self, rows: list[tuple[Any, ...]]) -> tuple[Any, float]:
        """A new model learnt from the block alone, and its progressive loss on it."""
        raise NotImplementedError

    def model_loss(self, rows: list[tuple[Any, ...]]) -> float:
        """The model's progressive loss on the block, from the predictions kept with it."""
        raise NotImplementedError
