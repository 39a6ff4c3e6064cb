"""The race process itself: it builds the races from the blobs the learner hands over,
races the rows fed, and answers each question with both races pickled after the same row
(`api.learner.race_process` is the learner's side of it).
"""

import logging
import os
import queue
import signal
import threading
from array import array
from datetime import UTC, datetime
from multiprocessing.connection import Connection

from api.learning.options import TaskOptions
from api.learning.race import Race, learn_races, new_race
from api.learning.race_messages import RaceBlob, RaceReport, RaceState
from api.learning.rows import RaceRow

logger = logging.getLogger(__name__)

# Nice 10: the race takes what the learner, the API and the source leave of the machine.
RACE_NICENESS = 10


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


def serve(connection: Connection) -> None:
    """The race process: start the races the learner sends, race the rows fed, answer
    each question as soon as the races have come as far as it asks, until the pipe
    closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the learner's to handle
    os.nice(RACE_NICENESS)
    inbox = Inbox(connection)
    start = inbox.messages.get()
    if start is None:
        return
    _, blobs, options, window = start
    races = {task: _race_from(task, blob, options, window) for task, blob in blobs.items()}
    failure: str | None = None
    answered: tuple[int, RaceReport] | None = None  # the last answer, while it holds
    while True:
        message = inbox.messages.get()
        if message is None:
            return
        if message[0] == "feed" and failure is None:
            _, packed, fresh = message
            try:
                _start_fresh(races, fresh, options, window)
                learn_races(races, _unpacked(packed))
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


def _race_from(task: str, blob: RaceBlob, options: TaskOptions, window: int) -> Race:
    """The race a blob holds, with the candidates this run names."""
    race = blob.load() if blob.data is not None else _new_race(task, options, window)
    race.set_candidates(
        options.candidates(task),
        margin=options.champion_margin,
        sustain=options.champion_sustain_rows,
    )
    return race


def _new_race(task: str, options: TaskOptions, window: int) -> Race:
    return new_race(
        task,
        options.candidates(task),
        window,
        margin=options.champion_margin,
        sustain=options.champion_sustain_rows,
    )


def _start_fresh(
    races: dict[str, Race], fresh: list[str], options: TaskOptions, window: int
) -> None:
    """Fresh races for the tasks reset, where the others stand."""
    position = _position(races)
    last_id = next(iter(races.values())).last_id
    for task in fresh:
        races[task] = _new_race(task, options, window)
        races[task].stand_at(rows_raced=position, last_id=last_id)


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
        blob = RaceBlob.of(race)
        states[task] = RaceState(blob, race.champion.name, race.leaderboard(), changes)
    return RaceReport(rows_raced, last_id, states)
