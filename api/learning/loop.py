"""The learner: polls the stream, learns row by row, commits each tick exactly once.

A tick takes the lease, reads pages from the cursor on and learns each page as it comes
in (the next pages are fetched meanwhile), until the end of the stream, a source fault,
MAX_PAGES_PER_TICK pages, or half a poll interval: so during a catch-up a commit lands
at least every poll interval. Then one transaction writes the rows, predictions,
records, signed snapshots and the new cursor. The candidates learn the same rows in the
race process (`api.learning.race_process`), at their own pace: each tick also commits
the races as far as they have come, and a tick that learned nothing still commits a new
model version when they have come further. If anything fails before a commit the models
are rebuilt from the database and a new race process starts from them, so they never
run ahead of what is committed.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api import crud
from api.core.config import Settings
from api.core.security import TamperedBlobError, dump_signed, load_signed
from api.learning import metrics
from api.learning.backoff import backoff_seconds
from api.learning.candidates import REFERENCE
from api.learning.committed import CommittedRecord
from api.learning.cursor import Cursor
from api.learning.fence import WINDOW_ROWS, OutlierFence
from api.learning.held import HeldRow
from api.learning.lease import Lease, LeaseLost
from api.learning.race_process import RaceBlob, RaceProcess, RaceReport, RaceState
from api.learning.rows import RaceRow, StreamRow
from api.learning.scores import leaderboard_entry
from api.learning.source import SourceClient, SourceError
from api.learning.status import LearnerState, LearnerStatus
from api.learning.tasks import TASK_TYPES, TASKS, Task, new_tasks, task_options
from api.learning.tick import RACE_BATCH_ROWS, TickPlan

logger = logging.getLogger(__name__)
HELD_COLUMNS = ("page", "position", "taken", "features", "payload", "reason")

# A tick that learned nothing waits this long for the races' answer to its question, so
# that the races' progress lands with it rather than with the next tick.
IDLE_RACE_WAIT_SECONDS = 0.2
# The snapshot of the outlier fence sits beside the tasks' at each model version.
FENCE_SNAPSHOT = "fence"


class Learner:
    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        *,
        source: SourceClient | None = None,
        take_over: str | None = None,
        on_status: Callable[[LearnerStatus], None] = lambda status: None,
    ):
        self.settings = settings
        self.session_factory = session_factory
        self.source = source or SourceClient(
            settings.CHALLENGE_API_URL,
            timeout=settings.SOURCE_TIMEOUT_SECONDS,
            concurrency=settings.SOURCE_CONCURRENCY,
        )
        self.lease = Lease(session_factory, seconds=settings.LEASE_SECONDS, take_over=take_over)
        self.on_status = on_status
        self.status = LearnerStatus(holder=self.lease.holder)
        self.tasks: dict[str, Task] = {}  # empty: restore before learning
        self.fence: OutlierFence | None = None  # None: OUTLIER_FENCE=off
        self.held: list[HeldRow] = []  # what the fence holds back, as committed
        self.races: RaceProcess | None = None  # started by restore, with the tasks' races
        self.rows_raced = 0  # as far as the committed races have come
        # Each task's last committed record, which a tick that only moves the races
        # commits again with the new standings.
        self.records: dict[str, CommittedRecord] = {}
        self.paused = False
        self.stopping = threading.Event()
        self._wake = threading.Event()

    @property
    def cursor(self) -> Cursor:
        return self.status.cursor

    def _report(self, **changes) -> None:
        self.status = self.status.but(**changes)
        self.on_status(self.status)

    # --- state --------------------------------------------------------------------------

    def restore(self) -> None:
        """Rebuild the tasks, the fence, the held rows and the cursor from the newest
        committed snapshot."""
        self.tasks = {}
        key = self.settings.SECRET_KEY.get_secret_value()
        width = self.settings.OUTLIER_FENCE
        with self.session_factory() as session:
            cursor, _ = crud.read_cursor(session)
            options = task_options(self.settings)
            tasks = new_tasks(self.settings.ROLLING_WINDOW, options, racing=False)
            fence: OutlierFence | None = None
            if cursor.model_version:
                snapshots = crud.read_snapshots(session, model_version=cursor.model_version)
                parts = {s.task: load_signed(s.blob, s.signature, key=key) for s in snapshots}
                fence = parts.pop(FENCE_SNAPSHOT, None)
                tasks = parts
                if set(tasks) != set(TASKS):
                    raise RuntimeError(f"snapshots missing at model version {cursor.model_version}")
                for task in tasks.values():
                    task.configure(options)
            if width is None:
                fence = None
            elif fence is None:
                # A database from before the fence: it stands at once, on the rows learned.
                fence = OutlierFence(width)
                for competence, ability in crud.read_recent_learned_values(
                    session, limit=WINDOW_ROWS
                ):
                    fence.learn(StreamRow(0, competence, ability, False))
            else:
                fence.configure(width)
            self.held = [
                HeldRow.from_stored(row.id, {c: getattr(row, c) for c in HELD_COLUMNS})
                for row in crud.read_held_rows(session)
            ]
            self.records = {
                name: crud.committed_record(record)
                for name in TASKS
                if (record := crud.read_latest_record(session, task=name)) is not None
            }
            self._start_races(session, tasks, cursor)
        self.status = self.status.but(cursor=cursor)
        self.fence = fence
        self.tasks = tasks

    def _start_races(self, session: Session, tasks: dict[str, Task], cursor: Cursor) -> None:
        """Hand the tasks' races over to a new race process, with the learned rows they
        have yet to race."""
        self._stop_races()
        blobs = {name: race_blob(task, cursor) for name, task in tasks.items()}
        positions = {(blob.rows_raced, blob.last_id) for blob in blobs.values()}
        if len(positions) != 1:
            raise RuntimeError(f"the races of one snapshot stand apart: {positions}")
        ((rows_raced, last_id),) = positions
        behind = crud.read_rows_to_race(session, after=rows_raced)
        if rows_raced + len(behind) != cursor.rows_seen:
            raise RuntimeError(
                f"the races stand at row {rows_raced} and {len(behind)} learned rows follow,"
                f" but {cursor.rows_seen} rows were learned"
            )
        resets = crud.read_reset_rows(session, after=rows_raced)
        # Until the race process answers, the races stand as this snapshot left them.
        states = {
            name: RaceState(blob, *self._standings(tasks[name]), changes=[])
            for name, blob in blobs.items()
        }
        self.races = RaceProcess(
            RaceReport(rows_raced, last_id, states),
            options=task_options(self.settings),
            window=self.settings.ROLLING_WINDOW,
        )
        self.rows_raced = rows_raced
        for rows, reset in batches_to_race(behind, resets, first=rows_raced + 1):
            self.races.feed(rows, reset)

    def _standings(self, task: Task) -> tuple[str, list[dict[str, Any]]]:
        """The champion and leaderboard committed with the snapshot, or, before any race,
        every candidate with no row yet."""
        record = self.records.get(task.name)
        if record is not None and record.get("leaderboard"):
            return record["champion"] or REFERENCE, record["leaderboard"]
        names = task.options.candidates(task.name)
        return REFERENCE, [leaderboard_entry(n, type(task.scores)(task.window)) for n in names]

    def _stop_races(self) -> None:
        if self.races is not None:
            self.races.close()
            self.races = None

    # --- one tick -----------------------------------------------------------------------

    def learn_and_commit(self, pages: list[list]) -> bool:
        """Learn every new row of `pages` and commit them as one tick; True when anything
        changed."""
        return self._learn_and_commit(iter(pages))[0]

    def _learn_and_commit(self, pages) -> tuple[bool, TickPlan]:
        if not self.tasks:
            self.restore()
        plan = self._plan()
        try:
            for rows in pages:
                if not plan.take(rows):
                    break
        except BaseException:
            if plan.pages:  # rows were learned: the models are ahead of the database now
                self.tasks = {}  # restore before the next tick
            raise
        try:
            return self._commit(plan), plan
        except BaseException:
            # The races may have answered too, and handed over their champion changes.
            self.tasks = {}
            raise

    def _plan(self) -> TickPlan:
        """A new tick's plan; pending admin resets give their tasks a fresh model."""
        with self.session_factory() as session:
            positions = crud.read_quarantined_positions(session, page=self.cursor.next_page)
            resets = [(reset.id, reset.task) for reset in crud.read_pending_resets(session)]
        tasks = dict(self.tasks)
        for _, name in resets:
            tasks[name] = TASK_TYPES[name](
                self.settings.ROLLING_WINDOW, task_options(self.settings), racing=False
            )
        assert self.races is not None, "restore starts the races"
        self.races.ask()  # answered while the tick learns, committed with it
        return TickPlan(
            self.cursor,
            tasks,
            feed=self.races.feed,
            fence=self.fence,
            held=self.held,
            quarantined_positions=positions,
            resets=[reset_id for reset_id, _ in resets],
            fresh_races=[name for _, name in resets],
        )

    def _commit(self, plan: TickPlan) -> bool:
        """Add records and signed snapshots to the tick and commit it."""
        assert self.races is not None, "restore starts the races"
        plan.feed_races()
        races = self.races.newest(
            behind_at_most=self.settings.RACE_MAX_LAG_ROWS,
            wait=0.0 if plan.learned else IDLE_RACE_WAIT_SECONDS,
        )
        races_moved = races.rows_raced > self.rows_raced
        tick = plan.write(races_moved=races_moved)
        if tick is None:
            return False
        if tick.learned or races_moved:
            if tick.learned:
                self.tasks = plan.tasks  # a reset only takes effect with rows learned
            self._add_records_and_snapshots(tick, plan, races, races_moved, datetime.now(UTC))
        with self.session_factory() as session, session.begin():
            self.lease.check_in(session)
            crud.write_tick(session, tick, snapshot_retention=self.settings.SNAPSHOT_RETENTION)
        self.status = self.status.but(cursor=tick.cursor)
        self.rows_raced = races.rows_raced
        self.held = plan.held
        self.records.update((record["task"], record) for record in tick.records)
        metrics.ROWS_LEARNED.inc(len(tick.learned))
        metrics.ROWS_QUARANTINED.labels("outlier").inc(plan.outliers)
        metrics.ROWS_QUARANTINED.labels("malformed").inc(len(tick.quarantined) - plan.outliers)
        metrics.ROWS_HELD.inc(plan.newly_held)
        metrics.ROWS_SHIFT_LEARNED.inc(plan.shift_learned)
        for event in tick.drift_events:
            metrics.DRIFT_EVENTS.labels(event["task"], event["detector"]).inc()
            logger.warning("drift detected: %s", event)
        for change in tick.champion_changes:
            logger.info("new champion: %s", change)
        if tick.quarantined:
            logger.warning(
                "quarantined %d rows, e.g. %s", len(tick.quarantined), tick.quarantined[0]["reason"]
            )
        return True

    def _add_records_and_snapshots(
        self,
        tick: crud.TickWrite,
        plan: TickPlan,
        races: RaceReport,
        races_moved: bool,
        now: datetime,
    ) -> None:
        key = self.settings.SECRET_KEY.get_secret_value()
        for name, task in self.tasks.items():
            race = races.tasks[name]
            standings = {
                "model_version": tick.cursor.model_version,
                "updated_at": now,
                "champion": race.champion,
                "leaderboard": race.leaderboard,
                "rows_raced": races.rows_raced,
            }
            if tick.learned:
                record: CommittedRecord = {
                    "task": task.name,
                    "page": tick.learned[-1]["page"],
                    "rows_seen": tick.cursor.rows_seen,
                    "metrics": task.scores.report(),
                    "rolling_metrics": task.scores.rolling_report(),
                    "coefficients": task.coefficients(),
                    "coefficient_intervals": task.coefficient_intervals(),
                    "batch": plan.outputs[name][-self.settings.LATEST_BATCH_ROWS :],
                    **standings,  # type: ignore[typeddict-item]
                }
            else:  # only the races moved: the task's record again, with their standings
                record = {**self.records[name], **standings}  # type: ignore[typeddict-item]
            tick.records.append(record)
            tick.drift_events += task.drain_drift_events(
                rows_seen=tick.cursor.rows_seen, updated_at=now
            )
            if races_moved:  # else the races' answer and its changes are committed already
                tick.champion_changes += race.changes
            task.race_blob = race.blob  # the snapshot holds the race as the process left it
            tick.snapshots.append(signed_snapshot(name, task, tick.cursor.model_version, key))
        if self.fence is not None:
            tick.snapshots.append(
                signed_snapshot(FENCE_SNAPSHOT, self.fence, tick.cursor.model_version, key)
            )

    def tick(self) -> float:
        """Run one tick; return how long to wait before the next."""
        started = time.perf_counter()
        try:
            if not self.lease.hold():
                return self._stand_by()
            if not self.tasks:
                self.restore()
            deadline = time.monotonic() + self.settings.POLL_INTERVAL_SECONDS / 2
            fetched = FetchedPages(
                self.source.pages(
                    self.cursor.next_page, self.settings.MAX_PAGES_PER_TICK, deadline=deadline
                )
            )
            try:
                committed, plan = self._learn_and_commit(fetched)
            finally:
                fetched.close()  # abandons what is still in flight
        except TamperedBlobError:
            raise
        except LeaseLost:
            return self._stand_by()
        except Exception as error:
            metrics.TICKS.labels("failed").inc()
            return self._failed(error)
        metrics.TICKS.labels("committed" if committed else "idle").inc()
        metrics.TICK_SECONDS.observe(time.perf_counter() - started)
        if fetched.fault is not None:
            # Pages came in before the fault: the source does answer, so back off from
            # the first step again.
            self.status = self.status.but(failures=0, last_tick_at=datetime.now(UTC))
            return self._failed(fetched.fault)
        self._report(state="running", last_error=None, failures=0, last_tick_at=datetime.now(UTC))
        # Every page full: the tick stopped on its time or page budget, a backlog waits.
        backlog = plan.pages > 0 and plan.next_page == plan.start.next_page + plan.pages
        return 0.0 if backlog else self.settings.POLL_INTERVAL_SECONDS

    def _stand_by(self) -> float:
        metrics.TICKS.labels("standby").inc()
        if self.status.state != "standby":
            logger.info("another learner holds the lease; standing by")
        self.tasks, self.records = {}, {}  # the active learner moves on: restore on take-over
        self._stop_races()
        self._report(state="standby")
        return self.settings.LEASE_SECONDS / 3

    def _failed(self, error: Exception) -> float:
        failures = self.status.failures + 1
        source_fault = isinstance(error, SourceError)
        message = str(error) if source_fault else f"{type(error).__name__}: {error}"
        delay = backoff_seconds(
            failures,
            base=self.settings.POLL_INTERVAL_SECONDS,
            ceiling=self.settings.BACKOFF_MAX_SECONDS,
        )
        if source_fault:
            metrics.SOURCE_ERRORS.inc()
        log = logger.warning if source_fault else logger.exception
        log("tick failed (%d in a row), retrying in %.1fs: %s", failures, delay, message)
        self._report(state="backing_off", last_error=message, failures=failures)
        return delay

    # --- the loop -----------------------------------------------------------------------

    def run(self) -> None:
        """Tick until `stop`; a tampered snapshot stops learning for good."""
        try:
            with self.session_factory() as session:
                self.status = self.status.but(cursor=crud.read_cursor(session)[0])
            while not self.stopping.is_set():
                if self.paused:
                    self._report(state="paused")
                    self._sleep(None)
                    continue
                try:
                    delay = self.tick()
                except TamperedBlobError as error:
                    # Retrying cannot help, and loading the blob is what must not happen.
                    logger.error("learner stopped: %s", error)
                    self._report(state="disabled", last_error=str(error))
                    self.stopping.wait()
                    return
                self._sleep(delay)
        finally:
            self._stop_races()
            self.lease.release()
            self.source.close()

    def _sleep(self, seconds: float | None) -> None:
        """Sleep, but wake early on pause, resume or stop."""
        self._wake.wait(seconds)
        self._wake.clear()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        state: LearnerState = "paused" if paused else "running"
        if paused or self.status.state == "paused":
            self._report(state=state)
        self._wake.set()

    def stop(self) -> None:
        self.stopping.set()
        self._wake.set()

    def close(self) -> None:
        """End the race process of a learner that learned without `run`."""
        self._stop_races()


def batches_to_race(
    rows: list[RaceRow], resets: dict[int, list[str]], *, first: int
) -> Iterator[tuple[list[RaceRow], list[str]]]:
    """Learned rows a hundred at a time, each with the tasks reset from its first row on;
    a batch ends before a row that a reset starts. Rows and resets are numbered by the
    rows learned up to them (`rows_seen`), `first` being the first row's."""
    batch: list[RaceRow] = []
    reset: list[str] = []
    for number, row in enumerate(rows, start=first):
        if number in resets or len(batch) == RACE_BATCH_ROWS:
            if batch:
                yield batch, reset
            batch, reset = [], resets.get(number, [])
        batch.append(row)
    if batch:
        yield batch, reset


def signed_snapshot(part: str, state: Any, model_version: int, key: str) -> dict[str, Any]:
    blob, signature = dump_signed(state, key=key)
    return {"task": part, "model_version": model_version, "blob": blob, "signature": signature}


class FetchedPages:
    """A tick's pages. A source fault once some pages are in ends them there, quietly,
    and those pages are still learned: were the whole tick dropped, a catch-up would stall
    on a flaky source. A fault on the first page is the tick's failure."""

    def __init__(self, pages: Iterator[list[Any]]):
        self._pages = pages
        self.fault: SourceError | None = None

    def __iter__(self) -> Iterator[list[Any]]:
        count = 0
        try:
            for rows in self._pages:
                count += 1
                yield rows
        except SourceError as error:
            if not count:
                raise
            self.fault = error

    def close(self) -> None:
        close = getattr(self._pages, "close", None)
        if close is not None:
            close()


def race_blob(task: Task, cursor: Cursor) -> RaceBlob:
    """A restored task's race as the race process takes it; the task keeps the blob alone."""
    race, task.race = task.race, None
    if race is None:
        return task.race_blob or RaceBlob(None)
    # A snapshot from before the race process holds its race whole, and one from before
    # the races ran behind their tasks stands where its task does.
    if not race.placed:
        race.place_with(task.scores, rows_raced=cursor.rows_seen, last_id=cursor.last_id)
    task.race_blob = RaceBlob.of(race)
    return task.race_blob
