"""What one frame of `watch` shows, read from the API, and the learning rate over time."""

import time
from collections import deque
from dataclasses import dataclass

from cli.client import ApiClient, Json

TASKS = ("classification", "regression")


@dataclass(frozen=True)
class TaskView:
    """One task as the API serves it; None where it has nothing (yet) or no such endpoint."""

    latest: Json | None
    history: Json | None
    leaderboard: Json | None
    drift: Json | None


@dataclass(frozen=True)
class Snapshot:
    status: Json
    tasks: dict[str, TaskView]


def take_snapshot(client: ApiClient, *, history_limit: int) -> Snapshot:
    """Read /status and each task's latest, history, leaderboard and drift.

    Raises `ApiUnreachable` when any read gets no answer, so a frame is never half old.
    """
    status = client.get("/status").json()
    tasks = {
        task: TaskView(
            latest=client.get_optional(f"/{task}/latest"),
            history=client.get_optional(f"/{task}/history", limit=history_limit),
            leaderboard=client.get_optional(f"/{task}/leaderboard"),
            drift=client.get_optional(f"/{task}/drift"),
        )
        for task in TASKS
    }
    return Snapshot(status=status, tasks=tasks)


class RateMeter:
    """Rows learned per second over the last `window` seconds of samples.

    A single refresh interval often holds no tick, so a rate between two samples alone
    would flicker between zero and a burst.

    >>> meter = RateMeter(window=10.0)
    >>> meter.add(100, at=0.0) is None
    True
    >>> meter.add(150, at=2.0), meter.add(150, at=4.0)
    (25.0, 12.5)
    >>> meter.add(400, at=14.0)  # samples older than 10 s have left: (400 - 150) / 10
    25.0
    """

    def __init__(self, *, window: float):
        self.window = window
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, rows_seen: int, *, at: float | None = None) -> float | None:
        now = time.monotonic() if at is None else at
        if self._samples and rows_seen < self._samples[-1][1]:
            self._samples.clear()  # a reset database: the old samples say nothing now
        self._samples.append((now, rows_seen))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window:
            self._samples.popleft()
        (first_at, first_rows), (last_at, last_rows) = self._samples[0], self._samples[-1]
        if last_at <= first_at:
            return None
        return (last_rows - first_rows) / (last_at - first_at)
