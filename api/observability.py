"""The API's Prometheus metrics (the learner has its own: api.learner.metrics) and
structured logs."""

import json
import logging
import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.learning.names import TASKS

MODEL_VERSION = Gauge("learner_model_version", "Newest committed model version.")
SNAPSHOTS_REFUSED = Counter(
    "api_snapshots_refused",
    "Model snapshots this API would not serve, by task: their signature did not verify.",
    ["task"],
)
LEARNER_RESTARTS = Counter(
    "api_learner_restarts", "Restarts of the learner process this API supervises, after it died."
)
# At 0 from the start, so that the first refusal is an increase Prometheus sees.
for task in TASKS:
    SNAPSHOTS_REFUSED.labels(task)
REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "API request latency, by route template and status code.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


class RequestTimer:
    """Pure ASGI middleware timing every request under its route template, not its raw
    path, so the label set stays small whatever clients send."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            REQUEST_SECONDS.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        event = getattr(record, "event", None)
        if event is not None:
            entry["event"] = event
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(*, level: str, fmt: str) -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # One line per source request drowns everything else; failures are logged by the learner.
    logging.getLogger("httpx").setLevel(max(root.level, logging.WARNING))
    # Alembic's lines on every start (its plugins, its dialect) say nothing; api.migrate
    # logs what changed.
    logging.getLogger("alembic").setLevel(max(root.level, logging.WARNING))
