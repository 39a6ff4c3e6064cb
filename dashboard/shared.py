"""Reads shared by every viewer of this process: the work is done once, not once a viewer.

Every cache is bounded and holds only copies of what the API said, so a second worker
process with caches of its own serves the same: the status at most a read old, and the
charts of a model version (or of one just after it, when the learner moved on while they
were read). A viewer never queues behind a read another viewer started: while one thread
reads, the others answer with what was read last, and their next refresh brings the new.
The answers to a question about a person (`PerKey`) have no "last" to answer with: those
asking the same question of the same model version wait for the one read.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Recent(Generic[Value]):
    """One value, read again by the first thread that finds it `max_age` seconds old."""

    def __init__(self, read: Callable[[], Value], *, max_age: float):
        self._read = read
        self._max_age = max_age
        self._lock = threading.Lock()
        self._reading: Future[Value] | None = None
        self._value: tuple[Value] | None = None
        self._read_at = -float("inf")

    def get(self) -> Value:
        with self._lock:
            fresh = time.monotonic() - self._read_at < self._max_age
            if self._value is not None and (fresh or self._reading is not None):
                return self._value[0]
            reading = self._reading
            if reading is None:
                reading = self._reading = Future()
                owner = True
            else:
                owner = False
        if not owner:
            # Nothing read yet: wait for the first read rather than answer nothing.
            return reading.result()
        try:
            value = self._read()
        except BaseException as error:
            with self._lock:
                self._reading = None
            reading.set_exception(error)
            raise
        with self._lock:
            self._value, self._read_at, self._reading = (value,), time.monotonic(), None
        reading.set_result(value)
        return value


class PerVersion(Generic[Value]):
    """What `build(key)` made for a model version, built once per (key, version).

    `build` returns the version it actually drew with its value, which may be newer than
    the one asked for; the answer is kept under both, so later viewers asking for either
    share it. While a build of the key is under way, others get the key's newest build;
    only when there is none yet do they wait for it, and share its answer or its error.
    """

    def __init__(self, build: Callable[[str], tuple[int, Value]], *, size: int):
        self._build = build
        self._size = size
        self._lock = threading.Lock()
        self._flights: dict[str, Future[tuple[int, Value]]] = {}
        self._newest: dict[str, tuple[int, Value]] = {}
        self._built: OrderedDict[tuple[str, int], tuple[int, Value]] = OrderedDict()

    def _keep(self, key: str, asked: int, built: tuple[int, Value]) -> None:
        for version in {asked, built[0]}:
            self._built[(key, version)] = built
            self._built.move_to_end((key, version))
        while len(self._built) > self._size:
            self._built.popitem(last=False)
        self._newest[key] = built

    def get(self, key: str, version: int) -> tuple[int, Value]:
        with self._lock:
            found = self._built.get((key, version))
            if found is not None:
                self._built.move_to_end((key, version))
                return found
            flight = self._flights.get(key)
            if flight is not None and key in self._newest:
                return self._newest[key]
            owner = flight is None
            if owner:
                flight = self._flights[key] = Future()
        assert flight is not None
        if not owner:
            return flight.result()
        try:
            built = self._build(key)
        except BaseException as error:
            with self._lock:
                del self._flights[key]
            flight.set_exception(error)
            raise
        with self._lock:
            self._keep(key, version, built)
            del self._flights[key]
        flight.set_result(built)
        return built


class PerKey(Generic[Key, Value]):
    """What `read(key)` gave, read once per key whoever asks: threads asking for a key
    being read wait for that read and share its answer or its error. The newest `size`
    keys are kept; an error is not, so the next asker reads again."""

    def __init__(self, read: Callable[[Key], Value], *, size: int):
        self._read = read
        self._size = size
        self._lock = threading.Lock()
        self._flights: dict[Key, Future[Value]] = {}
        self._kept: OrderedDict[Key, Value] = OrderedDict()

    def get(self, key: Key) -> Value:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            flight = self._flights.get(key)
            owner = flight is None
            if flight is None:
                flight = self._flights[key] = Future()
        if not owner:
            return flight.result()
        try:
            value = self._read(key)
        except BaseException as error:
            with self._lock:
                del self._flights[key]
            flight.set_exception(error)
            raise
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
            del self._flights[key]
        flight.set_result(value)
        return value
