"""Figure builders of a task's history: API JSON in, a Plotly figure dict out. Pure, so
tests call them without a server. The figures of the newest batch are in
`dashboard.batch_figures`, which draws with the helpers here.

The dicts are what `go.Figure(...).to_plotly_json()` would give, written directly: Plotly's
validating objects cost more per chart than the rest of a refresh, and the tests check
every builder's dict through `go.Figure`, which validates it.
"""

import base64
import copy
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import plotly.io as pio
from plotly.subplots import make_subplots

from dashboard.client import Json

Figure = Json
# A stacked chart: its title, the metric keys it draws, and optional y-axis limits.
Panel = tuple[str, Sequence[str], tuple[float, float] | None]

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")
TRACE_TYPES = ("scatter", "heatmap")
DRIFT_COLOR = "#d62728"
# Each detector's markers: ADWIN's (the loss rose) red and dashed, the relationship
# detector's (a coefficient moved) purple and dash-dotted, the fence's (a feature shifted)
# brown and dotted; the legend names each kind once.
DETECTOR_STYLES = {
    "ADWIN": (DRIFT_COLOR, "dash", "drift: the loss rose"),
    "relationship": ("#9467bd", "dashdot", "drift: a coefficient moved"),
    "fence": ("#8c564b", "dot", "drift: a feature shifted"),
    # Not a drift: where the learner went back to, asked or to heal (GET /{task}/drift).
    "rewind": ("#7f7f7f", "longdash", "a rewind to a kept version"),
}
# The newest events are marked; an old stream's many would hide the metric lines.
DRIFT_MARKERS_SHOWN = 20
# What each task's interval bands are, said under the chart's title and in their hover.
BAND_NOTES = {
    "regression": ("bands: 95% credible intervals, exact (the posterior)", "95% interval"),
    "classification": (
        "bands: 95% intervals of the Bayesian model's posterior (a Laplace approximation), "
        "around the weights drawn",
        "Laplace 95% interval",
    ),
}


def _template(name: str) -> Json:
    """The named template resolved as plotly.py resolves it, keeping the trace types drawn."""
    template = pio.templates[name].to_plotly_json()
    data = template.get("data", {})
    return {**template, "data": {kind: data[kind] for kind in TRACE_TYPES if kind in data}}


LAYOUT = {
    "template": _template("plotly_white"),
    "margin": {"l": 50, "r": 20, "t": 50, "b": 45},
    "legend": {"orientation": "h", "y": -0.2},
    "height": 360,
}


def _layout(**overrides: Any) -> Json:
    # The template is shared, never changed: every builder adds keys beside it only.
    return {**LAYOUT, **overrides}


def _title(text: str) -> Json:
    return {"text": text}


def placeholder_figure(message: str) -> Figure:
    """An empty chart that says why it is empty."""
    annotation = {"text": message, "showarrow": False, "font": {"size": 15, "color": "#777"}}
    return {
        "data": [],
        "layout": _layout(
            annotations=[annotation], xaxis={"visible": False}, yaxis={"visible": False}
        ),
    }


@cache
def _stacked_grid(rows: int) -> Json:
    """Axes and title slots of `rows` charts sharing one x axis, laid out by Plotly once."""
    titles = [f"title {row}" for row in range(rows)]
    grid = make_subplots(
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.1, subplot_titles=titles
    )
    layout = grid.to_plotly_json()["layout"]
    # make_subplots resolves Plotly's default template, which would replace ours.
    del layout["template"]
    return layout


def numbers(values: Sequence[float | None]) -> Json:
    """A long series as Plotly's typed array (base64 of float64, None as NaN, which Plotly
    leaves as a gap): serialised for each viewer's answer, one string costs a fraction
    of hundreds of numbers."""
    array = np.array([np.nan if value is None else value for value in values], dtype="<f8")
    return {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode()}


def _lines(x: Any, y: Any, *, name: str, color: str, **extra: Any) -> Json:
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "name": name,
        "mode": "lines",
        "line": {"color": color, **extra.pop("line", {})},
        **extra,
    }


def _trajectories(
    points: Sequence[Json], panels: Sequence[Panel], drift_events: Sequence[Json]
) -> Figure:
    """Metrics against rows seen, one chart per panel: cumulative solid, rolling dotted,
    and a vertical marker through every panel where a drift was detected."""
    grid = copy.deepcopy(_stacked_grid(len(panels)))
    for annotation, (title, _, _) in zip(grid["annotations"], panels, strict=True):
        annotation["text"] = title
    rows_seen = numbers([point["rows_seen"] for point in points])
    data = []
    color_index = 0
    for row, (_, names, limits) in enumerate(panels, start=1):
        suffix = "" if row == 1 else str(row)
        for name in names:
            color = COLORS[color_index % len(COLORS)]
            color_index += 1
            for source, dash, label in (
                ("metrics", "solid", ""),
                ("rolling_metrics", "dot", " (rolling)"),
            ):
                data.append(
                    _lines(
                        rows_seen,
                        numbers([point[source].get(name) for point in points]),
                        name=name + label,
                        color=color,
                        line={"dash": dash},
                        legendgroup=name,
                        xaxis=f"x{suffix}",
                        yaxis=f"y{suffix}",
                    )
                )
        if limits is not None:
            # Early values (an R² of -40 after ten rows) would otherwise flatten the rest.
            low, high = limits
            grid[f"yaxis{suffix}"]["autorangeoptions"] = {"minallowed": low, "maxallowed": high}
    grid[f"xaxis{len(panels) if len(panels) > 1 else ''}"]["title"] = _title("rows learned")
    grid["shapes"] = _drift_markers(drift_events, panels=len(panels))
    return {"data": data, "layout": _layout(**grid, height=200 + 160 * len(panels))}


def _drift_markers(events: Sequence[Json], *, panels: int) -> list[Json]:
    """A vertical line at each newest event's `rows_seen` on each of `panels` stacked
    charts, styled by its detector and labelled on the top one with what moved; one legend
    entry per detector."""
    shapes, in_legend = [], set()
    for event in events[-DRIFT_MARKERS_SHOWN:]:
        detector = event["detector"]
        color, dash, legend = DETECTOR_STYLES.get(detector, DETECTOR_STYLES["ADWIN"])
        for row in range(1, panels + 1):
            suffix = "" if row == 1 else str(row)
            shape: Json = {
                "type": "line",
                "name": legend,
                "xref": f"x{suffix}",
                "x0": event["rows_seen"],
                "x1": event["rows_seen"],
                "yref": f"y{suffix} domain",
                "y0": 0,
                "y1": 1,
                "line": {"color": color, "width": 2, "dash": dash},
                "legendgroup": f"drift {detector}",
                "showlegend": row == 1 and detector not in in_legend,
            }
            if shape["showlegend"]:
                in_legend.add(detector)
            if row == 1:
                shape["label"] = {
                    "text": marker_text(event),
                    # Level and at the foot of the line, clear of the panel title above it.
                    "textposition": "start",
                    "textangle": 0,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "font": {"color": color, "size": 11},
                }
            shapes.append(shape)
    return shapes


def marker_text(event: Json) -> str:
    """What a drift marker says: its detector and, when it names one, what moved.

    >>> marker_text({"detector": "ADWIN"})
    'drift (ADWIN)'
    >>> marker_text({"detector": "relationship", "coefficient": "competence",
    ...              "before": 12.06, "after": -11.41})
    'competence 12.1 → -11.4'
    >>> marker_text({"detector": "fence", "feature": "competence", "before": 0.5, "after": 49.7})
    'competence ×99 (fence)'
    """
    before, after = event.get("before"), event.get("after")
    if event.get("coefficient") and before is not None and after is not None:
        return f"{event['coefficient']} {before:.3g} → {after:.3g}"
    if event.get("feature") and before and after is not None:
        return f"{event['feature']} ×{after / before:.2g} (fence)"
    if event["detector"] == "rewind":
        return f"rewind to version {event['to_version']}"
    return f"drift ({event['detector']})"


def _rolling_note(points: Sequence[Json]) -> str:
    window = points[-1]["rolling_metrics"].get("count") if points else None
    return f"dotted: the last {window:,} rows" if window else "dotted: the recent rows"


def _events(drift: Json | None) -> list[Json]:
    """The drift events and, marked the same way, the rewinds, in the order of their rows."""
    if not drift:
        return []
    rewinds = [{**rewind, "detector": "rewind"} for rewind in drift.get("rewinds", [])]
    return sorted([*drift["events"], *rewinds], key=lambda event: event["rows_seen"])


def classification_metrics_figure(history: Json, drift: Json | None = None) -> Figure:
    points = history["points"]
    scores_title = f"accuracy, F1, ROC AUC ({_rolling_note(points)})"
    return _trajectories(
        points,
        [
            (scores_title, ("accuracy", "f1", "roc_auc"), (0, 1)),
            ("log loss", ("log_loss",), None),
        ],
        _events(drift),
    )


def regression_metrics_figure(history: Json, drift: Json | None = None) -> Figure:
    points = history["points"]
    return _trajectories(
        points,
        [
            (f"MAE and RMSE ({_rolling_note(points)})", ("mae", "rmse"), None),
            ("R²", ("r2",), (-1, 1)),
        ],
        _events(drift),
    )


def coefficients_figure(history: Json) -> Figure:
    """How each coefficient (original units) moved as rows were learned, inside the band
    of its 95% interval as the API served it at each point."""
    points = history["points"]
    rows_seen = numbers([point["rows_seen"] for point in points])
    names = sorted(points[-1]["coefficients"] if points else [], key=_intercept_last)
    note, hover_label = BAND_NOTES[history["task"]]
    data = []
    for color, name in zip(COLORS, names, strict=False):
        data += _interval_band(points, name, color, label=hover_label)
        data.append(
            _lines(
                rows_seen,
                numbers([point["coefficients"].get(name) for point in points]),
                name=name,
                color=color,
                legendgroup=name,
            )
        )
    zero_line = {
        "type": "line",
        "xref": "x domain",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": 0,
        "y1": 0,
        "line": {"color": "#999", "width": 1},
    }
    layout = _layout(
        title=_title(f"{history['task']} coefficients (original units)<br><sup>{note}</sup>"),
        xaxis={"title": _title("rows learned")},
        hovermode="x unified",
        shapes=[zero_line],
    )
    return {"data": data, "layout": layout}


def _interval_band(points: Sequence[Json], name: str, color: str, *, label: str) -> list[Json]:
    """The interval of `name` as a filled band: its low edge, then its high edge filled
    down to it. Points without intervals (records older than them, or too few rows yet)
    are left out, so the band starts where the intervals do."""
    served = [
        (point["rows_seen"], point["coefficient_intervals"][name])
        for point in points
        if (point.get("coefficient_intervals") or {}).get(name) is not None
    ]
    rows_seen = numbers([rows for rows, _ in served])
    edges = []
    for edge, side in ((0, "low"), (1, "high")):
        edges.append(
            _lines(
                rows_seen,
                numbers([interval[edge] for _, interval in served]),
                name=f"{name} 95% {side}",
                color=color,
                line={"width": 0},
                legendgroup=name,
                showlegend=False,
                hovertemplate=f"{label}, {side}: %{{y:.3f}}<extra></extra>",
            )
        )
    edges[1].update(fill="tonexty", fillcolor=_translucent(color))
    return edges


def _translucent(color: str, alpha: float = 0.2) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _intercept_last(name: str) -> tuple[bool, str]:
    return name == "intercept", name
