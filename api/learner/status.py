"""What the learner says about itself: its state, its cursor and its newest trouble.

The learner process writes one JSON line of this per change to the process that
supervises it, which serves it as `/status`.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from api.learning.cursor import Cursor

LearnerState = Literal[
    "running", "backing_off", "paused", "disabled", "standby", "starting", "restarting"
]


@dataclass(frozen=True)
class LearnerStatus:
    state: LearnerState = "running"
    cursor: Cursor = field(default_factory=Cursor)
    last_error: str | None = None
    last_tick_at: datetime | None = None
    failures: int = 0
    holder: str | None = None
    # The newest rewind, as `/status` shows it: from_version, to_version, reason, at.
    last_recovery: dict[str, Any] | None = None

    def to_json(self) -> str:
        value = asdict(self)
        value["last_tick_at"] = self.last_tick_at.isoformat() if self.last_tick_at else None
        return json.dumps(value, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str | bytes) -> "LearnerStatus":
        """The inverse of `to_json`.

        >>> status = LearnerStatus("backing_off", Cursor(3, 30, 28, 2, 4), "page 3: HTTP 503")
        >>> LearnerStatus.from_json(status.to_json()) == status
        True
        """
        value = json.loads(line)
        value["cursor"] = Cursor(**value["cursor"])
        if value["last_tick_at"] is not None:
            value["last_tick_at"] = datetime.fromisoformat(value["last_tick_at"])
        return cls(**value)


def recovery_fields(recovery: Any) -> dict[str, Any]:
    """A rewind (`api.models.Recovery`) as `/status` shows it."""
    return {
        "from_version": recovery.from_version,
        "to_version": recovery.to_version,
        "reason": recovery.reason,
        "at": recovery.at.isoformat(),
    }
