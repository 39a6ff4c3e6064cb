"""What the operator chose for the tasks, built once from the settings."""

from dataclasses import dataclass
from typing import Any, Literal

from api.learning import candidates
from api.learning.names import CLASSIFICATION, REGRESSION

DriftAction = Literal["alert", "reset"]


@dataclass(frozen=True)
class TaskOptions:
    """Applied to new and restored tasks alike (a snapshot's own are replaced)."""

    drift_action: DriftAction = "alert"
    uncertainty_and_drift: bool = True
    classification_candidates: tuple[str, ...] = candidates.DEFAULTS[CLASSIFICATION]
    regression_candidates: tuple[str, ...] = candidates.DEFAULTS[REGRESSION]
    champion_margin: float = 0.02
    champion_sustain_rows: int = 500
    relationship_detector: bool = True

    def candidates(self, task: str) -> tuple[str, ...]:
        return getattr(self, f"{task}_candidates")


DEFAULT_OPTIONS = TaskOptions()


def task_options(settings: Any) -> TaskOptions:
    """The options of the API's settings (`api.core.config.Settings`)."""
    return TaskOptions(
        settings.DRIFT_ACTION,
        settings.UNCERTAINTY_AND_DRIFT,
        classification_candidates=settings.CLASSIFICATION_CANDIDATES,
        regression_candidates=settings.REGRESSION_CANDIDATES,
        champion_margin=settings.CHAMPION_MARGIN,
        champion_sustain_rows=settings.CHAMPION_SUSTAIN_ROWS,
        relationship_detector=settings.RELATIONSHIP_DETECTOR,
    )
