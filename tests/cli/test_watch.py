"""`watch` in a real terminal (tmux): it follows the learner, survives the API going away,
recovers when it returns, and leaves cleanly on `q` or Ctrl-C."""

import re

import pytest

from tests.support.cli import QA_LEARNER, unused_url
from tests.support.terminal import Terminal

pytestmark = pytest.mark.e2e

ROWS_LEARNED = r"Rows learned\s+([\d,]+)"
UNREACHABLE = r"API unreachable \(.*connection refused\)"


@pytest.fixture
def terminal(tmp_path):
    terminal = Terminal(tmp_path)
    yield terminal
    terminal.close()


def rows_learned(match: re.Match) -> int:
    return int(match[1].replace(",", ""))


def test_watch_follows_learning_survives_an_api_restart_and_quits_on_q(
    tmp_path, terminal, start_simulator, start_api
):
    simulator = start_simulator(SIMULATOR_ROWS=50, SIMULATOR_GROWTH_ROWS_PER_SECOND=40)
    database_url = f"sqlite:///{tmp_path / 'api.db'}"
    api = start_api(database_url=database_url, source_url=simulator.url)
    terminal.run([str(QA_LEARNER), "watch", "--api-url", api.url, "--interval", "0.5"])

    terminal.wait_for(r"(?s)accuracy +[\d.]+ .*rmse +[\d.]+ ", timeout=30)  # both tasks learned
    screen = terminal.screen()
    assert "Classification" in screen and "Regression" in screen
    first = rows_learned(re.search(ROWS_LEARNED, screen))
    grown = terminal.wait_for(rf"Rows learned\s+(?!{first:,}\b)([\d,]+)", timeout=30)
    assert rows_learned(grown) > first

    api.stop()
    notice = terminal.wait_for(UNREACHABLE, timeout=30)
    assert "Retrying every 0.5 s" in terminal.screen(), notice

    start_api(database_url=database_url, source_url=simulator.url, port=api.port)
    terminal.wait_without(UNREACHABLE, timeout=60)
    # The API answers first; its learner process says `running` after its first tick.
    terminal.wait_for(r"State\s+running", timeout=60)
    assert rows_learned(terminal.wait_for(ROWS_LEARNED, timeout=5)) >= rows_learned(grown)

    terminal.press("q")
    assert terminal.exit_code(timeout=10) == 0
    assert terminal.stderr() == ""


def test_watch_without_an_api_shows_the_notice_and_ctrl_c_exits_with_130(terminal):
    url = unused_url()
    terminal.run([str(QA_LEARNER), "watch", "--api-url", url, "--interval", "0.5"])
    terminal.wait_for(UNREACHABLE, timeout=30)
    assert url in terminal.screen()
    terminal.press("C-c")
    assert terminal.exit_code(timeout=10) == 130
    assert terminal.stderr() == ""
