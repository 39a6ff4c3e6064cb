"""Figure builders of a task's newest batch, from its latest record. Pure, like
`dashboard.figures`, whose layout and trace helpers they share."""

from collections.abc import Sequence
from typing import Any

from plotly.colors import make_colorscale, sequential

from dashboard import question
from dashboard.client import Json
from dashboard.figures import Figure, _layout, _lines, _title

PROMOTED_COLOR = "#2ca02c"
NOT_PROMOTED_COLOR = "#7f7f7f"
WRONG_COLOR = "#d62728"
# (value of `promoted`, legend label, colour) for charts that split rows by the truth.
PROMOTION_GROUPS = ((True, "promoted", PROMOTED_COLOR), (False, "not promoted", NOT_PROMOTED_COLOR))
BLUES = make_colorscale(sequential.Blues)
PERSON_COLOR = "#9467bd"
# The decision boundary chart's trace of the person asked about: empty as drawn here, so
# the chart is the same for every viewer of a model version, and placed in the browser
# (`dashboard.ask_callbacks`), which finds it by this name.
PERSON_NAME = "the person asked about"


def confusion_matrix_figure(latest: Json) -> Figure:
    """The cumulative confusion matrix, laid out actual (rows) by predicted (columns)."""
    counts = latest["metrics"]["confusion_matrix"]
    heatmap = {
        "type": "heatmap",
        "z": [[counts["tn"], counts["fp"]], [counts["fn"], counts["tp"]]],
        "x": ["predicted: not promoted", "predicted: promoted"],
        "y": ["actual: not promoted", "actual: promoted"],
        "text": [
            [f"true negative<br>{counts['tn']:,}", f"false positive<br>{counts['fp']:,}"],
            [f"false negative<br>{counts['fn']:,}", f"true positive<br>{counts['tp']:,}"],
        ],
        "texttemplate": "%{text}",
        # Resolved here: plotly.js's own "Blues" runs from dark to light, the other way round.
        "colorscale": BLUES,
        "showscale": False,
    }
    layout = _layout(
        title=_title(f"confusion matrix over {latest['rows_seen']:,} rows"),
        yaxis={"autorange": "reversed"},
    )
    return {"data": [heatmap], "layout": layout}


def _padded_range(values: Sequence[float]) -> list[float]:
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 0.5
    return [low - pad, high + pad]


def _markers(rows: Sequence[Json], x: str, y: str, **style: Any) -> Json:
    return {
        "type": "scatter",
        "x": [row[x] for row in rows],
        "y": [row[y] for row in rows],
        "mode": "markers",
        **style,
    }


ROW_HOVER = "id %{customdata[0]}<br>P(promoted) %{customdata[1]:.2f}<extra></extra>"


def decision_boundary_figure(latest: Json) -> Figure:
    """The newest rows with the line where the classifier's logit is zero.

    The coefficients are in the features' original units, so the boundary is
    intercept + w_competence * competence + w_network * network_ability = 0.
    """
    batch = latest["batch"]
    data = []
    for truth, label, color in PROMOTION_GROUPS:
        rows = [row for row in batch if row["promoted"] is truth]
        data.append(
            _markers(
                rows,
                "competence",
                "network_ability",
                name=f"actually {label}",
                marker={"color": color, "size": 10},
                customdata=[[row["id"], row["probability"]] for row in rows],
                hovertemplate=ROW_HOVER,
            )
        )
    wrong = [row for row in batch if row["predicted"] != row["promoted"]]
    data.append(
        _markers(
            wrong,
            "competence",
            "network_ability",
            name="wrong prediction",
            hoverinfo="skip",
            marker={
                "symbol": "circle-open",
                "size": 18,
                "color": WRONG_COLOR,
                "line": {"width": 2},
            },
        )
    )
    data.append(
        _markers(
            [],
            "competence",
            "network_ability",
            name=PERSON_NAME,
            marker={"symbol": "star", "size": 20, "color": PERSON_COLOR, "line": {"width": 1}},
            hovertemplate="the person asked about<br>competence %{x:.2f}, "
            "network ability %{y:.2f}<extra></extra>",
        )
    )
    # Wide enough for any person the sliders can ask about.
    asked = [question.LOW, question.HIGH]
    x_range = _padded_range([row["competence"] for row in batch] + asked)
    y_range = _padded_range([row["network_ability"] for row in batch] + asked)
    line = _boundary_line(latest["coefficients"], x_range, y_range)
    if line is not None:
        data.append(
            _lines(
                line[0],
                line[1],
                name="decision boundary (P = 0.5)",
                color="black",
                line={"dash": "dash"},
            )
        )
    layout = _layout(
        title=_title(f"newest {len(batch)} rows and the decision boundary"),
        xaxis={"title": _title("competence"), "range": x_range},
        yaxis={"title": _title("network ability"), "range": y_range},
    )
    return {"data": data, "layout": layout}


def _boundary_line(
    coefficients: Json, x_range: list[float], y_range: list[float]
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


def predicted_vs_actual_figure(latest: Json) -> Figure:
    """Predicted against true network ability for the newest rows; the diagonal is perfect."""
    batch = latest["batch"]
    data = [
        _markers(
            [row for row in batch if row["promoted"] is truth],
            "network_ability",
            "predicted",
            name=label,
            marker={"color": color, "size": 10},
            customdata=[row["id"] for row in batch if row["promoted"] is truth],
            hovertemplate="id %{customdata}<br>actual %{x:.2f}, predicted %{y:.2f}<extra></extra>",
        )
        for truth, label, color in PROMOTION_GROUPS
    ]
    values = [row["network_ability"] for row in batch] + [row["predicted"] for row in batch]
    low, high = _padded_range(values or [0.0, 1.0])
    data.append(
        _lines(
            [low, high], [low, high], name="perfect prediction", color="#999", line={"dash": "dash"}
        )
    )
    layout = _layout(
        title=_title(f"network ability: predicted vs actual, newest {len(batch)} rows"),
        xaxis={"title": _title("actual"), "range": [low, high]},
        yaxis={"title": _title("predicted"), "range": [low, high]},
    )
    return {"data": data, "layout": layout}
