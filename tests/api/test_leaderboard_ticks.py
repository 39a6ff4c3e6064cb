"""The race goes through the learner's ticks, behind them: every candidate is in the
committed snapshot as far as it has raced and restored with it, the rows it had yet to
race are raced again, and a change of champion is committed with its race, once."""

import copy
import json
import os
import signal

import pytest

from api import crud
from api.learning.names import CLASSIFICATION, REGRESSION
from api.learning.tasks import Task
from harness.streams import ROWS, pages_of_drifting_stream
from tests.support.database import query
from tests.support.learners import committed_tasks, learner_on, settle_races
from tests.support.races import (
    RACE,
    answers,
    assert_races_as_uninterrupted,
    first_tick_raced,
    restart_and_learn,
    uninterrupted_tasks,
)

# Each test's learner starts the race process.
pytestmark = pytest.mark.e2e


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
