"""The leaderboard view's builders, on JSON recorded from the API over a drifting stream."""

import plotly.graph_objects as go
import pytest
from dash import html

from dashboard import leaderboard
from dashboard.charts import as_json, draw_leaderboard
from tests.support.figures import values
from tests.support.recorded_api import load

TASKS = ("classification", "regression")


def recorded(task: str) -> tuple[dict, dict]:
    return load(f"{task}_leaderboard"), load(f"{task}_leaderboard_history")


@pytest.mark.parametrize("task", TASKS)
def test_the_chart_draws_every_candidates_rolling_score_over_rows(task):
    board, history = recorded(task)
    figure = go.Figure(leaderboard.leaderboard_figure(history, board))
    names = [candidate["name"] for candidate in board["candidates"]]
    assert [t.name.removeprefix(f"{leaderboard.CHAMPION_MARK} ") for t in figure.data] == names
    rows = [point["rows_seen"] for point in history["points"]]
    for trace, name in zip(figure.data, names, strict=True):
        assert values(trace.x) == rows
        assert values(trace.y) == [point["scores"][name] for point in history["points"]]


@pytest.mark.parametrize("task", TASKS)
def test_the_champion_is_marked_and_its_line_is_the_thickest(task):
    board, history = recorded(task)
    figure = go.Figure(leaderboard.leaderboard_figure(history, board))
    marked = [t for t in figure.data if t.name.startswith(leaderboard.CHAMPION_MARK)]
    assert [t.name for t in marked] == [f"{leaderboard.CHAMPION_MARK} {board['champion']}"]
    assert marked[0].line.width > max(t.line.width for t in figure.data if t is not marked[0])


def test_each_change_of_champion_is_a_line_at_its_row_named_by_the_new_champion():
    board, history = recorded("classification")
    assert len(board["changes"]) > 1, "the recorded stream changes champion"
    figure = go.Figure(leaderboard.leaderboard_figure(history, board))
    assert [shape.x0 for shape in figure.layout.shapes] == [
        change["rows_seen"] for change in board["changes"]
    ]
    assert [note.text for note in figure.layout.annotations] == [
        f"{leaderboard.CHAMPION_MARK} {change['champion']}" for change in board["changes"]
    ]


def test_an_empty_history_draws_the_placeholder():
    board, history = recorded("regression")
    figure = leaderboard.leaderboard_figure({**history, "points": []}, board)
    assert figure["layout"]["annotations"][0]["text"] == "waiting for data"


@pytest.mark.parametrize("task", TASKS)
def test_the_table_ranks_by_rolling_score_and_marks_only_the_champion(task):
    board, _ = recorded(task)
    caption, _, body = leaderboard.leaderboard_table(board)
    rows = body.children
    assert len(rows) == len(board["candidates"])
    metric = board["metric"]
    by_name = {c["name"]: c for c in board["candidates"]}
    shown = [row.children[1].children for row in rows]
    rolling = [by_name[name]["rolling_metrics"][metric] for name in shown]
    assert rolling == sorted(rolling)
    champions = [row for row in rows if row.className == "champion"]
    assert [row.children[1].children for row in champions] == [board["champion"]]
    assert champions[0].children[0].children == leaderboard.CHAMPION_MARK
    assert f"Champion: {board['champion']}" in caption.children


def test_the_views_outputs_are_json_for_the_callbacks():
    board, history = recorded("regression")
    outputs = draw_leaderboard(board, history)
    assert outputs["leaderboard_table"] == as_json(leaderboard.leaderboard_table(board))
    assert isinstance(leaderboard.leaderboard_view("regression"), html.Div)


def test_the_caption_says_how_far_a_race_behind_the_learner_stands():
    board, _ = recorded("classification")
    caught_up = leaderboard.leaderboard_table(board)[0].children
    assert "behind" not in caught_up
    behind = {**board, "rows_seen": 40_000, "rows_raced": 12_500}
    caption = leaderboard.leaderboard_table(behind)[0].children
    assert "it stands after 12,500 of the 40,000 rows learned" in caption
