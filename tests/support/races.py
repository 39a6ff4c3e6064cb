"""The drifting stream's races learned uninterrupted in process, and what the race tests
compare with it: every candidate's answers and counts."""

import functools

from api.learner.loop import Learner
from api.learning.names import CLASSIFICATION
from api.learning.options import TaskOptions
from api.learning.tasks import Task, new_tasks
from harness.streams import ROWS, SWITCH, learn, simulated
from simulator.synthetic import Drift
from tests.support.learners import committed_tasks, learner_on, settle_races

RACE = {"ROLLING_WINDOW": 200, "CHAMPION_MARGIN": 0.05, "CHAMPION_SUSTAIN_ROWS": 150}
OPTIONS = TaskOptions(champion_margin=0.05, champion_sustain_rows=150)


@functools.cache
def uninterrupted_tasks() -> dict[str, Task]:
    """The tasks of an uninterrupted run of the drifting stream, in process: learned once,
    read by several tests, changed by none."""
    tasks, _, _ = learn(simulated(ROWS, drift=Drift(SWITCH)), tasks=new_tasks(200, OPTIONS))
    return tasks


def assert_races_as_uninterrupted(committed: dict[str, Task]) -> None:
    """Every committed candidate answers as the uninterrupted run's does and has counted
    every row of the stream."""
    uninterrupted = uninterrupted_tasks()
    for name, task in committed.items():
        candidates = task.live_race.names()
        assert len(candidates) > 1
        for candidate in candidates:
            assert answers(task, candidate) == answers(uninterrupted[name], candidate)
        for entry in task.leaderboard():
            assert entry["rows_seen"] == entry["metrics"]["count"] == ROWS, entry["name"]


def answers(task: Task, candidate: str) -> list:
    inputs = (
        [(0.3, 0.7), (0.8, 0.2)] if task.name == CLASSIFICATION else [(0.3, True), (0.8, False)]
    )
    return [task.predict(*x, candidate) for x in inputs]


def restart_and_learn(sqlite_url: str, ticks: list) -> tuple[int, dict[str, Task]]:
    """A learner restored from the database learns `ticks` and lets its races catch up:
    the rows its race process had been fed once restored, and the tasks it commits."""
    with learner_on(sqlite_url, **RACE) as restarted:
        assert restarted.races is not None
        fed_at_restore = restarted.races.rows_fed
        for pages in ticks:
            restarted.learn_and_commit(pages)
        settle_races(restarted)
        return fed_at_restore, committed_tasks(restarted)


def first_tick_raced(learner: Learner, pages: list) -> int:
    """Learn a first tick and let its races catch up; the race process's pid."""
    learner.learn_and_commit(pages)
    settle_races(learner)
    assert learner.races is not None and learner.races.pid is not None
    return learner.races.pid
