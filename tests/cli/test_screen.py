"""The watch screen and the one-shot tables drawn from the API's JSON, without a server:
what the first release serves, and the second release's fields where they appear."""

import copy
import json
from datetime import datetime

import pytest
from rich.console import Console

from cli.screen import Frame, watch_screen
from cli.snapshot import TASKS, Snapshot, TaskView
from cli.tables import coefficients_table, status_table
from cli.views import network_ability_view, promotion_view
from harness.processes import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "dashboard" / "fixtures"
NOW = datetime(2026, 11, 29, 16, 0, 0)


# What the second release added to the answers the fixtures record.
SECOND_RELEASE_FIELDS = {"coefficient_intervals", "learner", "champion"}


def first_release(value):
    """`value` as the first release served it: without the second release's fields."""
    if isinstance(value, dict):
        return {k: first_release(v) for k, v in value.items() if k not in SECOND_RELEASE_FIELDS}
    if isinstance(value, list):
        return [first_release(item) for item in value]
    return value


def fixture(name: str) -> dict:
    """A recorded answer of the API, as the first release served it."""
    return first_release(json.loads((FIXTURES / f"{name}.json").read_text()))


def text_of(renderable, width: int = 160) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def first_release_snapshot() -> Snapshot:
    tasks = {
        task: TaskView(fixture(f"{task}_latest"), fixture(f"{task}_history"), None, None)
        for task in TASKS
    }
    return Snapshot(status=fixture("status_running"), tasks=tasks)


def frame(snapshot: Snapshot | None, **overrides) -> Frame:
    return Frame(api_url="http://api:8000", interval=2.0, now=NOW, snapshot=snapshot, **overrides)


def test_the_screen_shows_the_learner_both_tasks_and_their_trends():
    snapshot = first_release_snapshot()
    screen = text_of(watch_screen(frame(snapshot, rate=12.5, last_success=NOW)))
    status = snapshot.status
    assert f"Rows learned      {status['rows_seen']:,}" in screen
    assert "Rate              12.5 rows/s" in screen
    accuracy = snapshot.tasks["classification"].latest["metrics"]["accuracy"]
    assert f"accuracy        {accuracy:.3f}" in screen
    first_rmse = snapshot.tasks["regression"].history["points"][0]["metrics"]["rmse"]
    assert f"{first_rmse:.3f} →" in screen
    assert "unreachable" not in screen
    for absent in ("Leaderboard", "Drift", "champion", "95% interval", "Learner process"):
        assert absent not in screen


def test_unreachable_notice_keeps_the_last_figures_and_says_how_old_they_are():
    snapshot = first_release_snapshot()
    seen = datetime(2026, 11, 29, 15, 59, 30)
    problem = "API unreachable (http://api:8000/status: connection refused)"
    screen = text_of(watch_screen(frame(snapshot, problem=problem, last_success=seen)))
    assert f"{problem}. Retrying every 2 s. Showing what it served at 15:59:30." in screen
    assert f"{snapshot.status['rows_seen']:,}" in screen


def test_before_the_first_answer_the_screen_is_the_notice_alone():
    screen = text_of(watch_screen(frame(None, problem="API unreachable (refused)")))
    assert "API unreachable (refused). Retrying every 2 s." in screen
    assert "Showing what" not in screen and "Learner" not in screen


def test_a_task_with_nothing_learned_says_so():
    snapshot = first_release_snapshot()
    snapshot.tasks["regression"] = TaskView(latest=None, history=None, leaderboard=None, drift=None)
    assert "Nothing learned yet." in text_of(watch_screen(frame(snapshot)))


def candidate(name: str, rmse: float, rolling_rmse: float) -> dict:
    return {
        "name": name,
        "rows_seen": 5000,
        "metrics": {"rmse": rmse},
        "rolling_metrics": {"rmse": rolling_rmse},
    }


def second_release_snapshot() -> Snapshot:
    snapshot = copy.deepcopy(first_release_snapshot())
    snapshot.status.update(state="restarting", learner={"pid": 4242, "alive": False, "restarts": 3})
    latest = snapshot.tasks["regression"].latest
    latest["champion"] = "bayesian"
    latest["coefficient_intervals"] = {
        name: [w - 0.01, w + 0.02] for name, w in latest["coefficients"].items()
    }
    board = {
        "champion": "bayesian",
        "metric": "rmse",
        "rows_seen": 9_000,
        "rows_raced": 7_500,
        "candidates": [candidate("sgd", 0.31, 0.33), candidate("bayesian", 0.25, 0.26)],
    }
    events = [
        {
            "rows_seen": 1000 * i,
            "updated_at": f"2026-11-29T15:0{i}:00Z",
            "detector": "ADWIN",
            "loss_before": 0.2,
            "loss_after": 0.2 + i / 10,
        }
        for i in range(1, 8)
    ]
    snapshot.tasks["regression"] = TaskView(
        latest=latest,
        history=snapshot.tasks["regression"].history,
        leaderboard=board,
        drift={"events": events},
    )
    return snapshot


def test_second_release_fields_show_where_the_api_serves_them():
    snapshot = second_release_snapshot()
    screen = text_of(watch_screen(frame(snapshot)))
    assert "restarting" in screen
    assert "Learner process   pid 4242, down, 3 restarts" in screen
    assert "champion bayesian" in screen
    intercept = snapshot.tasks["regression"].latest["coefficients"]["intercept"]
    assert f"[{intercept - 0.01:.3f}, {intercept + 0.02:.3f}]" in screen
    assert "regression leaderboard (rmse)" in screen
    assert screen.index("★ bayesian") < screen.index("sgd")
    assert "behind: raced 7,500 of 9,000 rows" in screen
    assert "regression drift events" in screen
    drift = screen.split("regression drift events")[1]
    # The five newest events, newest first.
    positions = [drift.index(f"{1000 * i:,} ") for i in range(7, 2, -1)]
    assert positions == sorted(positions)
    assert "2,000 " not in drift
    assert "classification leaderboard" not in screen


def test_a_learner_process_that_is_down_shows_how_the_last_one_ended():
    status = {
        **fixture("status_running"),
        "state": "starting",
        "learner": {"pid": None, "alive": False, "restarts": 2, "last_exit": "killed by SIGKILL"},
    }
    table = text_of(status_table(status))
    assert "Learner process   no process, down, 2 restarts, last exit: killed by SIGKILL" in table
    assert "starting" in table


def test_coefficients_without_intervals_have_no_interval_column():
    table = text_of(coefficients_table(fixture("regression_latest")))
    assert "interval" not in table


def test_status_without_a_learner_object_leaves_the_process_line_out():
    assert "Learner process" not in text_of(status_table(fixture("status_running")))


@pytest.mark.parametrize(
    ("second_release", "expected"),
    [
        ({}, "network_ability 0.620  (model version 12)"),
        (
            {"interval": [0.3, 0.94], "model": "bayesian"},
            "network_ability 0.620  95% interval [0.300, 0.940]"
            "  (model version 12, model bayesian)",
        ),
    ],
)
def test_a_regression_answer_shows_its_interval_and_model_where_given(second_release, expected):
    answer = {"network_ability": 0.62, "model_version": 12, **second_release}
    assert text_of(network_ability_view(answer)).strip() == expected


@pytest.mark.parametrize(
    ("third_release", "expected"),
    [
        ({}, ["promoted  probability 0.810  (model version 12, model GaussianNB)"]),
        (
            {"interval": None, "contributions": None},
            [
                "promoted  probability 0.810  (model version 12, model GaussianNB)",
                "no terms: not a linear model",
            ],
        ),
        (
            {
                "interval": [0.78, 0.84],
                "contributions": {"intercept": -9.8, "competence": 8.26, "network_ability": 3.0},
            },
            [
                "promoted  probability 0.810  95% interval [0.780, 0.840]"
                "  (model version 12, model GaussianNB)",
                "term             in the logit",
                "intercept              -9.800",
                "competence              8.260",
                "network_ability         3.000",
                "sum: the logit          1.460",
            ],
        ),
    ],
)
def test_a_classification_answer_shows_its_interval_and_terms_where_given(third_release, expected):
    """An API from before the third release sends neither field: the answer's line alone."""
    answer = {"promoted": True, "probability": 0.81, "model_version": 12, "model": "GaussianNB"}
    shown = text_of(promotion_view({**answer, **third_release}))
    assert [line.rstrip() for line in shown.strip().splitlines()] == expected
