"""The leaderboard view of a task: the candidates' rolling scores over rows on one chart,
each change of champion marked on it, and the table of current scores, champion first.

Pure builders, JSON of `GET /{task}/leaderboard` and `/leaderboard/history` in, a figure
dict or components out, like `dashboard.figures`.
"""

from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.client import Json
from dashboard.figures import COLORS, Figure, _layout, _title, numbers, placeholder_figure

CHAMPION_MARK = "★"
METRIC_LABELS = {"log_loss": "log loss", "rmse": "RMSE"}
# Beside the ranking metric, the table shows one familiar score per task.
SECOND_SCORE = {"log_loss": ("accuracy", "accuracy"), "rmse": ("r2", "R²")}
MORE_COLORS = ("#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")


def leaderboard_figure(history: Json, board: Json) -> Figure:
    """One line per candidate: its rolling ranking metric after each tick (lower is
    better). The champion's line is thicker; a dotted line marks each change of champion."""
    points = history["points"]
    if not points:
        return placeholder_figure("waiting for data")
    metric = METRIC_LABELS.get(history["metric"], history["metric"])
    rows = [point["rows_seen"] for point in points]
    names = [candidate["name"] for candidate in board["candidates"]]
    palette = COLORS + MORE_COLORS
    data = []
    for index, name in enumerate(names):
        champion = name == board["champion"]
        data.append({
            "type": "scatter", "mode": "lines", "x": numbers(rows),
            "y": numbers([point["scores"].get(name) for point in points]),
            "name": f"{CHAMPION_MARK} {name}" if champion else name,
            "line": {"color": palette[index % len(palette)], "width": 4 if champion else 1.5},
        })  # fmt: skip
    shapes, notes = [], []
    for change in board["changes"]:
        shapes.append({
            "type": "line", "xref": "x", "yref": "paper", "x0": change["rows_seen"],
            "x1": change["rows_seen"], "y0": 0, "y1": 1,
            "line": {"color": "#555", "dash": "dot", "width": 1},
        })  # fmt: skip
        notes.append({
            "x": change["rows_seen"], "y": 1, "xref": "x", "yref": "paper",
            "text": f"{CHAMPION_MARK} {change['champion']}", "showarrow": False,
            "textangle": -90, "xanchor": "right", "yanchor": "top", "font": {"size": 10},
        })  # fmt: skip
    return {
        "data": data,
        "layout": _layout(
            title=_title(f"Rolling {metric} of each candidate ({CHAMPION_MARK} champion)"),
            xaxis={"title": {"text": "rows raced"}},
            yaxis={"title": {"text": f"rolling {metric}"}},
            shapes=shapes, annotations=notes, height=420,
        ),
    }  # fmt: skip


def _score(value: Any) -> str:
    return "–" if value is None else f"{value:.4f}"


def leaderboard_table(board: Json) -> list:
    """The candidates' current scores, best rolling score first; the champion marked."""
    metric = board["metric"]
    label = METRIC_LABELS.get(metric, metric)
    second_key, second_label = SECOND_SCORE.get(metric, (metric, label))
    ranked = sorted(
        board["candidates"],
        key=lambda c: (c["rolling_metrics"].get(metric) is None, c["rolling_metrics"].get(metric)),
    )
    titles = ("", "candidate", f"rolling {label}", f"cumulative {label}",
              f"cumulative {second_label}", "rows")  # fmt: skip
    body = []
    for candidate in ranked:
        champion = candidate["name"] == board["champion"]
        body.append(html.Tr([
            html.Td(CHAMPION_MARK if champion else "", title="champion" if champion else None),
            html.Td(candidate["name"]),
            html.Td(_score(candidate["rolling_metrics"].get(metric))),
            html.Td(_score(candidate["metrics"].get(metric))),
            html.Td(_score(candidate["metrics"].get(second_key))),
            html.Td(f"{candidate['rows_seen']:,}"),
        ], className="champion" if champion else None))  # fmt: skip
    changes = len(board["changes"])
    caption = (
        f"Champion: {board['champion']} ({changes} change{'s' if changes != 1 else ''} so far). "
        f"Every candidate predicts each row before learning it; the champion answers "
        f"predictions and changes only when a challenger's rolling {label} stays ahead."
    )
    raced, learned = board.get("rows_raced", board["rows_seen"]), board["rows_seen"]
    if raced < learned:
        caption += (
            f" The race runs behind the learner: it stands after {raced:,} of the "
            f"{learned:,} rows learned, and catches up as the learner idles."
        )
    return [
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(title) for title in titles])),
        html.Tbody(body),
    ]


def leaderboard_view(task: str) -> html.Div:
    """The empty view the callbacks fill: the chart beside the table."""
    chart = dcc.Graph(
        id=ids.leaderboard_chart(task),
        figure=placeholder_figure("waiting for data"),
        config={"displaylogo": False},
        className="card",
    )
    table = html.Table(id=ids.leaderboard_table(task), className="card batch leaderboard")
    return html.Div([chart, table], className="grid")
