"""A drift detector on a task's per-row progressive loss.

River's ADWIN keeps an adaptive window of the losses and cuts its older part off when the
two parts' means differ more than chance allows. Only a cut after which the loss is
*higher* is a drift event: a lower loss is the model learning, which ADWIN also sees
(the loss falls over the first thousands of rows) and which is no alarm.
"""

from river import drift

DETECTOR = "ADWIN"
# Smaller than River's default 0.002: one false alarm in 50,000 stationary rows is one too
# many for an alert a person reads, and a real change of the world is large.
DELTA = 1e-4


class LossWatch:
    """Feeds each row's loss to ADWIN and reports the increases it detects."""

    def __init__(self) -> None:
        self.detector = drift.ADWIN(delta=DELTA)

    def update(self, loss: float) -> tuple[float, float] | None:
        """(loss before, loss after) when this row revealed a rise of the loss."""
        detector = self.detector
        width, total = detector.width, detector.total
        detector.update(loss)
        if not detector.drift_detected:
            return None
        kept = detector.width
        if kept == 0 or kept > width:
            return None
        loss_after = detector.total / kept
        dropped = width + 1 - kept
        loss_before = (total + loss - detector.total) / dropped
        return (loss_before, loss_after) if loss_after > loss_before else None
