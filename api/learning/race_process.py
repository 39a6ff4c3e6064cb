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
over; a race that stops answering fails the tick that has to wait for it. The process
ends when the learner closes its end of the pipe, or dies, which closes it too: it is
never left behind.
"""

import logging
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from multiprocessing.connection import Connection
from typing import Any

from api.learning.race import Race, RaceRow, step_races

logger = logging.getLogger(__name__)

# Nice 10: the race takes what the learner, the API and the source leave of the machine.
RACE_NICENESS = 10
# An answer comes after at most one batch of rows and a pickling, unless the learner waits
# for rows the race has yet to race: then this, plus a millisecond a row, before the
# race counts as hung.
ANSWER_TIMEOUT_SECONDS = 60.0
SECONDS_PER_AWAITED_ROW = 0.001


class RaceFailed(RuntimeError):
    """The race process died, hung or a candidate raised: the tick is not committed."""


@dataclass(frozen=True)
class RaceState:
    """One task's race as an answer left it."""

    blob: bytes  # the race, pickled by the race process
    champion: str
    leaderboard: list[dict[str, Any]]  # every candidate's entry, the reference first
    changes: list[dict[str, Any]]  # champion changes since the previous answer


@dataclass(frozen=True)
class RaceReport:
    """Both races after the same row: the `rows_raced`-th of the stream, of id `last_id`."""

    rows_raced: int
    last_id: int | None
    tasks: dict[str, RaceState]


class PickledRace:
    """A race kept as the bytes the race process pickled: a task holding one pickles it
    as the race itself, so a snapshot unpickles to a task with its live race."""

    def __init__(self, blob: bytes):
        self.blob = blob

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return pickle.loads, (self.blob,)


def _context() -> Any:
    # Spawned: starting the process returns at once and the child imports the models
    # while the learner already learns, instead of the learner waiting for a fork server
    # to import them; and a fresh interpreter shares no locks with the learner's threads.
    return multiprocessing.get_context("spawn")


class RaceProcess:
    """The learner's handle on the race process, whose races stand at `rows_raced`."""

    def __init__(self, races: dict[str, Race], *, rows_raced: int):
        context = _context()
        self._connection, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child, races), name="race", daemon=True)
        self._process.start()
        child.close()
        # Sent by a thread of its own: a race process that stops reading (hung, stopped)
        # holds up that thread, never the learner, which then finds out by the answers.
        self._outbox: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._send_error: OSError | None = None
        self._sender = threading.Thread(target=self._send_all, name="race-feed", daemon=True)
        self._sender.start()
        self.rows_fed = rows_raced
        self.report = _report(races)  # the newest answer; first, the races as they start
        self._asked_for: int | None = None  # the rows the pending question waits for

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def feed(self, rows: list[RaceRow], fresh: dict[str, Race] | None = None) -> None:
        """Race these learned rows; `fresh` races replace their task's first (an admin
        reset)."""
        # Packed as numbers: rows waiting for a race far behind cost 48 bytes each.
        self._send(("feed", array("d", chain.from_iterable(rows)), fresh or {}))
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
        self._outbox.put(None)
        self._sender.join(timeout=2.0)
        if self._sender.is_alive():  # stuck sending to a process that no longer reads
            self._process.kill()
            self._sender.join()
        self._connection.close()
        self._process.join(timeout=2.0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _ask(self, rows: int) -> None:
        self._send(("ask", rows))
        self._asked_for = rows

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
        within the time the race may take to answer."""
        if self._asked_for is None:
            return
        awaited = max(0, self._asked_for - self.report.rows_raced)
        timeout = ANSWER_TIMEOUT_SECONDS + awaited * SECONDS_PER_AWAITED_ROW
        try:
            if not self._connection.poll(timeout if wait is None else wait):
                if wait is None:
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


class Inbox:
    """What the learner sends, read as it comes by a thread of its own: the rows queue
    up for the race, and a question is noted at once, to be answered between batches."""

    def __init__(self, connection: Connection):
        self.messages: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self.asked_for: int | None = None
        threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: Connection) -> None:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                self.messages.put(None)
                return
            if message[0] == "ask":
                self.asked_for = message[1]
            self.messages.put(message)


def serve(connection: Connection, races: dict[str, Race]) -> None:
    """The race process: race the rows fed, answer each question as soon as the races
    have come as far as it asks, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the learner's to handle
    os.nice(RACE_NICENESS)
    inbox = Inbox(connection)
    failure: str | None = None
    answered: tuple[int, RaceReport] | None = None  # the last answer, while it holds
    while True:
        message = inbox.messages.get()
        if message is None:
            return
        if message[0] == "feed" and failure is None:
            _, packed, fresh = message
            try:
                _start_fresh(races, fresh)
                step_races(races, _unpacked(packed))
            except Exception as error:  # the learner hears of it with its next answer
                logger.exception("a candidate failed to learn")
                failure = f"{type(error).__name__}: {error}"
        asked_for = inbox.asked_for
        position = _position(races)
        if asked_for is None or (failure is None and position < asked_for):
            continue
        # Cleared before answering: the learner asks again only once it has the answer.
        inbox.asked_for = None
        if failure is not None:
            connection.send(failure)
            continue
        if answered is None or answered[0] != position:
            answered = position, _report(races)
        connection.send(answered[1])


def _unpacked(packed: array) -> list[RaceRow]:
    fields = [iter(packed)] * 6  # a RaceRow's six numbers, row after row
    return [
        (int(row_id), competence, network_ability, promoted == 1.0, probability, predicted)
        for row_id, competence, network_ability, promoted, probability, predicted in zip(
            *fields, strict=True
        )
    ]


def _start_fresh(races: dict[str, Race], fresh: dict[str, Race]) -> None:
    """Fresh races start where the others stand."""
    position = _position(races)
    last_id = next(iter(races.values())).last_id
    for task, race in fresh.items():
        race.place(rows_raced=position, last_id=last_id)
        races[task] = race


def _position(races: dict[str, Race]) -> int:
    return next(iter(races.values())).rows_raced


def _report(races: dict[str, Race]) -> RaceReport:
    rows_raced, last_id = _position(races), next(iter(races.values())).last_id
    now = datetime.now(UTC)
    states = {}
    for task, race in races.items():
        # Drained before pickling: a change committed with this answer is not pending in
        # its snapshot too.
        changes = race.drain_changes(task=task, rows_seen=rows_raced, updated_at=now)
        blob = pickle.dumps(race, protocol=pickle.HIGHEST_PROTOCOL)
        states[task] = RaceState(blob, race.champion.name, race.leaderboard(), changes)
    return RaceReport(rows_raced, last_id, states)
