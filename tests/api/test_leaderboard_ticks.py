"""The race goes through the learner's ticks, behind them: every candidate is in the
committed snapshot as far as it has raced and restored with it, the rows it had yet to
race are raced again, and a change of champion is committed with its race, once."""

import contextlib
import copy
import functools
import json
import os
import signal
import time

import pytest

from api import crud
from api.learner import race_process
from api.learner.loop import Learner
from api.learner.race_process import RaceFailed
from api.learning.names import CLASSIFICATION, REGRESSION
from api.learning.options import TaskOptions
from api.learning.tasks import Task, new_tasks
from harness.streams import ROWS, SWITCH, learn, pages_of_drifting_stream, simulated
from simulator.synthetic import Drift
from tests.support.database import query
from tests.support.learners import committed_tasks, learner_on, settle_races

# Each test's learner starts the race process.
pytestmark = pytest.mark.e2e

RACE = {"ROLLING_WINDOW": 200, "CHAMPION_MARGIN": 0.05, "CHAMPION_SUSTAIN_ROWS": 150}
OPTIONS = TaskOptions(champion_margin=0.05, champion_sustain_rows=150)


@functools.cache
def uninterrupted_tasks() -> dict[str, Task]:
    """The tasks of an uninterrupted run of the drifting stream, in process: learned once,
    read by several tests, changed by none."""
    tasks, _, _ = learn(simulated(ROWS, drift=Drift(SWITCH)), tasks=new_tasks(200, OPTIONS))
    return tasks


def in_process_changes() -> list[tuple[str, int, str, str]]:
    """The champion changes of an uninterrupted run of the same rows, in process."""
    tasks = copy.deepcopy(uninterrupted_tasks())  # draining its changes changes it
    changes = []
    for name, task in tasks.items():
        for change in task.race.drain_changes(task=name, rows_seen=ROWS, updated_at=None):
            changes.append((name, change["rows_seen"], change["previous"], change["champion"]))
    return sorted(changes, key=lambda change: (change[1], change[0]))


def test_a_champion_change_is_committed_once_even_when_its_first_commit_fails(
    sqlite_url, monkeypatch
):
    """Six ticks over the drifting stream, the fourth failing to commit once: the changes
    stored are exactly those of an uninterrupted run, and each record names the champion
    of its tick."""
    with learner_on(sqlite_url, **RACE) as learner:
        ticks = pages_of_drifting_stream(ticks=6)
        for pages in ticks[:3]:
            learner.learn_and_commit(pages)
        real_write = crud.write_tick
        failing = lambda *a, **k: (_ for _ in ()).throw(OSError("io"))  # noqa: E731
        monkeypatch.setattr(crud, "write_tick", failing)
        with pytest.raises(OSError):
            learner.learn_and_commit(ticks[3])
        monkeypatch.setattr(crud, "write_tick", real_write)
        for pages in ticks[3:]:
            learner.learn_and_commit(pages)
        settle_races(learner)

    expected = in_process_changes()
    assert any(change[0] == CLASSIFICATION for change in expected)
    stored = query(
        sqlite_url,
        "SELECT task, rows_seen, previous, champion FROM champion_change ORDER BY rows_seen, task",
    )
    assert stored == expected
    for task in (CLASSIFICATION, REGRESSION):
        records = query(
            sqlite_url,
            "SELECT champion, leaderboard FROM model_record WHERE task = :task "
            "ORDER BY model_version",
            task=task,
        )
        for champion, leaderboard in records:
            raced = json.loads(leaderboard)[1]["rows_seen"]  # how far the race had come
            before = [c for c in expected if c[0] == task and c[1] <= raced]
            assert champion == (before[-1][3] if before else "reference"), (task, raced)


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


def test_every_candidate_is_restored_from_the_snapshot_and_counts_every_row(sqlite_url):
    """A learner stopped after two ticks, and another restored from its snapshot that
    learns the rest, commit every candidate as an uninterrupted run in process leaves it:
    the same answers, and each one's metrics count equals rows_seen."""
    ticks = pages_of_drifting_stream(ticks=6)
    with learner_on(sqlite_url, **RACE) as learner:
        for pages in ticks[:2]:
            learner.learn_and_commit(pages)
        learner.lease.release()  # as a stopped learner does
    _, committed = restart_and_learn(sqlite_url, ticks[2:])
    assert_races_as_uninterrupted(committed)


def test_a_killed_race_process_fails_its_tick_and_the_next_tick_starts_another(sqlite_url):
    """The candidates' process SIGKILLed between two ticks: the next tick is not
    committed and says why, the one after starts a new race process from the last
    commit, and the candidates end as an uninterrupted run leaves them."""
    ticks = pages_of_drifting_stream(ticks=6)
    with learner_on(sqlite_url, **RACE) as learner:
        learner.learn_and_commit(ticks[0])
        assert learner.races is not None and learner.races.pid is not None
        killed = learner.races.pid
        os.kill(killed, signal.SIGKILL)
        with pytest.raises(RaceFailed, match="killed by SIGKILL"):
            learner.learn_and_commit(ticks[1])
        assert learner.cursor.rows_seen == len(ticks[0]) * 10
        for pages in ticks[1:]:
            learner.learn_and_commit(pages)
        assert learner.races is not None and learner.races.pid != killed
        settle_races(learner)
        committed = committed_tasks(learner)
    assert_races_as_uninterrupted(committed)


def test_a_restart_with_other_candidates_adds_the_new_ones_and_drops_the_others(sqlite_url):
    ticks = pages_of_drifting_stream(ticks=6)
    with learner_on(sqlite_url, **RACE) as learner:
        learner.learn_and_commit(ticks[0])
        settle_races(learner)  # so that newcomers start after exactly the first tick
        learner.lease.release()
    with learner_on(sqlite_url, **RACE, REGRESSION_CANDIDATES="HoeffdingTreeRegressor") as again:
        again.learn_and_commit(ticks[1])
        settle_races(again)
        regression = committed_tasks(again)[REGRESSION]
        assert regression.live_race.names() == ("reference", "HoeffdingTreeRegressor")
        counts = {e["name"]: e["rows_seen"] for e in regression.leaderboard()}
        assert counts == {"reference": 2_000, "HoeffdingTreeRegressor": 1_000}


def first_tick_raced(learner: Learner, pages: list) -> int:
    """Learn a first tick and let its races catch up; the race process's pid."""
    learner.learn_and_commit(pages)
    settle_races(learner)
    assert learner.races is not None and learner.races.pid is not None
    return learner.races.pid


def test_a_race_that_stops_answering_fails_a_tick_and_the_next_starts_another(
    sqlite_url, monkeypatch
):
    """The race process stopped (SIGSTOP) far below the lag bound: ticks go on without it
    until its answer is overdue, then one fails and says so, the next starts a new race
    process from the last commit, and the candidates end as an uninterrupted run leaves
    them."""
    ticks = pages_of_drifting_stream(ticks=6)
    with learner_on(sqlite_url, **RACE) as learner:
        hung = first_tick_raced(learner, ticks[0])
        # A second, once the process has started (which takes longer than that).
        monkeypatch.setattr(race_process, "ANSWER_TIMEOUT_SECONDS", 1.0)
        os.kill(hung, signal.SIGSTOP)
        try:
            assert learner.learn_and_commit(ticks[1]) is True  # asked, not yet overdue
            time.sleep(1.5)  # past the second the race has to answer: under test
            with pytest.raises(RaceFailed, match="did not answer in 1 s"):
                learner.learn_and_commit(ticks[2])
            assert learner.cursor.rows_seen == 2_000
            monkeypatch.undo()  # the new race process has a minute to start and answer
            for pages in ticks[2:]:
                learner.learn_and_commit(pages)
            assert learner.races is not None and learner.races.pid != hung
        finally:
            with contextlib.suppress(ProcessLookupError):  # gone, once the learner killed it
                os.kill(hung, signal.SIGCONT)
        settle_races(learner)
        assert_races_as_uninterrupted(committed_tasks(learner))


def test_a_stalled_race_holds_up_no_tick_and_a_restart_races_what_it_had_left(sqlite_url):
    """The race process stopped (SIGSTOP) while two ticks learn: both commit at once with
    the races where they stood, behind the references. A learner restored from those
    snapshots races the rows they had left from the database, and every candidate ends as
    an uninterrupted run leaves it, each row counted once."""
    ticks = pages_of_drifting_stream(ticks=6)
    with learner_on(sqlite_url, **RACE) as learner:
        stalled = first_tick_raced(learner, ticks[0])
        os.kill(stalled, signal.SIGSTOP)
        try:
            for pages in ticks[1:3]:
                learner.learn_and_commit(pages)
            assert learner.cursor.rows_seen == 3_000
            assert learner.rows_raced == 1_000
            behind = committed_tasks(learner)[CLASSIFICATION].leaderboard()
            assert {e["name"]: e["rows_seen"] for e in behind}["GaussianNB"] == 1_000
        finally:
            os.kill(stalled, signal.SIGCONT)
        learner.lease.release()
    fed_at_restore, committed = restart_and_learn(sqlite_url, ticks[3:])
    assert fed_at_restore == 3_000  # the 2,000 rows the race had left, raced again
    assert_races_as_uninterrupted(committed)


def test_a_tick_the_race_has_not_answered_since_commits_no_change_again(sqlite_url):
    """A tick commits the races' newest answer with its champion changes; the next tick,
    learned while the race process is stopped and cannot answer, commits its rows with
    that answer's races again but not its changes."""
    ticks = pages_of_drifting_stream(ticks=6)
    with learner_on(sqlite_url, **RACE, RACE_MAX_LAG_ROWS=0) as learner:
        for pages in ticks[:4]:  # in step: the fourth tick's answer holds a change
            learner.learn_and_commit(pages)
        assert learner.races is not None
        assert any(state.changes for state in learner.races.report.tasks.values())
        changes = query(sqlite_url, "SELECT task, rows_seen FROM champion_change")
        learner.settings = learner.settings.model_copy(update={"RACE_MAX_LAG_ROWS": 100_000})
        stalled = learner.races.pid
        assert stalled is not None
        os.kill(stalled, signal.SIGSTOP)
        try:
            assert learner.learn_and_commit(ticks[4]) is True
        finally:
            os.kill(stalled, signal.SIGCONT)
        assert learner.cursor.rows_seen == 5_000 and learner.rows_raced == 4_000
        assert query(sqlite_url, "SELECT task, rows_seen FROM champion_change") == changes


def races_after_a_reset(sqlite_url: str, *, stall_the_race: bool) -> dict[str, Task]:
    """Six ticks with an admin reset of the classification applied by the second; the
    race process stopped from before the reset to after the third, or not; then a
    restart learns the rest and lets the races catch up."""
    ticks = pages_of_drifting_stream(ticks=6)
    with learner_on(sqlite_url, **RACE) as learner:
        stalled = first_tick_raced(learner, ticks[0])
        if stall_the_race:
            os.kill(stalled, signal.SIGSTOP)
        try:
            with learner.session_factory() as session, session.begin():
                crud.request_reset(session, task=CLASSIFICATION)
            for pages in ticks[1:3]:
                learner.learn_and_commit(pages)
            if stall_the_race:
                assert learner.rows_raced == 1_000  # the snapshots' races predate the reset
            else:
                settle_races(learner)
        finally:
            os.kill(stalled, signal.SIGCONT)
        learner.lease.release()
    return restart_and_learn(sqlite_url, ticks[3:])[1]


def test_a_restart_replays_an_admin_reset_its_races_had_yet_to_reach(tmp_path):
    """Restored from races that stood before a reset, a learner swaps in a fresh race at
    the reset's first row as it races the rows they had left: every candidate ends as
    when the race had reset in step with the learner."""
    stalled = races_after_a_reset(f"sqlite:///{tmp_path / 'stalled.db'}", stall_the_race=True)
    in_step = races_after_a_reset(f"sqlite:///{tmp_path / 'in_step.db'}", stall_the_race=False)
    for name in (CLASSIFICATION, REGRESSION):
        counts = {entry["name"]: entry["rows_seen"] for entry in stalled[name].leaderboard()}
        expected = 5_000 if name == CLASSIFICATION else 6_000  # reset after the first tick
        assert set(counts.values()) == {expected}, counts
        assert stalled[name].leaderboard() == in_step[name].leaderboard()
        for candidate in stalled[name].live_race.names():
            assert answers(stalled[name], candidate) == answers(in_step[name], candidate)
