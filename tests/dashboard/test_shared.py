import threading
import time

import pytest

from dashboard.shared import PerKey, PerVersion, Recent


class Api:
    """Counts reads; each answer is the model version it has reached by then, `pause`
    seconds after it was asked (a slow API, which the other viewers must not wait for)."""

    def __init__(self, version: int = 7, *, pause: float = 0.0):
        self.version = version
        self.pause = pause
        self.reads = 0
        self._asked = threading.Condition()

    def read(self, key: str = "") -> tuple[int, str]:
        with self._asked:
            self.reads += 1
            self._asked.notify_all()
        time.sleep(self.pause)
        return self.version, f"{key} charts of version {self.version}"

    def wait_for_reads(self, count: int) -> None:
        """Until `count` reads have begun (and, with a pause, are under way)."""
        with self._asked:
            assert self._asked.wait_for(lambda: self.reads >= count, timeout=10)


def in_threads(count: int, work) -> list:
    answers: list = [None] * count

    def run(index: int) -> None:
        answers[index] = work()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_recent_value_is_read_once_however_many_threads_ask_at_once():
    api = Api(pause=0.05)
    recent = Recent(api.read, max_age=10)
    assert in_threads(20, recent.get) == [(7, " charts of version 7")] * 20
    assert api.reads == 1


def test_a_recent_value_is_read_again_once_it_is_too_old():
    api = Api()
    recent = Recent(api.read, max_age=0.05)
    recent.get()
    api.version = 8
    time.sleep(0.06)  # the age under test
    assert recent.get()[0] == 8
    assert api.reads == 2


@pytest.mark.serial  # answered within 0.1 s
def test_while_one_thread_reads_again_the_others_answer_with_the_last_value():
    api = Api(pause=0.2)
    recent = Recent(api.read, max_age=0.01)
    recent.get()
    api.version = 8
    time.sleep(0.02)  # the age under test
    reader = threading.Thread(target=recent.get)
    reader.start()
    api.wait_for_reads(2)
    started = time.monotonic()
    assert recent.get()[0] == 7
    assert time.monotonic() - started < 0.1
    reader.join()
    assert recent.get()[0] == 8
    assert api.reads == 2


def test_viewers_asking_for_one_version_at_once_share_one_build():
    api = Api(pause=0.05)
    charts = PerVersion(api.read, size=4)
    answers = in_threads(20, lambda: charts.get("regression", 7))
    assert answers == [(7, "regression charts of version 7")] * 20
    assert api.reads == 1


@pytest.mark.serial  # answered within 0.1 s
def test_while_a_version_is_built_other_viewers_get_the_newest_built_one():
    api = Api(version=7, pause=0.2)
    charts = PerVersion(api.read, size=4)
    charts.get("regression", 7)
    api.version = 8
    builder = threading.Thread(target=charts.get, args=("regression", 8))
    builder.start()
    api.wait_for_reads(2)
    started = time.monotonic()
    assert charts.get("regression", 8)[0] == 7
    assert time.monotonic() - started < 0.1
    builder.join()
    assert charts.get("regression", 8)[0] == 8
    assert api.reads == 2


def test_a_build_that_drew_a_newer_version_also_answers_for_the_one_asked():
    api = Api(version=9)
    charts = PerVersion(api.read, size=4)
    assert charts.get("classification", 8)[0] == 9
    assert charts.get("classification", 8)[0] == 9
    assert charts.get("classification", 9)[0] == 9
    assert api.reads == 1


def test_each_task_has_its_own_builds():
    api = Api()
    charts = PerVersion(api.read, size=4)
    assert charts.get("classification", 7) != charts.get("regression", 7)
    assert api.reads == 2


def test_only_the_newest_versions_are_kept():
    api = Api()
    charts = PerVersion(api.read, size=2)
    for version in (1, 2, 3):
        api.version = version
        charts.get("regression", version)
    api.version = 1
    charts.get("regression", 1)
    assert api.reads == 4


def test_a_failed_build_fails_every_viewer_waiting_for_it_and_is_not_kept():
    calls = []

    def fail(key: str) -> tuple[int, str]:
        calls.append(key)
        time.sleep(0.05)  # a slow failure, for the other viewers to wait for
        raise ConnectionError("API down")

    charts = PerVersion(fail, size=4)

    def ask():
        try:
            return charts.get("regression", 7)
        except ConnectionError as error:
            return error

    answers = in_threads(10, ask)
    assert all(isinstance(answer, ConnectionError) for answer in answers)
    assert len(calls) < 10
    with pytest.raises(ConnectionError):
        charts.get("regression", 7)


def test_a_key_is_read_once_however_many_threads_ask_for_it_at_once():
    api = Api(pause=0.05)
    answers = PerKey(api.read, size=8)
    assert (
        in_threads(20, lambda: answers.get("?competence=0.71"))
        == [(7, "?competence=0.71 charts of version 7")] * 20
    )
    assert api.reads == 1


def test_each_key_is_read_for_itself_and_the_newest_are_kept():
    api = Api()
    answers = PerKey(api.read, size=2)
    for key in ("a", "b", "a", "c", "a"):
        answers.get(key)
    assert api.reads == 3  # a, b, c: "a" was asked last of the first two, so "b" went
    answers.get("b")
    assert api.reads == 4


def test_a_failed_read_is_shared_by_those_waiting_and_not_kept():
    calls = []

    def read(key: str) -> str:
        calls.append(key)
        time.sleep(0.2)
        if len(calls) == 1:
            raise ConnectionError("the API blinked")
        return f"answer to {key}"

    answers = PerKey(read, size=4)

    def ask() -> str:
        try:
            return answers.get("q")
        except ConnectionError as error:
            return str(error)

    assert in_threads(5, ask) == ["the API blinked"] * 5
    assert answers.get("q") == "answer to q"
    assert calls == ["q", "q"]
