"""A task is a model plus its scores; `learn_one` is one row of progressive validation.

The order is River's `progressive_val_score`: predict with the current model, update the
metrics with that prediction, then `learn_one`. Beside the metrics each task keeps what
its intervals need (`api.learning.uncertainty`) and watches its per-row loss for drift
(`api.learning.drift`); a detection waits in the task until the learner drains it into
the tick it commits. Each row also goes through the task's race (`api.learning.race`):
the other candidate models predict, are scored and learn it too, and the champion among
them is judged; in the learner the race runs in a process of its own, a little behind
(`api.learner.race_process`), and the task's `race` is None meanwhile. A task is pickled
whole into a snapshot, so restoring it restores the model, its metric state, its
interval statistics, its detector and every candidate together, and an event of rows
that were never committed is forgotten with them: exactly once.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from api.learning import candidates, pipelines, relationship
from api.learning.bayesian_logistic import BayesianLogisticRegression
from api.learning.block_fits import LinearRelationshipWatch, LogisticRelationshipWatch
from api.learning.committed import DriftEventValues, LeaderboardEntry
from api.learning.drift import DETECTOR, LossWatch
from api.learning.events import drained
from api.learning.names import CLASSIFICATION, REGRESSION, TaskName
from api.learning.options import DEFAULT_OPTIONS, TaskOptions
from api.learning.race_messages import RaceBlob
from api.learning.relationship import Moved, RelationshipWatch
from api.learning.rows import StreamRow
from api.learning.scores import ClassificationScores, RegressionScores
from api.learning.uncertainty import Interval, RegressionUncertainty

if TYPE_CHECKING:
    from api.learning.race import Race


class Task:
    """A model with its scores, learning one row at a time."""

    name: TaskName
    scores: Any
    loss_watch: LossWatch
    relationship_type: type[RelationshipWatch]
    # The race stepped with the task, row by row, when both run in one process; None in
    # the learner, whose races run in the race process.
    race: "Race | None"
    # The race as the race process last pickled it: what a snapshot of the learner's task
    # holds, and what the API unpickles when a candidate is asked for.
    race_blob: RaceBlob | None = None

    def __init__(self, window: int, options: TaskOptions = DEFAULT_OPTIONS, *, racing: bool = True):
        self.window = window
        self.options = options
        self.drift_events: list[dict[str, Any]] = []
        self.rows_since_drain = 0
        self.start_afresh()
        self.race = self.new_race() if racing else None

    def new_race(self) -> "Race":
        # Imported here: the learner builds no race, so it never imports every candidate's
        # River module (a second of its start).
        from api.learning.race import new_race

        return new_race(
            self.name,
            self.options.candidates(self.name),
            self.window,
            margin=self.options.champion_margin,
            sustain=self.options.champion_sustain_rows,
        )

    def configure(self, options: TaskOptions) -> None:
        """The settings of this run, not of the snapshot's; the candidates named now race
        (a race in the race process is told there)."""
        self.options = options
        if self.race is not None:
            self.race.set_candidates(
                options.candidates(self.name),
                margin=options.champion_margin,
                sustain=options.champion_sustain_rows,
            )

    @property
    def live_race(self) -> "Race":
        """The race; a snapshot's is unpickled from its blob the first time it is asked
        for (before the race process first answered, it is a fresh one)."""
        blob = self.race_blob
        if self.race is None and blob is not None:
            self.race = blob.load() if blob.data is not None else self.new_race()
        if self.race is None:
            raise RuntimeError(f"the {self.name} race runs in the race process")
        return self.race

    @property
    def champion(self) -> str:
        return self.live_race.champion.name

    def leaderboard(self) -> list[LeaderboardEntry]:
        return self.live_race.leaderboard()

    def start_afresh(self) -> None:
        """A new model, new scores, new interval statistics and a new detector."""
        raise NotImplementedError

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "options" not in state:
            # A release-1 snapshot: its model and scores go on; the interval statistics
            # and the detector start with the rows learned from now on.
            self.window, self.options = self.scores.recent.maxlen or 1, DEFAULT_OPTIONS
            self.drift_events, self.rows_since_drain = [], 0
            self.start_statistics()
        if "relationship" not in state and "loss_watch" in state:
            # A snapshot from before the relationship detector: it watches from now on.
            self.relationship = self.relationship_type()
            self.block_loss = self.previous_block_loss = 0.0
        if "race" not in state:
            # A snapshot from before the race: the candidates start with the rows learned
            # from now on, where the task's cursor stands, and the reference is champion
            # until one beats it.
            self.race = self.new_race()
            self.race.placed = False

    def start_statistics(self) -> None:
        """A new detector of each kind."""
        self.loss_watch = LossWatch()
        self.relationship = self.relationship_type()
        self.block_loss = self.previous_block_loss = 0.0

    def learn_one(self, row: StreamRow) -> dict[str, Any]:
        """Predict, score, watch the loss, then learn: one row of progressive validation."""
        raise NotImplementedError

    def coefficients(self) -> dict[str, float]:
        raise NotImplementedError

    def coefficient_intervals(self) -> dict[str, Interval] | None:
        raise NotImplementedError

    def watch(self, loss: float, block_row: tuple[Any, ...]) -> None:
        """After learning a row: feed its loss to ADWIN and the row to the relationship
        detector; on a change, record it (and reset, if asked)."""
        self.rows_since_drain += 1
        if not self.options.uncertainty_and_drift:
            return
        self.block_loss += loss
        change = self.loss_watch.update(loss)
        if change is not None:
            self.record_change(DETECTOR, *change)
        if self.options.relationship_detector:
            rows = self.relationship.rows
            rows.append(block_row)
            if len(rows) >= self.relationship.block_rows:
                self.close_block()

    def close_block(self) -> None:
        loss = self.block_loss / max(self.relationship.block_rows, 1)
        previous_loss, self.previous_block_loss, self.block_loss = (
            self.previous_block_loss,
            loss,
            0.0,
        )
        moved = self.test_block()
        if moved is not None:
            self.record_change(
                relationship.DETECTOR,
                previous_loss,
                loss,
                coefficient=moved.coefficient,
                value_before=moved.before,
                value_after=moved.after,
            )

    def test_block(self) -> Moved | None:
        """Test the relationship detector's complete block against the model."""
        raise NotImplementedError

    def loss_of(self, row: StreamRow) -> float:
        """The per-row loss the detectors watch, of the model's prediction of `row` now."""
        raise NotImplementedError

    def recent_loss(self) -> float:
        """The mean loss over ADWIN's window: the loss of the recent rows."""
        return float(self.loss_watch.detector.estimation)

    def record_change(
        self, detector: str, loss_before: float, loss_after: float, **details: Any
    ) -> None:
        """A change one of the detectors saw, on the row last learned; `details` name what
        moved (a `coefficient` or a `feature`) and its `value_before` and `value_after`."""
        self.drift_events.append(
            {
                "row": self.rows_since_drain,
                "detector": detector,
                "loss_before": loss_before,
                "loss_after": loss_after,
                "action": self.options.drift_action,
                **details,
            }
        )
        if self.options.drift_action == "reset":
            self.start_afresh()

    def drain_drift_events(self, *, rows_seen: int, updated_at: datetime) -> list[DriftEventValues]:
        """The events since the last drain, for a tick that learned up to `rows_seen`."""
        events = drained(
            self.drift_events,
            self.rows_since_drain,
            task=self.name,
            rows_seen=rows_seen,
            updated_at=updated_at,
        )
        self.drift_events, self.rows_since_drain = [], 0
        return events


class ClassificationTask(Task):
    name: TaskName = CLASSIFICATION
    model: BayesianLogisticRegression
    relationship_type = LogisticRelationshipWatch

    def start_afresh(self) -> None:
        self.model = pipelines.build_classifier()
        self.scores = ClassificationScores(self.window)
        self.start_statistics()

    def __setstate__(self, state: dict[str, Any]) -> None:
        laplace = state.pop("laplace", None)
        super().__setstate__(state)
        if laplace is not None:
            # Release 2 served an SGD model beside this estimate; the estimate goes on as
            # the model, which learns the same way.
            self.model = BayesianLogisticRegression.from_laplace(
                pipelines.CLASSIFIER_FEATURES, laplace
            )
        elif not isinstance(self.model, BayesianLogisticRegression):
            # Release 1's scaling and SGD model, with nothing Bayesian beside it: its
            # weights go on, with the prior's uncertainty.
            self.model = BayesianLogisticRegression.from_scaled_logistic(self.model)

    def predict(
        self, competence: float, network_ability: float, model: str = candidates.REFERENCE
    ) -> tuple[bool, float]:
        x = pipelines.classification_features(competence, network_ability)
        if model == candidates.REFERENCE:
            probability = self.model.predict_proba_one(x)[True]
        else:
            probability = self.live_race.predict(model, x)
        return probability >= 0.5, probability

    def learn_one(self, row: StreamRow) -> dict[str, Any]:
        predicted, probability = self.predict(row.competence, row.network_ability)
        self.scores.update(row.promoted, predicted, probability)
        x = pipelines.classification_features(row.competence, row.network_ability)
        self.model.learn_one(x, row.promoted)
        if self.race is not None:
            self.race.learn_one(x, row.promoted, probability)
        outcome = {
            "id": row.id,
            "competence": row.competence,
            "network_ability": row.network_ability,
            "promoted": row.promoted,
            "predicted": predicted,
            "probability": probability,
        }
        self.watch(
            classification_loss(row, predicted),
            (row.competence, row.network_ability, row.promoted, probability),
        )
        return outcome

    def test_block(self) -> Moved | None:
        moved, model = self.relationship.close_block(self.model)
        if model is not None:
            self.model = model
        return moved

    def loss_of(self, row: StreamRow) -> float:
        return classification_loss(row, self.predict(row.competence, row.network_ability)[0])

    def coefficients(self) -> dict[str, float]:
        return self.model.coefficients()

    def coefficient_intervals(self) -> dict[str, Interval] | None:
        if not self.options.uncertainty_and_drift:
            return None
        return self.model.coefficient_intervals() or None


class RegressionTask(Task):
    name: TaskName = REGRESSION
    relationship_type = LinearRelationshipWatch

    def start_afresh(self) -> None:
        self.model = pipelines.build_regressor()
        self.scores = RegressionScores(self.window)
        self.start_statistics()

    def start_statistics(self) -> None:
        super().start_statistics()
        self.uncertainty = RegressionUncertainty(pipelines.REGRESSION_TERMS)

    def predict(
        self, competence: float, promoted: bool, model: str = candidates.REFERENCE
    ) -> float:
        x = pipelines.regression_features(competence, promoted)
        if model == candidates.REFERENCE:
            return float(self.model.predict_one(x))
        return self.live_race.predict(model, x)

    def predictive_interval(
        self, competence: float, promoted: bool, model: str = candidates.REFERENCE
    ) -> Interval | None:
        """The reference's posterior interval; the other candidates have none."""
        if not self.options.uncertainty_and_drift or model != candidates.REFERENCE:
            return None
        x = pipelines.regression_features(competence, promoted)
        return self.uncertainty.predictive_interval(self.model, self.coefficients(), x)

    def learn_one(self, row: StreamRow) -> dict[str, Any]:
        predicted = self.predict(row.competence, row.promoted)
        self.scores.update(row.network_ability, predicted)
        x = pipelines.regression_features(row.competence, row.promoted)
        if self.options.uncertainty_and_drift:
            self.uncertainty.update(x, row.network_ability)
        self.model.learn_one(x, row.network_ability)
        if self.race is not None:
            self.race.learn_one(x, row.network_ability, predicted)
        outcome = {
            "id": row.id,
            "competence": row.competence,
            "promoted": row.promoted,
            "network_ability": row.network_ability,
            "predicted": predicted,
        }
        self.watch(
            regression_loss(row, predicted),
            (row.competence, row.promoted, row.network_ability, predicted),
        )
        return outcome

    def test_block(self) -> Moved | None:
        moved, model = self.relationship.close_block((self.model, self.uncertainty))
        if model is not None:
            self.model, self.uncertainty = model
        return moved

    def loss_of(self, row: StreamRow) -> float:
        return regression_loss(row, self.predict(row.competence, row.promoted))

    def coefficients(self) -> dict[str, float]:
        return pipelines.regressor_coefficients(self.model)

    def coefficient_intervals(self) -> dict[str, Interval] | None:
        if not self.options.uncertainty_and_drift:
            return None
        intervals = self.uncertainty.coefficient_intervals(self.model, self.coefficients())
        return intervals or None


def classification_loss(row: StreamRow, predicted: bool) -> float:
    """0-1: the per-row loss behind the accuracy."""
    return float(predicted != row.promoted)


def regression_loss(row: StreamRow, predicted: float) -> float:
    """The absolute error: the per-row loss behind the MAE."""
    return abs(row.network_ability - predicted)


TASK_TYPES: dict[str, type[ClassificationTask | RegressionTask]] = {
    CLASSIFICATION: ClassificationTask,
    REGRESSION: RegressionTask,
}


def new_tasks(
    window: int, options: TaskOptions = DEFAULT_OPTIONS, *, racing: bool = True
) -> dict[str, Task]:
    return {
        name: task_type(window, options, racing=racing) for name, task_type in TASK_TYPES.items()
    }
