"""The learner: polls the stream, learns row by row, commits each tick exactly once.

A tick takes the lease, reads pages from the cursor on and learns each page as it comes
in (the next pages are fetched meanwhile), until the end of the stream, a source fault,
MAX_PAGES_PER_TICK pages, or half a poll interval: so during a catch-up a commit lands
at least every poll interval. Then one transaction writes what `api.learning.commit`
builds: the rows, predictions, records, signed snapshots and the new cursor. The
candidates learn the same rows in the race process (`api.learner.race_process`), at
their own pace: each tick also commits the races as far as they have come, and a tick
that learned nothing still commits a new model version when they have come further. If
anything fails before a commit, the state is restored from the database and a new race
process starts from it, so the models never run ahead of what is committed.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api import crud
from api.core.config import Settings
from api.core.security import TamperedBlobError
from api.learner import metrics
from api.learner.backoff import backoff_seconds
from api.learner.lease import Lease, LeaseLost
from api.learner.logs import log_commit, log_pruned, log_recovery
from api.learner.race_process import RaceProcess
from api.learner.races import start_races
from api.learner.restore import Restored, Unrestorable, restore
from api.learner.retention import Pace, Pruned, Retention, prune
from api.learner.rewind import ADMIN_REWIND, CannotHeal, VersionNotKept, heal, rewind_to
from api.learner.source import FetchedPages, SourceClient, SourceError
from api.learner.status import LearnerState, LearnerStatus, recovery_fields
from api.learning.commit import Committed, build_commit
from api.learning.committed import CommittedRecord, TickCommit
from api.learning.cursor import Cursor
from api.learning.fence import OutlierFence
from api.learning.held import HeldRow
from api.learning.options import task_options
from api.learning.tasks import TASK_TYPES, Task
from api.learning.tick import Tick
from api.models import Recovery

logger = logging.getLogger(__name__)

# A tick that learned nothing waits this long for the races' answer to its question, so
# that the races' progress lands with it rather than with the next tick.
IDLE_RACE_WAIT_SECONDS = 0.2


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
        self.options = task_options(settings)
        self.session_factory = session_factory
        self.source = source or SourceClient(
            settings.CHALLENGE_API_URL,
            timeout=settings.SOURCE_TIMEOUT_SECONDS,
            concurrency=settings.SOURCE_CONCURRENCY,
        )
        self.retention = Retention.of(settings)
        self.prune_pace = Pace()
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

    def _publish(self, **changes: Any) -> None:
        """Change the status and tell whoever follows it."""
        self.status = replace(self.status, **changes)
        self.on_status(self.status)

    def restore(self) -> None:
        """Take the committed state, and start a race process from its races. A state that
        cannot be taken as it is (a damaged snapshot or cursor) is healed first: the
        learner rewinds to the newest kept version that restores (`CannotHeal` when none
        does)."""
        self.tasks = {}
        self._stop_races()
        try:
            restored = self._read_state()
        except Unrestorable as error:
            if isinstance(error.__cause__, TamperedBlobError):
                metrics.count_refused_snapshot()
            reason = str(error)
            self._recover(lambda session: heal(session, reason=reason, key=self._key))
            restored = self._read_state()
        with self.session_factory() as session:
            self.races, self.rows_raced = start_races(
                session,
                restored.tasks,
                restored.cursor,
                restored.records,
                options=self.options,
                window=self.settings.ROLLING_WINDOW,
            )
        self.status = replace(self.status, cursor=restored.cursor)
        self.fence, self.held, self.records = restored.fence, restored.held, restored.records
        self.tasks = restored.tasks

    def _read_state(self) -> Restored:
        with self.session_factory() as session:
            return restore(
                session,
                options=self.options,
                window=self.settings.ROLLING_WINDOW,
                fence_width=self.settings.OUTLIER_FENCE,
                key=self._key,
            )

    def _recover(self, rewind: Callable[[Session], Recovery]) -> None:
        """Rewind, in a transaction of its own, as the lease's holder; then the learner
        holds no state until it restores."""
        self.tasks = {}
        self._stop_races()
        with self.session_factory() as session, session.begin():
            self.lease.check_in(session)
            recovery = rewind(session)
            fields = recovery_fields(recovery)
        metrics.count_recovery(healing=recovery.reason != ADMIN_REWIND)
        log_recovery(recovery)
        self.status = replace(self.status, last_recovery=fields)

    def apply_rewind_requests(self) -> None:
        """The newest pending request of an admin is carried out; every pending one is
        settled with what became of it. Before a tick reads the source: a rewind moves
        the cursor back."""
        with self.session_factory() as session:
            pending = [(r.id, r.to_version) for r in crud.read_pending_rewinds(session)]
        if not pending:
            return
        ids, to_version = [request_id for request_id, _ in pending], pending[-1][1]

        def rewind(session: Session) -> Recovery:
            recovery = rewind_to(session, to_version=to_version, reason=ADMIN_REWIND, key=self._key)
            crud.settle_rewinds(
                session, ids=ids, result=f"rewound as version {recovery.new_version}"
            )
            return recovery

        try:
            self._recover(rewind)
        except (VersionNotKept, Unrestorable) as error:
            with self.session_factory() as session, session.begin():
                crud.settle_rewinds(session, ids=ids, result=f"refused: {error}")
            logger.error("rewind to version %d refused: %s", to_version, error)
        self.restore()

    @property
    def _key(self) -> str:
        return self.settings.SECRET_KEY.get_secret_value()

    def _stop_races(self) -> None:
        if self.races is not None:
            self.races.close()
            self.races = None

    # --- one tick -----------------------------------------------------------------------

    def learn_and_commit(self, pages: list[list]) -> bool:
        """Learn every new row of `pages` and commit them as one tick; True when anything
        changed."""
        return self._learn_and_commit(iter(pages))[0]

    def _learn_and_commit(self, pages: Iterable[list[Any]]) -> tuple[bool, Tick]:
        if not self.tasks:
            self.restore()
        tick = self._begin_tick()
        try:
            for rows in pages:
                if not tick.learn_page(rows):
                    break
        except BaseException:
            if tick.pages:  # rows were learned: the models are ahead of the database now
                self.tasks = {}  # restore before the next tick
            raise
        try:
            committed = self._commit(tick)
        except BaseException:
            # The races may have answered too, and handed over their champion changes.
            self.tasks = {}
            raise
        self.prune_pace.count(len(tick.learned))
        if self.prune_pace.due:
            self.prune()
        return committed, tick

    def _begin_tick(self) -> Tick:
        """A new tick from the committed cursor; pending admin resets give their tasks a
        fresh model."""
        with self.session_factory() as session:
            positions = crud.read_quarantined_positions(session, page=self.cursor.next_page)
            resets = [(reset.id, reset.task) for reset in crud.read_pending_resets(session)]
        tasks = dict(self.tasks)
        for _, name in resets:
            tasks[name] = TASK_TYPES[name](self.settings.ROLLING_WINDOW, self.options, racing=False)
        assert self.races is not None, "restore starts the races"
        self.races.ask()  # answered while the tick learns, committed with it
        return Tick(
            self.cursor,
            tasks,
            feed=self.races.feed,
            fence=self.fence,
            held=self.held,
            quarantined_positions=positions,
            resets=[reset_id for reset_id, _ in resets],
            fresh_races=[name for _, name in resets],
        )

    def _commit(self, tick: Tick) -> bool:
        """Build the tick's commit and write it in one transaction; False when the tick
        changed nothing."""
        assert self.races is not None, "restore starts the races"
        metrics.see_pages(read=tick.pages, full=tick.next_page - tick.start.next_page)
        tick.feed_races()
        races = self.races.newest(
            behind_at_most=self.settings.RACE_MAX_LAG_ROWS,
            wait=0.0 if tick.learned else IDLE_RACE_WAIT_SECONDS,
        )
        commit = build_commit(
            tick,
            before=Committed(self.tasks, self.records, self.rows_raced),
            races=races,
            fence=self.fence,
            batch_rows=self.settings.LATEST_BATCH_ROWS,
            key=self.settings.SECRET_KEY.get_secret_value(),
            now=datetime.now(UTC),
        )
        if commit is None:
            return False
        with self.session_factory() as session, session.begin():
            self.lease.check_in(session)
            crud.write_tick(session, commit, snapshot_retention=self.settings.SNAPSHOT_RETENTION)
        self._committed(commit, tick, rows_raced=races.rows_raced)
        return True

    def _committed(self, commit: TickCommit, tick: Tick, *, rows_raced: int) -> None:
        """The tick's commit is in the database: it is now the learner's state."""
        if tick.learned:
            self.tasks = tick.tasks  # an admin reset takes effect with rows learned
        self.status = replace(self.status, cursor=commit.cursor)
        self.rows_raced = rows_raced
        self.held = tick.held
        self.records.update((record["task"], record) for record in commit.records)
        metrics.count_commit(
            commit, outliers=tick.outliers, held=tick.newly_held, shift_learned=tick.shift_learned
        )
        log_commit(commit)

    def tick(self) -> float:
        """Run one tick; return how long to wait before the next."""
        started = time.perf_counter()
        try:
            if not self.lease.hold():
                return self._stand_by()
            if not self.tasks:
                self.restore()
            self.apply_rewind_requests()
            deadline = time.monotonic() + self.settings.POLL_INTERVAL_SECONDS / 2
            fetched = FetchedPages(
                self.source.pages(
                    self.cursor.next_page, self.settings.MAX_PAGES_PER_TICK, deadline=deadline
                )
            )
            try:
                committed, tick = self._learn_and_commit(fetched)
            finally:
                fetched.close()  # abandons what is still in flight
        except CannotHeal:
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
            self.status = replace(self.status, failures=0, last_tick_at=datetime.now(UTC))
            return self._failed(fetched.fault)
        self._publish(state="running", last_error=None, failures=0, last_tick_at=datetime.now(UTC))
        # Every page full: the tick stopped on its time or page budget, a backlog waits.
        backlog = tick.pages > 0 and tick.next_page == tick.start.next_page + tick.pages
        return 0.0 if backlog else self.settings.POLL_INTERVAL_SECONDS

    def prune(self) -> Pruned | None:
        """One step of pruning, in a transaction of its own: the tick is committed whatever
        becomes of it, and a step that fails is tried again after the next tick (None)."""
        started = time.perf_counter()
        try:
            with self.session_factory() as session, session.begin():
                self.lease.check_in(session)
                version = self.cursor.model_version
                learned = self.prune_pace.rows
                pruned = prune(session, self.retention, model_version=version, learned=learned)
        except LeaseLost:
            return None
        except Exception:
            logger.exception("pruning failed; the next tick tries again")
            return None
        self.prune_pace.pruned(pruned)
        metrics.count_pruned(pruned.deleted, seconds=time.perf_counter() - started)
        log_pruned(pruned.deleted)
        return pruned

    def _stand_by(self) -> float:
        metrics.TICKS.labels("standby").inc()
        if self.status.state != "standby":
            logger.info("another learner holds the lease; standing by")
        self.tasks, self.records = {}, {}  # the active learner moves on: restore on take-over
        self._stop_races()
        self._publish(state="standby")
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
        self._publish(state="backing_off", last_error=message, failures=failures)
        return delay

    # --- the loop -----------------------------------------------------------------------

    def run(self) -> None:
        """Tick until `stop`; a tampered snapshot stops learning for good."""
        try:
            with self.session_factory() as session:
                recovery = crud.read_last_recovery(session)
                self.status = replace(
                    self.status,
                    cursor=crud.read_cursor(session)[0],
                    last_recovery=None if recovery is None else recovery_fields(recovery),
                )
            while not self.stopping.is_set():
                if self.paused:
                    self._publish(state="paused")
                    self._sleep(None)
                    continue
                try:
                    delay = self.tick()
                except CannotHeal as error:
                    # Retrying cannot help: nothing kept restores. The API serves the
                    # committed records meanwhile.
                    logger.error("learner stopped: %s", error)
                    self._publish(state="disabled", last_error=str(error))
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
            self._publish(state=state)
        self._wake.set()

    def stop(self) -> None:
        self.stopping.set()
        self._wake.set()

    def close(self) -> None:
        """End the race process of a learner that learned without `run`."""
        self._stop_races()
