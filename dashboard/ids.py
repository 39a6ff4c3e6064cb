"""The page's component ids, named once for the layout, the callbacks and the tests."""

# Controls and what each browser remembers.
POLL = "poll"
REFRESH_CHOICE = "refresh-choice"
STATUS_SEEN = "status-seen"
MODEL_VERSION = "model-version"

# The status of the learner.
BANNER = "banner"
STATUS_BAR = "status-bar"
LEARNER_STATE = "learner-state"
ROWS_LEARNED = "rows-learned"
CURRENT_PAGE = "current-page"
ROWS_QUARANTINED = "rows-quarantined"
LAST_TICK_AGE = "last-tick-age"
SOURCE_URL = "source-url"
LAST_ERROR = "last-error"

# The classification section.
CLASSIFICATION_METRICS = "classification-metrics"
CLASSIFICATION_COEFFICIENTS = "classification-coefficients"
CONFUSION_MATRIX = "confusion-matrix"
DECISION_BOUNDARY = "decision-boundary"
CLASSIFICATION_BATCH = "classification-batch"

# The regression section.
REGRESSION_METRICS = "regression-metrics"
REGRESSION_COEFFICIENTS = "regression-coefficients"
PREDICTED_VS_ACTUAL = "predicted-vs-actual"
COLLIDER_NOTE = "collider-note"

# The rows not learned: how many this browser last drew, by reason, and the newest.
QUARANTINE_COUNT = "quarantine-count"
QUARANTINE_SUMMARY = "quarantine-summary"
QUARANTINE_REASONS = "quarantine-reasons"
QUARANTINE_NEWEST = "quarantine-newest"

# Asking about a person: the page's URL holds the question.
URL = "url"
ASK_COMPETENCE = "ask-competence"
ASK_NETWORK_ABILITY = "ask-network-ability"
ASK_PROMOTED = "ask-promoted"
QUESTION = "question"
# Whether a task's answers are missing (the API could not answer), and the model version
# drawn when the browser asked again because of it.
UNANSWERED = "unanswered"
ASK_AGAIN = "ask-again"


def drawn(task: str) -> str:
    """The store of the model version whose charts this browser shows for `task`."""
    return f"{task}-seen"


def drift_notice(task: str) -> str:
    return f"{task}-drift"


def leaderboard_chart(task: str) -> str:
    return f"{task}-leaderboard"


def leaderboard_table(task: str) -> str:
    return f"{task}-leaderboard-table"


def answers(task: str) -> str:
    """The table of every candidate's answer for the person asked about."""
    return f"{task}-answers"


def contributions(task: str) -> str:
    """The chart of the terms the linear models' answers add up from."""
    return f"{task}-contributions"
