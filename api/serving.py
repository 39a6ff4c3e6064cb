"""What the endpoints serve: the newest committed record and model of each task, in memory.

The learner publishes here right after each commit; a replica without a learner refreshes
from the database when the committed model version moves. `latest` is then a dictionary
lookup returning bytes serialised once per version, with an ETag for pollers.
"""

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.orm import Session, sessionmaker

from api import crud
from api.core import pickles
from api.core.security import TamperedBlobError, verify
from api.leaderboard import leaderboard
from api.learning.candidates import REFERENCE
from api.learning.committed import SERVED_FIELDS, ServedRecord
from api.learning.names import TASKS, TaskName
from api.learning.task_protocol import Task
from api.models import ModelRecord
from api.observability import MODEL_VERSION, SNAPSHOTS_REFUSED

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedRecord:
    model_version: int
    body: bytes
    etag: str


def record_to_dict(record: ModelRecord) -> ServedRecord:
    """The served fields of a stored record. Records from before the race name no
    champion: the reference was the only candidate."""
    served = {field: getattr(record, field) for field in SERVED_FIELDS}
    served["champion"] = record.champion or REFERENCE
    return cast(ServedRecord, served)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(value: Any) -> bytes:
    return json.dumps(value, default=_json_default, allow_nan=False, separators=(",", ":")).encode()


class Serving:
    def __init__(self) -> None:
        self._records: dict[TaskName, PublishedRecord] = {}
        self._leaderboards: dict[TaskName, PublishedRecord] = {}
        self._blobs: dict[TaskName, tuple[int, bytes]] = {}
        self._models: dict[TaskName, tuple[int, Task]] = {}
        self.model_version = 0

    def publish(
        self,
        record: ServedRecord,
        blob: bytes | None = None,
        board: dict[str, Any] | None = None,
    ) -> None:
        """Make a committed record (and the model blob and leaderboard committed with it)
        the one served."""
        task, version = record["task"], record["model_version"]
        self._records[task] = _published(version, record)
        if board is not None:
            self._leaderboards[task] = _published(version, board)
        if blob is not None:
            self._blobs[task] = (version, blob)
        self.model_version = max(self.model_version, version)
        MODEL_VERSION.set(self.model_version)

    def latest(self, task: TaskName) -> PublishedRecord | None:
        return self._records.get(task)

    def leaderboard(self, task: TaskName) -> PublishedRecord | None:
        return self._leaderboards.get(task)

    def model(self, task: TaskName) -> tuple[int, Task] | None:
        """The task's newest committed model, unpickled once per version (never shared with
        the learner, which keeps mutating its own copy)."""
        cached, stored = self._models.get(task), self._blobs.get(task)
        if stored is None:
            return None
        if cached is None or cached[0] != stored[0]:
            # Only blobs this process signed or verified in refresh() are ever stored here.
            try:
                cached = (stored[0], pickles.loads(stored[1]))
            except Exception:
                # Signed, yet it does not load (a release that cannot read it): refused.
                logger.exception("the %s model of version %d does not load", task, stored[0])
                del self._blobs[task]
                return None
            self._models[task] = cached
        return cached

    def refresh(self, session_factory: sessionmaker[Session], *, secret_key: str) -> None:
        """Load the newest committed records and models when the database has moved on."""
        with session_factory() as session:
            version = crud.read_model_version(session)
            if version == 0 or version == self.model_version:
                return
            blobs = _verified_blobs(session, version, secret_key)
            for task in TASKS:
                record = crud.read_latest_record(session, task=task)
                if record is not None:
                    changes = crud.read_champion_changes(session, task=task)
                    board = leaderboard(record, changes)
                    self.publish(record_to_dict(record), blobs.get(task), board)


def _verified_blobs(session: Session, version: int, key: str) -> dict[str, bytes]:
    """The tasks' snapshots of `version` that verify. The records are plain JSON and safe
    to serve whatever becomes of their models; a model that does not verify is not."""
    try:
        snapshots = [
            (s.task, s.blob, s.signature)
            for s in crud.read_snapshots(session, model_version=version)
            if s.task in TASKS  # the outlier fence's is not served
        ]
    except Exception as error:  # damaged past reading, such as text where bytes belong
        session.rollback()
        logger.error("not serving the models of version %d: %s", version, error)
        for task in TASKS:
            SNAPSHOTS_REFUSED.labels(task).inc()
        return {}
    blobs: dict[str, bytes] = {}
    for task, blob, signature in snapshots:
        try:
            verify(blob, signature, key=key)
            blobs[task] = bytes(blob)
        except (TamperedBlobError, TypeError, ValueError) as error:
            SNAPSHOTS_REFUSED.labels(task).inc()
            logger.error("not serving the %s model: %s", task, error)
    return blobs


def _published(version: int, value: Mapping[str, Any]) -> PublishedRecord:
    body = to_json(value)
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return PublishedRecord(version, body, etag)
