"""Reads shared by every viewer of this process: the work is done once, not once a viewer.

Both caches are bounded and hold only copies of what the API said, so a second worker
process with caches of its own serves the same: the status at most `max_age` seconds old,
and the charts of a model version (or of one just after it, when the learner moved on
while they were read).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Recent(Generic[Value]):
    """One value read at most once every `max_age` seconds, however many threads ask."""

    def __init__(self, read: Callable[[], Value], *, max_age: float):
        self._read = read
        self._max_age = max_age
        self._lock = threading.Lock()
        self._value: Value | None = None
        self._read_at = -float("inf")

    def get(self) -> Value:
        # Threads that ask during a read wait for it rather than read again.
        with self._lock:
            if time.monotonic() - self._read_at >= self._max_age:
                self._value = self._read()
                self._read_at = time.monotonic()
            return self._value  # type: ignore[return-value]


class PerVersion(Generic[Value]):
    """What `build(key)` made for a model version, built once per (key, version).

    `build` returns the version it actually drew with its value, which may be newer than
    the one asked for; the answer is kept under both, so later viewers asking for either
    share it. Viewers that ask while a build of the same key is under way wait for it and
    share its answer or its error.
    """

    def __init__(self, build: Callable[[str], tuple[int, Value]], *, size: int):
        self._build = build
        self._size = size
        self._lock = threading.Lock()
        self._flights: dict[str, Future[tuple[int, Value]]] = {}
        self._built: OrderedDict[tuple[str, int], tuple[int, Value]] = OrderedDict()

    def _keep(self, key: str, asked: int, built: tuple[int, Value]) -> None:
        for version in {asked, built[0]}:
            self._built[(key, version)] = built
            self._built.move_to_end((key, version))
        while len(self._built) > self._size:
            self._built.popitem(last=False)

    def _fly(self, key: str, version: int) -> tuple[int, Value]:
        with self._lock:
            found = self._built.get((key, version))
            if found is not None:
                self._built.move_to_end((key, version))
                return found
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = Future()
                owner = True
            else:
                owner = False
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

    def get(self, key: str, version: int) -> tuple[int, Value]:
        built = self._fly(key, version)
        if built[0] < version:
            # Joined a build that began before `version` existed: one more, of its own.
            built = self._fly(key, version)
        return built
