"""The learner's Prometheus metrics, in a registry of their own, and the functions that
keep them.

The learner's process serves them (LEARNER_METRICS_PORT) or, as the API's child, hands
them to the API, which serves them beside its own under `/metrics`. The alert rules in
monitoring/alerts.yml read them: a name or a label changed here changes there too.
"""

import time
from datetime import datetime
from typing import TYPE_CHECKING, get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from api.learner.status import LearnerState, LearnerStatus
from api.learning.names import TASKS

if TYPE_CHECKING:
    from api.learning.committed import TickCommit

LEARNER_REGISTRY = CollectorRegistry()

ROWS_LEARNED = Counter(
    "learner_rows_learned", "Rows learned (each exactly once).", registry=LEARNER_REGISTRY
)
ROWS_QUARANTINED = Counter(
    "learner_rows_quarantined",
    "Rows refused and kept with a reason: malformed, or an outlier the fence held back.",
    ["reason"],
    registry=LEARNER_REGISTRY,
)
ROWS_HELD = Counter(
    "learner_rows_held",
    "Rows the outlier fence held back (each then learned after a shift, or quarantined).",
    registry=LEARNER_REGISTRY,
)
ROWS_SHIFT_LEARNED = Counter(
    "learner_rows_shift_learned",
    "Held-back rows learned when they turned out to be a shift of the world.",
    registry=LEARNER_REGISTRY,
)
TICKS = Counter("learner_ticks", "Ticks, by outcome.", ["outcome"], registry=LEARNER_REGISTRY)
TICK_SECONDS = Histogram(
    "learner_tick_duration_seconds",
    "Fetch, learn and commit of one tick.",
    registry=LEARNER_REGISTRY,
)
SOURCE_ERRORS = Counter(
    "learner_source_errors", "Failed requests to the stream source.", registry=LEARNER_REGISTRY
)
DRIFT_EVENTS = Counter(
    "learner_drift_events",
    "Drift events committed, by task and detector (ADWIN, fence, relationship).",
    ["task", "detector"],
    registry=LEARNER_REGISTRY,
)
CHAMPION_CHANGES = Counter(
    "learner_champion_changes",
    "Changes of champion committed, by task.",
    ["task"],
    registry=LEARNER_REGISTRY,
)
SNAPSHOTS_REFUSED = Counter(
    "learner_snapshots_refused",
    "Model snapshots refused at restore: their signature did not verify.",
    registry=LEARNER_REGISTRY,
)
RECOVERIES = Counter(
    "learner_recoveries",
    "Rewinds to a kept model version: asked for by an admin, or done to heal a damaged state.",
    ["cause"],
    registry=LEARNER_REGISTRY,
)
ROWS_PRUNED = Counter(
    "learner_rows_pruned",
    "Rows pruned to keep storage bounded, by table (learned_row, quarantined_row, model_record).",
    ["table"],
    registry=LEARNER_REGISTRY,
)
PRUNE_SECONDS = Histogram(
    "learner_prune_duration_seconds",
    "One step of pruning, after a tick's commit, in a transaction of its own.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
    registry=LEARNER_REGISTRY,
)
LAST_COMMIT = Gauge(
    "learner_last_commit_timestamp_seconds",
    "Unix time of the newest commit: the database's when the learner started, then its own.",
    registry=LEARNER_REGISTRY,
)
SOURCE_BACKLOG = Gauge(
    "learner_source_backlog",
    "1 when the learner's last tick stopped before the end of the stream (every page it read"
    " was full: rows wait); 0 when it reached the end, or stands by, or is paused.",
    registry=LEARNER_REGISTRY,
)
STATE = Gauge(
    "learner_state",
    "1 for the learner's state (as /status says it), 0 for the others.",
    ["state"],
    registry=LEARNER_REGISTRY,
)
PROCESS_STARTED = Gauge(
    "learner_process_start_time_seconds",
    "Unix time the learner process started: it changes when the process restarts.",
    registry=LEARNER_REGISTRY,
)
PROCESS_STARTED.set(time.time())

# Known label values are exported at 0 from the start, so that the first event is an
# increase Prometheus sees rather than a new series.
DETECTORS = ("ADWIN", "fence", "relationship")
QUARANTINE_REASONS = ("malformed", "outlier")
for task in TASKS:
    for detector in DETECTORS:
        DRIFT_EVENTS.labels(task, detector)
    CHAMPION_CHANGES.labels(task)
for reason in QUARANTINE_REASONS:
    ROWS_QUARANTINED.labels(reason)
for cause in ("healing", "requested"):
    RECOVERIES.labels(cause)
for table in ("learned_row", "quarantined_row", "model_record"):
    ROWS_PRUNED.labels(table)

# A learner that reads no source knows of no rows waiting.
READS_NO_SOURCE: tuple[LearnerState, ...] = ("paused", "standby")


def count_commit(tick: "TickCommit", *, outliers: int, held: int, shift_learned: int) -> None:
    """A tick committed: its rows and events are counted, and the time of the commit kept.
    Of its quarantined rows `outliers` were held back by the fence first; it held `held`
    rows back and learned `shift_learned` held rows with a shift."""
    ROWS_LEARNED.inc(len(tick.learned))
    ROWS_QUARANTINED.labels("outlier").inc(outliers)
    ROWS_QUARANTINED.labels("malformed").inc(len(tick.quarantined) - outliers)
    ROWS_HELD.inc(held)
    ROWS_SHIFT_LEARNED.inc(shift_learned)
    for event in tick.drift_events:
        DRIFT_EVENTS.labels(event["task"], event["detector"]).inc()
    for change in tick.champion_changes:
        CHAMPION_CHANGES.labels(change["task"]).inc()
    LAST_COMMIT.set(time.time())


def see_pages(*, read: int, full: int) -> None:
    """What a tick found at the source: `read` pages, the first `full` of them full. All
    of them full means the tick stopped on its budget (or a fault) with rows waiting."""
    if read:
        SOURCE_BACKLOG.set(full == read)


def count_recovery(*, healing: bool) -> None:
    RECOVERIES.labels("healing" if healing else "requested").inc()


def count_pruned(pruned: dict[str, int], *, seconds: float) -> None:
    for table, rows in pruned.items():
        ROWS_PRUNED.labels(table).inc(rows)
    PRUNE_SECONDS.observe(seconds)


def count_refused_snapshot() -> None:
    SNAPSHOTS_REFUSED.inc()


def show_status(status: LearnerStatus) -> None:
    """The learner's state as a labelled gauge, one series per state."""
    for state in get_args(LearnerState):
        STATE.labels(state).set(state == status.state)
    if status.state in READS_NO_SOURCE:
        SOURCE_BACKLOG.set(0)


def show_last_commit(committed_at: datetime | None) -> None:
    """The newest commit in the database, which a learner just started knows of."""
    if committed_at is not None:
        LAST_COMMIT.set(committed_at.timestamp())


def learner_metrics_text() -> str:
    return generate_latest(LEARNER_REGISTRY).decode()
