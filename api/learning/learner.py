"""The learner: polls the stream, learns row by row, commits each tick exactly once.

The cursor is (next page, last id consumed). A tick fetches pages from the cursor on,
stops at the first page that is not full (the end of the stream, for now), and for every
row not yet consumed runs each task's `step` (predict, score, `learn_one`). Then one
transaction writes the rows, predictions, records, signed snapshots and the new cursor.
If that transaction fails the in-memory state is rebuilt from the database, so the
models never run ahead of what is committed.

Only the holder of the lease in the database learns. Every tick renews it, and the
tick's own transaction checks it again, so a learner that lost its lease while it was
working (paused, partitioned) cannot commit over the one that took over.
"""

import asyncio
import contextlib
import json
import logging
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from api import crud, observability
from api.core.config import Settings
from api.core.security import TamperedBlobError, dump_signed, load_signed
from api.learning.rows import PAGE_SIZE, BadRow, parse_row, source_id
from api.learning.source import SourceError, fetch_in_order
from api.learning.tasks import CLASSIFICATION, REGRESSION, TASK_TYPES, new_tasks, task_options
from api.schemas import LearnerState
from api.serving import Serving

logger = logging.getLogger(__name__)

QUARANTINE_PAYLOAD_LIMIT = 2_000

# The pages of a tick, and the source fault that cut them short, if any.
Fetched = tuple[list[list[Any]], SourceError | None]


class LeaseLost(Exception):
    """Another learner holds the lease now: this one must not commit."""


@dataclass
class LearnerStatus:
    state: LearnerState = "running"
    next_page: int = 0
    last_id: int | None = None
    rows_seen: int = 0
    rows_quarantined: int = 0
    model_version: int = 0
    last_error: str | None = None
    last_tick_at: datetime | None = None
    failures: int = 0


class Learner:
    def __init__(
        self, settings: Settings, session_factory: sessionmaker[Session], serving: Serving
    ):
        self.settings = settings
        self.session_factory = session_factory
        self.serving = serving
        self.status = LearnerStatus()
        self.paused = False
        self._wake = asyncio.Event()
        self._state_lock = threading.Lock()
        self.tasks: dict[str, Any] = {}
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @property
    def secret_key(self) -> str:
        return self.settings.SECRET_KEY.get_secret_value()

    # --- the lease --------------------------------------------------------------------

    def hold_lease(self) -> bool:
        with self.session_factory() as session, session.begin():
            return crud.hold_lease(session, holder=self.holder, seconds=self.settings.LEASE_SECONDS)

    def release_lease(self) -> None:
        """Hand over at once on a clean stop, instead of after the lease runs out."""
        try:
            with self.session_factory() as session, session.begin():
                crud.release_lease(session, holder=self.holder)
        except Exception:
            logger.warning("could not release the learner lease; it expires by itself")

    # --- state ------------------------------------------------------------------------

    def restore(self) -> None:
        """Rebuild the tasks and cursor from the newest committed snapshot."""
        with self._state_lock:
            self._restore()

    def _restore(self) -> None:
        self.tasks = {}  # until the restore succeeds, nothing may be learned
        with self.session_factory() as session:
            cursor = crud.read_cursor(session)
            options = task_options(self.settings)
            tasks: dict[str, Any] = new_tasks(self.settings.ROLLING_WINDOW, options)
            if cursor.model_version:
                snapshots = crud.read_snapshots(session, model_version=cursor.model_version)
                tasks = {
                    s.task: load_signed(s.blob, s.signature, key=self.secret_key) for s in snapshots
                }
                if set(tasks) != {CLASSIFICATION, REGRESSION}:
                    raise RuntimeError(f"snapshots missing at model version {cursor.model_version}")
                for task in tasks.values():
                    task.options = options  # the settings of this run, not of the snapshot's
        status = self.status
        status.next_page, status.last_id = cursor.next_page, cursor.last_id
        status.rows_seen, status.rows_quarantined = cursor.rows_seen, cursor.rows_quarantined
        status.model_version = cursor.model_version
        self.tasks = tasks

    # --- one tick -----------------------------------------------------------------------

    async def fetch(self, client: httpx.AsyncClient, first: int) -> Fetched:
        """Pages from `first` on, a few in flight at a time, up to the first page that is not
        full.

        A source fault once some pages are in ends the fetch there, and those pages are
        still learned: were the whole tick dropped, a catch-up would stall on a flaky source.
        """
        pages = list[list[Any]]()
        in_order = fetch_in_order(
            client, first, self.settings.MAX_PAGES_PER_TICK,
            concurrency=self.settings.SOURCE_CONCURRENCY,
        )  # fmt: skip
        async with contextlib.aclosing(in_order):
            try:
                async for rows in in_order:
                    pages.append(rows)
                    if len(rows) < PAGE_SIZE:
                        break
            except SourceError as error:
                if not pages:
                    raise
                return pages, error
        return pages, None

    def learn_and_commit(self, pages: list[list[Any]]) -> bool:
        """Learn every new row of `pages` and commit the tick; True when anything changed."""
        with self._state_lock:
            if not self.tasks:
                self._restore()
            try:
                tick, outputs = self._learn(pages)
                if tick is None:
                    return False
                self._commit(tick, outputs)
                return True
            except BaseException:
                self.tasks = {}  # ahead of the database now: restore before the next tick
                raise

    def _learn(self, pages: list[list[Any]]) -> tuple[crud.TickWrite | None, dict[str, list]]:
        """Run progressive validation over the rows not consumed yet."""
        status, first_page = self.status, self.status.next_page
        with self.session_factory() as session:
            seen_positions = crud.read_quarantined_positions(session, page=first_page)
            resets = [(reset.id, reset.task) for reset in crud.read_pending_resets(session)]
        before_resets = dict(self.tasks)
        for _, task in resets:
            self.tasks[task] = TASK_TYPES[task](
                self.settings.ROLLING_WINDOW, task_options(self.settings)
            )
        version = status.model_version + 1
        tick = crud.TickWrite(
            next_page=first_page, last_id=status.last_id, model_version=version,
            rows_seen=status.rows_seen, rows_quarantined=status.rows_quarantined,
        )  # fmt: skip
        outputs: dict[str, list[dict[str, Any]]] = {CLASSIFICATION: [], REGRESSION: []}
        for page, rows in enumerate(pages, start=first_page):
            for position, raw in enumerate(rows):
                row_id = source_id(raw)
                if row_id is not None and tick.last_id is not None and row_id <= tick.last_id:
                    continue  # consumed by an earlier tick: exactly once
                try:
                    row = parse_row(raw)
                except BadRow as reason:
                    if row_id is None and page == first_page and position in seen_positions:
                        continue
                    tick.quarantined.append(_quarantine_entry(page, position, row_id, raw, reason))
                    tick.last_id = row_id if row_id is not None else tick.last_id
                    continue
                classified = self.tasks[CLASSIFICATION].step(row)
                regressed = self.tasks[REGRESSION].step(row)
                outputs[CLASSIFICATION].append(classified)
                outputs[REGRESSION].append(regressed)
                tick.learned.append({
                    "id": row.id, "page": page, "competence": row.competence,
                    "network_ability": row.network_ability, "promoted": row.promoted,
                    "predicted_promoted": classified["predicted"],
                    "promoted_probability": classified["probability"],
                    "predicted_network_ability": regressed["predicted"],
                    "model_version": version,
                })  # fmt: skip
                tick.last_id = row.id
            if len(rows) < PAGE_SIZE:
                break
            tick.next_page = page + 1
        tick.rows_seen += len(tick.learned)
        tick.rows_quarantined += len(tick.quarantined)
        if tick.learned:
            tick.applied_resets = [reset_id for reset_id, _ in resets]
        else:
            self.tasks = before_resets  # a reset waits for a tick that learns rows
            tick.model_version = status.model_version
            if not tick.quarantined and (tick.next_page, tick.last_id) == (
                first_page,
                status.last_id,
            ):
                return None, outputs
        return tick, outputs

    def _commit(self, tick: crud.TickWrite, outputs: dict[str, list[dict[str, Any]]]) -> None:
        """Add records and signed snapshots to the tick, commit it, then publish it."""
        now, blobs = datetime.now(UTC), {}
        if tick.learned:
            for name, task in self.tasks.items():
                tick.records.append({
                    "task": name, "model_version": tick.model_version,
                    "page": tick.learned[-1]["page"], "rows_seen": tick.rows_seen,
                    "updated_at": now, "metrics": task.scores.report(),
                    "rolling_metrics": task.scores.rolling_report(),
                    "coefficients": task.coefficients(),
                    "coefficient_intervals": task.coefficient_intervals(),
                    "batch": outputs[name][-self.settings.LATEST_BATCH_ROWS :],
                })  # fmt: skip
                tick.drift_events += task.drain_drift_events(
                    rows_seen=tick.rows_seen, updated_at=now
                )
                blobs[name], signature = dump_signed(task, key=self.secret_key)
                tick.snapshots.append({
                    "task": name, "model_version": tick.model_version,
                    "blob": blobs[name], "signature": signature,
                })  # fmt: skip
        with self.session_factory() as session, session.begin():
            if not crud.hold_lease(
                session, holder=self.holder, seconds=self.settings.LEASE_SECONDS
            ):
                raise LeaseLost("another learner took the lease; this tick is not committed")
            crud.write_tick(session, tick, snapshot_retention=self.settings.SNAPSHOT_RETENTION)

        status = self.status
        status.next_page, status.last_id = tick.next_page, tick.last_id
        status.rows_seen, status.rows_quarantined = tick.rows_seen, tick.rows_quarantined
        status.model_version = tick.model_version
        for record in tick.records:
            self.serving.publish(record, blobs[record["task"]])
        observability.ROWS_LEARNED.inc(len(tick.learned))
        observability.ROWS_QUARANTINED.inc(len(tick.quarantined))
        for event in tick.drift_events:
            observability.DRIFT_EVENTS.labels(event["task"]).inc()
            logger.warning("drift detected: %s", event)
        if tick.quarantined:
            logger.warning(
                "quarantined %d rows, e.g. %s", len(tick.quarantined), tick.quarantined[0]["reason"]
            )

    # --- the loop -----------------------------------------------------------------------

    async def run(self) -> None:
        timeout = httpx.Timeout(self.settings.SOURCE_TIMEOUT_SECONDS)
        limits = httpx.Limits(max_connections=self.settings.SOURCE_CONCURRENCY)
        client = httpx.AsyncClient(
            base_url=self.settings.CHALLENGE_API_URL, timeout=timeout, limits=limits
        )
        async with client:
            try:
                while True:
                    if self.paused:
                        self.status.state = "paused"
                        await self._sleep(None)
                        continue
                    try:
                        delay = await self._tick(client)
                    except TamperedBlobError as error:
                        # Retrying cannot help, and loading the blob is what must not happen.
                        self.status.state, self.status.last_error = "disabled", str(error)
                        logger.error("learner stopped: %s", error)
                        return
                    await self._sleep(delay)
            finally:
                self.release_lease()

    async def _tick(self, client: httpx.AsyncClient) -> float:
        """Run one tick; return how long to wait before the next."""
        started = time.perf_counter()
        try:
            if not await asyncio.to_thread(self.hold_lease):
                return self._stand_by()
            if not self.tasks:
                await asyncio.to_thread(self.restore)
            pages, interrupted = await self.fetch(client, self.status.next_page)
            committed = await asyncio.to_thread(self.learn_and_commit, pages)
        except (asyncio.CancelledError, TamperedBlobError):
            raise
        except LeaseLost:
            return self._stand_by()
        except Exception as error:
            observability.TICKS.labels("failed").inc()
            return self._failed(error)
        observability.TICKS.labels("committed" if committed else "idle").inc()
        observability.TICK_SECONDS.observe(time.perf_counter() - started)
        status = self.status
        status.state, status.last_error, status.failures = "running", None, 0
        status.last_tick_at = datetime.now(UTC)
        if interrupted is not None:
            return self._failed(interrupted)  # the first back-off step: the source did answer
        # A tick that ended on a full page has a backlog behind it: go on at once.
        return 0.0 if self._drained(pages) else self.settings.POLL_INTERVAL_SECONDS

    def _drained(self, pages: list[list[Any]]) -> bool:
        """The tick took as many pages as it may, all full: more are surely waiting."""
        return len(pages) == self.settings.MAX_PAGES_PER_TICK and len(pages[-1]) == PAGE_SIZE

    def _stand_by(self) -> float:
        observability.TICKS.labels("standby").inc()
        if self.status.state != "standby":
            logger.info("another learner holds the lease; standing by")
        self.status.state = "standby"
        self.tasks = {}  # the active learner moves on: restore when we take over
        return self.settings.LEASE_SECONDS / 3

    def _failed(self, error: Exception) -> float:
        status = self.status
        status.failures += 1
        status.state = "backing_off"
        status.last_error = (
            str(error) if isinstance(error, SourceError) else f"{type(error).__name__}: {error}"
        )
        ceiling = min(
            self.settings.BACKOFF_MAX_SECONDS,
            self.settings.POLL_INTERVAL_SECONDS * 2 ** (status.failures - 1),
        )
        delay = random.uniform(ceiling / 2, ceiling)
        if isinstance(error, SourceError):
            observability.SOURCE_ERRORS.inc()
        log = logger.warning if isinstance(error, SourceError) else logger.exception
        log(
            "tick failed (%d in a row), retrying in %.1fs: %s",
            status.failures,
            delay,
            status.last_error,
        )
        return delay

    async def _sleep(self, seconds: float | None) -> None:
        """Sleep, but wake early on pause or resume."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    def pause(self) -> None:
        self.paused = True
        self.status.state = "paused"
        self._wake.set()

    def resume(self) -> None:
        self.paused = False
        if self.status.state == "paused":
            self.status.state = "running"
        self._wake.set()


def _quarantine_entry(
    page: int, position: int, row_id: int | None, raw: Any, reason: BadRow
) -> dict[str, Any]:
    payload = json.dumps(raw, default=repr)[:QUARANTINE_PAYLOAD_LIMIT]
    return {
        "page": page,
        "position": position,
        "source_id": row_id,
        "payload": payload,
        "reason": str(reason),
    }
