"""Figure builders: API JSON in, `go.Figure` out. Pure, so tests call them without a server."""

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

Json = dict[str, Any]
# A stacked chart: its title, the metric keys it draws, and optional y-axis limits.
Panel = tuple[str, Sequence[str], tuple[float, float] | None]

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")
PROMOTED_COLOR = "#2ca02c"
NOT_PROMOTED_COLOR = "#7f7f7f"
WRONG_COLOR = "#d62728"
# (value of `promoted`, legend label, colour) for charts that split rows by the truth.
PROMOTION_GROUPS = ((True, "promoted", PROMOTED_COLOR), (False, "not promoted", NOT_PROMOTED_COLOR))
LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 50, "r": 20, "t": 50, "b": 45},
    "legend": {"orientation": "h", "y": -0.2},
    "height": 360,
}


def placeholder_figure(message: str) -> go.Figure:
    """An empty chart that says why it is empty."""
    figure = go.Figure(layout=LAYOUT)
    figure.add_annotation(text=message, showarrow=False, font={"size": 15, "color": "#777"})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def _trajectories(points: Sequence[Json], panels: Sequence[Panel]) -> go.Figure:
    """Metrics against rows seen, one chart per panel: cumulative solid, rolling dotted."""
    figure = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=[title for title, _, _ in panels],
    )
    rows_seen = [point["rows_seen"] for point in points]
    color_index = 0
    for row, (_, names, limits) in enumerate(panels, start=1):
        for name in names:
            color = COLORS[color_index % len(COLORS)]
            color_index += 1
            for source, dash, suffix in (
                ("metrics", "solid", ""),
                ("rolling_metrics", "dot", " (rolling)"),
            ):
                figure.add_scatter(
                    x=rows_seen,
                    y=[point[source].get(name) for point in points],
                    name=name + suffix,
                    legendgroup=name,
                    mode="lines",
                    line={"color": color, "dash": dash},
                    row=row,
                    col=1,
                )
        if limits is not None:
            # Early values (an R² of -40 after ten rows) would otherwise flatten the rest.
            low, high = limits
            figure.update_yaxes(autorangeoptions={"minallowed": low, "maxallowed": high}, row=row)
    figure.update_layout(LAYOUT, height=200 + 160 * len(panels))
    figure.update_xaxes(title_text="rows learned", row=len(panels))
    return figure


def _rolling_note(points: Sequence[Json]) -> str:
    window = points[-1]["rolling_metrics"].get("count") if points else None
    return f"dotted: the last {window:,} rows" if window else "dotted: the recent rows"


def classification_metrics_figure(history: Json) -> go.Figure:
    points = history["points"]
    scores_title = f"accuracy, F1, ROC AUC ({_rolling_note(points)})"
    return _trajectories(
        points,
        [
            (scores_title, ("accuracy", "f1", "roc_auc"), (0, 1)),
            ("log loss", ("log_loss",), None),
        ],
    )


def regression_metrics_figure(history: Json) -> go.Figure:
    points = history["points"]
    return _trajectories(
        points,
        [
            (f"MAE and RMSE ({_rolling_note(points)})", ("mae", "rmse"), None),
            ("R²", ("r2",), (-1, 1)),
        ],
    )


def coefficients_figure(history: Json) -> go.Figure:
    """How each coefficient (original units) moved as rows were learned."""
    points = history["points"]
    rows_seen = [point["rows_seen"] for point in points]
    names = sorted(points[-1]["coefficients"] if points else [], key=_intercept_last)
    figure = go.Figure(layout=LAYOUT)
    for color, name in zip(COLORS, names, strict=False):
        figure.add_scatter(
            x=rows_seen,
            y=[point["coefficients"].get(name) for point in points],
            name=name,
            mode="lines",
            line={"color": color},
        )
    figure.add_hline(y=0, line={"color": "#999", "width": 1})
    figure.update_layout(
        title="regression coefficients (original units)", xaxis_title="rows learned"
    )
    return figure


def _intercept_last(name: str) -> tuple[bool, str]:
    return name == "intercept", name


def confusion_matrix_figure(latest: Json) -> go.Figure:
    """The cumulative confusion matrix, laid out actual (rows) by predicted (columns)."""
    counts = latest["metrics"]["confusion_matrix"]
    figure = go.Figure(
        go.Heatmap(
            z=[[counts["tn"], counts["fp"]], [counts["fn"], counts["tp"]]],
            x=["predicted: not promoted", "predicted: promoted"],
            y=["actual: not promoted", "actual: promoted"],
            text=[
                [f"true negative<br>{counts['tn']:,}", f"false positive<br>{counts['fp']:,}"],
                [f"false negative<br>{counts['fn']:,}", f"true positive<br>{counts['tp']:,}"],
            ],
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
        ),
        layout=LAYOUT,
    )
    figure.update_layout(title=f"confusion matrix over {latest['rows_seen']:,} rows")
    figure.update_yaxes(autorange="reversed")
    return figure


def _padded_range(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 0.5
    return low - pad, high + pad


def decision_boundary_figure(latest: Json) -> go.Figure:
    """The newest rows with the line where the classifier's logit is zero.

    The coefficients are in the features' original units, so the boundary is
    intercept + w_competence * competence + w_network * network_ability = 0.
    """
    batch = latest["batch"]
    figure = go.Figure(layout=LAYOUT)
    for truth, label, color in PROMOTION_GROUPS:
        rows = [row for row in batch if row["promoted"] is truth]
        figure.add_scatter(
            x=[row["competence"] for row in rows],
            y=[row["network_ability"] for row in rows],
            mode="markers",
            name=f"actually {label}",
            marker={"color": color, "size": 10},
            customdata=[[row["id"], row["probability"]] for row in rows],
            hovertemplate="id %{customdata[0]}<br>P(promoted) %{customdata[1]:.2f}<extra></extra>",
        )
    wrong = [row for row in batch if row["predicted"] != row["promoted"]]
    figure.add_scatter(
        x=[row["competence"] for row in wrong],
        y=[row["network_ability"] for row in wrong],
        mode="markers",
        name="wrong prediction",
        marker={"symbol": "circle-open", "size": 18, "color": WRONG_COLOR, "line": {"width": 2}},
        hoverinfo="skip",
    )
    x_range = _padded_range([row["competence"] for row in batch] or [0.0, 1.0])
    y_range = _padded_range([row["network_ability"] for row in batch] or [0.0, 1.0])
    line = _boundary_line(latest["coefficients"], x_range, y_range)
    if line is not None:
        figure.add_scatter(
            x=line[0],
            y=line[1],
            mode="lines",
            name="decision boundary (P = 0.5)",
            line={"color": "black", "dash": "dash"},
        )
    figure.update_layout(
        title=f"newest {len(batch)} rows and the decision boundary",
        xaxis={"title": "competence", "range": x_range},
        yaxis={"title": "network ability", "range": y_range},
    )
    return figure


def _boundary_line(
    coefficients: Json, x_range: tuple[float, float], y_range: tuple[float, float]
) -> tuple[list[float], list[float]] | None:
    intercept = coefficients.get("intercept", 0.0)
    w_competence = coefficients.get("competence", 0.0)
    w_network = coefficients.get("network_ability", 0.0)
    if w_network != 0:
        return list(x_range), [-(intercept + w_competence * x) / w_network for x in x_range]
    if w_competence != 0:
        x = -intercept / w_competence
        return [x, x], list(y_range)
    return None


def predicted_vs_actual_figure(latest: Json) -> go.Figure:
    """Predicted against true network ability for the newest rows; the diagonal is perfect."""
    batch = latest["batch"]
    figure = go.Figure(layout=LAYOUT)
    for truth, label, color in PROMOTION_GROUPS:
        rows = [row for row in batch if row["promoted"] is truth]
        figure.add_scatter(
            x=[row["network_ability"] for row in rows],
            y=[row["predicted"] for row in rows],
            mode="markers",
            name=label,
            marker={"color": color, "size": 10},
            customdata=[row["id"] for row in rows],
            hovertemplate="id %{customdata}<br>actual %{x:.2f}, predicted %{y:.2f}<extra></extra>",
        )
    values = [row["network_ability"] for row in batch] + [row["predicted"] for row in batch]
    low, high = _padded_range(values or [0.0, 1.0])
    figure.add_scatter(
        x=[low, high],
        y=[low, high],
        mode="lines",
        name="perfect prediction",
        line={"color": "#999", "dash": "dash"},
    )
    figure.update_layout(
        title=f"network ability: predicted vs actual, newest {len(batch)} rows",
        xaxis={"title": "actual", "range": [low, high]},
        yaxis={"title": "predicted", "range": [low, high]},
    )
    return figure
