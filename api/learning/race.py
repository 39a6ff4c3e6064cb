"""The race: every candidate of a task predicts each row, is scored, then learns it.

Each candidate runs progressive validation on exactly the rows the reference runs it on,
so their scores are a fair comparison. Beside its metrics each one keeps its per-row loss
over the rolling window (log loss, or squared error for the RMSE), summed as it goes, so
that the champion (`api.learning.champion`) can be judged on every row cheaply. A change
of champion waits in the race until the learner drains it into the tick it commits, like
a drift event; a race is pickled with its task, so it is restored exactly once with it.
"""

import copy
import math
from collections import deque
from collections.abc import Iterable
from typing import Any

from api.learning import candidate_models, pipelines
from api.learning.candidates import REFERENCE
from api.learning.champion import Champion
from api.learning.committed import ChampionChangeValues, LeaderboardEntry
from api.learning.events import drained
from api.learning.rows import RaceRow
from api.learning.scores import ClassificationScores, RegressionScores, leaderboard_entry

PROBABILITY_FLOOR = 1e-15  # River's LogLoss clamps probabilities so


class RollingLoss:
    """The mean of the last `window` per-row losses, updated in constant time."""

    def __init__(self, window: int):
        self.losses: deque[float] = deque(maxlen=window)
        self.total = 0.0
        self.since_exact = 0

    @property
    def full(self) -> bool:
        return len(self.losses) == self.losses.maxlen

    def add(self, loss: float) -> None:
        if self.full:
            self.total -= self.losses[0]
        self.losses.append(loss)
        self.total += loss
        self.since_exact += 1
        if self.since_exact >= len(self.losses):
            # Once a window, the exact sum: the running one would drift over millions of rows.
            self.total, self.since_exact = math.fsum(self.losses), 0

    def mean(self) -> float:
        return self.total / len(self.losses) if self.losses else math.inf


def log_loss(y_true: bool, probability: float) -> float:
    p = min(max(probability, PROBABILITY_FLOOR), 1.0 - PROBABILITY_FLOOR)
    return -math.log(p if y_true else 1.0 - p)


def true_probability(proba: dict[Any, float]) -> float:
    """P(True) from River's answer, which names only the classes a model has seen."""
    p = float(proba.get(True, 1.0 - proba.get(False, 0.5)))
    return p if math.isfinite(p) else 0.5


class Race:
    """The candidates of one task (the reference's model is its task's own)."""

    task = ""
    metric = ""
    # Where the race stands in the stream: the rows it has raced (counted as the learner's
    # rows_seen is) and the id of the last. A race that is not `placed` stands wherever
    # its task's cursor does, which the learner then tells it (`place`).
    rows_raced: int
    last_id: int | None
    placed: bool

    def __init__(self, names: tuple[str, ...], window: int, margin: float, sustain: int):
        self.stand_at(rows_raced=0, last_id=None)
        self.window = window
        # The reference's progressive scores on the rows raced, as it predicted them in its
        # task: so the whole leaderboard stands after the same row.
        self.reference_scores = self.new_scores()
        self.candidates: dict[str, Any] = {}
        self.losses: dict[str, RollingLoss] = {}
        self.champion = Champion(REFERENCE, margin, sustain)
        self.changes: list[dict[str, Any]] = []
        self.rows_since_drain = 0
        self.set_candidates(names, margin=margin, sustain=sustain)

    def set_candidates(self, names: tuple[str, ...], *, margin: float, sustain: int) -> None:
        """Race these candidates from now on: newcomers start fresh, the others go on."""
        self.candidates = {
            name: self.candidates.get(name) or self.new_candidate(name)
            for name in names
            if name != REFERENCE
        }
        self.losses = {
            name: self.losses.get(name) or RollingLoss(self.window)
            for name in (REFERENCE, *self.candidates)
        }
        if self.champion.name not in self.losses:
            self.champion.name = REFERENCE
        self.champion.margin, self.champion.sustain = margin, sustain

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "rows_raced" not in state:
            # Pickled before races ran behind their task: it stands where the task does.
            self.placed = False

    def stand_at(self, *, rows_raced: int, last_id: int | None) -> None:
        self.rows_raced, self.last_id, self.placed = rows_raced, last_id, True

    def stand_with(self, task_scores: Any, *, rows_raced: int, last_id: int | None) -> None:
        """Stand where a task stands, with its scores as the reference's."""
        self.stand_at(rows_raced=rows_raced, last_id=last_id)
        self.reference_scores = copy.deepcopy(task_scores)

    def new_scores(self) -> Any:
        raise NotImplementedError

    def new_candidate(self, name: str) -> Any:
        return {"model": candidate_models.build(self.task, name), "scores": self.new_scores()}

    def learn_one(self, x: dict[str, float], y: Any, reference_output: float) -> None:
        """Score the reference's prediction of the row, race the others on it, judge."""
        raise NotImplementedError

    def predict(self, name: str, x: dict[str, float]) -> float:
        raise NotImplementedError

    def names(self) -> tuple[str, ...]:
        return tuple(self.losses)

    def model(self, name: str) -> Any:
        return self.candidates[name]["model"]

    def update_champion(self) -> None:
        """After a row: has the champion changed?"""
        self.rows_since_drain += 1
        scores = {name: self.score(loss.mean()) for name, loss in self.losses.items()}
        full = {name for name, loss in self.losses.items() if loss.full}
        change = self.champion.observe(scores, full=full)
        if change is not None:
            previous, champion = change
            self.changes.append(
                {
                    "row": self.rows_since_drain,
                    "previous": previous,
                    "champion": champion,
                    "metric": self.metric,
                    "previous_score": scores[previous],
                    "champion_score": scores[champion],
                }
            )

    def score(self, mean_loss: float) -> float:
        """The ranking metric from the mean per-row loss."""
        return mean_loss

    def drain_changes(
        self, *, task: str, rows_seen: int, updated_at: Any
    ) -> list[ChampionChangeValues]:
        """The champion changes since the last drain, for a tick that learned up to
        `rows_seen`."""
        changes = drained(
            self.changes,
            self.rows_since_drain,
            task=task,
            rows_seen=rows_seen,
            updated_at=updated_at,
        )
        self.changes, self.rows_since_drain = [], 0
        return changes

    def leaderboard(self) -> list[LeaderboardEntry]:
        """Each candidate's cumulative and rolling metrics, the reference first."""
        scores = {REFERENCE: self.reference_scores}
        scores.update((name, entry["scores"]) for name, entry in self.candidates.items())
        return [leaderboard_entry(name, entry_scores) for name, entry_scores in scores.items()]


class ClassificationRace(Race):
    task = "classification"
    metric = "log_loss"

    def new_scores(self) -> ClassificationScores:
        return ClassificationScores(self.window)

    def learn_one(self, x: dict[str, float], y: Any, reference_output: float) -> None:
        self.reference_scores.update(y, reference_output >= 0.5, reference_output)
        self.losses[REFERENCE].add(log_loss(y, reference_output))
        for name, entry in self.candidates.items():
            probability = true_probability(entry["model"].predict_proba_one(x))
            entry["scores"].update(y, probability >= 0.5, probability)
            entry["model"].learn_one(x, y)
            self.losses[name].add(log_loss(y, probability))
        self.update_champion()

    def predict(self, name: str, x: dict[str, float]) -> float:
        return true_probability(self.model(name).predict_proba_one(x))


class RegressionRace(Race):
    task = "regression"
    metric = "rmse"

    def new_scores(self) -> RegressionScores:
        return RegressionScores(self.window)

    def learn_one(self, x: dict[str, float], y: Any, reference_output: float) -> None:
        self.reference_scores.update(y, reference_output)
        self.losses[REFERENCE].add((y - reference_output) ** 2)
        for name, entry in self.candidates.items():
            predicted = self.predict(name, x)
            entry["scores"].update(y, predicted)
            entry["model"].learn_one(x, y)
            self.losses[name].add((y - predicted) ** 2)
        self.update_champion()

    def predict(self, name: str, x: dict[str, float]) -> float:
        predicted = float(self.model(name).predict_one(x))
        # A diverged model would poison its metrics for good; its zero scores as badly.
        return predicted if math.isfinite(predicted) else 0.0

    def score(self, mean_loss: float) -> float:
        return math.sqrt(mean_loss)


def learn_races(races: dict[str, Race], rows: Iterable[RaceRow]) -> None:
    """Race both tasks' candidates on learned rows, in the order they were learned."""
    classification, regression = races[ClassificationRace.task], races[RegressionRace.task]
    raced, last_id = 0, classification.last_id
    for row_id, competence, network_ability, promoted, probability, predicted in rows:
        x = pipelines.classification_features(competence, network_ability)
        classification.learn_one(x, promoted, probability)
        regression.learn_one(
            pipelines.regression_features(competence, promoted), network_ability, predicted
        )
        raced, last_id = raced + 1, row_id
    for race in (classification, regression):
        race.stand_at(rows_raced=race.rows_raced + raced, last_id=last_id)


RACE_TYPES: dict[str, type[Race]] = {
    ClassificationRace.task: ClassificationRace,
    RegressionRace.task: RegressionRace,
}


def new_race(
    task: str, names: tuple[str, ...], window: int, *, margin: float, sustain: int
) -> Race:
    """A fresh race of these candidates, at the start of the stream."""
    return RACE_TYPES[task](names, window, margin, sustain)
