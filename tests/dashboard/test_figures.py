import base64
import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard import figures


def validated(build):
    """The builder with its dict put through Plotly's validating Figure, which refuses any
    property Plotly does not know."""
    return lambda *args: go.Figure(build(*args))


classification_metrics_figure = validated(figures.classification_metrics_figure)
coefficients_figure = validated(figures.coefficients_figure)
confusion_matrix_figure = validated(figures.confusion_matrix_figure)
decision_boundary_figure = validated(figures.decision_boundary_figure)
placeholder_figure = validated(figures.placeholder_figure)
predicted_vs_actual_figure = validated(figures.predicted_vs_actual_figure)
regression_metrics_figure = validated(figures.regression_metrics_figure)


def values(series) -> list:
    """A series as numbers, whether Plotly's typed array (NaN for a gap) or a plain list."""
    if isinstance(series, dict):
        decoded = np.frombuffer(base64.b64decode(series["bdata"]), dtype=series["dtype"])
        return [None if math.isnan(value) else value for value in decoded.tolist()]
    return list(series)


def trace(figure: go.Figure, name: str):
    return next(t for t in figure.data if t.name == name)


def test_figures_carry_plotly_whites_look_resolved_for_the_browser(regression_latest):
    figure = predicted_vs_actual_figure(regression_latest)
    assert figure.layout.template.layout.plot_bgcolor == "white"
    assert figure.layout.template.data.scatter


def test_placeholder_says_why_it_is_empty():
    figure = placeholder_figure("waiting for data")
    assert figure.data == ()
    assert figure.layout.annotations[0].text == "waiting for data"


def test_classification_metrics_draw_cumulative_and_rolling_against_rows_seen(
    classification_history,
):
    figure = classification_metrics_figure(classification_history)
    points = classification_history["points"]
    accuracy = trace(figure, "accuracy")
    rolling = trace(figure, "accuracy (rolling)")
    assert values(accuracy.x) == [p["rows_seen"] for p in points]
    assert values(accuracy.y) == [p["metrics"]["accuracy"] for p in points]
    assert values(rolling.y) == [p["rolling_metrics"]["accuracy"] for p in points]
    assert rolling.line.dash == "dot"
    assert trace(figure, "log_loss").yaxis == "y2"
    window = points[-1]["rolling_metrics"]["count"]
    assert f"dotted: the last {window:,} rows" in figure.layout.annotations[0].text


def test_undefined_metrics_become_gaps(classification_history):
    classification_history["points"][0]["metrics"]["roc_auc"] = None
    figure = classification_metrics_figure(classification_history)
    assert values(trace(figure, "roc_auc").y)[0] is None


def test_regression_metrics_keep_r2_on_its_own_bounded_axis(regression_history):
    figure = regression_metrics_figure(regression_history)
    assert {t.name for t in figure.data} == {
        "mae",
        "mae (rolling)",
        "rmse",
        "rmse (rolling)",
        "r2",
        "r2 (rolling)",
    }
    assert trace(figure, "r2").yaxis == "y2"
    assert figure.layout.yaxis2.autorangeoptions.minallowed == -1


def test_metric_figures_of_an_empty_history_have_no_points():
    figure = regression_metrics_figure({"task": "regression", "points": []})
    assert all(values(t.x) == [] for t in figure.data)


def test_coefficients_follow_each_weight_over_rows_seen(regression_history):
    figure = coefficients_figure(regression_history)
    points = regression_history["points"]
    assert [t.name for t in figure.data] == ["competence", "promoted", "intercept"]
    assert values(trace(figure, "promoted").y) == [p["coefficients"]["promoted"] for p in points]


def test_confusion_matrix_puts_actual_on_rows_and_predicted_on_columns(classification_latest):
    counts = classification_latest["metrics"]["confusion_matrix"]
    heatmap = confusion_matrix_figure(classification_latest).data[0]
    assert [list(row) for row in heatmap.z] == [
        [counts["tn"], counts["fp"]],
        [counts["fn"], counts["tp"]],
    ]
    assert heatmap.y[1] == "actual: promoted"
    assert heatmap.x[1] == "predicted: promoted"


def test_decision_boundary_is_where_the_logit_is_zero(classification_latest):
    coefficients = classification_latest["coefficients"]
    line = trace(decision_boundary_figure(classification_latest), "decision boundary (P = 0.5)")
    for competence, network_ability in zip(line.x, line.y, strict=True):
        logit = (
            coefficients["intercept"]
            + coefficients["competence"] * competence
            + coefficients["network_ability"] * network_ability
        )
        assert logit == pytest.approx(0, abs=1e-9)


def test_decision_boundary_shows_every_row_and_rings_the_wrong_ones(classification_latest):
    batch = classification_latest["batch"]
    batch[0].update(promoted=True, predicted=False)
    figure = decision_boundary_figure(classification_latest)
    shown = len(trace(figure, "actually promoted").x) + len(
        trace(figure, "actually not promoted").x
    )
    assert shown == len(batch)
    wrong = trace(figure, "wrong prediction")
    assert len(wrong.x) == sum(row["predicted"] != row["promoted"] for row in batch)
    assert batch[0]["competence"] in wrong.x


def test_decision_boundary_is_vertical_when_network_ability_has_no_weight(classification_latest):
    classification_latest["coefficients"] = {
        "competence": 4.0,
        "network_ability": 0.0,
        "intercept": -2.0,
    }
    line = trace(decision_boundary_figure(classification_latest), "decision boundary (P = 0.5)")
    assert list(line.x) == [0.5, 0.5]


def test_an_untrained_classifier_draws_no_boundary(classification_latest):
    classification_latest["coefficients"] = {
        "competence": 0.0,
        "network_ability": 0.0,
        "intercept": 0.0,
    }
    figure = decision_boundary_figure(classification_latest)
    assert "decision boundary (P = 0.5)" not in {t.name for t in figure.data}


def test_predicted_vs_actual_plots_each_row_against_the_diagonal(regression_latest):
    figure = predicted_vs_actual_figure(regression_latest)
    batch = regression_latest["batch"]
    promoted = trace(figure, "promoted")
    expected = [(r["network_ability"], r["predicted"]) for r in batch if r["promoted"]]
    assert list(zip(promoted.x, promoted.y, strict=True)) == expected
    diagonal = trace(figure, "perfect prediction")
    assert list(diagonal.x) == list(diagonal.y)


@pytest.mark.parametrize(
    "build",
    [
        figures.decision_boundary_figure,
        figures.predicted_vs_actual_figure,
        figures.confusion_matrix_figure,
    ],
    ids=lambda build: build.__name__,
)
def test_figures_serialise_to_finite_json(build, classification_latest, regression_latest):
    """Plotly's encoder would quietly send a NaN or an infinity as null, so the dict the
    builder hands to Dash must hold none: strict JSON takes it, and it reads back equal."""
    latest = (
        regression_latest if build is figures.predicted_vs_actual_figure else classification_latest
    )
    figure = build(latest)
    assert json.loads(json.dumps(figure, allow_nan=False)) == figure
