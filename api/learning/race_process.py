"""The candidates' race in a process of its own, beside the learner's.

The learner learns the reference models and hands each page's learned rows to this
process as soon as the page is learned, so the candidates learn on the other core in the
meantime. When the tick commits, the learner asks for the races as they stand after
exactly the tick's rows: each comes back pickled, with its leaderboard entries, its
champion and the champion changes since the last commit, and goes into the tick's
snapshot. Nothing of a race is committed that its tick did not learn, so exactly once
holds for every candidate as it does for the references.

A page handed over while the process is still busy waits in the pipe; when the pipe is
full the learner waits too, so the race can never fall more than a pipe's worth behind.
The process ends when the learner closes its end of the pipe, or dies, which closes it
too: it is never left behind.
"""

import logging
import multiprocessing
import pickle
import signal
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any

from api.learning.race import Race, RaceRow, step_races

logger = logging.getLogger(__name__)

# A commit waits for at most a pipe's worth of rows: far less than this, unless the
# process is stuck, which the learner then treats as a failed tick.
COMMIT_TIMEOUT_SECONDS = 60.0


class RaceFailed(RuntimeError):
    """The race process died, hung or a candidate raised: the tick is not committed."""


@dataclass(frozen=True)
class RaceState:
    """One task's race after a tick, as the tick commits it."""

    blob: bytes  # the race, pickled by the race process
    champion: str
    entries: list[dict[str, Any]]  # the leaderboard's entries but the reference's
    changes: list[dict[str, Any]]  # champion changes since the last commit


class PickledRace:
    """A race kept as the bytes the race process pickled: a task holding one pickles it
    as the race itself, so a snapshot unpickles to a task with its live race."""

    def __init__(self, blob: bytes):
        self.blob = blob

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return pickle.loads, (self.blob,)


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    # Imported once in the fork server, so a new race process starts in milliseconds.
    context.set_forkserver_preload([__name__])
    return context


def warm_up() -> None:
    """Start the fork server now, so that taking over from a dead learner does not wait
    for the models' imports."""
    _context()
    forkserver.ensure_running()


class RaceProcess:
    """The learner's handle on the race process."""

    def __init__(self, races: dict[str, Race]):
        context = _context()
        self._connection, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child, races), name="race", daemon=True)
        self._process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def feed(self, rows: list[RaceRow], fresh: dict[str, Race] | None = None) -> None:
        """Race these learned rows; `fresh` races replace their task's first (an admin
        reset)."""
        try:
            self._connection.send(("feed", rows, fresh or {}))
        except OSError as error:
            raise self._died() from error

    def commit(self, *, rows_seen: int, updated_at: datetime) -> dict[str, RaceState]:
        """Each task's race after every row fed so far, which the learner's tick has
        learned up to `rows_seen`."""
        try:
            self._connection.send(("commit", rows_seen, updated_at))
            if not self._connection.poll(COMMIT_TIMEOUT_SECONDS):
                raise RaceFailed(
                    f"the race process did not answer in {COMMIT_TIMEOUT_SECONDS:.0f} s"
                )
            answer = self._connection.recv()
        except (OSError, EOFError) as error:
            raise self._died() from error
        if isinstance(answer, str):
            raise RaceFailed(f"the race process failed: {answer}")
        return answer

    def close(self) -> None:
        self._connection.close()
        self._process.join(timeout=2.0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _died(self) -> RaceFailed:
        self._process.join(timeout=1.0)
        code = self._process.exitcode
        if code is not None and code < 0:
            return RaceFailed(f"the race process was killed by {signal.Signals(-code).name}")
        return RaceFailed(f"the race process died (exit code {code})")


def serve(connection: Connection, races: dict[str, Race]) -> None:
    """The race process: race the rows fed, answer each commit, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the learner's to handle
    failure: str | None = None
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message[0] == "feed":
            _, rows, fresh = message
            if failure is None:
                try:
                    races.update(fresh)
                    step_races(races, rows)
                except Exception as error:  # the learner hears of it at its commit
                    logger.exception("a candidate failed to learn")
                    failure = f"{type(error).__name__}: {error}"
        else:
            _, rows_seen, updated_at = message
            answer = failure or _states(races, rows_seen=rows_seen, updated_at=updated_at)
            connection.send(answer)


def _states(
    races: dict[str, Race], *, rows_seen: int, updated_at: datetime
) -> dict[str, RaceState]:
    states = {}
    for task, race in races.items():
        # Drained before pickling: a change committed with this tick is not pending in
        # its snapshot too.
        changes = race.drain_changes(task=task, rows_seen=rows_seen, updated_at=updated_at)
        blob = pickle.dumps(race, protocol=pickle.HIGHEST_PROTOCOL)
        states[task] = RaceState(blob, race.champion.name, race.entries(), changes)
    return states
