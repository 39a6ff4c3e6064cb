"""A race process that dies, stops answering or stalls holds up no tick for long: the
tick that finds out fails and says why, the next starts another race from the last
commit, and the candidates end as an uninterrupted run leaves them."""

import contextlib
import os
import signal
import time

import pytest

from api.learner import race_process
from api.learner.race_process import RaceFailed
from api.learning.names import CLASSIFICATION
from harness.streams import pages_of_drifting_stream
from tests.support.database import query
from tests.support.learners import committed_tasks, learner_on, settle_races
from tests.support.races import (
    RACE,
    assert_races_as_uninterrupted,
    first_tick_raced,
    restart_and_learn,
)

# Each test's learner starts the race process.
pytestmark = pytest.mark.e2e


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
