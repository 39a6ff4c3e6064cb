"""Request and response bodies, with the examples Swagger shows."""

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from api.learner.status import LearnerState
from api.learning.names import TaskName
from api.learning.rows import FEATURE_LIMIT

# The range the models learn from (api.learning.rows): beyond it their arithmetic
# overflows, and a prediction would come out NaN.
FiniteNumber = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=-FEATURE_LIMIT, le=FEATURE_LIMIT)
]


def with_example(example: dict[str, Any]) -> ConfigDict:
    """The model's configuration: Swagger shows `example` as a value of it."""
    return ConfigDict(json_schema_extra={"examples": [example]})


class ConfusionMatrix(BaseModel):
    tp: int
    fp: int
    tn: int
    fn: int


class ClassificationMetrics(BaseModel):
    accuracy: float | None
    precision: float | None
    recall: float | None
    f1: float | None
    roc_auc: float | None
    log_loss: float | None
    mcc: float | None
    count: int = Field(description="Rows these metrics were computed over.")
    confusion_matrix: ConfusionMatrix


class RegressionMetrics(BaseModel):
    mae: float | None
    rmse: float | None
    r2: float | None
    count: int = Field(description="Rows these metrics were computed over.")


class ClassificationBatchRow(BaseModel):
    id: int
    competence: float
    network_ability: float
    promoted: bool
    predicted: bool = Field(description="Predicted before the row was learned.")
    probability: float = Field(description="P(promoted) predicted before the row was learned.")


class RegressionBatchRow(BaseModel):
    id: int
    competence: float
    promoted: bool
    network_ability: float
    predicted: float = Field(description="Predicted before the row was learned.")


# [low, high]. A list, not a tuple: the schema of a tuple (prefixItems) trips OpenAPI tools.
Interval = Annotated[list[float], Field(min_length=2, max_length=2)]
INTERVALS_DESCRIPTION = (
    "A 95% interval for each coefficient, in the same units: exact for the regression "
    "(its posterior), an observed-information approximation for the classifier. Null "
    "before enough rows are learned."
)


CHAMPION_DESCRIPTION = (
    "The candidate that answers POST /{task}/predict by default (see GET /{task}/leaderboard); "
    "the rest of this record describes the reference model."
)


CLASSIFICATION_METRICS_EXAMPLE: dict[str, Any] = {
    "accuracy": 0.89,
    "precision": 0.88,
    "recall": 0.9,
    "f1": 0.89,
    "roc_auc": 0.95,
    "log_loss": 0.27,
    "mcc": 0.78,
    "count": 1200,
    "confusion_matrix": {"tp": 540, "fp": 70, "tn": 528, "fn": 62},
}
REGRESSION_METRICS_EXAMPLE: dict[str, Any] = {"mae": 0.21, "rmse": 0.25, "r2": 0.25, "count": 1200}

TaskT = TypeVar("TaskT", bound=TaskName)
MetricsT = TypeVar("MetricsT", bound=BaseModel)
BatchRowT = TypeVar("BatchRowT", bound=BaseModel)


class LatestBase(BaseModel, Generic[TaskT, MetricsT, BatchRowT]):
    """A task's newest committed record (`api.learning.committed.ServedRecord`), whose
    metrics and batch rows are the task's own."""

    model_version: int = Field(description="Grows by one with each tick that learned rows.")
    page: int = Field(description="The page of the newest learned row.")
    rows_seen: int = Field(description="Rows learned so far; quarantined rows not counted.")
    updated_at: datetime
    task: TaskT
    metrics: MetricsT = Field(description="Cumulative progressive validation.")
    rolling_metrics: MetricsT = Field(description="Over the last ROLLING_WINDOW rows.")
    coefficients: dict[str, float] = Field(description="Weights in original units + intercept.")
    coefficient_intervals: dict[str, Interval] | None = Field(description=INTERVALS_DESCRIPTION)
    batch: list[BatchRowT] = Field(description="Newest rows of the newest tick.")
    champion: str = Field(description=CHAMPION_DESCRIPTION)


def latest_example(task: TaskName, metrics: dict[str, Any], **task_values: Any) -> dict[str, Any]:
    """An example record of `task`: the values all tasks share, then the task's own."""
    shared = {"model_version": 12, "page": 119, "rows_seen": 1200}
    when = {"updated_at": "2026-11-26T22:00:00+00:00"}
    scores = {"metrics": metrics, "rolling_metrics": metrics}
    return {"task": task, **shared, **when, **scores, **task_values, "champion": "reference"}


CLASSIFICATION_LATEST_EXAMPLE = latest_example(
    "classification",
    CLASSIFICATION_METRICS_EXAMPLE,
    coefficients={"competence": 11.8, "network_ability": 7.9, "intercept": -9.8},
    coefficient_intervals={
        "competence": [10.9, 12.7],
        "network_ability": [7.2, 8.6],
        "intercept": [-10.6, -9.0],
    },
    batch=[
        {
            "id": 1200,
            "competence": 0.71,
            "network_ability": 0.64,
            "promoted": True,
            "predicted": True,
            "probability": 0.93,
        }
    ],
)
REGRESSION_LATEST_EXAMPLE = latest_example(
    "regression",
    REGRESSION_METRICS_EXAMPLE,
    coefficients={"competence": -0.45, "promoted": 0.4, "intercept": 0.53},
    coefficient_intervals={
        "competence": [-0.5, -0.4],
        "promoted": [0.37, 0.43],
        "intercept": [0.5, 0.56],
    },
    batch=[
        {
            "id": 1200,
            "competence": 0.71,
            "promoted": True,
            "network_ability": 0.64,
            "predicted": 0.59,
        }
    ],
)


class ClassificationLatest(
    LatestBase[Literal["classification"], ClassificationMetrics, ClassificationBatchRow]
):
    model_config = with_example(CLASSIFICATION_LATEST_EXAMPLE)


class RegressionLatest(LatestBase[Literal["regression"], RegressionMetrics, RegressionBatchRow]):
    model_config = with_example(REGRESSION_LATEST_EXAMPLE)


class HistoryPoint(BaseModel):
    model_version: int
    rows_seen: int
    updated_at: datetime
    metrics: dict[str, float | int | dict[str, int] | None]
    rolling_metrics: dict[str, float | int | dict[str, int] | None]
    coefficients: dict[str, float]
    coefficient_intervals: dict[str, Interval] | None


HISTORY_EXAMPLE: dict[str, Any] = {
    "task": "regression",
    "points": [
        {
            "model_version": 1,
            "rows_seen": 500,
            "updated_at": "2026-11-26T21:59:00+00:00",
            "metrics": REGRESSION_METRICS_EXAMPLE,
            "rolling_metrics": REGRESSION_METRICS_EXAMPLE,
            "coefficients": {"competence": -0.47, "promoted": 0.41, "intercept": 0.54},
            "coefficient_intervals": {
                "competence": [-0.6, -0.34],
                "promoted": [0.33, 0.49],
                "intercept": [0.47, 0.61],
            },
        }
    ],
}


class History(BaseModel):
    model_config = with_example(HISTORY_EXAMPLE)

    task: TaskName
    points: list[HistoryPoint] = Field(description="Oldest first, spread evenly, newest included.")


class ClassificationInput(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"competence": 0.7, "network_ability": 0.4}]},
    )

    competence: FiniteNumber
    network_ability: FiniteNumber


class RegressionInput(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"competence": 0.7, "promoted": True}]}
    )

    competence: FiniteNumber
    promoted: Annotated[bool, Field(strict=True)]


MODEL_DESCRIPTION = "The candidate that answered: the champion unless `model` was asked for."
PROBABILITY_INTERVAL_DESCRIPTION = (
    "A 95% interval on the probability, from the same posterior as the coefficients' "
    "intervals (the sigmoid of the logit's interval): null for a model without one (every "
    "candidate but the reference), and before enough rows are learned."
)
LOGIT_TERMS_DESCRIPTION = (
    "Each feature's term in the logit (its coefficient in original units times the value "
    "asked about) and the intercept's: they add up to the logit. Null for a model that is "
    "not linear in the features (trees, naive Bayes, FFM, the baselines, the polynomial one)."
)
PREDICTION_TERMS_DESCRIPTION = (
    "Each feature's term in the prediction (its coefficient times the value asked about, "
    "promoted counting 1 or 0) and the intercept's: they add up to network_ability. Null "
    "for a model that is not linear in the features (trees, the baseline)."
)
CANDIDATES_DESCRIPTION = (
    "With `all=true`: every racing candidate's answer for the same person, the reference "
    "first, as GET /{task}/leaderboard lists them. Null otherwise."
)


class ClassificationAnswer(BaseModel):
    model: str = Field(description="The candidate that answered.")
    promoted: bool
    probability: float
    interval: Interval | None = Field(description=PROBABILITY_INTERVAL_DESCRIPTION)
    contributions: dict[str, float] | None = Field(description=LOGIT_TERMS_DESCRIPTION)


REFERENCE_PROMOTION_EXAMPLE: dict[str, Any] = {
    "model": "reference",
    "promoted": True,
    "probability": 0.83,
    "interval": [0.8, 0.86],
    "contributions": {"intercept": -9.8, "competence": 8.26, "network_ability": 3.16},
}
CLASSIFICATION_PREDICTION_EXAMPLE: dict[str, Any] = {
    **REFERENCE_PROMOTION_EXAMPLE,
    "model_version": 12,
    "candidates": [
        REFERENCE_PROMOTION_EXAMPLE,
        {
            "model": "GaussianNB",
            "promoted": True,
            "probability": 0.77,
            "interval": None,
            "contributions": None,
        },
    ],
}


class ClassificationPrediction(ClassificationAnswer):
    model_config = with_example(CLASSIFICATION_PREDICTION_EXAMPLE)

    model: str = Field(description=MODEL_DESCRIPTION)
    model_version: int
    candidates: list[ClassificationAnswer] | None = Field(
        default=None, description=CANDIDATES_DESCRIPTION
    )


class RegressionAnswer(BaseModel):
    model: str = Field(description="The candidate that answered.")
    network_ability: float
    interval: Interval | None = Field(
        description="A 95% predictive interval for one person's network_ability: the "
        "reference's posterior, so null when another candidate answers, and before enough "
        "rows are learned."
    )
    contributions: dict[str, float] | None = Field(description=PREDICTION_TERMS_DESCRIPTION)


REFERENCE_NETWORK_ABILITY_EXAMPLE: dict[str, Any] = {
    "model": "reference",
    "network_ability": 0.615,
    "interval": [0.13, 1.1],
    "contributions": {"intercept": 0.53, "competence": -0.315, "promoted": 0.4},
}
REGRESSION_PREDICTION_EXAMPLE: dict[str, Any] = {
    **REFERENCE_NETWORK_ABILITY_EXAMPLE,
    "model_version": 12,
    "candidates": [
        REFERENCE_NETWORK_ABILITY_EXAMPLE,
        {
            "model": "MeanRegressor",
            "network_ability": 0.5,
            "interval": None,
            "contributions": None,
        },
    ],
}


class RegressionPrediction(RegressionAnswer):
    model_config = with_example(REGRESSION_PREDICTION_EXAMPLE)

    model: str = Field(description=MODEL_DESCRIPTION)
    model_version: int
    candidates: list[RegressionAnswer] | None = Field(
        default=None, description=CANDIDATES_DESCRIPTION
    )


class Candidate(BaseModel):
    name: str
    rows_seen: int = Field(description="Rows this candidate has predicted and learned.")
    metrics: dict[str, float | int | dict[str, int] | None] = Field(
        description="Cumulative progressive validation, the keys of `latest`'s metrics."
    )
    rolling_metrics: dict[str, float | int | dict[str, int] | None] = Field(
        description="Over the last ROLLING_WINDOW rows."
    )


class ChampionChange(BaseModel):
    rows_seen: int = Field(description="Rows learned when the challenger took over.")
    updated_at: datetime = Field(description="When the tick holding the change was committed.")
    previous: str
    champion: str
    metric: str
    previous_score: float = Field(description="The previous champion's rolling score then.")
    champion_score: float = Field(description="The new champion's rolling score then.")


def candidate_example(name: str, rolling_rmse: float) -> dict[str, Any]:
    rolling = {**REGRESSION_METRICS_EXAMPLE, "rmse": rolling_rmse, "count": 500}
    return {
        "name": name,
        "rows_seen": 1200,
        "metrics": REGRESSION_METRICS_EXAMPLE,
        "rolling_metrics": rolling,
    }


LEADERBOARD_EXAMPLE_CANDIDATES = [
    candidate_example("reference", 0.25),
    candidate_example("PARegressor", 0.31),
]


LEADERBOARD_EXAMPLE: dict[str, Any] = {
    "task": "regression",
    "model_version": 12,
    "rows_seen": 1200,
    "rows_raced": 1200,
    "updated_at": "2026-11-26T22:00:00+00:00",
    "champion": "reference",
    "metric": "rmse",
    "candidates": LEADERBOARD_EXAMPLE_CANDIDATES,
    "changes": [
        {
            "rows_seen": 900,
            "updated_at": "2026-11-26T21:59:58+00:00",
            "previous": "PARegressor",
            "champion": "reference",
            "metric": "rmse",
            "previous_score": 0.31,
            "champion_score": 0.25,
        }
    ],
}


class Leaderboard(BaseModel):
    model_config = with_example(LEADERBOARD_EXAMPLE)

    task: TaskName
    model_version: int
    rows_seen: int = Field(description="Rows the reference model has learned (as in latest).")
    rows_raced: int = Field(
        description="Rows every candidate's scores stand after: the race runs behind the "
        "reference during a catch-up and catches up when the learner idles."
    )
    updated_at: datetime
    champion: str = Field(description="The candidate predict answers with by default.")
    metric: Literal["log_loss", "rmse"] = Field(
        description="The ranking metric: the champion has the best rolling value, kept "
        "unless a challenger beats it by CHAMPION_MARGIN for CHAMPION_SUSTAIN_ROWS rows."
    )
    candidates: list[Candidate] = Field(description="The reference first, then as configured.")
    changes: list[ChampionChange] = Field(description="Every change of champion, oldest first.")


class LeaderboardPoint(BaseModel):
    model_version: int
    rows_seen: int = Field(description="Rows the candidates had raced at this version.")
    champion: str
    scores: dict[str, float | None] = Field(description="Candidate -> rolling ranking metric.")


LEADERBOARD_HISTORY_EXAMPLE: dict[str, Any] = {
    "task": "classification",
    "metric": "log_loss",
    "points": [
        {
            "model_version": 3,
            "rows_seen": 1500,
            "champion": "reference",
            "scores": {"reference": 0.27, "GaussianNB": 0.31},
        }
    ],
}


class LeaderboardHistory(BaseModel):
    model_config = with_example(LEADERBOARD_HISTORY_EXAMPLE)

    task: TaskName
    metric: Literal["log_loss", "rmse"]
    points: list[LeaderboardPoint] = Field(description="Oldest first, spread evenly.")


class LearnerProcess(BaseModel):
    pid: int | None = Field(description="The learner process now running, if any.")
    alive: bool
    restarts: int = Field(description="Times the learner process died and was restarted.")
    last_exit: str | None = Field(description="How the previous learner process ended.")


class DriftEvent(BaseModel):
    rows_seen: int = Field(description="Rows learned when the detector fired.")
    updated_at: datetime = Field(description="When the tick holding the event was committed.")
    detector: str = Field(
        description="ADWIN (the per-row loss rose), relationship (a coefficient moved: the "
        "model then starts a new regime from the rows of the change) or fence (a feature "
        "moved beyond the outlier fence for good: the held-back rows were learned)."
    )
    loss_before: float = Field(
        description="Mean per-row loss before the change: ADWIN's window cut off, the block "
        "before (relationship), the recent rows (fence)."
    )
    loss_after: float = Field(
        description="Mean per-row loss after it: ADWIN's window kept, the block that moved "
        "(relationship), the held-back rows (fence)."
    )
    action: Literal["alert", "reset"] = Field(description="reset: the model started afresh.")
    coefficient: str | None = Field(
        default=None, description="relationship: the coefficient that moved most."
    )
    feature: str | None = Field(
        default=None, description="fence: the feature (or features) that shifted."
    )
    before: float | None = Field(
        default=None,
        validation_alias=AliasChoices("before", "value_before"),
        description="The coefficient's value in the model (relationship), the feature's "
        "median (fence), before the change.",
    )
    after: float | None = Field(
        default=None,
        validation_alias=AliasChoices("after", "value_after"),
        description="The same after the change: the rows of the change fitted alone, the "
        "median of the held-back rows.",
    )


DRIFT_EVENTS_EXAMPLE: dict[str, Any] = {
    "task": "classification",
    "events": [
        {
            "rows_seen": 20096,
            "updated_at": "2026-11-26T22:00:00+00:00",
            "detector": "ADWIN",
            "loss_before": 0.11,
            "loss_after": 0.31,
            "action": "alert",
            "coefficient": None,
            "feature": None,
            "before": None,
            "after": None,
        },
        {
            "rows_seen": 20500,
            "updated_at": "2026-11-26T22:00:04+00:00",
            "detector": "relationship",
            "loss_before": 0.12,
            "loss_after": 0.63,
            "action": "alert",
            "coefficient": "competence",
            "feature": None,
            "before": 11.9,
            "after": -11.4,
        },
    ],
}


class Rewind(BaseModel):
    from_version: int
    to_version: int
    new_version: int = Field(description="The version the rewind was committed as.")
    rows_seen: int = Field(description="Rows learned at the version gone back to.")
    reason: str
    at: datetime


class DriftEvents(BaseModel):
    model_config = with_example(DRIFT_EVENTS_EXAMPLE)

    task: TaskName
    events: list[DriftEvent] = Field(description="Oldest first.")
    rewinds: list[Rewind] = Field(
        default=[],
        description="Every rewind, oldest first: the charts mark where each went back to.",
    )


class LastRecovery(BaseModel):
    from_version: int = Field(description="The version the learner stood at.")
    to_version: int = Field(description="The kept version it went back to.")
    reason: str
    at: datetime


STATUS_EXAMPLE: dict[str, Any] = {
    "state": "running",
    "next_page": 120,
    "last_id": 1200,
    "rows_seen": 1196,
    "rows_quarantined": 4,
    "rows_held": 0,
    "model_version": 12,
    "last_error": None,
    "last_tick_at": "2026-11-26T22:00:00+00:00",
    "source_url": "http://127.0.0.1:5000",
    "learner": {"pid": 4242, "alive": True, "restarts": 0, "last_exit": None},
    "last_recovery": {
        "from_version": 14,
        "to_version": 11,
        "reason": "asked for by an admin",
        "at": "2026-11-26T21:58:00+00:00",
    },
}


class Status(BaseModel):
    model_config = with_example(STATUS_EXAMPLE)

    state: LearnerState = Field(
        description="running, backing_off (the source or the database is failing), paused, "
        "standby (another learner holds the lease), disabled (LEARNER_ENABLED=false, or no "
        "kept version restores: `last_error` says why), starting or restarting (the "
        "learner process is not up yet)."
    )
    next_page: int
    last_id: int | None
    rows_seen: int
    rows_quarantined: int
    rows_held: int = Field(
        description="Rows the outlier fence holds back until it knows whether they are "
        "outliers (then quarantined) or a shift of the world (then learned)."
    )
    model_version: int
    last_error: str | None
    last_tick_at: datetime | None
    source_url: str
    learner: LearnerProcess | None = Field(
        default=None, description="This API's learner process; null when it runs none."
    )
    last_recovery: LastRecovery | None = Field(
        default=None,
        description="The newest rewind, asked for by an admin or done by the learner to "
        "heal a damaged state; null when there was none.",
    )


class QuarantinedRow(BaseModel):
    id: int | None = Field(description="The row's id; null when it had no usable id.")
    reason: str = Field(
        description="Why it was not learned; an outlier the fence held back and gave up on "
        "has a reason that begins with `outlier`."
    )
    payload: Any = Field(description="The row as received (as text when it was not JSON).")
    received_at: datetime


QUARANTINE_EXAMPLE: dict[str, Any] = {
    "rows": [
        {
            "id": 20417,
            "reason": "outlier: competence 731942 is 1.46e+06 IQRs above the fence [-4.73, 5.74]",
            "payload": {
                "id": 20417,
                "competence": 731942.1,
                "network_ability": 0.41,
                "promoted": True,
            },
            "received_at": "2026-11-26T22:00:00+00:00",
        },
        {
            "id": 118,
            "reason": "'network_ability' must be finite, got nan",
            "payload": {"id": 118, "competence": 0.5, "network_ability": "NaN", "promoted": False},
            "received_at": "2026-11-26T21:58:00+00:00",
        },
    ],
    "reasons": {"outlier: competence": 1, "'network_ability' must be finite": 1},
}


class Quarantine(BaseModel):
    model_config = with_example(QUARANTINE_EXAMPLE)

    rows: list[QuarantinedRow] = Field(description="The newest first.")
    reasons: dict[str, int] = Field(
        description="Every quarantined row counted by its kind of reason (the reason without "
        "the value it quotes)."
    )


RESET_REQUESTED_EXAMPLE: dict[str, Any] = {
    "task": "classification",
    "reset_id": 3,
    "requested_at": "2026-11-26T22:00:00+00:00",
    "detail": "The learner starts a fresh classification model with the next learned rows.",
}


class ResetRequested(BaseModel):
    model_config = with_example(RESET_REQUESTED_EXAMPLE)

    task: TaskName
    reset_id: int
    requested_at: datetime
    detail: str


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"] = "ok"


class Problem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": "What went wrong."}]})

    detail: str


class KeptVersion(BaseModel):
    model_version: int
    rows_seen: int = Field(description="Rows learned up to this version.")
    page: int | None = Field(description="The newest page it learned from; null before any.")
    updated_at: datetime | None = Field(description="When it was committed.")


VERSIONS_EXAMPLE: dict[str, Any] = {
    "versions": [
        {
            "model_version": 12,
            "rows_seen": 1200,
            "page": 119,
            "updated_at": "2026-11-26T22:00:00+00:00",
        },
        {
            "model_version": 11,
            "rows_seen": 1100,
            "page": 109,
            "updated_at": "2026-11-26T21:59:58+00:00",
        },
    ]
}


class KeptVersions(BaseModel):
    model_config = with_example(VERSIONS_EXAMPLE)

    versions: list[KeptVersion] = Field(
        description="The versions a rewind can go back to (their snapshots are kept), newest first."
    )


class RewindBody(BaseModel):
    model_config = with_example({"model_version": 11})

    # Bounded by the largest integer JSON carries exactly, well inside the database's
    # integer: a larger number is a 422, not a driver's error.
    model_version: int = Field(
        ge=1, le=2**53 - 1, description="A kept version (GET /learner/versions)."
    )


class RewindAccepted(BaseModel):
    model_config = with_example(
        {
            "request_id": 3,
            "to_version": 11,
            "detail": "The learner goes back to version 11 before its next tick.",
        }
    )

    request_id: int
    to_version: int
    detail: str
