"""The candidates' race in a process of its own, beside the learner and behind it.

The learner learns the reference models and hands each hundred rows it learns to this
process, which races the candidates on them at its own pace and at a lower priority:
a tick never waits for the candidates, so a catch-up goes at the reference's speed and
the race catches up on what the learner leaves of the machine. Each tick asks how far
the race has come (`ask`) and commits the newest answer to arrive (`newest`): both
tasks' races pickled as they stand after the same row, with their leaderboard entries,
champions and the champion changes since the last answer. A snapshot therefore holds
each race where it stood, a little behind its task; restoring it races the rows in
between again, from the learned rows the database keeps, so exactly once holds for
every candidate as it does for the references (an admin reset among those rows swaps
in its fresh race at the reset's first row again). The race may fall at most
RACE_MAX_LAG_ROWS behind: past that a commit waits for it.

What the learner sends goes through a thread of its own, and the process reads it in a
thread of its own too, so the learner never waits on a busy or hung race to hand rows
over; a race that stops answering fails the first tick after its answer is overdue,
however far behind it may still fall, and the next tick starts a new one. The process
ends when the learner closes its end of the pipe, or dies, which closes it too: it is
never left behind.

The learner itself never builds, unpickles or pickles a race: it hands the race process
the blobs its snapshot holds (`RaceBlob`) and keeps the blobs each answer brings, so it
never imports the candidates' models (`api.learner.race_worker` does, in the race
process alone).
"""

import multiprocessing
import queue
import signal
import threading
import time
from array import array
from itertools import chain
from typing import TYPE_CHECKING, Any

from api.learning.options import TaskOptions
from api.learning.race_messages import RaceReport
from api.learning.rows import RaceRow

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# An answer comes after at most one batch of rows and a pickling, unless the learner waits
# for rows the race has yet to race: this long after the question, plus a millisecond for
# each row it waits for, the race counts as hung, whether a tick waits for it or not.
ANSWER_TIMEOUT_SECONDS = 60.0
SECONDS_PER_AWAITED_ROW = 0.001


class RaceFailed(RuntimeError):
    """The race process died, hung or a candidate raised: the tick is not committed."""


def _context() -> Any:
    # Spawned: starting the process returns at once and the child imports the models
    # while the learner already learns, instead of the learner waiting for a fork server
    # to import them; and a fresh interpreter shares no locks with the learner's threads.
    return multiprocessing.get_context("spawn")


def _serve(connection: "Connection") -> None:
    # Imported here, in the race process: the learner never imports the models it races.
    from api.learner.race_worker import serve

    serve(connection)


class RaceProcess:
    """The learner's handle on the race process, started from the races of `report`,
    which stands for them until the process first answers."""

    def __init__(self, report: RaceReport, *, options: TaskOptions, window: int):
        context = _context()
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name="race", daemon=True)
        self._process.start()
        child.close()
        # Sent by a thread of its own, the races first: a race process that stops reading
        # (starting, hung, stopped) holds up that thread, never the learner, which then
        # finds out by the answers.
        self._outbox: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._send_error: OSError | None = None
        self._sender = threading.Thread(target=self._send_all, name="race-feed", daemon=True)
        self._sender.start()
        blobs = {task: state.blob for task, state in report.tasks.items()}
        self._send(("start", blobs, options, window))
        self.rows_fed = report.rows_raced
        self.report = report  # the newest answer
        self._asked_for: int | None = None  # the rows the pending question waits for
        self._asked_at = 0.0  # when, on the monotonic clock

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def feed(self, rows: list[RaceRow], fresh: list[str] | None = None) -> None:
        """Race these learned rows; the tasks in `fresh` start a fresh race with the first
        (an admin reset)."""
        # Packed as numbers: rows waiting for a race far behind cost 48 bytes each.
        self._send(("feed", array("d", chain.from_iterable(rows)), fresh or []))
        self.rows_fed += len(rows)

    def ask(self) -> None:
        """Ask how far the race has come, unless a question is pending already."""
        if self._asked_for is None:
            self._ask(0)

    def newest(self, *, behind_at_most: int, wait: float = 0.0) -> RaceReport:
        """The newest answer, once it is at most `behind_at_most` rows behind the rows fed;
        an answer on its way is waited for up to `wait` seconds."""
        if self._send_error is not None or not self._process.is_alive():
            raise self._died()
        self._receive(wait)
        wanted = self.rows_fed - behind_at_most
        while self.report.rows_raced < wanted:
            if self._asked_for is None:
                self._ask(wanted)
            self._receive(None)
        return self.report

    def close(self) -> None:
        """End the race process at once: it holds nothing the learner has not committed
        or will not race again from the database, so it is not asked to finish."""
        self._process.kill()
        self._outbox.put(None)
        self._sender.join()
        self._connection.close()
        self._process.join()

    def _ask(self, rows: int) -> None:
        self._send(("ask", rows))
        self._asked_for, self._asked_at = rows, time.monotonic()

    def _send(self, message: tuple) -> None:
        if self._send_error is not None:
            raise self._died() from self._send_error
        self._outbox.put(message)

    def _send_all(self) -> None:
        while (message := self._outbox.get()) is not None:
            try:
                self._connection.send(message)
            except OSError as error:
                self._send_error = error
                return

    def _receive(self, wait: float | None) -> None:
        """Take the pending answer: if it has come, or within `wait` seconds, or (None)
        within the time the race may take to answer; past that time it has hung."""
        if self._asked_for is None:
            return
        awaited = max(0, self._asked_for - self.report.rows_raced)
        timeout = ANSWER_TIMEOUT_SECONDS + awaited * SECONDS_PER_AWAITED_ROW
        left = max(0.0, self._asked_at + timeout - time.monotonic())
        try:
            if not self._connection.poll(left if wait is None else min(wait, left)):
                if wait is None or left <= wait:
                    raise RaceFailed(f"the race process did not answer in {timeout:.0f} s")
                return
            answer = self._connection.recv()
        except (OSError, EOFError) as error:
            raise self._died() from error
        self._asked_for = None
        if isinstance(answer, str):
            raise RaceFailed(f"the race process failed: {answer}")
        self.report = answer

    def _died(self) -> RaceFailed:
        self._process.join(timeout=1.0)
        code = self._process.exitcode
        if code is not None and code < 0:
            return RaceFailed(f"the race process was killed by {signal.Signals(-code).name}")
        return RaceFailed(f"the race process died (exit code {code})")
