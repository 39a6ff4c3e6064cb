"""A task is a model plus its scores; `step` is one row of progressive validation.

The order is River's `progressive_val_score`: predict with the current model, update the
metrics with that prediction, then `learn_one`. A task is pickled whole into a snapshot,
so restoring it restores the model and its metric state together.
"""

from typing import Any, Literal, Protocol

from api.learning import pipelines
from api.learning.rows import StreamRow
from api.learning.scores import ClassificationScores, RegressionScores

TaskName = Literal["classification", "regression"]
CLASSIFICATION: TaskName = "classification"
REGRESSION: TaskName = "regression"
TASKS: tuple[TaskName, ...] = (CLASSIFICATION, REGRESSION)


class Scores(Protocol):
    def report(self) -> dict[str, Any]: ...

    def rolling_report(self) -> dict[str, Any]: ...


class Task(Protocol):
    """A model with its scores, learning one row at a time."""

    @property
    def name(self) -> TaskName: ...

    @property
    def scores(self) -> Scores: ...

    def step(self, row: StreamRow) -> dict[str, Any]: ...

    def coefficients(self) -> dict[str, float]: ...


class ClassificationTask:
    name: TaskName = CLASSIFICATION

    def __init__(self, window: int):
        self.model = pipelines.build_classifier()
        self.scores = ClassificationScores(window)

    def predict(self, competence: float, network_ability: float) -> tuple[bool, float]:
        x = pipelines.classification_features(competence, network_ability)
        probability = float(self.model.predict_proba_one(x).get(True, 0.5))
        return probability >= 0.5, probability

    def step(self, row: StreamRow) -> dict[str, Any]:
        predicted, probability = self.predict(row.competence, row.network_ability)
        self.scores.update(row.promoted, predicted, probability)
        x = pipelines.classification_features(row.competence, row.network_ability)
        self.model.learn_one(x, row.promoted)
        return {
            "id": row.id,
            "competence": row.competence,
            "network_ability": row.network_ability,
            "promoted": row.promoted,
            "predicted": predicted,
            "probability": probability,
        }

    def coefficients(self) -> dict[str, float]:
        return pipelines.classifier_coefficients(self.model)


class RegressionTask:
    name: TaskName = REGRESSION

    def __init__(self, window: int):
        self.model = pipelines.build_regressor()
        self.scores = RegressionScores(window)

    def predict(self, competence: float, promoted: bool) -> float:
        return float(self.model.predict_one(pipelines.regression_features(competence, promoted)))

    def step(self, row: StreamRow) -> dict[str, Any]:
        predicted = self.predict(row.competence, row.promoted)
        self.scores.update(row.network_ability, predicted)
        x = pipelines.regression_features(row.competence, row.promoted)
        self.model.learn_one(x, row.network_ability)
        return {
            "id": row.id,
            "competence": row.competence,
            "promoted": row.promoted,
            "network_ability": row.network_ability,
            "predicted": predicted,
        }

    def coefficients(self) -> dict[str, float]:
        return pipelines.regressor_coefficients(self.model)


TASK_TYPES: dict[str, type[ClassificationTask | RegressionTask]] = {
    CLASSIFICATION: ClassificationTask,
    REGRESSION: RegressionTask,
}


def new_tasks(window: int) -> dict[str, Task]:
    return {name: task_type(window) for name, task_type in TASK_TYPES.items()}
