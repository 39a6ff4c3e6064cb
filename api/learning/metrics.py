"""The learner's Prometheus metrics, in a registry of their own.

The learner's process serves them (LEARNER_METRICS_PORT) or, as the API's child, hands
them to the API, which serves them beside its own under `/metrics`.
"""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

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


def learner_metrics_text() -> str:
    return generate_latest(LEARNER_REGISTRY).decode()
